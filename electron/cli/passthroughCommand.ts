import { Args, UsageError } from './args';
import { existsSync, promises as fs } from 'node:fs';
import { loadTreeWithBindings } from './dtLoad';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';
import { indexTree } from '../../shared/dt/query';
import { hex } from '../../shared/format/hex';
import { kernelConfigForBoard, type BoardPack } from '../../shared/model/board';
import { checkSystem } from '../../shared/sdf/check';
import { analyzeText, openSystemDoc, withSystem, UneditableText } from '../../shared/sdf/document';
import { passthroughSystem } from '../../shared/passthrough/additions';
import type { BindingTable } from '../../shared/passthrough/bindings';
import { catalogue, groupDevices, searchDevices } from '../../shared/passthrough/devices';
import { deviceFacts, specifierText, streamText } from '../../shared/passthrough/facts';
import { planPassthrough, type PlanInput, type PlanOptions } from '../../shared/passthrough/plan';
import { renderPassthrough } from '../../shared/passthrough/render';
import { defaultBoardsDir, loadBoards } from '../services/boards';
import { writeFileAtomic } from '../services/atomicWrite';
import type { Io } from './sdfCommands';

const USAGE = `sel4-studio passthrough --board BOARD --device NAME[,NAME]... (--out DIR | --into FILE.system [--out DIR])
    [--dt FILE [--cpp] [-i DIR]... [--bindings HEADER.h]...] [--vm NAME] [--vmm PD] [--ram BASE:SIZE] [--ram-phys BASE]
    [--vcpus N] [--vmm-priority N] [--vmm-image FILE] [--first-id N] [--remap DEVICE=GUEST_ADDR]...
    [--keep-hypervisor-windows] [--clocks keep|remove] [--nic-route direct|path-b] [--fragment] [--kvm-extras]
sel4-studio passthrough --board BOARD [--dt FILE ...] --list [QUERY]      the devices, grouped (search: name, label, compatible, address)
sel4-studio passthrough --board BOARD [--dt FILE ...] --facts DEVICE      one device: windows, IRQs, clocks/resets by name, risks`;

interface Parsed {
  board: string;
  devices: string[];
  out?: string;
  into?: string;
  dt?: string;
  cpp: boolean;
  includeDirs: string[];
  bindings: string[];
  vm: NonNullable<PlanInput['vm']>;
  firstId: number;
  remap: Record<string, bigint>;
  options: PlanOptions;
  fragment: boolean;
  kvmExtras: boolean;
  list?: string;
  facts?: string;
}

const big = (opt: string, v: string) => {
  if (!/^(0x[0-9a-fA-F_]+|\d[\d_]*)$/.test(v)) throw new UsageError(`${opt}: '${v}' is not a number`);
  return BigInt(v.replace(/_/g, ''));
};

function parse(argv: string[]): Parsed {
  const p: Partial<Parsed> & Pick<Parsed, 'devices' | 'includeDirs' | 'bindings' | 'vm' | 'remap' | 'options'> = { devices: [], includeDirs: [], bindings: [], vm: {}, remap: {}, options: {}, cpp: false, fragment: false, kvmExtras: false, firstId: 1 };
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '--board') p.board = val();
    else if (a === '--device') p.devices.push(...val().split(',').filter(Boolean));
    else if (a === '--out') p.out = val();
    else if (a === '--into') p.into = val();
    else if (a === '--dt') p.dt = val();
    else if (a === '--cpp') p.cpp = true;
    else if (a === '-i') p.includeDirs.push(val());
    else if (a === '--bindings') p.bindings.push(val());
    else if (a === '--vm') p.vm.name = val();
    else if (a === '--vmm') p.vm.vmm = val();
    else if (a === '--ram') {
      const [base, size] = val().split(':');
      if (!base || !size) throw new UsageError('--ram takes BASE:SIZE, e.g. 0xc2000000:0x30000000');
      p.vm.ramBase = big(a, base);
      p.vm.ramSize = big(a, size);
    } else if (a === '--ram-phys') p.vm.ramPhys = big(a, val());
    else if (a === '--vcpus') p.vm.vcpus = Number(big(a, val()));
    else if (a === '--vmm-priority') p.vm.vmmPriority = Number(big(a, val()));
    else if (a === '--vmm-image') p.vm.programImage = val();
    else if (a === '--first-id') p.firstId = Number(big(a, val()));
    else if (a === '--remap') {
      const [d, addr] = val().split('=') as [string, string | undefined];
      if (!addr) throw new UsageError('--remap takes DEVICE=GUEST_ADDR');
      p.remap[d] = big(a, addr);
    } else if (a === '--keep-hypervisor-windows') p.options.hypervisorWindows = 'keep';
    else if (a === '--clocks') {
      const v = val();
      if (v !== 'keep' && v !== 'remove') throw new UsageError('--clocks takes keep or remove');
      p.options.firmwareResources = v;
    } else if (a === '--nic-route') {
      const v = val();
      if (v !== 'direct' && v !== 'path-b') throw new UsageError('--nic-route takes direct or path-b');
      p.options.nicRoute = v;
    } else if (a === '--fragment') p.fragment = true;
    else if (a === '--kvm-extras') p.kvmExtras = true;
    else if (a === '--list') {
      const next = argv[argv.indexOf(a) + 1];
      p.list = next && !next.startsWith('-') ? args.value(a) : '';
    } else if (a === '--facts') p.facts = val();
    else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  if (!p.board) throw new UsageError(`--board is required\n${USAGE}`);
  if (p.list === undefined && p.facts === undefined) {
    if (!p.devices.length) throw new UsageError(`--device is required\n${USAGE}`);
    if (!p.out && !p.into) throw new UsageError(`--out DIR or --into FILE.system is required\n${USAGE}`);
  }
  return p as Parsed;
}

/** A path as the user would type it: relative to the working directory when inside it. */
const shown = (f: string) => {
  const rel = path.relative(process.cwd(), path.resolve(f));
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(f) : rel;
};

function fail(io: Io, what: string, problems: string[]): number {
  io.err(`sel4-studio passthrough: ${what}; nothing written:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  return 1;
}

/**
 * Plans a passthrough and writes its files: the whole system (or, with --into, the minimal additions merged into
 * that file losslessly, or with --fragment only the additions, marked), guest.dts, vmm_irqs.c, report.md, and the
 * KVM/Ghaf files on request. Every .system written passes the Microkit checks for the board, every DTS parses as dtc
 * parses it; otherwise nothing is written.
 */
export async function passthrough(argv: string[], io: Io): Promise<number> {
  const p = parse(argv);
  const { boards } = await loadBoards(defaultBoardsDir(io.here));
  const board = boards.find((b) => b.name === p.board);
  if (!board) throw new UsageError(`unknown board '${p.board}' (boards: ${boards.map((b) => b.name).join(', ')})`);
  const loaded = p.dt ? loadTreeWithBindings(p.dt, p.includeDirs, p.cpp, p.bindings) : undefined;
  const dt = loaded ? indexTree(loaded.tree) : undefined;
  if (p.list !== undefined) return list(io, board, dt, p.list);
  if (p.facts !== undefined) return facts(io, board, dt, loaded?.tables, p.facts);

  const input: PlanInput = { board, devices: p.devices, vm: p.vm, remap: p.remap, firstId: p.firstId, options: p.options, ...(dt ? { dt } : {}), ...(loaded ? { tables: loaded.tables } : {}) };
  let intoText: string | undefined;
  const intoName = p.into ? path.basename(p.into) : undefined;
  if (p.into) {
    if (!existsSync(p.into)) throw new UsageError(`${p.into}: No such file or directory`);
    intoText = await fs.readFile(p.into, 'utf8');
    const a = analyzeText(intoText, intoName!);
    if (!a.model) {
      const d = a.diagnostics[0];
      return fail(io, `${p.into} does not read as a system`, [`${p.into}:${d?.line ?? 1}:${d?.column ?? 1}: ${d?.message ?? 'not a system description'}`]);
    }
    input.system = a.model;
  }
  const plan = planPassthrough(input);
  for (const m of plan.messages) io.err(`${m.severity}: ${m.device ? `${m.device}: ` : ''}${m.message}\n`);
  if (plan.messages.some((m) => m.severity === 'error')) return 1;
  const files = renderPassthrough(plan, input, { fragment: p.fragment, kvmExtras: p.kvmExtras, ...(intoName ? { target: intoName } : {}) });
  const config = kernelConfigForBoard(board);

  // The .system to write: merged into --into (only the bytes the additions need), or the whole one / the fragment.
  let merged: string | undefined;
  if (p.into && !p.fragment) {
    try {
      const doc = withSystem(openSystemDoc(intoText!, intoName!, { nodes: {} }), passthroughSystem(plan, input), { nodes: {} }, intoName!);
      if (doc.lossy) return fail(io, `the additions could not be written into ${p.into} without rewriting it`, ['edit it in the IDE, or use --fragment']);
      merged = doc.text;
    } catch (e) {
      if (e instanceof UneditableText) return fail(io, e.message, []);
      throw e;
    }
  }
  const problems: string[] = [];
  const systemText = merged ?? files['passthrough.system'];
  // A fragment validates once merged: the whole system it stands for is what is checked.
  const checked = p.fragment ? renderPassthrough(plan, input)['passthrough.system'] : systemText;
  const checkName = merged ? p.into! : 'passthrough.system';
  for (const d of checkSystem(checked, checkName, config).diagnostics.filter((x) => x.severity === 'error')) problems.push(`${checkName}:${d.line}:${d.column}: ${d.message}`);
  for (const name of ['guest.dts', 'host-overlay.dts'] as const) {
    const text = files[name];
    if (text === undefined) continue;
    try {
      parseDtsFile(name, { readFile: (f) => (f === name ? text : undefined) });
    } catch (e) {
      if (!(e instanceof DtError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length) return fail(io, 'the generated files do not pass their checks', problems);

  const outDir = p.out ? path.resolve(p.out) : path.join(path.dirname(path.resolve(p.into!)), 'passthrough');
  await fs.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  if (merged !== undefined) {
    if (merged !== intoText) {
      // Refuse if the file changed since it was read (an editor saved it meanwhile).
      await writeFileAtomic(path.resolve(p.into!), merged, {
        beforeRename: async () => {
          if ((await fs.readFile(p.into!, 'utf8')) !== intoText) throw new Error(`${p.into} changed while the passthrough was planned; nothing written`);
        },
      });
      written.push(shown(p.into!));
    }
  }
  for (const [name, text] of Object.entries(files)) {
    if (name === 'passthrough.system' && merged !== undefined) continue;
    await writeFileAtomic(path.join(outDir, name), text);
    written.push(shown(path.join(outDir, name)));
  }
  const added = plan.regions.filter((r) => !r.existing).length;
  const irqs = plan.irqs.filter((i) => !i.existing).length;
  io.out(
    `wrote ${written.join(', ')}: ${added} memory region${added === 1 ? '' : 's'}, ${irqs} IRQ${irqs === 1 ? '' : 's'}${plan.pathB && !plan.pathB.existing ? ', the Path B PDs' : ''}, ${plan.messages.filter((m) => m.severity === 'warning').length} warnings (see report.md)${merged !== undefined && merged === intoText ? `; ${p.into} already had everything` : ''}\n`,
  );
  return 0;
}

function list(io: Io, board: BoardPack, dt: ReturnType<typeof indexTree> | undefined, query: string): number {
  const entries = searchDevices(catalogue(board, dt), query);
  for (const g of groupDevices(entries)) {
    io.out(`${g.title}\n`);
    for (const e of g.devices) {
      const regs = e.regs.map((r) => `${r.name ? `${r.name} ` : ''}${hex(r.address)}+${hex(r.size)}${r.reserved ? ' (hypervisor)' : ''}`).join(', ');
      const irqs = e.irqs.map((i) => (i.kind ? `${i.kind} ${i.number}/INTID ${i.intid}` : `${i.controller} <${i.cells.join(' ')}>`)).join(', ');
      io.out(`  ${e.boardDevice ?? e.labels[0] ?? ''}${e.boardDevice || e.labels[0] ? ' ' : ''}${e.path ?? e.id}${e.status !== 'okay' ? ` [${e.status}]` : ''}${e.notPassable ? ' [not passable]' : ''}\n    ${e.compatible.join(', ')}${regs ? ` | ${regs}` : ''}${irqs ? ` | ${irqs}` : ''}\n`);
    }
  }
  if (!entries.length) io.out(`no device matches '${query}'\n`);
  return 0;
}

function facts(io: Io, board: BoardPack, dt: ReturnType<typeof indexTree> | undefined, tables: BindingTable[] | undefined, ref: string): number {
  const plan = planPassthrough({ board, devices: [ref], ...(dt ? { dt } : {}), ...(tables ? { tables } : {}) });
  const pd = plan.devices[0];
  if (!pd) {
    for (const m of plan.messages.filter((x) => x.severity === 'error')) io.err(`error: ${m.message}\n`);
    return 1;
  }
  const f = deviceFacts(pd.entry, { ...(dt ? { idx: dt } : {}), board, ...(tables ? { tables } : {}) });
  io.out(`${f.title ?? f.name} ${f.path ?? ''}\n  compatible: ${f.compatible.join(', ')}\n  status: ${f.status}\n`);
  for (const r of f.regs) io.out(`  reg ${r.name ?? ''} ${hex(r.address)}+${hex(r.size)}${r.reserved ? ' — kept out of a guest by default' : ''}\n`);
  for (const i of f.irqs) io.out(`  interrupt ${i.name ?? ''} ${i.kind ? `${i.kind} ${i.number} = INTID ${i.intid} (${i.trigger})` : `${i.controller} <${i.cells.join(' ')}>`}\n`);
  for (const [label, l] of [['clock', f.clocks], ['reset', f.resets], ['power domain', f.powerDomains]] as const) for (const s of l) io.out(`  ${label} ${specifierText(s)} = ${s.provider} ${s.id}\n`);
  for (const s of f.streams) io.out(`  SMMU ${streamText(s)}\n`);
  for (const r of f.risks) io.out(`  ${r.severity} (${r.code}): ${r.message}\n`);
  return 0;
}

export async function runPassthrough(argv: string[], io: Io): Promise<number> {
  try {
    return await passthrough(argv, io);
  } catch (e) {
    if (e instanceof DtError || e instanceof DtbError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`sel4-studio passthrough: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
