import { DtError } from './cpp';
import { DtbError } from './dtb';
import { Heap } from './heap';
import { getProp, type DtNode, type DtTree, type Property } from './tree';
import { be32Words, readBe32 } from '../format/bigEndian';
import { fromUtf8 } from '../format/utf8';

/**
 * Questions about a device tree: where a device is (reg through #address-cells/#size-cells and every ancestor's
 * `ranges` to CPU physical addresses), which interrupts it raises (through interrupt-parent and #interrupt-cells;
 * GIC SPI n -> INTID n + 32, PPI n -> INTID n + 16), and which nodes it depends on (clocks, resets, power domains,
 * IOMMUs, interconnects, mailboxes, pinctrl), transitively.
 *
 * A `#…-cells` value a decode cannot use (0 cells where an entry needs some, more than Linux reads) is an error naming
 * the node and the property, at its place; decoded `ranges` and interrupt parents are kept per index, so querying
 * every node of a tree takes time in proportion to the tree.
 */

/** Linux reads at most 4 address or size cells (OF_MAX_ADDR_CELLS)... */
export const MAX_ADDRESS_CELLS = 4;
/** ...and at most 16 cells of an interrupt or phandle specifier (MAX_PHANDLE_ARGS). */
export const MAX_SPECIFIER_CELLS = 16;

export interface Located {
  node: DtNode;
  path: string;
  parents: DtNode[];
}

export interface Index {
  tree: DtTree;
  byPath: Map<string, Located>;
  byPhandle: Map<number, Located>;
  byLabel: Map<string, Located>;
  parentOf: Map<DtNode, DtNode>;
  pathOf: Map<DtNode, string>;
}

const cellProp = (n: DtNode, name: string) => {
  const p = getProp(n, name);
  return p ? be32Words(p.value) : undefined;
};
export const strings = (n: DtNode, name: string): string[] => {
  const p = getProp(n, name);
  if (!p || !p.value.length) return [];
  return fromUtf8(p.value.subarray(0, p.value[p.value.length - 1] === 0 ? p.value.length - 1 : p.value.length)).split('\0');
};
const combine = (cs: number[]) => cs.reduce((acc, c) => (acc << 32n) | BigInt(c), 0n);

export function indexTree(tree: DtTree): Index {
  const idx: Index = { tree, byPath: new Map(), byPhandle: new Map(), byLabel: new Map(), parentOf: new Map(), pathOf: new Map() };
  // Tree order with an explicit stack; each node's ancestors are found through parentOf when asked for.
  const stack: { n: DtNode; path: string }[] = [{ n: tree.root, path: '/' }];
  while (stack.length) {
    const { n, path } = stack.pop()!;
    const loc: Located = {
      node: n,
      path,
      get parents() {
        const out: DtNode[] = [];
        for (let p = idx.parentOf.get(n); p; p = idx.parentOf.get(p)) out.push(p);
        return out.reverse();
      },
    };
    idx.byPath.set(path, loc);
    idx.pathOf.set(n, path);
    for (const l of n.labels) if (!idx.byLabel.has(l)) idx.byLabel.set(l, loc);
    const ph = cellProp(n, 'phandle') ?? cellProp(n, 'linux,phandle');
    if (ph?.length === 1) idx.byPhandle.set(ph[0]!, loc);
    for (let i = n.children.length - 1; i >= 0; i--) {
      const c = n.children[i]!;
      idx.parentOf.set(c, n);
      stack.push({ n: c, path: path === '/' ? `/${c.name}` : `${path}/${c.name}` });
    }
  }
  // A DTB has no labels: the aliases and __symbols__ nodes name them.
  for (const special of ['/__symbols__', '/aliases']) {
    const s = idx.byPath.get(special);
    if (!s) continue;
    for (const p of s.node.props) {
      const target = idx.byPath.get(strings(s.node, p.name)[0] ?? '');
      if (target && !idx.byLabel.has(p.name)) idx.byLabel.set(p.name, target);
    }
  }
  return idx;
}

export function findByCompatible(idx: Index, compatible: string): Located[] {
  return [...idx.byPath.values()].filter((l) => strings(l.node, 'compatible').includes(compatible));
}

export function find(idx: Index, q: { path?: string; label?: string; compatible?: string }): Located[] {
  if (q.path !== undefined) {
    const exact = idx.byPath.get(q.path);
    if (exact) return [exact];
    // A path without unit addresses, as people type them: /bus@0/serial matches /bus@0/serial@31d0000 when unique.
    const segs = q.path.split('/').filter(Boolean);
    const hits = [...idx.byPath.values()].filter((l) => {
      const ps = l.path.split('/').filter(Boolean);
      return ps.length === segs.length && ps.every((p, i) => p === segs[i] || (!segs[i]!.includes('@') && p.split('@')[0] === segs[i]));
    });
    return hits;
  }
  if (q.label !== undefined) {
    const l = idx.byLabel.get(q.label);
    return l ? [l] : [];
  }
  return q.compatible !== undefined ? findByCompatible(idx, q.compatible) : [];
}

export interface RegRange {
  address: bigint;
  size: bigint;
  name?: string;
  /** False when an ancestor has no `ranges`: the address is only meaningful on that bus. */
  translated: boolean;
}

/** What the decodes keep per index: properties by name, each bus's decoded `ranges`, each node's interrupt parent. */
interface Memo {
  props: Map<DtNode, Map<string, Property>>;
  ranges: Map<DtNode, Ranges>;
  irqParent: Map<DtNode, DtNode | null>;
}
/** A bus's `ranges`: absent (no translation), empty (identity), or disjoint segments, each with its offset. */
type Ranges = 'none' | 'identity' | { lo: bigint; hi: bigint; delta: bigint }[];
const memos = new WeakMap<Index, Memo>();
const memo = (idx: Index): Memo => {
  let m = memos.get(idx);
  if (!m) memos.set(idx, (m = { props: new Map(), ranges: new Map(), irqParent: new Map() }));
  return m;
};
function prop(idx: Index, n: DtNode, name: string): Property | undefined {
  const props = memo(idx).props;
  let m = props.get(n);
  if (!m) {
    m = new Map();
    for (const p of n.props) if (!m.has(p.name)) m.set(p.name, p);
    props.set(n, m);
  }
  return m.get(name);
}
/** The first cell of a property (what `#…-cells` and `interrupt-parent` hold). */
const firstCell = (p: Property | undefined) => (p && p.value.length >= 4 ? readBe32(p.value) : undefined);

/** An error at a property (or its node), naming both; a tree read from a DTB has byte offsets for places. */
function cellsError(idx: Index, node: DtNode, p: Property | undefined, message: string): Error {
  const place = p?.place ?? node.place;
  const text = `${idx.pathOf.get(node) ?? node.name}: ${p ? `property '${p.name}' ` : ''}${message}`;
  return place.file === '<dtb>' ? new DtbError(text, place.column) : new DtError(text, place.file, place.line, place.column);
}

/** `#address-cells` / `#size-cells` of a bus (2 and 1 when absent), refused above {@link MAX_ADDRESS_CELLS}. */
function busCells(idx: Index, bus: DtNode | undefined, name: '#address-cells' | '#size-cells', use: string): number {
  const dflt = name === '#address-cells' ? 2 : 1;
  if (!bus) return dflt;
  const p = prop(idx, bus, name);
  const v = firstCell(p) ?? dflt;
  if (v > MAX_ADDRESS_CELLS) throw cellsError(idx, bus, p, `is <${v}>: ${use} cannot be decoded with more than ${MAX_ADDRESS_CELLS} cells`);
  return v;
}

/** `#interrupt-cells` (or another specifier size) of a provider: `dflt` when absent, at most {@link MAX_SPECIFIER_CELLS}. */
function specifierCells(idx: Index, provider: DtNode, name: string, dflt: number, use: string): number {
  const p = prop(idx, provider, name);
  const v = firstCell(p) ?? dflt;
  if (v > MAX_SPECIFIER_CELLS) throw cellsError(idx, provider, p, `is <${v}>: ${use} cannot be decoded with more than ${MAX_SPECIFIER_CELLS} cells`);
  return v;
}

/** `reg` entries as CPU physical addresses, translated through every ancestor bus's `ranges`. */
export function decodeReg(idx: Index, node: DtNode): RegRange[] {
  const parent = idx.parentOf.get(node);
  const regProp = prop(idx, node, 'reg');
  if (!regProp || !parent) return [];
  const reg = be32Words(regProp.value);
  const path = idx.pathOf.get(node) ?? node.name;
  const ac = busCells(idx, parent, '#address-cells', `'reg' of ${path}`);
  const sc = busCells(idx, parent, '#size-cells', `'reg' of ${path}`);
  if (ac + sc === 0) {
    // Entries of no cells: an empty reg has none (a loop stepping by 0 would never end), any other is an error.
    if (!reg.length) return [];
    throw cellsError(idx, node, regProp, `cannot be decoded: its bus ${idx.pathOf.get(parent)} has #address-cells = <0> and #size-cells = <0>`);
  }
  const names = strings(node, 'reg-names');
  const out: RegRange[] = [];
  for (let i = 0, k = 0; i + ac + sc <= reg.length; i += ac + sc, k++) {
    const r: RegRange = { address: combine(reg.slice(i, i + ac)), size: combine(reg.slice(i + ac, i + ac + sc)), translated: true };
    if (names[k]) r.name = names[k];
    const t = translate(idx, parent, r.address);
    if (t === undefined) r.translated = false;
    else r.address = t;
    out.push(r);
  }
  return out;
}

/**
 * A bus's `ranges` decoded once: the entries cut into disjoint segments, each mapped by the first entry (in the
 * property's order) that covers it, as a search of the entries in order finds it. A sweep over the entries' ends
 * with a heap of the entries open at each point.
 */
function rangesOf(idx: Index, bus: DtNode, up: DtNode): Ranges {
  const cache = memo(idx).ranges;
  const have = cache.get(bus);
  if (have) return have;
  const ranges = prop(idx, bus, 'ranges');
  let out: Ranges;
  if (!ranges) out = 'none';
  else if (ranges.value.length === 0) out = 'identity';
  else {
    const path = idx.pathOf.get(bus) ?? bus.name;
    const ca = busCells(idx, bus, '#address-cells', `'ranges' of ${path}`);
    const pa = busCells(idx, up, '#address-cells', `'ranges' of ${path}`);
    const cs = busCells(idx, bus, '#size-cells', `'ranges' of ${path}`);
    const w = ca + pa + cs;
    const r = be32Words(ranges.value);
    if (w === 0 && r.length) throw cellsError(idx, bus, ranges, 'cannot be decoded: its entries have no cells (#address-cells, the parent\'s #address-cells and #size-cells are all 0)');
    // (A value shorter than a cell has no entries: the loop below must not step by 0.)
    const entries: { lo: bigint; hi: bigint; delta: bigint; i: number }[] = [];
    for (let i = 0; w > 0 && i + w <= r.length; i += w) {
      const child = combine(r.slice(i, i + ca));
      const parentAddr = combine(r.slice(i + ca, i + ca + pa));
      const size = combine(r.slice(i + ca + pa, i + w));
      if (size > 0n) entries.push({ lo: child, hi: child + size, delta: parentAddr - child, i: entries.length });
    }
    const points = [...new Set(entries.flatMap((e) => [e.lo, e.hi]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byStart = [...entries].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.i - b.i));
    const open = new Heap<(typeof entries)[number]>((a, b) => a.i < b.i);
    const segs: { lo: bigint; hi: bigint; delta: bigint; i: number }[] = [];
    for (let j = 0, k = 0; j + 1 < points.length; j++) {
      const p = points[j]!;
      while (k < byStart.length && byStart[k]!.lo === p) open.push(byStart[k++]!);
      while (open.size && open.peek()!.hi <= p) open.pop();
      const e = open.peek();
      if (!e) continue;
      const last = segs[segs.length - 1];
      if (last && last.i === e.i && last.hi === p) last.hi = points[j + 1]!;
      else segs.push({ lo: p, hi: points[j + 1]!, delta: e.delta, i: e.i });
    }
    out = segs;
  }
  cache.set(bus, out);
  return out;
}

/** Translate a child-bus address of `bus` up to the root (undefined when a bus has no `ranges`). */
function translate(idx: Index, bus: DtNode, addr: bigint): bigint | undefined {
  let node = bus;
  let a = addr;
  for (;;) {
    const up = idx.parentOf.get(node);
    if (!up) return a;
    const ranges = rangesOf(idx, node, up);
    if (ranges === 'none') return undefined;
    if (ranges !== 'identity') {
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (ranges[mid]!.lo <= a) lo = mid;
        else hi = mid - 1;
      }
      const seg = ranges[lo];
      if (!seg || a < seg.lo || a >= seg.hi) return undefined;
      a += seg.delta;
    }
    node = up;
  }
}

export interface Interrupt {
  controller: string;
  cells: number[];
  /** GIC only. */
  type?: 'SPI' | 'PPI';
  number?: number;
  intid?: number;
  trigger?: 'edge' | 'level';
  name?: string;
}

const isGic = (n: DtNode) => strings(n, 'compatible').some((c) => /^arm,(gic|cortex-a\d+-gic)|,gic-v\d|gic-400/.test(c)) && getProp(n, 'interrupt-controller') !== undefined;

/** The nearest `interrupt-parent` at or above the node, found once per node. */
function interruptParent(idx: Index, node: DtNode): DtNode | undefined {
  const cache = memo(idx).irqParent;
  const walked: DtNode[] = [];
  let found: DtNode | null = null;
  for (let n: DtNode | undefined = node; n; n = idx.parentOf.get(n)) {
    const have = cache.get(n);
    if (have !== undefined) {
      found = have;
      break;
    }
    walked.push(n);
    const ip = prop(idx, n, 'interrupt-parent');
    if (ip && ip.value.length >= 4) {
      found = idx.byPhandle.get(readBe32(ip.value))?.node ?? null;
      break;
    }
  }
  for (const n of walked) cache.set(n, found);
  return found ?? undefined;
}

function gicDecode(ctrl: DtNode, cs: number[]): Pick<Interrupt, 'type' | 'number' | 'intid' | 'trigger'> {
  if (!isGic(ctrl) || cs.length < 3) return {};
  const [type, num, flags] = cs as [number, number, number];
  if (type !== 0 && type !== 1) return {};
  return { type: type === 0 ? 'SPI' : 'PPI', number: num, intid: num + (type === 0 ? 32 : 16), trigger: flags & 0x3 ? 'edge' : 'level' };
}

/** `interrupts` (through interrupt-parent) and `interrupts-extended`, with GIC numbers converted to INTIDs. */
export function decodeInterrupts(idx: Index, node: DtNode): Interrupt[] {
  const names = strings(node, 'interrupt-names');
  const out: Interrupt[] = [];
  const path = idx.pathOf.get(node) ?? node.name;
  const extProp = prop(idx, node, 'interrupts-extended');
  if (extProp) {
    const ext = be32Words(extProp.value);
    for (let i = 0, k = 0; i < ext.length; k++) {
      const ctrl = idx.byPhandle.get(ext[i]!);
      if (!ctrl) break;
      const n = specifierCells(idx, ctrl.node, '#interrupt-cells', 1, `'interrupts-extended' of ${path}`);
      const cs = ext.slice(i + 1, i + 1 + n);
      out.push({ controller: ctrl.path, cells: cs, ...gicDecode(ctrl.node, cs), ...(names[k] ? { name: names[k] } : {}) });
      i += 1 + n;
    }
    return out;
  }
  const intsProp = prop(idx, node, 'interrupts');
  const ctrl = interruptParent(idx, node);
  if (!intsProp || !ctrl) return out;
  const ints = be32Words(intsProp.value);
  const n = specifierCells(idx, ctrl, '#interrupt-cells', 1, `'interrupts' of ${path}`);
  if (n === 0) {
    // Interrupts of no cells: an empty list has none (a loop stepping by 0 would never end), any other is an error.
    if (!ints.length) return out;
    throw cellsError(idx, ctrl, prop(idx, ctrl, '#interrupt-cells'), `is <0>: 'interrupts' of ${path} cannot be decoded (an interrupt needs at least one cell)`);
  }
  for (let i = 0, k = 0; i + n <= ints.length; i += n, k++) {
    const cs = ints.slice(i, i + n);
    out.push({ controller: idx.pathOf.get(ctrl)!, cells: cs, ...gicDecode(ctrl, cs), ...(names[k] ? { name: names[k] } : {}) });
  }
  return out;
}

export interface Supplier {
  path: string;
  via: string;
  /** The specifier cells after the phandle (a clock id, a reset id, a stream id...). */
  args: number[];
  /** The consumer that asked for it (the device itself, or a supplier further down the chain). */
  for: string;
}

/** Phandle properties and the `#…-cells` property of the provider that sizes each specifier. */
const SUPPLIER_PROPS: [RegExp, string | null][] = [
  [/^clocks$/, '#clock-cells'],
  [/^resets$/, '#reset-cells'],
  [/^power-domains$/, '#power-domain-cells'],
  [/^iommus$/, '#iommu-cells'],
  [/^interconnects$/, '#interconnect-cells'],
  [/^mboxes$/, '#mbox-cells'],
  [/^dmas$/, '#dma-cells'],
  [/^pinctrl-\d+$/, null],
];

/** Everything a device needs from other nodes, following suppliers of suppliers. */
export function supplierClosure(idx: Index, node: DtNode): Supplier[] {
  const out: Supplier[] = [];
  const seen = new Set<DtNode>([node]);
  const queue: DtNode[] = [node];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q]!;
    for (const p of n.props) {
      const spec = SUPPLIER_PROPS.find(([re]) => re.test(p.name));
      if (!spec) continue;
      const cs = be32Words(p.value);
      for (let i = 0; i < cs.length; ) {
        const target = idx.byPhandle.get(cs[i]!);
        if (!target) break;
        const nArgs = spec[1] ? specifierCells(idx, target.node, spec[1], 0, `'${p.name}' of ${idx.pathOf.get(n)}`) : 0;
        out.push({ path: target.path, via: p.name, args: cs.slice(i + 1, i + 1 + nArgs), for: idx.pathOf.get(n)! });
        i += 1 + nArgs;
        if (!seen.has(target.node)) {
          seen.add(target.node);
          queue.push(target.node);
        }
      }
    }
  }
  return out;
}

export interface Specifier {
  /** The provider node's path (the phandle's target). */
  provider: string;
  /** The cells after the phandle (a clock id, a reset id, a stream id...). */
  args: number[];
  /** The consumer's `<prop minus s>-names` entry at the same index (`clock-names` for `clocks`), when it has one. */
  name?: string;
}

/** One phandle-list property of a node (`clocks`, `resets`, `power-domains`, `iommus`, `dmas`), entry by entry. */
export function phandleSpecifiers(idx: Index, node: DtNode, prop: string, cellsProp: string): Specifier[] {
  const p = getProp(node, prop);
  if (!p) return [];
  const cs = be32Words(p.value);
  const names = strings(node, `${prop.replace(/s$/, '')}-names`);
  const out: Specifier[] = [];
  for (let i = 0, k = 0; i < cs.length; k++) {
    const target = idx.byPhandle.get(cs[i]!);
    if (!target) break;
    const n = cellProp(target.node, cellsProp)?.[0] ?? 0;
    out.push({ provider: target.path, args: cs.slice(i + 1, i + 1 + n), ...(names[k] ? { name: names[k] } : {}) });
    i += 1 + n;
  }
  return out;
}
