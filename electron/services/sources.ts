import { promises as fs } from 'node:fs';
import path from 'node:path';

/** What the source editor opens: PD programs, build files, linker scripts, device trees. */
const SOURCE = /\.(c|h|S|s|cmake|ld|mk|dts|dtsi|dtso|txt|md)$|^(Makefile|GNUmakefile|makefile)$/;
/** Build output, dependencies and version control are not sources. */
const SKIP = new Set(['build', 'node_modules', '.git', 'reports', 'logs']);
const LIMIT = 2000;

/**
 * The project's source files, relative to it, sorted; symbolic links are not followed (nothing outside the project
 * is listed). At most 2000 (truncated says when there were more).
 */
export async function projectSources(root: string): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let truncated = false;
  const walk = async (rel: string) => {
    let entries;
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (files.length >= LIMIT) {
        truncated = true;
        return;
      }
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) await walk(r);
      else if (e.isFile() && SOURCE.test(e.name) && !e.name.startsWith('.')) files.push(r);
    }
  };
  await walk('');
  return { files, truncated };
}
