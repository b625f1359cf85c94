import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';
import { printDts } from '../../shared/dt/print';
import type { DtTree } from '../../shared/dt/tree';
import { writeFileAtomic } from '../services/atomicWrite';
import type { Io } from './sdfCommands';

class UsageError extends Error {}

const readText = (p: string) => {
  try {
    return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

/** Load a tree from DTS (optionally through the C preprocessor) or DTB. */
export async function loadTree(file: string, format: 'dts' | 'dtb', includeDirs: string[], cpp: boolean): Promise<DtTree> {
  if (format === 'dtb') return readDtb(new Uint8Array(file === '-' ? await readStdin() : await fs.readFile(file)));
  if (file === '-') {
    const text = (await readStdin()).toString('utf8');
    return parseDtsFile('<stdin>', { readFile: (p) => (p === '<stdin>' ? text : readText(p)), includeDirs, cpp });
  }
  if (!existsSync(file)) throw new UsageError(`${file}: No such file or directory`);
  return parseDtsFile(path.resolve(file), { readFile: readText, includeDirs: includeDirs.map((d) => path.resolve(d)), cpp });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `sel4-studio dtc [-I dts|dtb] [-O dtb|dts] [-o OUT] [-i DIR]... [--cpp] [-D NAME[=V]]... IN`: dtc's flags and its
 * output bytes; works where dtc is not installed. `--cpp` runs the C-preprocessor subset first (what
 * `cpp -x assembler-with-cpp | dtc` does).
 */
export async function dtc(argv: string[], io: Io): Promise<number> {
  let inFmt: 'dts' | 'dtb' | undefined;
  let outFmt: 'dts' | 'dtb' | undefined;
  let out: string | undefined;
  const includeDirs: string[] = [];
  const defines: Record<string, string> = {};
  let cpp = false;
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-I' || a === '--in-format') inFmt = fmt(val());
    else if (a === '-O' || a === '--out-format') outFmt = fmt(val());
    else if (a === '-o' || a === '--out') out = val();
    else if (a === '-i' || a === '--include') includeDirs.push(val());
    else if (a === '--cpp') cpp = true;
    else if (a === '-D') {
      const [k, v] = val().split('=', 2) as [string, string | undefined];
      defines[k] = v ?? '1';
      cpp = true;
    } else if (a === '-q' || a === '--quiet') continue;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else inputs.push(a);
  }
  if (inputs.length !== 1) throw new UsageError('dtc needs exactly one input file (or - for standard input)');
  const input = inputs[0]!;
  inFmt ??= /\.dtbo?$/.test(input) ? 'dtb' : 'dts';
  outFmt ??= out && /\.dts$/.test(out) ? 'dts' : 'dtb';
  try {
    const tree =
      inFmt === 'dts' && Object.keys(defines).length
        ? parseDtsFile(path.resolve(input), { readFile: readText, includeDirs: includeDirs.map((d) => path.resolve(d)), cpp, defines })
        : await loadTree(input, inFmt, includeDirs, cpp);
    const bytes = outFmt === 'dtb' ? Buffer.from(writeDtb(tree)) : Buffer.from(printDts(tree), 'utf8');
    if (out && out !== '-') {
      if (outFmt === 'dts') await writeFileAtomic(path.resolve(out), bytes.toString('utf8'));
      else await fs.writeFile(path.resolve(out), bytes);
    } else process.stdout.write(bytes);
    return 0;
  } catch (e) {
    if (e instanceof DtError) {
      io.err(`${e.file}:${e.line}:${e.column}: error: ${e.message.slice(e.message.indexOf(': ', e.file.length) + 2)}\n`);
      return 1;
    }
    if (e instanceof DtbError) {
      io.err(`${input}: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function fmt(v: string): 'dts' | 'dtb' {
  if (v !== 'dts' && v !== 'dtb') throw new UsageError(`unsupported format '${v}' (dts or dtb)`);
  return v;
}

export async function runDtCommand(cmd: 'dtc', argv: string[], io: Io): Promise<number> {
  try {
    return await { dtc }[cmd](argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sel4-studio ${cmd}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
