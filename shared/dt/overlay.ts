import { DtbError } from './dtb';
import { newNode, type DtNode, type DtTree, type Property } from './tree';
import { readBe32 as u32, writeBe32 as put32 } from '../format/bigEndian';
import { fromUtf8, utf8 } from '../format/utf8';

/**
 * Apply a compiled overlay (a `/plugin/` tree with fragments, `__fixups__` and `__local_fixups__`) to a base tree,
 * as fdtoverlay does (libfdt fdt_overlay_apply): overlay phandles moved above the base's, label references resolved
 * through the base's `__symbols__`, fragments merged into their targets, the overlay's symbols added. Properties and
 * nodes an overlay adds go first in their node, where libfdt inserts them.
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
  const at = (root: DtNode, path: string) => {
    let n: DtNode | undefined = root;
    for (const seg of path.split('/').filter(Boolean)) n = n?.children.find((c) => c.name === seg);
    return n;
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
        const prop = target?.props.find((x) => x.name === p.name);
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
    const path = symbols?.props.find((p) => p.name === f.name);
    if (!path) throw new DtbError(`the overlay refers to label '${f.name}', which the base tree's __symbols__ does not have (compile the base with -@)`, 0);
    const node = at(b.root, str(path));
    const ph = node?.props.find(isPh);
    if (!node || !ph) throw new DtbError(`label '${f.name}' (${str(path)}) has no phandle in the base tree`, 0);
    for (const entry of str(f).split('\0').filter(Boolean)) {
      const m = /^(.*):([^:]+):(\d+)$/.exec(entry);
      const prop = m ? at(o.root, m[1]!)?.props.find((p) => p.name === m[2]) : undefined;
      if (!m || !prop || Number(m[3]) + 4 > prop.value.length) throw new DtbError(`bad __fixups__ entry '${entry}'`, 0);
      put32(prop.value, Number(m[3]), u32(ph.value));
    }
  }
  // Fragments.
  const targetOf = (frag: DtNode): { node: DtNode; path: string } => {
    const t = frag.props.find((p) => p.name === 'target');
    if (t && t.value.length === 4) {
      let found: { node: DtNode; path: string } | undefined;
      walk(b.root, (n, path) => {
        if (!found && n.props.some((p) => isPh(p) && u32(p.value) === u32(t.value))) found = { node: n, path };
      });
      if (!found) throw new DtbError(`fragment ${frag.name}: no node with phandle ${u32(t.value)} in the base tree`, 0);
      return found;
    }
    const tp = frag.props.find((p) => p.name === 'target-path');
    const node = tp ? at(b.root, str(tp)) : undefined;
    if (!tp || !node) throw new DtbError(`fragment ${frag.name}: target ${tp ? str(tp) : '(none)'} not found in the base tree`, 0);
    return { node, path: str(tp) };
  };
  // New property names join the strings block in the order libfdt adds them (fdt_find_add_string_).
  const addString = (name: string) => {
    const block = b.stringsBlock ?? new Uint8Array(0);
    const want = [...utf8(name), 0];
    outer: for (let i = 0; i + want.length <= block.length; i++) {
      for (let k = 0; k < want.length; k++) if (block[i + k] !== want[k]) continue outer;
      return;
    }
    const next = new Uint8Array(block.length + want.length);
    next.set(block);
    next.set(want, block.length);
    b.stringsBlock = next;
  };
  const merge = (target: DtNode, from: DtNode) => {
    for (const p of from.props) {
      const old = target.props.find((x) => x.name === p.name);
      if (old) old.value = p.value;
      else {
        addString(p.name);
        target.props.unshift({ ...p, labels: [], refs: [] });
      }
    }
    for (const c of from.children) {
      let t = target.children.find((x) => x.name === c.name);
      if (!t) {
        t = newNode(c.name, c.place);
        target.children.unshift(t);
      }
      merge(t, c);
    }
  };
  const targets = new Map<string, string>();
  for (const frag of o.root.children) {
    const ov = frag.children.find((c) => c.name === '__overlay__');
    if (!ov) continue;
    const t = targetOf(frag);
    targets.set(frag.name, t.path);
    merge(t.node, ov);
  }
  // The overlay's labels, translated to where their nodes now live.
  const osym = at(o.root, '/__symbols__');
  if (osym?.props.length) {
    let bsym = at(b.root, '/__symbols__');
    if (!bsym) {
      bsym = newNode('__symbols__', b.root.place);
      b.root.children.unshift(bsym);
    }
    for (const p of osym.props) {
      const m = /^\/([^/]+)\/__overlay__(\/.*)?$/.exec(str(p));
      const target = m ? targets.get(m[1]!) : undefined;
      if (!m || target === undefined) continue;
      // libfdt writes target + "/" + the path below __overlay__, so a label on __overlay__ itself ends in "/".
      const value = new Uint8Array([...utf8(`${target === '/' ? '' : target}/${(m[2] ?? '').replace(/^\//, '')}`), 0]);
      const old = bsym.props.find((x) => x.name === p.name);
      if (old) old.value = value;
      else {
        addString(p.name);
        bsym.props.unshift({ name: p.name, value, labels: [], refs: [], place: p.place });
      }
    }
  }
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
