import { dirname, joinPath } from './cpp';

/**
 * The include folders a device tree needs, found in the folder that holds it: a JetPack source tree includes
 * `tegra234.dtsi` and `<dt-bindings/clock/tegra234-clock.h>` from folders its Makefiles pass with -I, which a user
 * opening the tree does not know. Every `#include` and `/include/` reachable from the tree is looked up as cpp
 * would (a quoted name beside the including file first, then each include folder); a name found nowhere is looked
 * for among the folder's files, and the folder that makes it resolve is added. `#if` is not evaluated: an include in
 * a branch cpp skips may add a folder, which costs nothing.
 *
 * Paths are relative to the folder, with `/`; the folder itself is `.`.
 */
export interface IncludeGuess {
  includeDirs: string[];
  /** Names no file of the folder provides (cpp will stop at the first of them). */
  missing: string[];
  /** Files read on the way (the tree and what it includes). */
  scanned: number;
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]|\/include\/[ \t]*"([^"\n]+)"/gm;
const MAX_FILES = 4000;

export function guessIncludeDirs(main: string, files: readonly string[], read: (file: string) => string | undefined, given: readonly string[] = []): IncludeGuess {
  const exists = new Set(files);
  const dirs = [...given];
  const missing: string[] = [];
  const queue = [main];
  const seen = new Set(queue);
  const mainDir = dirname(main);
  const at = (dir: string, name: string) => joinPath(dir, name);
  for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
    const file = queue[i]!;
    const text = read(file);
    if (text === undefined) continue;
    for (const m of text.matchAll(INCLUDE)) {
      const quoted = m[1] === '"' || m[3] !== undefined;
      const name = (m[2] ?? m[3]!).trim();
      if (name.startsWith('/')) continue;
      let found = [...(quoted ? [dirname(file)] : []), ...dirs].map((d) => at(d, name)).find((p) => exists.has(p));
      if (!found) {
        const dir = bestDir(files, name, mainDir);
        if (dir === undefined) {
          if (!missing.includes(name)) missing.push(name);
          continue;
        }
        dirs.push(dir);
        found = at(dir, name);
      }
      if (!seen.has(found)) {
        seen.add(found);
        queue.push(found);
      }
    }
  }
  return { includeDirs: dirs, missing, scanned: Math.min(queue.length, MAX_FILES) };
}

/** The folder that makes `name` resolve, nearest the tree (the longest shared leading path, then the shortest). */
function bestDir(files: readonly string[], name: string, near: string): string | undefined {
  const suffix = `/${name}`;
  let best: { dir: string; shared: number } | undefined;
  for (const f of files) {
    if (f !== name && !f.endsWith(suffix)) continue;
    const dir = f === name ? '.' : f.slice(0, f.length - suffix.length);
    const shared = sharedParts(dir, near);
    if (!best || shared > best.shared || (shared === best.shared && dir.length < best.dir.length)) best = { dir, shared };
  }
  return best?.dir;
}

function sharedParts(a: string, b: string): number {
  const x = a === '.' ? [] : a.split('/');
  const y = b === '.' ? [] : b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
