import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Args, UsageError } from './args';
import { applyScripted, parseRename, parseSetSpec, ScriptError, type ScriptedOp } from '../../shared/sdf/scriptedEdits';
import { writeFileAtomic } from '../services/atomicWrite';
import type { Io } from './sdfCommands';

/**
 * `sel4-studio edit FILE [--set 'ELEMENT[NAME]@ATTR=VALUE']… [--unset 'ELEMENT[NAME]@ATTR']… [--rename KIND OLD NEW]…
 * [-o OUT]`: the IDE's lossless edits from a script. Without -o the file is rewritten in place (atomically, and only
 * when something changed); with no operation the output is the input, byte for byte.
 */
export async function runEdit(argv: string[], io: Io): Promise<number> {
  try {
    const a = new Args(argv);
    const ops: ScriptedOp[] = [];
    let file: string | undefined;
    let out: string | undefined;
    for (let arg = a.next(); arg !== undefined; arg = a.next()) {
      if (arg === '--set') ops.push(parseSetSpec(a.value(arg)));
      else if (arg === '--unset') ops.push(parseSetSpec(a.value(arg), true));
      else if (arg === '--rename') ops.push(parseRename(a.value(arg), a.value(arg), a.value(arg)));
      else if (arg === '-o' || arg === '--output') out = a.value(arg);
      else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
      else if (file === undefined) file = arg;
      else throw new UsageError('edit takes one .system file');
    }
    if (!file) throw new UsageError('edit needs a .system file');
    const text = await fs.readFile(file, 'utf8');
    const result = applyScripted(text, path.basename(file), ops);
    if (out === '-') io.out(result);
    else if (out) await writeFileAtomic(path.resolve(out), result);
    else if (result !== text) await writeFileAtomic(path.resolve(file), result);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sel4-studio edit: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ScriptError || (e as NodeJS.ErrnoException).code) {
      io.err(`sel4-studio edit: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
