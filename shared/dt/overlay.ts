import { DtbError } from './dtb';
import { Bytes, StringTable } from './strings';
import { newNode, type DtNode, type DtTree, type Property } from './tree';
import { readBe32 as u32, writeBe32 as put32 } from '../format/bigEndian';
import { fromUtf8, utf8 } from '../format/utf8';

/**
 * Whether a tree is an overlay rather than a whole tree: `/plugin/` in its source, or (read from a DTB, which keeps no
 * flag) the nodes dtc writes for one: `__fixups__`, `__local_fixups__`, or a fragment with an `__overlay__` child.
 */
export function isOverlayTree(tree: DtTree): boolean {
  if (tree.plugin) return true;
  return tree.root.children.some((c) => c.name === '__fixups__' || c.name === '__local_fixups__' || c.children.some((g) => g.name === '__overlay__'));
}

/**
 * Apply a compiled overlay (a `/plugin/` tree with fragments, `__fixups__` and `__local_fixups__`) to a base tree,
 * as fdtoverlay does (libfdt fdt_overlay_apply): overlay phandles moved above the base's, label references resolved
 * through the base's `__symbols__`, fragments merged into their targets, the overlay's symbols added. Properties and
 * nodes an overlay adds go first in their node, where libfdt inserts them.
 *
 * Lookups are indexed (children and properties by name, phandles, symbols, the strings block), so that an overlay
 * of many fragments takes time in proportion to the trees; libfdt searches the blob for each.
 */
export function applyOverlay(base: DtTree, overlay: DtTree): DtTree {
  const b = cloneTree(base);
  const o = cloneTree(overlay);
  const str = (p: Property) => fromUtf8(p.value.subarray(0, p.value.length - 1));
  const isPh = (p: Property) => (p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4;
  const walk = (n: DtNode, f: (n: DtNode, path: string) => void, path = '/') => {
    f(n, path);
    for (const c of n.children) walk(c, f, path === '/' ? `/${c.name}` : `${path}/${c.name}`);
  };
  // Children by name (the first of that name, as a search finds it); merge keeps the maps current.
  const kids = new Map<DtNode, Map<string, DtNode>>();
  const kidsOf = (n: DtNode) => {
    let m = kids.get(n);
    if (!m) {
      m = new Map();
      for (const c of n.children) if (!m.has(c.name)) m.set(c.name, c);
      kids.set(n, m);
    }
    return m;
  };
  const at = (root: DtNode, path: string) => {
    let n: DtNode | undefined = root;
    for (const seg of path.split('/').filter(Boolean)) n = n && kidsOf(n).get(seg);
    return n;
  };
  const propsMap = new Map<DtNode, Map<string, Property>>();
  const propsOf = (n: DtNode) => {
    let m = propsMap.get(n);
    if (!m) {
      m = new Map();
      for (const p of n.props) if (!m.has(p.name)) m.set(p.name, p);
      propsMap.set(n, m);
    }
    return m;
  };

  let delta = 0;
  walk(b.root, (n) => n.props.filter(isPh).forEach((p) => (delta = Math.max(delta, u32(p.value)))));
  // The overlay's own phandles, and every place that uses them, move above the base's.
  walk(o.root, (n) => n.props.filter(isPh).forEach((p) => put32(p.value, 0, u32(p.value) + delta)));
  const local = at(o.root, '/__local_fixups__');
  if (local) {
    walk(local, (fx, path) => {
      const target = at(o.root, path.replace(/^\/__local_fixups__/, '') || '/');
      for (const p of fx.props) {
        const prop = target && propsOf(target).get(p.name);
        if (!prop) throw new DtbError(`__local_fixups__ names ${path}:${p.name}, which the overlay does not have`, 0);
        for (let i = 0; i + 4 <= p.value.length; i += 4) {
          const off = u32(p.value, i);
          if (off + 4 > prop.value.length) throw new DtbError(`__local_fixups__ offset ${off} is past the end of ${path}:${p.name}`, 0);
          put32(prop.value, off, u32(prop.value, off) + delta);
        }
      }
    });
  }
  // References to the base's labels.
  const symbols = at(b.root, '/__symbols__');
  const fixups = at(o.root, '/__fixups__');
  for (const f of fixups?.props ?? []) {
    const path = symbols && propsOf(symbols).get(f.name);
    if (!path) throw new DtbError(`the overlay refers to label '${f.name}', which the base tree's __symbols__ does not have (compile the base with -@)`, 0);
    const node = at(b.root, str(path));
    const ph = node?.props.find(isPh);
    if (!node || !ph) throw new DtbError(`label '${f.name}' (${str(path)}) has no phandle in the base tree`, 0);
    for (const entry of str(f).split('\0').filter(Boolean)) {
      const m = /^(.*):([^:]+):(\d+)$/.exec(entry);
      const holder = m ? at(o.root, m[1]!) : undefined;
      const prop = m && holder ? propsOf(holder).get(m[2]!) : undefined;
      if (!m || !prop || Number(m[3]) + 4 > prop.value.length) throw new DtbError(`bad __fixups__ entry '${entry}'`, 0);
      put32(prop.value, Number(m[3]), u32(ph.value));
    }
  }
  // Fragments.
  // The base's nodes by phandle, first in tree order, made when a fragment first needs it; a merge that adds a
  // phandle adds it, one that changes a phandle's value has the map made again.
  let byPhandle: Map<number, { node: DtNode; path: string }> | undefined;
  const phandleMap = () => {
    if (!byPhandle) {
      const m = new Map<number, { node: DtNode; path: string }>();
      walk(b.root, (n, path) => {
        for (const p of n.props) if (isPh(p) && !m.has(u32(p.value))) m.set(u32(p.value), { node: n, path });
      });
      byPhandle = m;
    }
    return byPhandle;
  };
  const targetOf = (frag: DtNode): { node: DtNode; path: string } => {
    const t = frag.props.find((p) => p.name === 'target');
    if (t && t.value.length === 4) {
      const found = phandleMap().get(u32(t.value));
      if (!found) throw new DtbError(`fragment ${frag.name}: no node with phandle ${u32(t.value)} in the base tree`, 0);
      return found;
    }
    const tp = frag.props.find((p) => p.name === 'target-path');
    const node = tp ? at(b.root, str(tp)) : undefined;
    if (!tp || !node) throw new DtbError(`fragment ${frag.name}: target ${tp ? str(tp) : '(none)'} not found in the base tree`, 0);
    return { node, path: str(tp) };
  };
  // New property names join the strings block in the order libfdt adds them (fdt_find_add_string_: a name found
  // anywhere in the block, a tail of another included, is not added again).
  let strings: { bytes: Bytes; table: StringTable } | undefined;
  const addString = (name: string) => {
    if (!strings) {
      const bytes = new Bytes();
      strings = { bytes, table: new StringTable(bytes) };
      strings.table.append(b.stringsBlock ?? new Uint8Array(0));
    }
    strings.table.offsetOf(name);
  };
  const merge = (target: DtNode, from: DtNode, targetPath: string) => {
    // libfdt puts each new property and node first: the ones this merge adds end up first, the last added first.
    const own = propsOf(target);
    const newProps: Property[] = [];
    for (const p of from.props) {
      const old = own.get(p.name);
      if (old) {
        if (isPh(old) && byPhandle) byPhandle = undefined; // a phandle's value may change: made again when needed
        old.value = p.value;
      } else {
        addString(p.name);
        const added = { ...p, labels: [], refs: [] };
        newProps.push(added);
        own.set(p.name, added);
        if (isPh(added) && byPhandle && !byPhandle.has(u32(added.value))) byPhandle.set(u32(added.value), { node: target, path: targetPath });
      }
    }
    if (newProps.length) target.props = [...newProps.reverse(), ...target.props];
    const names = kidsOf(target);
    const newKids: DtNode[] = [];
    for (const c of from.children) {
      let t = names.get(c.name);
      if (!t) {
        t = newNode(c.name, c.place);
        newKids.push(t);
        names.set(c.name, t);
      }
      merge(t, c, targetPath === '/' ? `/${c.name}` : `${targetPath}/${c.name}`);
    }
    if (newKids.length) target.children = [...newKids.reverse(), ...target.children];
  };
  const targets = new Map<string, string>();
  for (const frag of o.root.children) {
    const ov = frag.children.find((c) => c.name === '__overlay__');
    if (!ov) continue;
    const t = targetOf(frag);
    targets.set(frag.name, t.path);
    merge(t.node, ov, `/${t.path.split('/').filter(Boolean).join('/')}`);
  }
  // The overlay's labels, translated to where their nodes now live.
  const osym = at(o.root, '/__symbols__');
  if (osym?.props.length) {
    let bsym = at(b.root, '/__symbols__');
    if (!bsym) {
      bsym = newNode('__symbols__', b.root.place);
      b.root.children.unshift(bsym);
      kidsOf(b.root).set('__symbols__', bsym);
    }
    const newSymbols: Property[] = [];
    for (const p of osym.props) {
      const m = /^\/([^/]+)\/__overlay__(\/.*)?$/.exec(str(p));
      const target = m ? targets.get(m[1]!) : undefined;
      if (!m || target === undefined) continue;
      // libfdt writes target + "/" + the path below __overlay__, so a label on __overlay__ itself ends in "/".
      const value = new Uint8Array([...utf8(`${target === '/' ? '' : target}/${(m[2] ?? '').replace(/^\//, '')}`), 0]);
      const old = propsOf(bsym).get(p.name);
      if (old) old.value = value;
      else {
        addString(p.name);
        const added = { name: p.name, value, labels: [], refs: [], place: p.place };
        newSymbols.push(added);
        propsOf(bsym).set(p.name, added);
      }
    }
    if (newSymbols.length) bsym.props = [...newSymbols.reverse(), ...bsym.props];
  }
  if (strings) b.stringsBlock = strings.bytes.bytes().slice();
  return b;
}

function cloneTree(t: DtTree): DtTree {
  const cloneNode = (n: DtNode): DtNode => ({
    ...n,
    props: n.props.map((p) => ({ ...p, value: p.value.slice(), labels: [...p.labels], refs: [] })),
    children: n.children.map(cloneNode),
    labels: [...n.labels],
  });
  const out: DtTree = { ...t, root: cloneNode(t.root), memreserve: [...t.memreserve] };
  return out;
}
