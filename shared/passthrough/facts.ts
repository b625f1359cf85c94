import type { BoardPack } from '../model/board';
import { hex } from '../format/hex';
import { getProp } from '../dt/tree';
import { phandleSpecifiers, strings, supplierClosure, type Index, type Supplier } from '../dt/query';
import { nameSpecifier, tablesFromNames, type BindingTable, type SpecifierKind } from './bindings';
import type { DeviceEntry } from './devices';

/**
 * One device in depth (the wizard's third step): its clocks, resets and power domains by name, its SMMU stream IDs,
 * what it needs from other nodes (the supplier closure), and the risks of giving it to a guest, each explained.
 */
export interface NamedSpecifier {
  /** The provider's path (`/bpmp`), or `bpmp` when only the board pack knows. */
  provider: string;
  id: number;
  /** The consumer's `clock-names` / `reset-names` / `power-domain-names` entry. */
  cellName?: string;
  /** The `#define` that names the number in the dt-bindings header, with its aliases and header. */
  name?: string;
  aliases?: string[];
  source?: string;
}

export interface StreamFact {
  provider: string;
  /** The provider's label (`smmu_niso0`), when it has one. */
  instance?: string;
  sid: number;
  name?: string;
}

export type RiskCode = 'not-passable' | 'reserved-window' | 'dma' | 'firmware-resources' | 'parent-device' | 'pinctrl' | 'disabled' | 'nic-route' | 'untranslated' | 'no-registers' | 'board-note';

export interface Risk {
  code: RiskCode;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface DeviceFacts extends DeviceEntry {
  clocks: NamedSpecifier[];
  resets: NamedSpecifier[];
  powerDomains: NamedSpecifier[];
  streams: StreamFact[];
  /** `dma-coherent` in the node: the device snoops the CPU caches. */
  dmaCoherent: boolean;
  /** A bus master (it has `iommus` or `dmas`, or the board pack says so). */
  busMaster: boolean;
  /** Everything it needs from other nodes, transitively (tree only). */
  suppliers: Supplier[];
  /** The device it sits under and whose driver it is a client of (VIC under host1x). */
  parentDevice?: string;
  risks: Risk[];
}

export interface FactsContext {
  idx?: Index;
  board?: BoardPack;
  /** Names from the dt-bindings headers the tree included (bindings.ts); the board pack's names are the fallback. */
  tables?: readonly BindingTable[];
}

const KINDS: [keyof Pick<DeviceFacts, 'clocks' | 'resets' | 'powerDomains'>, string, string, SpecifierKind][] = [
  ['clocks', 'clocks', '#clock-cells', 'clock'],
  ['resets', 'resets', '#reset-cells', 'reset'],
  ['powerDomains', 'power-domains', '#power-domain-cells', 'power-domain'],
];

/** The tables to name with: the tree's headers first, then the board pack's names. */
export function namingTables(ctx: FactsContext): BindingTable[] {
  const bn = ctx.board?.bindingNames;
  return [...(ctx.tables ?? []), ...(bn ? tablesFromNames(bn.prefix, `${ctx.board!.name} board pack (${bn.source})`, bn) : [])];
}

/**
 * `clock-names` / `reset-names` the Linux binding asks for, for board-pack devices without a tree node (a tree's own
 * names win): the Tegra HS UART's clock and reset are both "serial" (tegra234.dtsi UART nodes; serial-tegra asks for
 * the "serial" reset by name).
 */
const DEFAULT_CELL_NAMES: [RegExp, { clocks: string[]; resets: string[] }][] = [[/^nvidia,tegra\d+-hsuart$|^nvidia,tegra20-uart$/, { clocks: ['serial'], resets: ['serial'] }]];

export function deviceFacts(e: DeviceEntry, ctx: FactsContext): DeviceFacts {
  const tables = namingTables(ctx);
  const loc = e.path && ctx.idx ? ctx.idx.byPath.get(e.path) : undefined;
  const bd = e.boardDevice ? ctx.board?.devices.find((d) => d.name === e.boardDevice) : undefined;
  const facts: DeviceFacts = { ...e, clocks: [], resets: [], powerDomains: [], streams: [], dmaCoherent: false, busMaster: false, suppliers: [], risks: [] };
  const named = (kind: SpecifierKind, provider: string, id: number, cellName: string | undefined, prov?: { compatible: string[]; path?: string; labels?: string[] }): NamedSpecifier => {
    const n = nameSpecifier(tables, kind, id, prov);
    return { provider, id, ...(cellName ? { cellName } : {}), ...(n ? { name: n.name, source: n.source, ...(n.aliases.length ? { aliases: n.aliases } : {}) } : {}) };
  };
  if (loc && ctx.idx) {
    const idx = ctx.idx;
    const provider = (path: string) => {
      const p = idx.byPath.get(path)!;
      return { compatible: strings(p.node, 'compatible'), path, labels: [...p.node.labels, ...[...idx.byLabel].filter(([, v]) => v.node === p.node).map(([l]) => l)] };
    };
    for (const [key, prop, cells, kind] of KINDS) {
      facts[key] = phandleSpecifiers(idx, loc.node, prop, cells).map((s) => named(kind, s.provider, s.args[0] ?? 0, s.name, provider(s.provider)));
    }
    facts.streams = phandleSpecifiers(idx, loc.node, 'iommus', '#iommu-cells').map((s) => {
      const p = provider(s.provider);
      const n = nameSpecifier(tables, 'stream-id', s.args[0] ?? 0, p);
      return { provider: s.provider, sid: s.args[0] ?? 0, ...(p.labels[0] ? { instance: p.labels[0] } : {}), ...(n ? { name: n.name } : {}) };
    });
    facts.dmaCoherent = getProp(loc.node, 'dma-coherent') !== undefined;
    facts.busMaster = facts.streams.length > 0 || getProp(loc.node, 'dmas') !== undefined || (bd?.dma ?? false);
    facts.suppliers = supplierClosure(idx, loc.node);
    const parent = idx.parentOf.get(loc.node);
    if (parent && getProp(parent, 'reg') && strings(parent, 'compatible').length) facts.parentDevice = idx.pathOf.get(parent)!;
  } else if (bd) {
    const bpmp = { compatible: [`nvidia,${(ctx.board?.bindingNames?.prefix ?? '').toLowerCase()}-bpmp`] };
    const cells = DEFAULT_CELL_NAMES.find(([re]) => bd.compatible.some((c) => re.test(c)))?.[1];
    facts.clocks = bd.clocks.map((id, i) => named('clock', 'bpmp', id, cells?.clocks[i], bpmp));
    facts.resets = bd.resets.map((id, i) => named('reset', 'bpmp', id, cells?.resets[i], bpmp));
    facts.powerDomains = bd.powerDomains.map((id) => named('power-domain', 'bpmp', id, undefined, bpmp));
    if (bd.smmu) {
      const n = nameSpecifier(tables, 'stream-id', bd.smmu.sid, { compatible: [], labels: [bd.smmu.instance] });
      facts.streams = [{ provider: bd.smmu.instance, instance: bd.smmu.instance, sid: bd.smmu.sid, ...(n ? { name: n.name } : {}) }];
    }
    facts.busMaster = bd.dma || !!bd.smmu;
  }
  facts.risks = risksOf(facts, ctx);
  return facts;
}

export const specifierText = (s: NamedSpecifier) => `${s.name ?? s.id}${s.cellName ? ` ("${s.cellName}")` : ''}`;
export const streamText = (s: StreamFact) => `${s.instance ?? s.provider} stream ${hex(s.sid)}${s.name ? ` (${s.name})` : ''}`;

function risksOf(f: DeviceFacts, ctx: FactsContext): Risk[] {
  const out: Risk[] = [];
  const bd = f.boardDevice ? ctx.board?.devices.find((d) => d.name === f.boardDevice) : undefined;
  if (f.notPassable) out.push({ code: 'not-passable', severity: 'error', message: f.notPassable });
  if (!f.regs.length) out.push({ code: 'no-registers', severity: 'warning', message: 'no register window: nothing to map into the guest' });
  for (const w of f.regs) {
    if (w.reserved) out.push({ code: 'reserved-window', severity: 'warning', message: `window '${w.name}' ${hex(w.address)}+${hex(w.size)} is kept out of the guest: ${w.reserved}` });
    if (!w.translated) out.push({ code: 'untranslated', severity: 'warning', message: `window ${hex(w.address)} sits behind a bus without 'ranges': it is not a CPU physical address` });
  }
  if (f.busMaster) {
    out.push({
      code: 'dma',
      severity: 'warning',
      message: `a DMA-capable bus master${f.streams.length ? ` (${f.streams.map(streamText).join(', ')})` : ''}: the guest programs it with guest-physical addresses, so guest RAM must be mapped 1:1 (IPA = PA) with ${f.streams.length ? 'these streams' : 'its stream'} in SMMU bypass, and it can then reach all of memory, not only the guest's`,
    });
  }
  const fw = [...f.clocks, ...f.resets, ...f.powerDomains];
  if (fw.length) {
    const providers = [...new Set(fw.map((s) => s.provider))].join(', ');
    const part = (label: string, l: NamedSpecifier[]) => (l.length ? `${label} ${l.map(specifierText).join(', ')}` : '');
    out.push({
      code: 'firmware-resources',
      severity: 'warning',
      message: `needs from ${providers}: ${[part('clocks', f.clocks), part('resets', f.resets), part('power domains', f.powerDomains)].filter(Boolean).join('; ')}. The firmware is the host's: proxy the guest's requests (an allow-list of exactly these), or have the host leave them on and give the guest a node without them`,
    });
  }
  if (f.parentDevice) out.push({ code: 'parent-device', severity: 'warning', message: `it sits under ${f.parentDevice}, whose driver it is a client of: pass that device too` });
  for (const r of bd?.requires ?? []) if (!f.parentDevice) out.push({ code: 'parent-device', severity: 'warning', message: `the board pack says it needs ${r} too` });
  const pins = [...new Set(f.suppliers.filter((s) => s.via.startsWith('pinctrl') && s.for === f.path).map((s) => s.path))];
  if (pins.length) out.push({ code: 'pinctrl', severity: 'info', message: `its pins are set up through ${pins.join(', ')}: firmware or the host must leave them so` });
  if (f.status === 'disabled') out.push({ code: 'disabled', severity: 'info', message: "disabled in this tree: the guest's node enables it (check the board wires it)" });
  if (f.group === 'ethernet') {
    out.push({
      code: 'nic-route',
      severity: 'info',
      message: 'a NIC can go two ways: direct passthrough (the guest drives it, with the DMA and firmware risks above), or the trusted-driver route "Path B" (an sDDF driver PD owns it, sDDF virtualisers and a copier serve the guest, which sees virtio-net, so the guest never programs the NIC\'s DMA)',
    });
  }
  for (const n of bd?.notes ?? []) out.push({ code: 'board-note', severity: 'info', message: n });
  return out;
}
