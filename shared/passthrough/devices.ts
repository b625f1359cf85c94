import type { BoardPack, Device } from '../model/board';
import { spiToIntid } from '../model/board';
import { getProp, type DtNode } from '../dt/tree';
import { decodeInterrupts, decodeReg, strings, type Index } from '../dt/query';
import { reservedWindow } from './windows';

/**
 * The device catalogue of a wizard's second step: every device of a tree (or of a board pack without one), grouped
 * and searchable, each with its register windows (reg-names, and whether the window is the hypervisor's), its
 * interrupts as SPI/PPI and INTID, its status. Facts that cost more (clocks by name, suppliers, risks) are in
 * facts.ts, asked for one device at a time.
 */
export type DeviceGroup =
  | 'serial'
  | 'ethernet'
  | 'display'
  | 'i2c'
  | 'spi'
  | 'gpio'
  | 'mailbox'
  | 'memory'
  | 'dma'
  | 'iommu'
  | 'interrupt-controller'
  | 'timer'
  | 'pci'
  | 'usb'
  | 'storage'
  | 'audio'
  | 'camera'
  | 'virtio'
  | 'firmware'
  | 'other';

export const GROUP_TITLES: Record<DeviceGroup, string> = {
  serial: 'Serial',
  ethernet: 'Ethernet',
  display: 'Display / host1x',
  i2c: 'I²C',
  spi: 'SPI',
  gpio: 'GPIO and pin control',
  mailbox: 'Mailboxes',
  memory: 'Memory, SRAM, memory controller',
  dma: 'DMA engines',
  iommu: 'IOMMUs',
  'interrupt-controller': 'Interrupt controllers',
  timer: 'Timers, watchdogs, RTC',
  pci: 'PCI Express',
  usb: 'USB',
  storage: 'Storage (MMC, UFS, SATA)',
  audio: 'Audio',
  camera: 'Camera',
  virtio: 'VirtIO',
  firmware: 'Firmware interfaces',
  other: 'Other',
};

/** First match wins: a compatible or the node name (without unit address). */
const GROUP_RULES: [DeviceGroup, RegExp][] = [
  ['virtio', /virtio/],
  ['ethernet', /^ethernet$|mgbe|eqos|ethernet|gmac|dwmac|fec$|,enet|smsc|rtl8|macb|stmmac/],
  ['serial', /^serial$|uart|hsuart|,tcu$|-tcu$|serial|pl011|sbsa-uart|ns16550/],
  ['display', /host1x|,vic$|-vic$|nvdec|nvenc|nvjpg|display|,dc$|-dc$|dpaux|,sor|-sor|hdmi|dsi|,gpu$|gv11b|ga10b|tsec|nvdla|pva|ofa|drm|mipi/],
  ['i2c', /^i2c$|i2c/],
  ['spi', /^spi$|qspi|,spi|-spi|spi-/],
  ['gpio', /^gpio$|gpio|pinmux|pinctrl|pinconf|padctl-?cfg/],
  ['mailbox', /^hsp$|mailbox|,hsp|-hsp|mbox/],
  ['iommu', /smmu|iommu|mmu-500/],
  ['interrupt-controller', /gic|intc|irqchip|interrupt-controller|agic/],
  ['dma', /dma|adma|gpcdma/],
  ['memory', /sram|sysram|memory-controller|,mc$|-mc$|emc|cache|cbb|fabric/],
  ['timer', /timer|watchdog|wdt|rtc|tke|pl031/],
  ['pci', /pcie|,pci|pci-host/],
  ['usb', /usb|xhci|xusb|xudc/],
  ['storage', /mmc|sdhci|ufs|sata|ahci|nvme/],
  ['audio', /ahub|ape|hda|i2s|audio|adsp|admaif|sound|aconnect|agic/],
  ['camera', /nvcsi|,vi$|-vi$|isp|camera|capture/],
  ['firmware', /bpmp|psci|firmware|scmi|optee|tegra.*-pmc|,pmc$/],
];

export function groupOf(compatible: readonly string[], nodeName: string): DeviceGroup {
  const base = nodeName.split('@')[0]!;
  for (const [g, re] of GROUP_RULES) if (compatible.some((c) => re.test(c))) return g;
  for (const [g, re] of GROUP_RULES) if (re.test(base)) return g;
  return 'other';
}

export interface RegWindow {
  name?: string;
  address: bigint;
  size: bigint;
  /** False when a bus on the way up has no `ranges`: the address is only meaningful on that bus. */
  translated: boolean;
  /** Why the window stays out of the guest by default (a hypervisor window); windows.ts. */
  reserved?: string;
}

export interface IrqFact {
  name?: string;
  /** GIC interrupts only. */
  kind?: 'SPI' | 'PPI';
  number?: number;
  intid?: number;
  trigger?: 'level' | 'edge';
  /** Not a GIC interrupt (a GPIO or PMC line): the controller's path and raw cells. */
  controller: string;
  cells: number[];
}

export interface DeviceEntry {
  /** Where the device is: its node path, or `board:<name>` for a board-pack device the tree does not have. */
  id: string;
  path?: string;
  /** Node name with unit address (`serial@3100000`), or the board pack's device name. */
  name: string;
  labels: string[];
  compatible: string[];
  group: DeviceGroup;
  status: string;
  regs: RegWindow[];
  irqs: IrqFact[];
  /** The board pack's device for this node, when it has one (its name, e.g. `uarta`). */
  boardDevice?: string;
  title?: string;
  /** Why the device cannot be given to a guest (interrupt controller, BPMP, SMMU, the board pack says so). */
  notPassable?: string;
}

const NOT_PASSABLE: [DeviceGroup | RegExp, string][] = [
  ['interrupt-controller', 'the interrupt controller is the VMM\'s (libvmm emulates a virtual GIC for the guest)'],
  ['iommu', 'the SMMU translates for every device: it belongs to the host'],
  [/bpmp/, 'the BPMP owns the clocks, resets and power domains of the whole SoC: proxy its requests, never pass it'],
  [/memory-controller|tegra\d+-mc$/, 'the memory controller is shared by every bus master'],
];

/** Nodes that describe something other than a device: the CPUs, memory, configuration nodes. */
const NOT_DEVICES = /^\/(cpus|memory|chosen|aliases|__symbols__|__fixups__|__local_fixups__|reserved-memory|thermal-zones|opp-table)(\/|$|@)/;

/** Every device of a tree: nodes with a compatible and registers or interrupts, in tree order. */
export function listDevices(idx: Index, board?: BoardPack): DeviceEntry[] {
  const byPath = new Map((board?.devices ?? []).filter((d) => d.dtPath).map((d) => [d.dtPath!, d]));
  // Board-pack devices without a path are the tree's node at their first register address (uartb is serial@3110000).
  const byAddress = new Map((board?.devices ?? []).filter((d) => !d.dtPath && d.regs[0]).map((d) => [BigInt(d.regs[0]!.address), d]));
  // A DTB has no labels on its nodes: __symbols__ names them (indexTree put them in byLabel).
  const labelsOf = new Map<DtNode, string[]>();
  for (const [l, v] of idx.byLabel) labelsOf.set(v.node, [...(labelsOf.get(v.node) ?? []), l]);
  const out: DeviceEntry[] = [];
  const linked = new Set<string>();
  for (const [path, loc] of idx.byPath) {
    if (path === '/' || NOT_DEVICES.test(path)) continue;
    const node = loc.node;
    const compatible = strings(node, 'compatible');
    let bd = byPath.get(path);
    if (!bd && (!compatible.length || (!getProp(node, 'reg') && !getProp(node, 'interrupts') && !getProp(node, 'interrupts-extended')))) continue;
    if (!bd && byAddress.size) {
      const first = decodeReg(idx, node)[0];
      const cand = first?.translated ? byAddress.get(first.address) : undefined;
      if (cand && !linked.has(cand.name)) {
        bd = cand;
        linked.add(cand.name);
      }
    }
    out.push(entryOf(idx, path, node, compatible, bd, labelsOf.get(node) ?? []));
  }
  return out;
}

function entryOf(idx: Index, path: string, node: DtNode, compatible: string[], bd: Device | undefined, labels: string[]): DeviceEntry {
  const regs: RegWindow[] = decodeReg(idx, node).map((r) => {
    const w: RegWindow = { address: r.address, size: r.size, translated: r.translated, ...(r.name ? { name: r.name } : {}) };
    const why = reservedWindow(compatible, r.name);
    if (why) w.reserved = why;
    return w;
  });
  const irqs: IrqFact[] = decodeInterrupts(idx, node).map((i) => ({
    controller: i.controller,
    cells: i.cells,
    ...(i.name ? { name: i.name } : {}),
    ...(i.type ? { kind: i.type, number: i.number!, intid: i.intid!, trigger: i.trigger! } : {}),
  }));
  const name = path.split('/').pop()!;
  const e: DeviceEntry = {
    id: path,
    path,
    name,
    labels: [...new Set([...node.labels, ...labels])],
    compatible,
    group: bd ? groupOfKind(bd) : groupOf(compatible, name),
    status: strings(node, 'status')[0] ?? 'okay',
    regs,
    irqs,
  };
  if (bd) Object.assign(e, { boardDevice: bd.name, title: bd.title });
  const np = notPassable(e, bd);
  if (np) e.notPassable = np;
  return e;
}

function notPassable(e: DeviceEntry, bd: Device | undefined): string | undefined {
  if (bd?.passthrough === 'no') return bd.notes[0] ?? `${bd.title} cannot be passed through (board pack)`;
  if (e.regs.length && e.regs.every((r) => !r.translated)) return 'its registers are on a bus without CPU addresses (MDIO, I²C, SPI): it goes with its controller';
  for (const [what, why] of NOT_PASSABLE) {
    if (typeof what === 'string' ? e.group === what : e.compatible.some((c) => what.test(c))) return why;
  }
  return undefined;
}

const KIND_GROUP: Record<Device['kind'], DeviceGroup> = {
  uart: 'serial',
  console: 'serial',
  ethernet: 'ethernet',
  mailbox: 'mailbox',
  'shared-memory': 'memory',
  graphics: 'display',
  'interrupt-controller': 'interrupt-controller',
  rtc: 'timer',
  gpio: 'gpio',
  virtio: 'virtio',
  other: 'other',
};
const groupOfKind = (d: Device): DeviceGroup => KIND_GROUP[d.kind];

/** A board pack's devices as catalogue entries (no device tree given, or devices the tree lacks). */
export function boardDeviceEntries(board: BoardPack, except: ReadonlySet<string> = new Set()): DeviceEntry[] {
  return board.devices
    .filter((d) => !except.has(d.name))
    .map((d) => {
      const e: DeviceEntry = {
        id: `board:${d.name}`,
        name: d.name,
        title: d.title,
        labels: [],
        compatible: d.compatible,
        group: groupOfKind(d),
        status: 'okay',
        boardDevice: d.name,
        regs: d.regs.map((r) => {
          const w: RegWindow = { address: BigInt(r.address), size: BigInt(r.size), translated: true, ...(r.name ? { name: r.name } : {}) };
          const why = reservedWindow(d.compatible, r.name);
          if (why) w.reserved = why;
          return w;
        }),
        irqs: d.irqs.map((i) => ({ kind: 'SPI' as const, number: i.spi, intid: spiToIntid(i.spi), trigger: i.trigger, controller: 'gic', cells: [0, i.spi, i.trigger === 'edge' ? 1 : 4], ...(i.name ? { name: i.name } : {}) })),
      };
      if (d.dtPath) e.path = d.dtPath;
      const np = notPassable(e, d);
      if (np) e.notPassable = np;
      return e;
    });
}

/**
 * The catalogue a wizard shows: the tree's devices when a tree is given (board-pack devices the tree lacks, such as
 * the r35-only UARTC, appended), else the board pack's.
 */
export function catalogue(board: BoardPack | undefined, idx?: Index): DeviceEntry[] {
  if (!idx) return board ? boardDeviceEntries(board) : [];
  const fromTree = listDevices(idx, board);
  const have = new Set(fromTree.map((e) => e.boardDevice).filter((n): n is string => !!n));
  return board ? [...fromTree, ...boardDeviceEntries(board, have)] : fromTree;
}

export interface DeviceGroupList {
  group: DeviceGroup;
  title: string;
  devices: DeviceEntry[];
}

/** Entries by group, in GROUP_TITLES order; empty groups left out. */
export function groupDevices(entries: readonly DeviceEntry[]): DeviceGroupList[] {
  return (Object.keys(GROUP_TITLES) as DeviceGroup[])
    .map((group) => ({ group, title: GROUP_TITLES[group], devices: entries.filter((e) => e.group === group) }))
    .filter((g) => g.devices.length);
}

/**
 * Search by name, label, compatible, board-pack name or title, or address: `uart`, `mgbe0`, `tegra194-hsuart`,
 * `3100000` / `0x3100000` (any address inside a register window). Every word must match (AND); case-insensitive.
 */
export function searchDevices(entries: readonly DeviceEntry[], query: string): DeviceEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...entries];
  return entries.filter((e) => words.every((w) => matches(e, w)));
}

function matches(e: DeviceEntry, w: string): boolean {
  const text = [e.name, e.path ?? '', e.boardDevice ?? '', e.title ?? '', ...e.labels, ...e.compatible, e.group, e.status].join('\n').toLowerCase();
  if (text.includes(w)) return true;
  const hex = /^(0x)?([0-9a-f_]+)$/.exec(w);
  if (!hex) return false;
  const a = BigInt(`0x${hex[2]!.replace(/_/g, '')}`);
  return e.regs.some((r) => a >= r.address && a < r.address + r.size);
}

/** A device by what a user types: a board-pack name, a node path, a label, or a node name (`serial@3100000`). */
export function findDevice(entries: readonly DeviceEntry[], ref: string): DeviceEntry[] {
  const exact = entries.filter((e) => e.boardDevice === ref || e.path === ref || e.id === ref || e.labels.includes(ref));
  if (exact.length) return exact.slice(0, 1);
  return entries.filter((e) => e.name === ref || (!ref.includes('@') && e.name.split('@')[0] === ref && entries.filter((x) => x.name.split('@')[0] === ref).length === 1));
}

/** Who raises which INTID, from a catalogue: the IRQ inspector's `sources` for classifyIntid (shared/model/intid.ts). */
export function intidSources(entries: readonly DeviceEntry[]): { intid: number; name: string; from: 'board pack' | 'device tree' }[] {
  return entries.flatMap((e) =>
    e.irqs
      .filter((i) => i.intid !== undefined)
      .map((i) => ({ intid: i.intid!, name: `${e.title ?? e.boardDevice ?? e.labels[0] ?? e.name} ${e.path ?? ''}${i.name ? ` (${i.name})` : ''}`.replace(/\s+/g, ' ').trim(), from: e.id.startsWith('board:') ? ('board pack' as const) : ('device tree' as const) })),
  );
}
