import { spiToIntid, type BoardPack, type Device } from '../model/board';
import { hex } from '../format/hex';
import { decodeInterrupts, decodeReg, strings, supplierClosure, type Index } from '../dt/query';

/**
 * Device passthrough to a Microkit virtual machine: chosen devices in, every fact the system, the VMM and the
 * guest need out (reference/field-notes.md §1, t234-devices.md §8). Pure: the renderers turn a plan into files.
 */
export interface VmSpec {
  name: string;
  /** The PD that owns the VM (the VMM). */
  vmm: string;
  ramBase: bigint;
  ramSize: bigint;
  /** Where guest RAM sits physically; equal to ramBase means 1:1 (IPA = PA), which bus-master devices need. */
  ramPhys?: bigint;
  vcpus?: number;
}

export interface PlanInput {
  board: BoardPack;
  devices: string[];
  vm: VmSpec;
  /** The device tree of the running board (the board pack's facts are used where it has no node). */
  dt?: Index;
  /** Guest-physical base per device (its first register window); identity by default. */
  remap?: Record<string, bigint>;
  /** Channel ids the VMM already uses (its own channels and IRQs). */
  usedIds?: number[];
  firstId?: number;
}

export interface PlannedDevice {
  device: Device;
  /** Register windows as the running board has them (from its DT when given). */
  regs: { name?: string; address: bigint; size: bigint }[];
  irqs: { name?: string; spi: number; intid: number; trigger: 'level' | 'edge' }[];
  /** Guest-physical address of each register window. */
  guestRegs: { name?: string; address: bigint; size: bigint }[];
  /** Where the facts came from. */
  from: 'dt' | 'board pack';
}

export interface PlannedRegion {
  name: string;
  physAddr: bigint;
  size: bigint;
  guestAddr: bigint;
  devices: string[];
  /** The register windows this page range was widened from, when they are not page aligned. */
  widenedFrom?: { address: bigint; size: bigint }[];
}

export interface PlannedIrq {
  device: string;
  name?: string;
  intid: number;
  trigger: 'level' | 'edge';
  id: number;
}

export interface PlanMessage {
  severity: 'error' | 'warning' | 'info';
  device?: string;
  message: string;
}

export interface Plan {
  devices: PlannedDevice[];
  regions: PlannedRegion[];
  irqs: PlannedIrq[];
  messages: PlanMessage[];
}

const PAGE = 0x1000n;
const down = (a: bigint) => a - (a % PAGE);
const up = (a: bigint) => ((a + PAGE - 1n) / PAGE) * PAGE;

export function planPassthrough(input: PlanInput): Plan {
  const { board, vm } = input;
  const messages: PlanMessage[] = [];
  const devices: PlannedDevice[] = [];
  const seen = new Set<string>();
  for (const name of input.devices) {
    if (seen.has(name)) {
      messages.push({ severity: 'error', device: name, message: `${name} is chosen twice: a device can be owned by one VM only` });
      continue;
    }
    seen.add(name);
    const d = board.devices.find((x) => x.name === name);
    if (!d) {
      messages.push({ severity: 'error', device: name, message: `${board.name} has no device '${name}' (devices: ${board.devices.map((x) => x.name).join(', ')})` });
      continue;
    }
    if (d.passthrough === 'no') {
      messages.push({ severity: 'error', device: name, message: `${d.title} cannot be passed through: ${d.notes[0] ?? 'see the board pack'}` });
      continue;
    }
    devices.push(resolveDevice(d, input, messages));
  }

  // Register windows to page-aligned memory regions; windows that share a page share one region.
  const windows = devices.flatMap((pd) =>
    pd.regs.map((r, i) => ({ dev: pd.device.name, reg: r, guest: pd.guestRegs[i]!, start: down(r.address), end: up(r.address + r.size) })),
  );
  windows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const regions: PlannedRegion[] = [];
  for (const w of windows) {
    const last = regions[regions.length - 1];
    const widened = w.reg.address % PAGE !== 0n || w.reg.size % PAGE !== 0n;
    if (last && w.start < last.physAddr + last.size) {
      if (!last.devices.includes(w.dev)) {
        messages.push({ severity: 'warning', device: w.dev, message: `${w.dev} shares a page with ${last.devices.join(', ')} (${hex(w.start)}): they are mapped as one region` });
        last.devices.push(w.dev);
      }
      const end = w.end > last.physAddr + last.size ? w.end : last.physAddr + last.size;
      last.size = end - last.physAddr;
      if (widened) (last.widenedFrom ??= []).push({ address: w.reg.address, size: w.reg.size });
      continue;
    }
    const region: PlannedRegion = {
      name: `${w.dev}${w.reg.name ? `_${w.reg.name.replace(/[^A-Za-z0-9_]/g, '_')}` : ''}`,
      physAddr: w.start,
      size: w.end - w.start,
      guestAddr: down(w.guest.address),
      devices: [w.dev],
    };
    if (widened) region.widenedFrom = [{ address: w.reg.address, size: w.reg.size }];
    regions.push(region);
  }
  // Unique region names (a device with unnamed windows gets _1, _2...).
  const names = new Map<string, number>();
  for (const r of regions) {
    const n = names.get(r.name) ?? 0;
    names.set(r.name, n + 1);
    if (n) r.name = `${r.name}_${n}`;
  }
  for (const r of regions) {
    if (!r.widenedFrom) continue;
    const others = board.devices.filter((d) => !r.devices.includes(d.name) && d.regs.some((g) => BigInt(g.address) < r.physAddr + r.size && BigInt(g.address) + BigInt(g.size) > r.physAddr));
    messages.push({
      severity: others.length ? 'warning' : 'info',
      device: r.devices[0],
      message: `${r.widenedFrom.map((w) => `${hex(w.address)}+${hex(w.size)}`).join(', ')} is not page aligned: the region is widened to ${hex(r.physAddr)}+${hex(r.size)}${others.length ? `, which also holds ${others.map((o) => o.name).join(', ')} (the guest can reach them)` : ''}`,
    });
  }

  // IRQs: INTIDs, shared ones reported, channel ids allocated around what the VMM uses.
  const used = new Set(input.usedIds ?? []);
  let next = input.firstId ?? 1;
  const irqs: PlannedIrq[] = [];
  const owner = new Map<number, string>();
  for (const pd of devices) {
    for (const i of pd.irqs) {
      const prev = owner.get(i.intid);
      if (prev) {
        messages.push({ severity: 'warning', device: pd.device.name, message: `INTID ${i.intid} is shared with ${prev}: one <irq> serves both` });
        continue;
      }
      owner.set(i.intid, pd.device.name);
      while (used.has(next)) next++;
      if (next > 61) {
        messages.push({ severity: 'error', device: pd.device.name, message: `no channel id left for INTID ${i.intid}: a PD has ids 0-61 (reference/microkit-sdf.md §3)` });
        break;
      }
      used.add(next);
      irqs.push({ device: pd.device.name, ...(i.name ? { name: i.name } : {}), intid: i.intid, trigger: i.trigger, id: next });
    }
  }

  // What else the devices need.
  for (const pd of devices) {
    const d = pd.device;
    for (const r of d.requires) {
      if (!devices.some((x) => x.device.name === r) && board.devices.find((x) => x.name === r)?.passthrough !== 'no') {
        messages.push({ severity: 'warning', device: d.name, message: `${d.name} needs ${r} passed through too` });
      }
    }
    if (d.clocks.length || d.resets.length || d.powerDomains.length) {
      const what = [d.clocks.length && `${d.clocks.length} clock(s)`, d.resets.length && `${d.resets.length} reset(s)`, d.powerDomains.length && `power domain ${d.powerDomains.join(', ')}`].filter(Boolean).join(', ');
      messages.push({
        severity: 'warning',
        device: d.name,
        message: `${d.name} needs ${what} from the BPMP firmware, which is not passed through: a guest that drives them needs a BPMP proxy with an allow-list (Ghaf) or the host to leave them on.${d.kind === 'ethernet' ? ' For the NIC, consider "Path B": a trusted eth_driver PD owns the MGBE and the guest gets virtio-net (field-notes §1).' : ''}`,
      });
    }
    if (pd.from === 'dt' && input.dt) {
      const loc = input.dt.byPath.get(d.dtPath!)!;
      const sup = supplierClosure(input.dt, loc.node).filter((s) => s.for === loc.path && !['iommus', 'interconnects', 'dmas'].includes(s.via));
      const unlisted = sup.filter((s) => s.via.startsWith('pinctrl'));
      if (unlisted.length) messages.push({ severity: 'info', device: d.name, message: `the DT node also names ${[...new Set(unlisted.map((s) => s.path))].join(', ')} (pinctrl): set up by firmware or the host` });
    }
    if (d.dma || d.smmu) {
      const oneToOne = vm.ramPhys !== undefined && vm.ramPhys === vm.ramBase;
      if (!oneToOne) {
        messages.push({ severity: 'warning', device: d.name, message: `${d.name} is a bus master: guest RAM must be mapped 1:1 (IPA = PA; give the guest RAM region phys_addr ${hex(vm.ramBase)}) or its DMA goes to the wrong memory` });
      } else if (d.smmu) {
        messages.push({ severity: 'warning', device: d.name, message: `${d.name} does DMA through ${d.smmu.instance} (stream id ${hex(BigInt(d.smmu.sid))}); with the stream bypassed it can reach all of memory, not just the guest's` });
      }
    }
  }
  if (devices.length && !messages.some((m) => m.severity === 'error')) {
    const guestEnd = vm.ramBase + vm.ramSize;
    for (const r of regions) {
      if (r.guestAddr < guestEnd && r.guestAddr + r.size > vm.ramBase) messages.push({ severity: 'error', device: r.devices[0], message: `${r.name} at guest ${hex(r.guestAddr)} overlaps guest RAM ${hex(vm.ramBase)}..${hex(guestEnd)}` });
    }
  }
  return { devices, regions, irqs, messages };
}

function resolveDevice(d: Device, input: PlanInput, messages: PlanMessage[]): PlannedDevice {
  let regs = d.regs.map((r) => ({ ...(r.name ? { name: r.name } : {}), address: BigInt(r.address), size: BigInt(r.size) }));
  let irqs = d.irqs.map((i) => ({ ...(i.name ? { name: i.name } : {}), spi: i.spi, intid: spiToIntid(i.spi), trigger: i.trigger }));
  let from: PlannedDevice['from'] = 'board pack';
  const loc = input.dt && d.dtPath ? input.dt.byPath.get(d.dtPath) : undefined;
  if (input.dt && loc) {
    // The running board's own DT wins: firmware versions differ (reference/t234-devices.md §4 on power domains).
    const dtRegs = decodeReg(input.dt, loc.node);
    const dtIrqs = decodeInterrupts(input.dt, loc.node).filter((i) => i.type === 'SPI');
    if (dtRegs.length) regs = dtRegs.map((r) => ({ ...(r.name ? { name: r.name } : {}), address: r.address, size: r.size }));
    if (dtIrqs.length) irqs = dtIrqs.map((i) => ({ ...(i.name ? { name: i.name } : {}), spi: i.number!, intid: i.intid!, trigger: i.trigger! }));
    from = 'dt';
    if (strings(loc.node, 'status')[0] === 'disabled') messages.push({ severity: 'info', device: d.name, message: `${d.name} is disabled in the board's DT: the guest's node enables it` });
  } else if (input.dt && d.dtPath) {
    messages.push({ severity: 'info', device: d.name, message: `${d.dtPath} is not in the given DT: using the board pack's facts for ${d.name}` });
  }
  const base = input.remap?.[d.name];
  const offset = base !== undefined && regs[0] ? base - regs[0].address : 0n;
  return { device: d, regs, irqs, guestRegs: regs.map((r) => ({ ...r, address: r.address + offset })), from };
}
