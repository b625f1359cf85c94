import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BoardPackSchema, type BoardPack } from '../../shared/model/board';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { lineColAt } from '../../shared/api/diagnostics';

export { defaultBoardsDir } from './paths';

/** Every `boards/<name>/board.json`, validated; a broken pack is reported with its place and left out. */
export async function loadBoards(dir: string): Promise<{ boards: BoardPack[]; problems: Diagnostic[] }> {
  const boards: BoardPack[] = [];
  const problems: Diagnostic[] = [];
  let entries: string[] = [];
  try {
    entries = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    problems.push({ severity: 'error', file: dir, message: `board packs not found in ${dir}` });
  }
  for (const name of entries) {
    const file = path.join(dir, name, 'board.json');
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      problems.push({ severity: 'error', file, line: 1, column: 1, message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const r = BoardPackSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const key = issue.path[issue.path.length - 1];
        const at = typeof key === 'string' ? lineColAt(text, Math.max(0, text.indexOf(`"${key}"`))) : { line: 1, column: 1 };
        problems.push({ severity: 'error', file, ...at, message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
      }
      continue;
    }
    if (r.data.name !== name) {
      problems.push({ severity: 'error', file, line: 1, column: 1, message: `board name "${r.data.name}" does not match its folder "${name}"` });
      continue;
    }
    boards.push(r.data);
  }
  return { boards, problems };
}
