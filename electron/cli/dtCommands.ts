import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { applyOverlay } from '../../shared/dt/overlay';
import { hex } from '../../shared/format/hex';
import { parseDtsFile } from '../../shared/dt/parse';
import { printDts } from '../../shared/dt/print';
import type { DtTree } from '../../shared/dt/tree';
import { decodeInterrupts, decodeReg, find, indexTree, strings, supplierClosure } from '../../shared/dt/query';
import type { Io } from './sdfCommands';
import { Args, UsageError } from './args';
import { stdout } from './exit';


// Sync reads: a one-shot command gains nothing from the promise API but its start-up cost. Include paths are
// probed file by file: a miss is an answer, not an exception.
const readText = (p: string) => {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isFile() ? readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

/** Load a tree from DTS (optionally through the C preprocessor) or DTB. */
export async function loadTree(file: string, format: 'dts' | 'dtb', includeDirs: string[], cpp: boolean): Promise<DtTree> {
  if (format === 'dtb') return readDtb(new Uint8Array(file === '-' ? await readStdin() : readFileSync(file)));
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
 * `sel4-studio dtc [-I dts|dtb] [-O dtb|dts] [-o OUT] [-i DIR]... [-@] [--cpp] [-D NAME[=V]]... IN`: dtc's flags and its
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
  let symbols = false;
  const inputs: string[] = [];
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '-I' || a === '--in-format') inFmt = fmt(val());
    else if (a === '-O' || a === '--out-format') outFmt = fmt(val());
    else if (a === '-o' || a === '--out') out = val();
    else if (a === '-i' || a === '--include') includeDirs.push(val());
    else if (a === '--cpp') cpp = true;
    else if (a === '-@' || a === '--symbols') symbols = true;
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
      inFmt === 'dts' && (Object.keys(defines).length || symbols)
        ? parseDtsFile(path.resolve(input), { readFile: readText, includeDirs: includeDirs.map((d) => path.resolve(d)), cpp, defines, symbols })
        : await loadTree(input, inFmt, includeDirs, cpp);
    const bytes = outFmt === 'dtb' ? Buffer.from(writeDtb(tree)) : Buffer.from(printDts(tree), 'utf8');
    if (out && out !== '-') {
      if (outFmt === 'dts') await (await import('../services/atomicWrite')).writeFileAtomic(path.resolve(out), bytes.toString('utf8'));
      else writeFileSync(path.resolve(out), bytes);
    } else stdout().write(bytes);
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

/**
 * `sel4-studio dt query FILE (--path P | --label L | --compatible C) [--cpp] [-i DIR]... [--json]`: where a device is,
 * its interrupts as GIC INTIDs, and what it depends on.
 */
export async function dtQuery(argv: string[], io: Io): Promise<number> {
  const q: { path?: string; label?: string; compatible?: string } = {};
  const includeDirs: string[] = [];
  let cpp = false;
  let json = false;
  const files: string[] = [];
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '--path') q.path = val();
    else if (a === '--label') q.label = val();
    else if (a === '--compatible') q.compatible = val();
    else if (a === '-i') includeDirs.push(val());
    else if (a === '--cpp') cpp = true;
    else if (a === '--json') json = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1 || Object.keys(q).length !== 1) throw new UsageError('dt query needs one FILE and one of --path, --label, --compatible');
  const file = files[0]!;
  // Reading the tree and decoding what was asked (a `#…-cells` value a decode cannot use is an error at its place).
  let result;
  let hits;
  try {
    const idx = indexTree(await loadTree(file, /\.dtbo?$/.test(file) ? 'dtb' : 'dts', includeDirs, cpp));
    hits = find(idx, q);
    result = hits.map((h) => ({
      path: h.path,
      labels: h.node.labels,
      compatible: strings(h.node, 'compatible'),
      status: strings(h.node, 'status')[0] ?? 'okay',
      reg: decodeReg(idx, h.node).map((r) => ({ ...(r.name ? { name: r.name } : {}), address: hex(r.address), size: hex(r.size), translated: r.translated })),
      interrupts: decodeInterrupts(idx, h.node),
      suppliers: supplierClosure(idx, h.node),
    }));
  } catch (e) {
    if (e instanceof DtError || e instanceof DtbError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const r of result) {
      io.out(`${r.path}${r.labels.length ? ` (${r.labels.join(', ')})` : ''}\n  compatible: ${r.compatible.join(', ') || '-'}\n  status: ${r.status}\n`);
      for (const g of r.reg) io.out(`  reg${g.name ? ` ${g.name}` : ''}: ${g.address} + ${g.size}${g.translated ? '' : ' (bus address: an ancestor has no ranges)'}\n`);
      for (const it of r.interrupts) io.out(`  interrupt${it.name ? ` ${it.name}` : ''}: ${it.type ? `${it.type} ${it.number} -> INTID ${it.intid} (${it.trigger})` : `<${it.cells.join(' ')}>`} via ${it.controller}\n`);
      for (const s of r.suppliers) io.out(`  needs ${s.path} via ${s.via}${s.args.length ? ` <${s.args.map(hex).join(' ')}>` : ''}${s.for !== r.path ? ` (for ${s.for})` : ''}\n`);
    }
  }
  if (!hits.length) io.err(`no node matches ${JSON.stringify(q)}\n`);
  return hits.length ? 0 : 1;
}

/** `sel4-studio fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...`: fdtoverlay's flags and result. */
export async function fdtoverlay(argv: string[], io: Io): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  const overlays: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-i' || a === '--input') input = argv[++i];
    else if (a === '-o' || a === '--output') output = argv[++i];
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else overlays.push(a);
  }
  if (!input || !output || !overlays.length) throw new UsageError('fdtoverlay needs -i BASE -o OUT and at least one overlay');
  try {
    let tree = readDtb(new Uint8Array(readFileSync(input)));
    for (const o of overlays) tree = applyOverlay(tree, readDtb(new Uint8Array(readFileSync(o))));
    writeFileSync(path.resolve(output), writeDtb(tree));
    return 0;
  } catch (e) {
    if (e instanceof DtbError) {
      io.err(`fdtoverlay: ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code) {
      io.err(`fdtoverlay: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

function fmt(v: string): 'dts' | 'dtb' {
  if (v !== 'dts' && v !== 'dtb') throw new UsageError(`unsupported format '${v}' (dts or dtb)`);
  return v;
}

export async function runDtCommand(cmd: 'dtc' | 'dt' | 'fdtoverlay', argv: string[], io: Io): Promise<number> {
  try {
    if (cmd === 'fdtoverlay') return await fdtoverlay(argv, io);
    if (cmd === 'dt') {
      if (argv[0] !== 'query') throw new UsageError('usage: sel4-studio dt query FILE (--path P | --label L | --compatible C)');
      return await dtQuery(argv.slice(1), io);
    }
    return await dtc(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sel4-studio ${cmd}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
