import { getProp, type DtNode, type DtTree } from './tree';
import { be32Words } from '../format/bigEndian';
import { fromUtf8 } from '../format/utf8';

/**
 * Questions about a device tree: where a device is (reg through #address-cells/#size-cells and every ancestor's
 * `ranges` to CPU physical addresses), which interrupts it raises (through interrupt-parent and #interrupt-cells;
 * GIC SPI n -> INTID n + 32, PPI n -> INTID n + 16), and which nodes it depends on (clocks, resets, power domains,
 * IOMMUs, interconnects, mailboxes, pinctrl), transitively.
 */
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
  const rec = (n: DtNode, path: string, parents: DtNode[]) => {
    const loc = { node: n, path, parents };
    idx.byPath.set(path, loc);
    idx.pathOf.set(n, path);
    if (parents.length) idx.parentOf.set(n, parents[parents.length - 1]!);
    for (const l of n.labels) if (!idx.byLabel.has(l)) idx.byLabel.set(l, loc);
    const ph = cellProp(n, 'phandle') ?? cellProp(n, 'linux,phandle');
    if (ph?.length === 1) idx.byPhandle.set(ph[0]!, loc);
    for (const c of n.children) rec(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`, [...parents, n]);
  };
  rec(tree.root, '/', []);
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

const addressCells = (n: DtNode | undefined) => cellProp(n ?? ({ props: [] } as unknown as DtNode), '#address-cells')?.[0] ?? 2;
const sizeCells = (n: DtNode | undefined) => cellProp(n ?? ({ props: [] } as unknown as DtNode), '#size-cells')?.[0] ?? 1;

export interface RegRange {
  address: bigint;
  size: bigint;
  name?: string;
  /** False when an ancestor has no `ranges`: the address is only meaningful on that bus. */
  translated: boolean;
}

/** `reg` entries as CPU physical addresses, translated through every ancestor bus's `ranges`. */
export function decodeReg(idx: Index, node: DtNode): RegRange[] {
  const parent = idx.parentOf.get(node);
  const reg = cellProp(node, 'reg');
  if (!reg || !parent) return [];
  const ac = addressCells(parent);
  const sc = sizeCells(parent);
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

/** Translate a child-bus address of `bus` up to the root (undefined when a bus has no `ranges`). */
function translate(idx: Index, bus: DtNode, addr: bigint): bigint | undefined {
  let node = bus;
  let a = addr;
  for (;;) {
    const up = idx.parentOf.get(node);
    if (!up) return a;
    const ranges = getProp(node, 'ranges');
    if (!ranges) return undefined;
    if (ranges.value.length === 0) {
      node = up;
      continue;
    }
    const ca = addressCells(node);
    const pa = addressCells(up);
    const cs = sizeCells(node);
    const r = be32Words(ranges.value);
    let mapped: bigint | undefined;
    for (let i = 0; i + ca + pa + cs <= r.length; i += ca + pa + cs) {
      const child = combine(r.slice(i, i + ca));
      const parentAddr = combine(r.slice(i + ca, i + ca + pa));
      const size = combine(r.slice(i + ca + pa, i + ca + pa + cs));
      if (a >= child && a < child + size) {
        mapped = parentAddr + (a - child);
        break;
      }
    }
    if (mapped === undefined) return undefined;
    a = mapped;
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

function interruptParent(idx: Index, node: DtNode): DtNode | undefined {
  for (let n: DtNode | undefined = node; n; n = idx.parentOf.get(n)) {
    const ip = cellProp(n, 'interrupt-parent');
    if (ip?.length) return idx.byPhandle.get(ip[0]!)?.node;
  }
  return undefined;
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
  const ext = cellProp(node, 'interrupts-extended');
  if (ext) {
    for (let i = 0, k = 0; i < ext.length; k++) {
      const ctrl = idx.byPhandle.get(ext[i]!);
      if (!ctrl) break;
      const n = cellProp(ctrl.node, '#interrupt-cells')?.[0] ?? 1;
      const cs = ext.slice(i + 1, i + 1 + n);
      out.push({ controller: ctrl.path, cells: cs, ...gicDecode(ctrl.node, cs), ...(names[k] ? { name: names[k] } : {}) });
      i += 1 + n;
    }
    return out;
  }
  const ints = cellProp(node, 'interrupts');
  const ctrl = interruptParent(idx, node);
  if (!ints || !ctrl) return out;
  const n = cellProp(ctrl, '#interrupt-cells')?.[0] ?? 1;
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
  while (queue.length) {
    const n = queue.shift()!;
    for (const p of n.props) {
      const spec = SUPPLIER_PROPS.find(([re]) => re.test(p.name));
      if (!spec) continue;
      const cs = be32Words(p.value);
      for (let i = 0; i < cs.length; ) {
        const target = idx.byPhandle.get(cs[i]!);
        if (!target) break;
        const nArgs = spec[1] ? (cellProp(target.node, spec[1])?.[0] ?? 0) : 0;
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
