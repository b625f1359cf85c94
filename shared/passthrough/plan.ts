import { type BoardPack, type Device } from '../model/board';
import { allProtectionDomains, type SystemModel } from '../model/system';
import { hex } from '../format/hex';
import type { Index } from '../dt/query';
import type { BindingTable } from './bindings';
import { catalogue, findDevice, type DeviceEntry, type RegWindow } from './devices';
import { deviceFacts, specifierText, type DeviceFacts } from './facts';
import { PATH_B, planPathB, type PathBPlan } from './pathB';
import { irqOwners, resolveVmTarget, type VmSpec, type VmTarget } from './target';
import { howToSet, type Audience } from './words';
import { bpmpChannel, isBpmp, type BpmpChannel } from './bpmp';
import { strings } from '../dt/query';

export type { VmSpec, VmTarget } from './target';

/**
 * Device passthrough to a Microkit virtual machine: chosen devices in, every fact the system, the VMM and the guest
 * need out (reference/field-notes.md §1, t234-devices.md §8). Pure: additions.ts turns a plan into a system (whole,
 * or the minimal additions to an existing one), render.ts into files.
 */
export interface PlanOptions {
  /** Windows a binding gives to the hypervisor (windows.ts): kept out of the guest (default) or mapped, with a warning. */
  hypervisorWindows?: 'exclude' | 'keep';
  /**
   * The guest nodes' clocks, resets and power domains: kept, for a guest whose BPMP requests are proxied (default),
   * or removed, for a host that leaves them on (the report says what the guest's drivers then need).
   */
  firmwareResources?: 'keep' | 'remove';
  /** A NIC goes to the guest ('direct', default) or behind a trusted sDDF driver PD, the guest on virtio-net ('path-b'). */
  nicRoute?: 'direct' | 'path-b';
}

export interface PlanInput {
  board: BoardPack;
  /** Board-pack names (`uarta`), node paths, labels or node names (`serial@3100000`). */
  devices: string[];
  vm?: VmSpec;
  /** The device tree of the running board (the board pack's facts are used where it has no node). */
  dt?: Index;
  /** Names from the dt-bindings headers the tree included (bindings.ts). */
  tables?: readonly BindingTable[];
  /** The system the passthrough goes into (its VMM, VM, guest RAM, regions and channel ids are used). */
  system?: SystemModel;
  /** Guest-physical base per device (its first register window); identity by default. */
  remap?: Record<string, bigint>;
  /** Channel ids the VMM uses besides what the system says. */
  usedIds?: number[];
  firstId?: number;
  options?: PlanOptions;
  /** Whose words the findings (and the report) use to say what to change: the CLI's flags (default) or the wizard's steps. */
  audience?: Audience;
}

export interface Window {
  name?: string;
  address: bigint;
  size: bigint;
}

export interface PlannedDevice {
  /** The name regions, IRQ comments and the guest's label use: the board pack's, else the node's first label or name. */
  name: string;
  entry: DeviceEntry;
  facts: DeviceFacts;
  board?: Device;
  from: 'dt' | 'board pack';
  route: 'direct' | 'path-b';
  /** Register windows that go to the guest (CPU physical). */
  regs: Window[];
  /** Windows kept out, with why (a hypervisor window). */
  excluded: (Window & { reason: string })[];
  irqs: { name?: string; spi: number; intid: number; trigger: 'level' | 'edge' }[];
  /** Guest-physical address of each window in `regs`. */
  guestRegs: Window[];
}

export interface PlannedRegion {
  name: string;
  physAddr: bigint;
  size: bigint;
  guestAddr: bigint;
  devices: string[];
  /** The register windows this page range was widened from, when they are not page aligned. */
  widenedFrom?: { address: bigint; size: bigint }[];
  /** The system has a region with exactly this range (reused, not added). */
  existing?: boolean;
  /** The VM maps it already (at guestAddr). */
  mapped?: boolean;
}

export interface PlannedIrq {
  device: string;
  name?: string;
  intid: number;
  trigger: 'level' | 'edge';
  id: number;
  /** The VMM has this `<irq>` already. */
  existing?: boolean;
}

export interface PlanMessage {
  severity: 'error' | 'warning' | 'info';
  device?: string;
  /** What kind of finding (stable, for a UI to group and for tests): windows.ts, facts.ts and target.ts codes. */
  code?: string;
  message: string;
}

export interface Plan {
  vm: VmTarget;
  options: Required<PlanOptions>;
  devices: PlannedDevice[];
  regions: PlannedRegion[];
  irqs: PlannedIrq[];
  /** The NIC behind a trusted driver (nicRoute 'path-b'). */
  pathB?: PathBPlan;
  /**
   * The BPMP channel of the guest's complete BPMP node (clocks/resets kept): what the VMM's BPMP proxy must provide.
   * Absent when nothing is kept; when the channel is not known, the plan removes them instead (`bpmp-incomplete`).
   */
  bpmp?: BpmpChannel;
  messages: PlanMessage[];
}

export const PAGE = 0x1000n;
export const pageDown = (a: bigint) => a - (a % PAGE);
export const pageUp = (a: bigint) => ((a + PAGE - 1n) / PAGE) * PAGE;

const nameOf = (e: DeviceEntry) => (e.boardDevice ?? e.labels[0] ?? e.name.replace('@', '_')).replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();

export function planPassthrough(input: PlanInput): Plan {
  const { board } = input;
  const options: Required<PlanOptions> = { hypervisorWindows: 'exclude', firmwareResources: 'keep', nicRoute: 'direct', ...input.options };
  const messages: PlanMessage[] = [];
  const entries = catalogue(board, input.dt);
  const devices: PlannedDevice[] = [];
  const seen = new Set<string>();
  for (const ref of input.devices) {
    const hits = findDevice(entries, ref);
    if (hits.length !== 1) {
      const sample = entries.filter((e) => !e.notPassable && e.boardDevice).map((e) => e.boardDevice);
      messages.push({ severity: 'error', device: ref, code: 'unknown-device', message: hits.length ? `'${ref}' names ${hits.length} devices (${hits.map((h) => h.path ?? h.id).join(', ')}): use the node path` : `${board.name} has no device '${ref}'${input.dt ? ' in the board pack or the tree' : ''} (devices: ${sample.join(', ')})` });
      continue;
    }
    const e = hits[0]!;
    if (seen.has(e.id)) {
      messages.push({ severity: 'error', device: ref, code: 'twice', message: `${ref} is chosen twice: a device can be owned by one VM only` });
      continue;
    }
    seen.add(e.id);
    if (e.notPassable) {
      messages.push({ severity: 'error', device: nameOf(e), code: 'not-passable', message: `${e.title ?? e.name} cannot be passed through: ${e.notPassable}` });
      continue;
    }
    devices.push(resolveDevice(e, input, options, messages));
  }

  // A new VMM under Path B gets the published layout's priority (below the sDDF PDs).
  const spec: VmSpec = { ...input.vm };
  if (spec.vmmPriority === undefined && devices.some((d) => d.route === 'path-b')) spec.vmmPriority = PATH_B.vmmPriority;
  const { target, messages: tm } = resolveVmTarget(board, spec, input.system, input.audience);
  for (const id of input.usedIds ?? []) target.usedIds.add(id);
  messages.unshift(...tm);
  const direct = devices.filter((d) => d.route === 'direct');
  const regions = regionsOf(direct, input, target, messages);
  const irqs = irqsOf(direct, input, target, messages);
  const nic = devices.filter((d) => d.route === 'path-b');
  if (nic.length > 1) messages.push({ severity: 'error', device: nic[1]!.name, code: 'path-b', message: 'Path B serves one NIC per plan' });
  const pathB = nic[0] ? planPathB(nic[0], { input, target, devices: direct, irqs, messages }) : undefined;

  const bpmp = options.firmwareResources === 'keep' ? bpmpOf(devices, input, options, messages) : undefined;
  for (const pd of devices) deviceMessages(pd, devices, target, options, messages, input.audience ?? 'cli');
  if (devices.length && !messages.some((m) => m.severity === 'error')) {
    const guestEnd = target.ramBase + target.ramSize;
    for (const r of regions) {
      if (r.guestAddr < guestEnd && r.guestAddr + r.size > target.ramBase) messages.push({ severity: 'error', device: r.devices[0], code: 'guest-overlap', message: `${r.name} at guest ${hex(r.guestAddr)} overlaps guest RAM ${hex(target.ramBase)}..${hex(guestEnd)}` });
    }
  }
  return { vm: target, options, devices, regions, irqs, messages, ...(pathB ? { pathB } : {}), ...(bpmp ? { bpmp } : {}) };
}

/**
 * Kept clocks, resets and power domains are requests to the BPMP: the guest's BPMP node must be complete (mboxes,
 * shmem) for its driver to probe. From the tree, with what the VMM must provide said; when the channel is not known
 * (the board pack only, a tree without it), a complete node is impossible: they are removed instead (`options` is
 * changed for the rest of the plan) and the finding says why and what that costs.
 */
function bpmpOf(devices: PlannedDevice[], input: PlanInput, options: Required<PlanOptions>, messages: PlanMessage[]): BpmpChannel | undefined {
  const direct = devices.filter((d) => d.route === 'direct');
  const providers = [...new Set(direct.flatMap((d) => [...d.facts.clocks, ...d.facts.resets, ...d.facts.powerDomains]).map((s) => s.provider))];
  const audience = input.audience ?? 'cli';
  for (const p of providers) {
    const node = input.dt?.byPath.get(p)?.node;
    // A board-pack fact names the BPMP without a node.
    if (node ? !isBpmp(strings(node, 'compatible')) : !/^bpmp$/.test(p)) continue;
    const ch = bpmpChannel(input.dt, p);
    if ('missing' in ch) {
      options.firmwareResources = 'remove';
      messages.push({
        severity: 'warning',
        code: 'bpmp-incomplete',
        message: `the guest's BPMP node cannot be complete (the T234 binding requires mboxes and shmem): ${ch.missing}. Clocks, resets and power domains are removed from the guest's nodes instead; the host must leave them on (see each device)`,
      });
      return undefined;
    }
    const db = ch.mbox.doorbell;
    messages.push({
      severity: 'warning',
      code: 'bpmp-proxy',
      message: `the guest's BPMP node is complete (mboxes to ${ch.mbox.label}'s doorbell, shmem ${ch.shmem.map((m) => m.label).join(' and ')}), but none of it is the hardware: the VMM must provide a BPMP proxy — ${ch.mbox.label} at guest ${hex(ch.mbox.address)}+${hex(ch.mbox.size)} left unmapped so its accesses fault to the VMM, which rings the real doorbell for requests its allow-list passes${db ? ` and injects INTID ${db.intid} for the answers` : ''}; ${ch.shmem.map((m) => `${m.label} ${hex(m.address)}+${hex(m.size)}`).join(', ')} as memory the VMM copies to and from SYSRAM. libvmm has no BPMP proxy: until the VMM has one, the guest's BPMP driver fails and the devices' drivers defer their probe (or ${howToSet({ kind: 'remove-clocks' }, audience)})`,
    });
    return ch;
  }
  return undefined;
}

function resolveDevice(e: DeviceEntry, input: PlanInput, options: Required<PlanOptions>, messages: PlanMessage[]): PlannedDevice {
  const facts = deviceFacts(e, { ...(input.dt ? { idx: input.dt } : {}), board: input.board, ...(input.tables ? { tables: input.tables } : {}) });
  const board = e.boardDevice ? input.board.devices.find((d) => d.name === e.boardDevice) : undefined;
  const name = nameOf(e);
  const route = e.group === 'ethernet' && options.nicRoute === 'path-b' ? 'path-b' : 'direct';
  const win = (w: RegWindow): Window => ({ ...(w.name ? { name: w.name } : {}), address: w.address, size: w.size });
  // The trusted driver of Path B owns every window; a guest gets the ones its binding gives a VM.
  const keep = (w: RegWindow) => !w.reserved || route === 'path-b' || options.hypervisorWindows === 'keep';
  const regs = e.regs.filter(keep).map(win);
  const excluded = e.regs.filter((w) => !keep(w)).map((w) => ({ ...win(w), reason: w.reserved! }));
  const irqs = e.irqs
    .filter((i) => i.kind === 'SPI')
    .map((i) => ({ ...(i.name ? { name: i.name } : {}), spi: i.number!, intid: i.intid!, trigger: i.trigger! }));
  for (const i of e.irqs.filter((x) => x.kind !== 'SPI')) {
    messages.push({ severity: 'warning', device: name, code: 'irq-not-spi', message: i.kind === 'PPI' ? `interrupt ${i.name ?? ''} is PPI ${i.number} (INTID ${i.intid}): per-core, it cannot be handed to one guest` : `interrupt ${i.name ?? ''} goes to ${i.controller} (cells ${i.cells.join(' ')}), not the GIC: the VMM cannot inject it` });
  }
  const base = input.remap?.[name] ?? (e.boardDevice ? input.remap?.[e.boardDevice] : undefined);
  const offset = base !== undefined && regs[0] ? base - regs[0].address : 0n;
  return { name, entry: e, facts, ...(board ? { board } : {}), from: e.path && input.dt?.byPath.has(e.path) ? 'dt' : 'board pack', route, regs, excluded, irqs, guestRegs: regs.map((r) => ({ ...r, address: r.address + offset })) };
}

/** Register windows to page-aligned memory regions; windows that share a page share one region; existing ones reused. */
function regionsOf(devices: PlannedDevice[], input: PlanInput, target: VmTarget, messages: PlanMessage[]): PlannedRegion[] {
  const windows = devices.flatMap((pd) => pd.regs.map((r, i) => ({ dev: pd.name, reg: r, guest: pd.guestRegs[i]!, start: pageDown(r.address), end: pageUp(r.address + r.size) })));
  windows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const regions: PlannedRegion[] = [];
  for (const w of windows) {
    const last = regions[regions.length - 1];
    const widened = w.reg.address % PAGE !== 0n || w.reg.size % PAGE !== 0n;
    if (last && w.start < last.physAddr + last.size) {
      if (!last.devices.includes(w.dev)) {
        messages.push({ severity: 'warning', device: w.dev, code: 'shared-page', message: `${w.dev} shares a page with ${last.devices.join(', ')} (${hex(w.start)}): they are mapped as one region` });
        last.devices.push(w.dev);
      }
      const end = w.end > last.physAddr + last.size ? w.end : last.physAddr + last.size;
      last.size = end - last.physAddr;
      if (widened) (last.widenedFrom ??= []).push({ address: w.reg.address, size: w.reg.size });
      continue;
    }
    const region: PlannedRegion = { name: `${w.dev}${w.reg.name ? `_${w.reg.name.replace(/[^A-Za-z0-9_]/g, '_')}` : ''}`, physAddr: w.start, size: w.end - w.start, guestAddr: pageDown(w.guest.address), devices: [w.dev] };
    if (widened) region.widenedFrom = [{ address: w.reg.address, size: w.reg.size }];
    regions.push(region);
  }
  const sys = input.system;
  const taken = new Set(sys?.memoryRegions.map((m) => m.name) ?? []);
  const vmMaps = (sys ? allProtectionDomains(sys).find((p) => p.name === target.vmm)?.virtualMachine?.maps : undefined) ?? [];
  const names = new Map<string, number>();
  for (const r of regions) {
    const same = sys?.memoryRegions.find((m) => m.physAddr !== undefined && BigInt(m.physAddr) === r.physAddr && m.size !== undefined && BigInt(m.size) === r.size);
    if (same) {
      r.name = same.name;
      r.existing = true;
      const map = vmMaps.find((m) => m.mr === same.name);
      if (map) Object.assign(r, { mapped: true, guestAddr: BigInt(map.vaddr) });
      const others = (sys ? owners(sys, same.name) : []).filter((o) => o !== `${target.vmm}` && o !== `VM ${target.vm}`);
      if (others.length) messages.push({ severity: 'warning', device: r.devices[0], code: 'shared-region', message: `${r.name} (${hex(r.physAddr)}) is already mapped by ${others.join(', ')}: the guest would share the device with it` });
      continue;
    }
    const clash = sys?.memoryRegions.find((m) => m.physAddr !== undefined && m.size !== undefined && BigInt(m.physAddr) < r.physAddr + r.size && BigInt(m.physAddr) + BigInt(m.size) > r.physAddr);
    if (clash) {
      messages.push({ severity: 'error', device: r.devices[0], code: 'region-clash', message: `${hex(r.physAddr)}+${hex(r.size)} overlaps memory region '${clash.name}' (${hex(clash.physAddr!)}+${hex(clash.size!)}) of the system` });
    }
    // Unique names, against the system's regions too (a device with unnamed windows gets _1, _2...).
    let name = r.name;
    for (let n = names.get(r.name) ?? 0; taken.has(name); n++) name = `${r.name}_${n + 1}`;
    names.set(r.name, (names.get(r.name) ?? 0) + 1);
    taken.add(name);
    r.name = name;
  }
  for (const r of regions) {
    if (!r.widenedFrom) continue;
    const others = input.board.devices.filter((d) => !r.devices.includes(d.name) && d.regs.some((g) => BigInt(g.address) < r.physAddr + r.size && BigInt(g.address) + BigInt(g.size) > r.physAddr));
    messages.push({
      severity: others.length ? 'warning' : 'info',
      device: r.devices[0],
      code: 'widened',
      message: `${r.widenedFrom.map((w) => `${hex(w.address)}+${hex(w.size)}`).join(', ')} is not page aligned: the region is widened to ${hex(r.physAddr)}+${hex(r.size)}${others.length ? `, which also holds ${others.map((o) => o.name).join(', ')} (the guest can reach them)` : ''}`,
    });
  }
  return regions;
}

/** Who maps a region: PD names and `VM <name>`. */
function owners(sys: SystemModel, mr: string): string[] {
  const out: string[] = [];
  const walk = (p: SystemModel['protectionDomains'][number]) => {
    if (p.maps.some((m) => m.mr === mr)) out.push(p.name);
    if (p.virtualMachine?.maps.some((m) => m.mr === mr)) out.push(`VM ${p.virtualMachine.name}`);
    (p.children ?? []).forEach(walk);
  };
  sys.protectionDomains.forEach(walk);
  return out;
}

/** IRQs: INTIDs, shared ones reported, channel ids allocated around what the VMM uses; the VMM's own reused. */
function irqsOf(devices: PlannedDevice[], input: PlanInput, target: VmTarget, messages: PlanMessage[]): PlannedIrq[] {
  const taken = irqOwners(input.system);
  let next = input.firstId ?? 1;
  const irqs: PlannedIrq[] = [];
  const owner = new Map<number, string>();
  for (const pd of devices) {
    for (const i of pd.irqs) {
      const prev = owner.get(i.intid);
      if (prev) {
        messages.push({ severity: 'warning', device: pd.name, code: 'shared-irq', message: `INTID ${i.intid} is shared with ${prev}: one <irq> serves both` });
        continue;
      }
      owner.set(i.intid, pd.name);
      const had = taken.get(i.intid);
      if (had && had.pd === target.vmm) {
        irqs.push({ device: pd.name, ...(i.name ? { name: i.name } : {}), intid: i.intid, trigger: i.trigger, id: had.id, existing: true });
        continue;
      }
      if (had) {
        messages.push({ severity: 'error', device: pd.name, code: 'irq-taken', message: `INTID ${i.intid} (SPI ${i.spi}) already goes to PD '${had.pd}': an interrupt is delivered to one PD` });
        continue;
      }
      while (target.usedIds.has(next)) next++;
      if (next > 61) {
        messages.push({ severity: 'error', device: pd.name, code: 'no-channel-id', message: `no channel id left for INTID ${i.intid}: a PD's channel and IRQ ids share the range 0-61` });
        break;
      }
      target.usedIds.add(next);
      irqs.push({ device: pd.name, ...(i.name ? { name: i.name } : {}), intid: i.intid, trigger: i.trigger, id: next });
    }
  }
  return irqs;
}

/** What else a device needs and what passing it risks, as the plan's options make it. */
function deviceMessages(pd: PlannedDevice, all: PlannedDevice[], vm: VmTarget, options: Required<PlanOptions>, messages: PlanMessage[], audience: Audience): void {
  const f = pd.facts;
  const push = (severity: PlanMessage['severity'], code: string, message: string) => messages.push({ severity, device: pd.name, code, message });
  for (const r of f.risks) {
    switch (r.code) {
      case 'reserved-window':
      case 'not-passable':
      case 'no-registers':
        break; // below, or refused earlier
      case 'parent-device': {
        const need = f.parentDevice ?? /needs (\S+) too/.exec(r.message)?.[1];
        if (need && all.some((d) => d.entry.path === need || d.name === need || d.board?.name === need)) break;
        push('warning', r.code, r.message);
        break;
      }
      case 'dma': {
        if (pd.route === 'path-b') break;
        const oneToOne = vm.ramPhys !== undefined && vm.ramPhys === vm.ramBase;
        push('warning', r.code, oneToOne ? `${r.message}. Guest RAM is 1:1 here (physical ${hex(vm.ramPhys!)})` : `${r.message}. Guest RAM is not 1:1: give the guest RAM region phys_addr ${hex(vm.ramBase)} (${howToSet({ kind: 'ram-phys', address: vm.ramBase }, audience)}) or its DMA goes to the wrong memory`);
        break;
      }
      case 'firmware-resources':
        if (pd.route === 'path-b') push('info', r.code, `${r.message.replace(/\. The firmware is the host's.*$/, '')}: the eth_driver PD asks the BPMP itself (it maps bpmp_tx, bpmp_rx and the HSP doorbell)`);
        else push('warning', r.code, firmwareNote(pd, options.firmwareResources));
        break;
      case 'nic-route':
        push('info', r.code, pd.route === 'path-b' ? 'trusted-driver route (Path B): eth_driver owns the NIC, net_virt_rx/net_virt_tx and client0_net_copier serve the guest, which sees virtio-net' : `${r.message}; this plan passes it directly (for the other: ${howToSet({ kind: 'nic-path-b' }, audience)})`);
        break;
      default:
        push(r.severity, r.code, r.message);
    }
  }
  for (const w of pd.excluded) push('warning', 'reserved-window', `window '${w.name}' ${hex(w.address)}+${hex(w.size)} stays out of the guest: ${w.reason}`);
  if (pd.route === 'direct' && options.hypervisorWindows === 'keep') {
    for (const w of pd.entry.regs.filter((x) => x.reserved)) push('warning', 'reserved-window-kept', `window '${w.name}' ${hex(w.address)}+${hex(w.size)} is mapped into the guest on request, though ${w.reserved}`);
  }
}

/** What keeping or removing the guest's clocks/resets/power domains means, for this device's Linux driver. */
export function firmwareNote(pd: PlannedDevice, policy: 'keep' | 'remove'): string {
  const f = pd.facts;
  const list = [
    f.clocks.length ? `clocks ${f.clocks.map(specifierText).join(', ')}` : '',
    f.resets.length ? `resets ${f.resets.map(specifierText).join(', ')}` : '',
    f.powerDomains.length ? `power domains ${f.powerDomains.map(specifierText).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (policy === 'keep') {
    return `${list}: kept in the guest's node, so its driver asks the BPMP for them and those requests must reach the BPMP — a BPMP proxy in the VMM allowing exactly these ids (Ghaf's bpmp-host-proxy), or the BPMP IPC (HSP TOP0 doorbell, cpu_bpmp_tx/rx) passed to the guest, which then reaches every clock of the SoC, the host's included. Until one answers, the driver defers its probe`;
  }
  return `${list}: removed from the guest's node, so the host must leave them on (a Linux host needs clk_ignore_unused, and must not reset or power the device down; BPMP firmware may still gate an unclaimed clock after minutes). ${driverWithout(pd.entry.compatible)}`;
}

function driverWithout(compatible: readonly string[]): string {
  const c = compatible.join(' ');
  if (/hsuart/.test(c)) return 'Linux\'s serial-tegra (nvidia,tegra194-hsuart) does not probe without its clock and its "serial" reset ("Couldn\'t get the clock"): give the node compatible "nvidia,tegra20-uart" (8250_of, reset optional) and clock-frequency = <the rate the firmware set> instead.';
  if (/tegra234-mgbe/.test(c)) return 'Linux\'s dwmac-tegra does not probe without its clocks and its "mac" and "pcs" resets: use the trusted-driver route (Path B) instead.';
  if (/host1x/.test(c)) return 'Linux\'s host1x driver does not probe without its clock.';
  if (/-vic$/.test(c) || / nvidia,tegra\d+-vic/.test(c)) return 'Linux\'s VIC driver (tegra-drm) does not probe without its clock and reset.';
  return 'A driver that asks for a clock, reset or power domain the node does not describe fails its probe.';
}
