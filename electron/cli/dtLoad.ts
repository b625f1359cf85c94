import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';
import type { DtTree } from '../../shared/dt/tree';
import { isBindingHeaderPath, parseBindingHeader, type BindingTable } from '../../shared/passthrough/bindings';
import { UsageError } from './args';

/** A device tree named on a command line (`passthrough --dt`, `board from-dt`): a DTB, or a DTS through the engine (cpp subset with --cpp). */

const readText = (p: string) => {
  try {
    return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

/** The tree, and the names of the dt-bindings headers its preprocessing opened (and any given with --bindings). */
export function loadTreeWithBindings(file: string, includeDirs: string[], cpp: boolean, extra: string[]): { tree: DtTree; tables: BindingTable[] } {
  if (!existsSync(file)) throw new UsageError(`${file}: No such file or directory`);
  const headers = new Set<string>(extra.map((f) => path.resolve(f)));
  let tree: DtTree;
  if (/\.dtbo?$/.test(file)) tree = readDtb(new Uint8Array(readFileSync(file)));
  else {
    const read = (p: string) => {
      const t = readText(p);
      if (t !== undefined && isBindingHeaderPath(p)) headers.add(p);
      return t;
    };
    tree = parseDtsFile(path.resolve(file), { readFile: read, includeDirs: includeDirs.map((d) => path.resolve(d)), cpp });
  }
  const tables = [...headers].flatMap((h) => {
    const t = readText(h);
    if (t === undefined) throw new UsageError(`${h}: No such file or directory`);
    return parseBindingHeader(h, t);
  });
  return { tree, tables };
}

