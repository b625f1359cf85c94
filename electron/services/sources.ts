import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { isInside } from './confine';

/** What the source editor opens: PD programs, build files, linker scripts, device trees. */
const SOURCE = /\.(c|h|S|s|cmake|ld|mk|dts|dtsi|dtso|txt|md)$|^(Makefile|GNUmakefile|makefile)$/;
/** Build output, dependencies and version control are not sources. */
const SKIP = new Set(['build', 'node_modules', '.git', 'reports', 'logs']);
/** A CMake build tree, whatever its folder is called, is output too. */
const CMAKE_BUILD_TREE_MARKER = 'CMakeCache.txt';
const LIMIT = 2000;
/** Directory entries looked at before a walk gives up (a home folder opened by mistake must not hang the host). */
const ENTRY_BUDGET = 400_000;

export interface TreeWalk {
  /** Paths relative to the root, '/'-separated, in tree order (each folder's entries sorted by name). */
  files: string[];
  truncated: boolean;
}

/**
 * Every file under `root` whose name `accept`s, leaving out build output, dependencies, version control and hidden
 * entries. Links are followed only to files inside the root (a linked folder is listed where it really is, and a link
 * can never lead the walk out of the folder or round in a cycle). At most `limit` files; `truncated` says when more.
 */
export async function walkTree(root: string, accept: (name: string) => boolean, limit: number): Promise<TreeWalk> {
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch {
    return { files: [], truncated: false };
  }
  let budget = ENTRY_BUDGET;
  let outOfBudget = false;
  // Folders are read concurrently (libuv bounds the real parallelism); results keep tree order.
  const walk = async (rel: string): Promise<string[]> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(realRoot, rel), { withFileTypes: true });
    } catch {
      return [];
    }
    budget -= entries.length;
    if (budget < 0) {
      outOfBudget = true;
      return [];
    }
    if (rel && entries.some((e) => e.name === CMAKE_BUILD_TREE_MARKER)) return [];
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const parts = await Promise.all(
      entries.map(async (e): Promise<string[]> => {
        if (e.name.startsWith('.')) return [];
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) return SKIP.has(e.name) ? [] : walk(r);
        if (!accept(e.name)) return [];
        if (e.isFile()) return [r];
        if (e.isSymbolicLink() && (await isFileInside(realRoot, r))) return [r];
        return [];
      }),
    );
    return parts.flat();
  };
  const files = await walk('');
  return { files: files.slice(0, limit), truncated: outOfBudget || files.length > limit };
}

async function isFileInside(realRoot: string, rel: string): Promise<boolean> {
  try {
    const real = await fs.realpath(path.join(realRoot, rel));
    return isInside(realRoot, real) && (await fs.stat(real)).isFile();
  } catch {
    return false;
  }
}

/**
 * The project's source files, relative to it, sorted; no link leads outside the project. At most 2000 (truncated
 * says when there were more).
 */
export function projectSources(root: string): Promise<TreeWalk> {
  return walkTree(root, (name) => SOURCE.test(name), LIMIT);
}
