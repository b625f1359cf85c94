import path from 'node:path';

// Plain path helpers with no schema behind them: the browser host's first module imports them, and it must stay
// small enough to listen at once (npm run bench -- --only startup).

/** The board packs shipped with seL4 Studio: `boards/` two levels above every bundle and source folder. */
export function defaultBoardsDir(here: string): string {
  return process.env.SEL4_STUDIO_BOARDS ?? path.resolve(here, '../../boards');
}

/** Whether `p` is `root` or lies below it (both absolute and resolved). */
export function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}
