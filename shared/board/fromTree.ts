import { hex } from '../format/hex';
import { getProp, type DtNode, type Place } from '../dt/tree';
import { decodeInterrupts, decodeReg, strings, type Index, type Located } from '../dt/query';
import { listDevices, type DeviceEntry } from '../passthrough/devices';

/**
 * The facts of a board read from its device tree (a vendor tree with its includes, a runtime dump, or QEMU's
 * `-machine …,dumpdtb=`): what a board pack and a port need. Pure: the host compiles the tree (shared/dt) and hands
 * over the index. Every fact says where it came from: `device tree <file>: <node path>`.
 *
 * Steps a wizard (or `sel4-studio board from-dt`) takes, one call each:
 * 1. `treeFacts(idx, file)`: memory banks, reserved memory, GIC, architected timer, UARTs (which one is stdout and
 *    which one the seL4 overlay gives the kernel), PSCI, CPUs, address width; `problems` says what is missing, at its
 *    place.
 * 2. `proposeLoaderLink(facts, {payloadSize})`: where the Microkit loader goes, with the reason; `checkLoaderLink`
 *    says what is wrong with an address the user types instead.
 * 3. `pickableDevices(idx)`: every device of the tree for the device-region picker (passthrough's catalogue).
 * 4. `boardPackFromFacts(facts, options)` (pack.ts): the board pack, validated by BoardPackSchema.
 */

export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  /** The node the problem is about (the root when a node is missing). */
  path: string;
  place: Place;
}

export interface Range {
  base: bigint;
  size: bigint;
}

export interface MemoryBank extends Range {
  path: string;
}

export interface ReservedRange extends Range {
  /** The node under /reserved-memory, or `/memreserve/` for the header's reservation block. */
  path: string;
  /** `no-map`: the OS must not map it at all (firmware, secure world); otherwise only not allocate from it. */
  noMap: boolean;
  reusable: boolean;
}

export interface GicFacts {
  version: 2 | 3;
  compatible: string;
  path: string;
  /** In the order of the binding: v2 distributor, cpu, hyp (GICH), vcpu (GICV); v3 distributor, redistributor(s), cpu, hyp, vcpu. */
  regs: { name: 'distributor' | 'redistributor' | 'cpu' | 'hyp' | 'vcpu'; address: bigint; size: bigint }[];
  /** The virtual CPU interface maintenance interrupt (PPI 9 = INTID 25 on every board seen). */
  maintenanceIntid?: number;
  /** GICH and GICV windows (v2) or the maintenance interrupt (v3): a hypervisor can use the virtual interface. */
  virtualization: boolean;
}

export interface TimerFacts {
  compatible: string;
  path: string;
  /** INTIDs by the binding's order: sec-phys, phys, virt, hyp-phys, hyp-virt (or the node's interrupt-names). */
  ppis: { name: string; intid: number }[];
}

export interface UartFacts {
  path: string;
  compatible: string[];
  regs: Range[];
  intids: number[];
  status: string;
  labels: string[];
  /** `/chosen` stdout-path (or linux,stdout-path) names it. */
  stdout: boolean;
  /** The first entry of `/chosen` seL4,kernel-devices names it (a kernel overlay is part of the tree). */
  kernel: boolean;
}

export interface CpuFacts {
  count: number;
  /** Each distinct first compatible with how many cores have it, in tree order. */
  models: { compatible: string; count: number }[];
  paths: string[];
  enableMethods: string[];
}

export interface AddressWidth {
  /** Bits the tree's highest translated address needs (reg and ranges of every node). */
  treeBits: number;
  highest: { address: bigint; path: string };
  /** The kernel's value for the CPU (seL4 src/arch/arm/config.cmake), or the smallest of 40/44 that covers the tree. */
  paBits?: 40 | 44;
  how: string;
}

export interface TreeFacts {
  file: string;
  model?: string;
  compatible: string[];
  arch?: 'aarch64' | 'riscv64';
  memory: MemoryBank[];
  reserved: ReservedRange[];
  gic?: GicFacts;
  timer?: TimerFacts;
  uarts: UartFacts[];
  /** The console: stdout-path's node, else the kernel overlay's UART. */
  console?: UartFacts;
  psci?: { method: 'smc' | 'hvc'; path: string; compatible: string[] };
  cpus: CpuFacts;
  addressWidth: AddressWidth;
  problems: Problem[];
}

/** `device tree <file>: <node path>`: every fact's source. */
export const treeSource = (file: string, path: string) => `device tree ${file}: ${path}`;

const GIC_V3 = /^arm,gic-v[34]$/;
const GIC_V2 = /^arm,(gic-400|cortex-a(7|9|15)-gic|arm11mp-gic|pl390|tc11mp-gic|gic-v2)$|^qcom,msm-(8660|qgic2)$/;

/**
 * Physical-address bits seL4 configures for each core (seL4 src/arch/arm/config.cmake: KernelArmCortexA35/A53/A55 ->
 * KernelArmPASizeBits40, A57/A72 -> KernelArmPASizeBits44; reference/microkit-sdf.md §9).
 */
export const SEL4_PA_BITS: Record<string, 40 | 44> = {
  'arm,cortex-a35': 40,
  'arm,cortex-a53': 40,
  'arm,cortex-a55': 40,
  'arm,cortex-a57': 44,
  'arm,cortex-a57-64bit': 44,
  'arm,cortex-a72': 44,
};
export const PA_BITS_SOURCE = 'seL4 src/arch/arm/config.cmake (KernelArmCortexA35/A53/A55 -> KernelArmPASizeBits40, A57/A72 -> KernelArmPASizeBits44); reference/microkit-sdf.md §9';

const first = <T>(xs: readonly T[]): T | undefined => xs[0];
const status = (n: DtNode) => strings(n, 'status')[0] ?? 'okay';
const enabled = (n: DtNode) => /^(okay|ok)$/.test(status(n));

/** Bits needed to address `a` (the highest byte address + 1 = end). */
const bitsFor = (end: bigint) => (end <= 1n ? 1 : (end - 1n).toString(2).length);

function problem(idx: Index, severity: Problem['severity'], path: string, message: string): Problem {
  const at = idx.byPath.get(path) ?? idx.byPath.get('/')!;
  return { severity, message, path: at.path, place: at.node.place };
}

/** A `/chosen` path or alias (`serial0:115200n8`) to the node it names. */
function resolvePathOrAlias(idx: Index, ref: string): Located | undefined {
  const p = ref.split(':')[0]!;
  if (p.startsWith('/')) return idx.byPath.get(p);
  const aliases = idx.byPath.get('/aliases');
  const target = aliases ? strings(aliases.node, p)[0] : undefined;
  return target ? idx.byPath.get(target) : idx.byLabel.get(p);
}

export function treeFacts(idx: Index, file: string): TreeFacts {
  const root = idx.byPath.get('/')!.node;
  const problems: Problem[] = [];
  const facts: TreeFacts = {
    file,
    compatible: strings(root, 'compatible'),
    memory: [],
    reserved: [],
    uarts: [],
    cpus: { count: 0, models: [], paths: [], enableMethods: [] },
    addressWidth: { treeBits: 0, highest: { address: 0n, path: '/' }, how: '' },
    problems,
  };
  const model = strings(root, 'model')[0];
  if (model) facts.model = model;

  // Memory: every node with device_type "memory" (memory@0, memory@80000000, several banks each with several reg).
  for (const [path, loc] of idx.byPath) {
    if (strings(loc.node, 'device_type')[0] !== 'memory' || !enabled(loc.node)) continue;
    for (const r of decodeReg(idx, loc.node)) if (r.size > 0n) facts.memory.push({ base: r.address, size: r.size, path });
  }
  facts.memory.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  if (!facts.memory.length) problems.push(problem(idx, 'error', '/', 'no memory node (device_type = "memory" with a reg): the RAM size is set by the boot loader; dump the running board\'s tree (/sys/firmware/fdt) or add /memory'));

  // Reserved memory: /reserved-memory children with a fixed reg, and the DTB header's /memreserve/ entries.
  const rm = idx.byPath.get('/reserved-memory');
  if (rm) {
    for (const child of rm.node.children) {
      const path = `/reserved-memory/${child.name}`;
      const regs = decodeReg(idx, child);
      if (!regs.length) {
        if (getProp(child, 'size')) problems.push(problem(idx, 'warning', path, 'a dynamic reservation (size without reg): its address is chosen at boot, so it is not known here'));
        continue;
      }
      for (const r of regs) if (r.size > 0n) facts.reserved.push({ base: r.address, size: r.size, path, noMap: getProp(child, 'no-map') !== undefined, reusable: getProp(child, 'reusable') !== undefined });
    }
  }
  for (const m of idx.tree.memreserve) facts.reserved.push({ base: m.address, size: m.size, path: '/memreserve/', noMap: true, reusable: false });

  // CPUs.
  const cpus = idx.byPath.get('/cpus');
  if (cpus) {
    for (const c of cpus.node.children) {
      if (strings(c, 'device_type')[0] !== 'cpu' || status(c) === 'fail') continue;
      facts.cpus.count++;
      facts.cpus.paths.push(`/cpus/${c.name}`);
      const comp = first(strings(c, 'compatible')) ?? '(no compatible)';
      const m = facts.cpus.models.find((x) => x.compatible === comp);
      if (m) m.count++;
      else facts.cpus.models.push({ compatible: comp, count: 1 });
      const em = strings(c, 'enable-method')[0];
      if (em && !facts.cpus.enableMethods.includes(em)) facts.cpus.enableMethods.push(em);
    }
  }
  if (!facts.cpus.count) problems.push(problem(idx, 'error', cpus ? '/cpus' : '/', 'no CPU nodes (device_type = "cpu" under /cpus)'));
  const comps = facts.cpus.models.map((m) => m.compatible);
  if (comps.some((c) => c.startsWith('riscv'))) facts.arch = 'riscv64';
  else if (comps.some((c) => /^arm,(cortex-a|armv8|neoverse)|^nvidia,.*(denver|carmel)/.test(c))) facts.arch = 'aarch64';

  facts.gic = gicFacts(idx, problems);
  if (!facts.gic && facts.arch !== 'riscv64') problems.push(problem(idx, 'error', '/', 'no GIC (an interrupt-controller compatible with arm,gic-v3, arm,gic-400 or arm,cortex-a15-gic)'));
  facts.timer = timerFacts(idx, problems);
  if (!facts.timer && facts.arch !== 'riscv64') problems.push(problem(idx, 'error', '/', 'no architected timer (compatible "arm,armv8-timer"): seL4 needs its PPIs'));

  // UARTs, the console and the kernel's UART.
  const chosen = idx.byPath.get('/chosen');
  const stdoutRef = chosen ? (strings(chosen.node, 'stdout-path')[0] ?? strings(chosen.node, 'linux,stdout-path')[0]) : undefined;
  const stdoutNode = stdoutRef ? resolvePathOrAlias(idx, stdoutRef) : undefined;
  if (stdoutRef && !stdoutNode) problems.push(problem(idx, 'warning', '/chosen', `stdout-path "${stdoutRef}" names no node of the tree`));
  const kernelRef = chosen ? strings(chosen.node, 'seL4,kernel-devices')[0] : undefined;
  const kernelNode = kernelRef ? resolvePathOrAlias(idx, kernelRef) : undefined;
  for (const e of listDevices(idx)) {
    if (e.group !== 'serial' || !e.path || !e.regs.length) continue;
    const loc = idx.byPath.get(e.path)!;
    facts.uarts.push({
      path: e.path,
      compatible: e.compatible,
      regs: e.regs.filter((r) => r.translated).map((r) => ({ base: r.address, size: r.size })),
      intids: e.irqs.map((i) => i.intid ?? throughHierarchy(idx, i.controller, i.cells)).filter((i): i is number => i !== undefined),
      status: e.status,
      labels: e.labels,
      stdout: stdoutNode?.node === loc.node,
      kernel: kernelNode?.node === loc.node,
    });
  }
  facts.console = facts.uarts.find((u) => u.stdout) ?? facts.uarts.find((u) => u.kernel);
  if (!facts.uarts.length) problems.push(problem(idx, 'warning', '/', 'no UART found: the loader and the kernel need one for their output'));
  else if (!facts.console) problems.push(problem(idx, 'warning', chosen ? '/chosen' : '/', 'no stdout-path in /chosen: which UART is the console is not known'));

  // PSCI.
  for (const [path, loc] of idx.byPath) {
    const c = strings(loc.node, 'compatible');
    if (!c.some((x) => x.startsWith('arm,psci'))) continue;
    const method = strings(loc.node, 'method')[0];
    if (method === 'smc' || method === 'hvc') facts.psci = { method, path, compatible: c };
    else problems.push(problem(idx, 'warning', path, `PSCI method "${method ?? ''}" is neither smc nor hvc`));
    break;
  }
  if (!facts.psci && facts.arch === 'aarch64') problems.push(problem(idx, 'warning', '/', 'no PSCI node: secondary cores cannot be started through PSCI (spin tables only)'));

  facts.addressWidth = addressWidth(idx, facts);
  return facts;
}

function gicFacts(idx: Index, problems: Problem[]): GicFacts | undefined {
  const gics = [...idx.byPath.values()].filter((l) => getProp(l.node, 'interrupt-controller') !== undefined && strings(l.node, 'compatible').some((c) => GIC_V3.test(c) || GIC_V2.test(c)));
  if (!gics.length) return undefined;
  // The root's interrupt-parent when it is one of them (a tree may hold a second, audio GIC), else the first.
  const rootParent = getProp(idx.byPath.get('/')!.node, 'interrupt-parent');
  const ph = rootParent && rootParent.value.length >= 4 ? new DataView(rootParent.value.buffer, rootParent.value.byteOffset).getUint32(0) : undefined;
  const chosen = (ph !== undefined ? gics.find((g) => idx.byPhandle.get(ph)?.node === g.node) : undefined) ?? gics[0]!;
  const compatible = strings(chosen.node, 'compatible');
  const v3 = compatible.find((c) => GIC_V3.test(c));
  const regs = decodeReg(idx, chosen.node);
  const out: GicFacts = { version: v3 ? 3 : 2, compatible: v3 ?? compatible.find((c) => GIC_V2.test(c))!, path: chosen.path, regs: [], virtualization: false };
  const names: GicFacts['regs'][number]['name'][] = [];
  if (v3) {
    const regions = readCell(chosen.node, '#redistributor-regions') ?? 1;
    names.push('distributor', ...Array<'redistributor'>(regions).fill('redistributor'), 'cpu', 'hyp', 'vcpu');
  } else names.push('distributor', 'cpu', 'hyp', 'vcpu');
  regs.forEach((r, i) => {
    const name = names[i];
    if (name) out.regs.push({ name, address: r.address, size: r.size });
  });
  if (!out.regs.length) problems.push(problem(idx, 'error', chosen.path, 'the GIC has no reg: its distributor address is not known'));
  const maint = decodeInterrupts(idx, chosen.node).find((i) => i.type === 'PPI');
  if (maint?.intid !== undefined) out.maintenanceIntid = maint.intid;
  out.virtualization = out.version === 3 ? out.maintenanceIntid !== undefined : out.regs.some((r) => r.name === 'hyp') && out.regs.some((r) => r.name === 'vcpu');
  if (!out.virtualization) problems.push(problem(idx, 'warning', chosen.path, out.version === 2 ? 'the GIC lists no GICH/GICV windows (reg 3 and 4) or maintenance interrupt: virtual machines need them' : 'the GIC names no maintenance interrupt: virtual machines need it'));
  return out;
}

/**
 * An interrupt of a controller stacked on the GIC with the GIC's own cells (i.MX GPC, Tegra PMC wake events: Linux's
 * hierarchical domains keep the GIC's numbering): its INTID, else undefined.
 */
function throughHierarchy(idx: Index, controller: string, cells: number[]): number | undefined {
  const c = idx.byPath.get(controller);
  if (!c || cells.length !== 3 || (cells[0] !== 0 && cells[0] !== 1) || readCell(c.node, '#interrupt-cells') !== 3) return undefined;
  let parent: number | undefined;
  for (let n: DtNode | undefined = c.node; n && parent === undefined; n = idx.parentOf.get(n)) parent = readCell(n, 'interrupt-parent');
  const p = parent !== undefined ? idx.byPhandle.get(parent) : undefined;
  if (!p || p.node === c.node || !strings(p.node, 'compatible').some((x) => GIC_V3.test(x) || GIC_V2.test(x))) return undefined;
  return cells[1]! + (cells[0] === 0 ? 32 : 16);
}

function readCell(n: DtNode, name: string): number | undefined {
  const p = getProp(n, name);
  return p && p.value.length >= 4 ? new DataView(p.value.buffer, p.value.byteOffset).getUint32(0) : undefined;
}

const TIMER_NAMES = ['sec-phys', 'phys', 'virt', 'hyp-phys', 'hyp-virt'];

function timerFacts(idx: Index, problems: Problem[]): TimerFacts | undefined {
  const t = [...idx.byPath.values()].find((l) => strings(l.node, 'compatible').some((c) => c === 'arm,armv8-timer' || c === 'arm,armv7-timer'));
  if (!t) return undefined;
  const irqs = decodeInterrupts(idx, t.node);
  const ppis = irqs.flatMap((i, k) => (i.type === 'PPI' && i.intid !== undefined ? [{ name: i.name ?? TIMER_NAMES[k] ?? `timer ${k}`, intid: i.intid }] : []));
  if (ppis.length < 4) problems.push(problem(idx, 'warning', t.path, `the architected timer lists ${ppis.length} PPIs; the binding has 4 (secure, non-secure and hypervisor physical, virtual)`));
  return { compatible: strings(t.node, 'compatible').find((c) => /armv[78]-timer/.test(c))!, path: t.path, ppis };
}

/**
 * The physical-address width. The tree's own width is the bits its highest translated address needs (the end of
 * every reg and of every bus's ranges); `#address-cells` only says how many cells hold an address, not how many bits
 * the SoC decodes, so it is not used for the number. seL4 fixes the width per core (SEL4_PA_BITS); a core it does not
 * list gets the smallest of 40 and 44 that covers the tree, said so in `how`.
 */
function addressWidth(idx: Index, facts: TreeFacts): AddressWidth {
  let highest = { address: 0n, path: '/' };
  for (const [path, loc] of idx.byPath) {
    if (path === '/' || path.startsWith('/__')) continue;
    let regs;
    try {
      regs = decodeReg(idx, loc.node);
    } catch {
      continue; // a reg the decoder refuses is reported by the device list, not here
    }
    for (const r of regs) if (r.translated && r.address + r.size > highest.address) highest = { address: r.address + r.size, path };
  }
  const treeBits = bitsFor(highest.address);
  const out: AddressWidth = { treeBits, highest: { address: highest.address - 1n, path: highest.path }, how: '' };
  if (facts.arch !== 'aarch64') {
    out.how = `the tree's highest address ${hex(out.highest.address)} (${highest.path}) needs ${treeBits} bits; physical-address bits are an AArch64 kernel setting`;
    return out;
  }
  const known = facts.cpus.models.map((m) => SEL4_PA_BITS[m.compatible]).filter((b): b is 40 | 44 => b !== undefined);
  if (known.length) {
    // A big.LITTLE or Denver+A57 tree: seL4 runs on the cores it knows (TX2 boots on the first A57).
    out.paBits = Math.min(...known) as 40 | 44;
    const model = facts.cpus.models.find((m) => SEL4_PA_BITS[m.compatible] === out.paBits)!.compatible;
    out.how = `${model}: seL4 configures ${out.paBits}-bit physical addresses for this core (${PA_BITS_SOURCE}); the tree's highest address ${hex(out.highest.address)} (${highest.path}) needs ${treeBits} bits`;
  } else {
    out.paBits = treeBits <= 40 ? 40 : 44;
    out.how = `${facts.cpus.models.map((m) => m.compatible).join(', ') || 'the CPU'} is not in seL4's table of cores; ${out.paBits} bits is the smallest kernel setting (40 or 44) that covers the tree's highest address ${hex(out.highest.address)} (${highest.path}, ${treeBits} bits)`;
  }
  if (treeBits > 44) out.how += `; addresses above 2^44 are out of reach of any seL4 AArch64 configuration`;
  else if (treeBits > out.paBits) facts.problems.push(problem(idx, 'warning', highest.path, `${highest.path} ends at ${hex(highest.address)}, beyond the ${out.paBits}-bit physical address space seL4 configures for this core: the kernel cannot map it`));
  return out;
}

/** Every device of the tree for a device-region picker (the passthrough catalogue's list, grouped by the caller). */
export function pickableDevices(idx: Index): DeviceEntry[] {
  return listDevices(idx);
}

// ---------------------------------------------------------------------------------------------------------------
// The loader link address

/**
 * Room for the kernel image and its boot-time data beside the payload the loader copies to the start of RAM (see
 * proposeLoaderLink): the copies take as many bytes as the payload, plus this.
 */
export const KERNEL_MARGIN = 0x80_0000n;
/** The loader's own code, data and stack beside the payload it carries. */
export const LOADER_SLACK = 0x10_0000n;
export const LINK_ALIGN = 0x100_0000n;

export interface LinkProposal {
  address?: bigint;
  /** The window [address, address + payload + slack) the loader image occupies. */
  window?: Range;
  reason: string;
  problems: string[];
}

export interface LinkOptions {
  /** Bytes the loader image carries (kernel, monitor, every PD image and its data: for a Linux guest, kernel + initrd). */
  payloadSize: bigint;
  /** Bytes at the start of RAM kept for the kernel and the regions the loader copies (default payload + KERNEL_MARGIN). */
  kernelArea?: bigint;
}

const overlaps = (a: Range, b: Range) => a.base < b.base + b.size && b.base < a.base + a.size;
const alignUp = (v: bigint, a: bigint) => ((v + a - 1n) / a) * a;

/**
 * What is wrong with a loader link address (an empty list when nothing): it must lie inside one RAM bank with room for
 * the payload, clear of every reserved range and of the kernel's area at the start of RAM.
 */
export function checkLoaderLink(facts: TreeFacts, address: bigint, opts: LinkOptions): string[] {
  const win: Range = { base: address, size: opts.payloadSize + LOADER_SLACK };
  const out: string[] = [];
  const bank = facts.memory.find((b) => address >= b.base && address < b.base + b.size);
  if (!bank) return [`${hex(address)} is in no RAM bank (${facts.memory.map((b) => `${hex(b.base)}+${hex(b.size)}`).join(', ') || 'none known'})`];
  if (win.base + win.size > bank.base + bank.size) out.push(`the loader image (${hex(win.size)} bytes) runs past the end of RAM bank ${hex(bank.base)}+${hex(bank.size)} at ${hex(bank.base + bank.size)}`);
  for (const r of facts.reserved) if (overlaps(win, r)) out.push(`the loader image [${hex(win.base)}..${hex(win.base + win.size)}) overlaps reserved memory ${r.path} [${hex(r.base)}..${hex(r.base + r.size)})${r.noMap ? ' (no-map)' : ''}`);
  const first = facts.memory[0];
  const kernelArea = opts.kernelArea ?? opts.payloadSize + KERNEL_MARGIN;
  if (first && overlaps(win, { base: first.base, size: kernelArea })) out.push(`the loader image [${hex(win.base)}..${hex(win.base + win.size)}) overlaps the kernel's area [${hex(first.base)}..${hex(first.base + kernelArea)}) at the start of RAM, where the loader copies the kernel and the initial images`);
  return out;
}

/**
 * Propose a loader link address. The Microkit loader is linked at this address, and the boot loader puts the whole
 * image there (`go ADDR`, QEMU's `-device loader,addr=`); the loader then copies the kernel to the start of RAM and
 * the monitor and PD images next to it: about as many bytes as the payload, from the start of RAM up. So the image
 * must sit in RAM, clear of reserved memory (firmware, secure world, carve-outs) and of that area, with room for its
 * payload. This is what the Orin port met (field notes §1): with a ~36 MiB payload the copies reached the loader
 * linked 5 MiB into RAM, and moving it to 128 MiB in fixed the boot. The proposal is the lowest 16 MiB-aligned address
 * above the area (below 4 GiB when it can be, as U-Boot's `go` and 32-bit boot stages want) where the loader image
 * fits in one bank without touching a reserved range.
 */
export function proposeLoaderLink(facts: TreeFacts, opts: LinkOptions): LinkProposal {
  const kernelArea = opts.kernelArea ?? opts.payloadSize + KERNEL_MARGIN;
  const size = opts.payloadSize + LOADER_SLACK;
  const first = facts.memory[0];
  if (!first) return { reason: 'no RAM is known (no memory node)', problems: ['no memory node: give the RAM banks first'] };
  const floor = first.base + kernelArea;
  const blockers = [...facts.reserved].sort((a, b) => (a.base < b.base ? -1 : 1));
  const candidates: bigint[] = [];
  for (const bank of facts.memory) {
    let a = alignUp(bank.base > floor ? bank.base : floor, LINK_ALIGN);
    // Step past each reserved range the window hits; at most one step per range.
    for (let guard = 0; guard <= blockers.length + 1 && a + size <= bank.base + bank.size; guard++) {
      const hit = blockers.find((r) => overlaps({ base: a, size }, r));
      if (!hit) {
        candidates.push(a);
        break;
      }
      a = alignUp(hit.base + hit.size, LINK_ALIGN);
    }
  }
  const low = candidates.filter((a) => a + size <= 0x1_0000_0000n);
  const address = low[0] ?? candidates[0];
  const mib = (v: bigint) => `${v / 0x10_0000n} MiB`;
  if (address === undefined) {
    return {
      reason: `no 16 MiB-aligned window of ${mib(alignUp(size, 0x10_0000n))} in RAM above the kernel's ${mib(kernelArea)} at ${hex(first.base)}, clear of reserved memory`,
      problems: [`the payload (${hex(opts.payloadSize)} bytes) does not fit: a smaller payload, or more RAM`],
    };
  }
  const skipped = blockers.filter((r) => r.base + r.size > floor && r.base < address + size);
  return {
    address,
    window: { base: address, size },
    reason:
      `${hex(address)}: the lowest 16 MiB-aligned address above the kernel's area (the first ${mib(kernelArea)} of RAM from ${hex(first.base)}, where the loader copies the kernel and the initial images: the payload + ${mib(KERNEL_MARGIN)}) ` +
      `where the loader image (payload ${hex(opts.payloadSize)} + ${mib(LOADER_SLACK)} for the loader itself) fits in one RAM bank` +
      (skipped.length ? `, past the reserved ${skipped.map((r) => `${r.path} [${hex(r.base)}..${hex(r.base + r.size)})`).join(', ')}` : ', clear of every reserved range') +
      (low.length ? '; below 4 GiB, as U-Boot\'s go and 32-bit boot stages want' : '; above 4 GiB: no lower window fits'),
    problems: [],
  };
}
