import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError } from '../../shared/dt/dtb';
import { indexTree } from '../../shared/dt/query';
import { hex } from '../../shared/format/hex';
import { pickableDevices, treeFacts, type Problem, type TreeFacts } from '../../shared/board/fromTree';
import { boardPackFromFacts } from '../../shared/board/pack';
import { writeFileAtomic } from '../services/atomicWrite';
import { Args, UsageError } from './args';
import { loadTreeWithBindings } from './dtLoad';
import type { Io } from './sdfCommands';

const USAGE = `sel4-studio board from-dt FILE.dts|FILE.dtb --out DIR [--cpp] [-i DIR]... [--name NAME] [--title TEXT]
    [--payload SIZE] [--link ADDR] [--ram BASE:SIZE]... [--smp N] [--device PATH]... [--force]
  a board pack (DIR/board.json) from a device tree: RAM, reserved memory, GIC, timer, UARTs, PSCI, CPUs, PA bits and a
  loader link address with room for SIZE bytes of payload (default 32 MiB); --ram for a tree whose /memory the boot
  loader fills; --device adds a device (node path) to the pack's devices beside the UARTs`;

const big = (opt: string, v: string) => {
  if (!/^(0x[0-9a-fA-F_]+|\d[\d_]*)([KMG]i?B?)?$/.test(v)) throw new UsageError(`${opt}: '${v}' is not a number (0x…, decimal, or with K/M/G)`);
  const m = /([KMG])i?B?$/.exec(v);
  const n = BigInt(v.replace(/([KMG])i?B?$/, '').replace(/_/g, ''));
  return m ? n << BigInt({ K: 10, M: 20, G: 30 }[m[1] as 'K' | 'M' | 'G']) : n;
};

/** `file:line:col` of a problem (a DTB's places are byte offsets). */
function where(p: Problem, file: string): string {
  if (p.place.file === '<dtb>') return `${file}: offset ${p.place.column}`;
  const rel = path.relative(process.cwd(), p.place.file);
  return `${rel.startsWith('..') || path.isAbsolute(rel) ? p.place.file : rel}:${p.place.line}:${p.place.column}`;
}

function summary(f: TreeFacts): string[] {
  const out: string[] = [];
  out.push(`CPUs: ${f.cpus.models.map((m) => `${m.count}× ${m.compatible}`).join(', ') || 'none'}${f.cpus.enableMethods.length ? ` (${f.cpus.enableMethods.join(', ')})` : ''}`);
  out.push(`RAM: ${f.memory.map((b) => `${hex(b.base)}+${hex(b.size)}`).join(', ') || 'none'}`);
  for (const r of f.reserved) out.push(`reserved: ${hex(r.base)}+${hex(r.size)} ${r.path}${r.noMap ? ' (no-map)' : ''}`);
  if (f.gic) out.push(`GICv${f.gic.version} ${f.gic.compatible} ${f.gic.path}: ${f.gic.regs.map((r) => `${r.name} ${hex(r.address)}`).join(', ')}${f.gic.maintenanceIntid !== undefined ? `; maintenance INTID ${f.gic.maintenanceIntid}` : ''}`);
  if (f.timer) out.push(`timer ${f.timer.path}: ${f.timer.ppis.map((p) => `${p.name} INTID ${p.intid}`).join(', ')}`);
  for (const u of f.uarts) out.push(`UART ${u.path} ${u.compatible[0] ?? ''} ${u.regs.map((r) => hex(r.base)).join(', ')}${u.intids.length ? ` INTID ${u.intids.join(', ')}` : ''}${u.stdout ? ' [stdout]' : ''}${u.kernel ? ' [kernel]' : ''}${u.status !== 'okay' ? ` [${u.status}]` : ''}`);
  if (f.psci) out.push(`PSCI: ${f.psci.method} (${f.psci.path})`);
  out.push(`PA bits: ${f.addressWidth.paBits ?? '-'}: ${f.addressWidth.how}`);
  return out;
}

export async function boardFromDt(argv: string[], io: Io): Promise<number> {
  const args = new Args(argv);
  let file: string | undefined;
  let out: string | undefined;
  let cpp = false;
  let name: string | undefined;
  let title: string | undefined;
  let payloadSize: bigint | undefined;
  let link: bigint | undefined;
  let smp: number | undefined;
  let force = false;
  const includeDirs: string[] = [];
  const ram: { base: bigint; size: bigint }[] = [];
  const devices: string[] = [];
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    if (a === '--out') out = args.value(opt);
    else if (a === '--cpp') cpp = true;
    else if (a === '-i') includeDirs.push(args.value(opt));
    else if (a === '--name') name = args.value(opt);
    else if (a === '--title') title = args.value(opt);
    else if (a === '--payload') payloadSize = big(opt, args.value(opt));
    else if (a === '--link') link = big(opt, args.value(opt));
    else if (a === '--smp') smp = Number(big(opt, args.value(opt)));
    else if (a === '--device') devices.push(args.value(opt));
    else if (a === '--force') force = true;
    else if (a === '--ram') {
      const [b, s] = args.value(opt).split(':');
      if (!b || !s) throw new UsageError('--ram takes BASE:SIZE, e.g. 0x80000000:0x80000000');
      ram.push({ base: big(opt, b), size: big(opt, s) });
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`one device tree only (${file}, ${a})\n${USAGE}`);
  }
  if (!file) throw new UsageError(`a device tree (FILE.dts or FILE.dtb) is required\n${USAGE}`);
  if (!out) throw new UsageError(`--out DIR is required (the pack is written to DIR/board.json)\n${USAGE}`);
  name ??= path.basename(path.resolve(out)).toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z0-9_]+$/.test(name)) throw new UsageError(`--name: '${name}' must be lowercase letters, digits and _`);

  let tree;
  try {
    tree = loadTreeWithBindings(file, includeDirs, cpp, []).tree;
  } catch (e) {
    // A DTB's errors carry a byte offset but not the file.
    if (e instanceof DtbError) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
  const idx = indexTree(tree);
  const facts = treeFacts(idx, path.basename(file));
  if (ram.length) {
    // RAM given on the command line replaces the tree's (a JetPack tree's /memory is written by the boot loader).
    facts.memory = ram.map((r) => ({ ...r, path: '--ram' })).sort((x, y) => (x.base < y.base ? -1 : 1));
    facts.problems = facts.problems.filter((p) => !/^no memory node/.test(p.message));
  }
  for (const l of summary(facts)) io.out(`${l}\n`);
  for (const p of facts.problems) io.err(`${where(p, file)}: ${p.severity}: ${p.message} (${p.path})\n`);
  const made = boardPackFromFacts(facts, { name, ...(title ? { title } : {}), ...(payloadSize !== undefined ? { payloadSize } : {}), ...(link !== undefined ? { loaderLinkAddress: link } : {}), ...(smp !== undefined ? { smpCores: smp } : {}), devices, catalogue: devices.length ? pickableDevices(idx) : [] });
  if (made.link.address !== undefined) io.out(`loader link address: ${made.link.reason}\n`);
  if (!made.pack || made.problems.length) {
    const hint = facts.memory.length ? '' : '\n  (--ram BASE:SIZE gives the RAM a boot loader would write into /memory)';
    io.err(`sel4-studio board: no pack written:\n${made.problems.map((p) => `  ${p}`).join('\n')}${hint}\n`);
    return 1;
  }
  const dir = path.resolve(out);
  const target = path.join(dir, 'board.json');
  await fs.mkdir(dir, { recursive: true });
  if (!force && (await fs.stat(target).then(() => true, () => false))) {
    io.err(`sel4-studio board: ${target} exists; nothing written (--force replaces it)\n`);
    return 1;
  }
  await writeFileAtomic(target, `${JSON.stringify(made.pack, null, 2)}\n`);
  const rel = path.relative(process.cwd(), target);
  io.out(`wrote ${rel.startsWith('..') || path.isAbsolute(rel) ? target : rel} (${made.pack.name}: ${made.pack.devices.length} device(s), every fact with its source)\n`);
  return 0;
}

export async function runBoardCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub !== 'from-dt') throw new UsageError(`${sub === undefined ? 'a subcommand is required' : `unknown subcommand ${sub}`}\n${USAGE}`);
    return await boardFromDt(rest, io);
  } catch (e) {
    if (e instanceof DtError || e instanceof DtbError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`sel4-studio board: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
