import { be32, readBe32 } from '../format/bigEndian';
import { utf8 } from '../format/utf8';
import { DtError } from './cpp';
import { newNode, nodeByPath, type DtNode, type DtTree, type Ref } from './tree';

/** Phandles and paths, as dtc's fixup_phandle_references / fixup_path_references do, in tree order. */
export function resolveRefs(tree: DtTree, symbols: boolean) {
  const root = tree.root;
  const byLabel = new Map<string, DtNode>();
  const pathOf = new Map<DtNode, string>();
  const phandles = new Map<DtNode, number>();
  const used = new Set<number>();
  const rec = (n: DtNode, p: string) => {
    pathOf.set(n, p);
    for (const l of n.labels) if (!byLabel.has(l)) byLabel.set(l, n);
    const ph = n.props.find((x) => x.name === 'phandle' || x.name === 'linux,phandle');
    if (ph && ph.value.length === 4 && ph.refs.length === 0) {
      const v = readBe32(ph.value);
      phandles.set(n, v);
      used.add(v);
    }
    for (const c of n.children) rec(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
  };
  rec(root, '/');
  // Unresolved labels in an overlay become __fixups__; here a missing target is an error unless it is a plugin.
  let next = 1;
  const phandleOf = (n: DtNode): number => {
    const have = phandles.get(n);
    if (have !== undefined) return have;
    while (used.has(next)) next++;
    const v = next;
    used.add(v);
    phandles.set(n, v);
    n.props.push({ name: 'phandle', value: be32(v), labels: [], refs: [], place: n.place });
    return v;
  };
  const target = (r: Ref): DtNode | undefined => (r.target.startsWith('/') ? nodeByPath(root, r.target) : byLabel.get(r.target));
  const fixups: { label: string; path: string; prop: string; offset: number }[] = [];
  const localFixups: { path: string; prop: string; offset: number }[] = [];
  const visit = (n: DtNode, p: string) => {
    for (const prop of n.props) {
      if (!prop.refs.length) continue;
      let value = prop.value;
      // Path references change lengths: apply from the end so earlier offsets stay right.
      const refs = [...prop.refs].sort((a, b) => b.offset - a.offset);
      for (const r of refs.filter((x) => x.kind === 'path')) {
        const t = target(r);
        if (!t) throw refError(n, p, prop.name, r);
        const s = new Uint8Array(utf8(pathOf.get(t)!));
        const nv = new Uint8Array(value.length - 1 + s.length + 1);
        nv.set(value.subarray(0, r.offset), 0);
        nv.set(s, r.offset);
        nv[r.offset + s.length] = 0;
        nv.set(value.subarray(r.offset + 1), r.offset + s.length + 1);
        for (const o of prop.refs) if (o !== r && o.offset > r.offset) o.offset += s.length;
        value = nv;
      }
      for (const r of prop.refs.filter((x) => x.kind === 'phandle')) {
        const t = target(r);
        if (!t) {
          if (tree.plugin) {
            fixups.push({ label: r.target, path: p, prop: prop.name, offset: r.offset });
            continue;
          }
          throw refError(n, p, prop.name, r);
        }
        value.set(be32(phandleOf(t)), r.offset);
        if (tree.plugin) localFixups.push({ path: p, prop: prop.name, offset: r.offset });
      }
      prop.value = value;
    }
    for (const c of n.children) visit(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
  };
  visit(root, '/');
  if (symbols) {
    // dtc generate_label_tree: tree order, a node's labels in dtc's list order; labelled nodes get phandles.
    const sym = newNode('__symbols__', root.place);
    const label = (n: DtNode, p: string) => {
      for (const l of n.labels) {
        phandleOf(n);
        sym.props.push({ name: l, value: new Uint8Array([...utf8(p), 0]), labels: [], refs: [], place: n.place });
      }
      for (const c of n.children) label(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
    };
    label(root, '/');
    if (sym.props.length) root.children.push(sym);
  }
  if (fixups.length) {
    const fx = newNode('__fixups__', root.place);
    for (const f of fixups) {
      const entry = `${f.path}:${f.prop}:${f.offset}`;
      const old = fx.props.find((p) => p.name === f.label);
      const add = new Uint8Array(utf8(`${entry}\0`));
      if (old) {
        const v = new Uint8Array(old.value.length + add.length);
        v.set(old.value);
        v.set(add, old.value.length);
        old.value = v;
      } else fx.props.push({ name: f.label, value: add, labels: [], refs: [], place: root.place });
    }
    root.children.push(fx);
  }
  if (localFixups.length) {
    // Overlays: where phandles to the overlay's own nodes sit, mirrored under __local_fixups__ (dtc checks.c).
    const lf = newNode('__local_fixups__', root.place);
    for (const f of localFixups) {
      let n = lf;
      for (const seg of f.path.split('/').filter(Boolean)) {
        let c = n.children.find((x) => x.name === seg);
        if (!c) {
          c = newNode(seg, root.place);
          n.children.push(c);
        }
        n = c;
      }
      const old = n.props.find((x) => x.name === f.prop);
      const add = be32(f.offset);
      if (old) {
        const v = new Uint8Array(old.value.length + 4);
        v.set(old.value);
        v.set(add, old.value.length);
        old.value = v;
      } else n.props.push({ name: f.prop, value: add, labels: [], refs: [], place: root.place });
    }
    root.children.push(lf);
  }
}

/** Reported, as dtc does, at the node that holds the property; the property and its own line are in the message. */
function refError(node: DtNode, path: string, prop: string, r: Ref): DtError {
  return new DtError(`${path}: property '${prop}' (line ${r.place.line}): Reference to non-existent node or label "${r.target}"`, node.place.file, node.place.line, node.place.column);
}
