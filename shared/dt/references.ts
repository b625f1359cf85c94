import { be32, readBe32, writeBe32 } from '../format/bigEndian';
import { utf8 } from '../format/utf8';
import { DtError } from './cpp';
import { ChildIndex, MAX_NODE_DEPTH, newNode, type DtNode, type DtTree, type Ref } from './tree';

/**
 * Paths, labels and phandles of a tree, from one walk, and the nodes whose properties refer to others (in tree
 * order). A class rather than closures made per call, so that the code the engine optimizes serves the next tree.
 */
class TreeIndex {
  readonly byLabel = new Map<string, DtNode>();
  readonly pathOf = new Map<DtNode, string>();
  private readonly phandles = new Map<DtNode, number>();
  private readonly used = new Set<number>();
  readonly holders: DtNode[] = [];
  omissions = false;
  private next = 1;
  private readonly paths = new ChildIndex();
  constructor(private readonly root: DtNode) {
    // One walk in tree order (an explicit stack, state in locals).
    const { pathOf, byLabel, phandles, used, holders } = this;
    const stack: { n: DtNode; p: string }[] = [{ n: root, p: '/' }];
    while (stack.length) {
      const { n, p } = stack.pop()!;
      pathOf.set(n, p);
      for (const l of n.labels) if (!byLabel.has(l)) byLabel.set(l, n);
      let ph;
      let refs = false;
      for (const x of n.props) {
        if (ph === undefined && (x.name === 'phandle' || x.name === 'linux,phandle')) ph = x;
        if (x.refs.length) refs = true;
      }
      if (ph && ph.value.length === 4 && ph.refs.length === 0) {
        const v = readBe32(ph.value);
        phandles.set(n, v);
        used.add(v);
      }
      if (refs) holders.push(n);
      if (n.omitIfNoRef) this.omissions = true;
      for (let i = n.children.length - 1; i >= 0; i--) {
        const c = n.children[i]!;
        stack.push({ n: c, p: p === '/' ? `/${c.name}` : `${p}/${c.name}` });
      }
    }
  }
  /** The node's phandle; one is given (the lowest unused, as dtc does) to a node that has none. */
  phandleOf(n: DtNode): number {
    const have = this.phandles.get(n);
    if (have !== undefined) return have;
    while (this.used.has(this.next)) this.next++;
    const v = this.next;
    this.used.add(v);
    this.phandles.set(n, v);
    n.props.push({ name: 'phandle', value: be32(v), labels: [], refs: [], place: n.place });
    return v;
  }
  target(r: Ref): DtNode | undefined {
    return r.target.startsWith('/') ? this.paths.byPath(this.root, r.target) : this.byLabel.get(r.target);
  }
}

/** Phandles and paths, as dtc's fixup_phandle_references / fixup_path_references do, in tree order. */
export function resolveRefs(tree: DtTree, symbols: boolean) {
  const root = tree.root;
  const index = new TreeIndex(root);
  const { pathOf, holders, omissions } = index;
  // Unresolved labels in an overlay become __fixups__; here a missing target is an error unless it is a plugin.
  const fixups: { node: DtNode; label: string; entry: string }[] = [];
  const localFixups: { node: DtNode; path: string; prop: string; offset: number; place: Ref['place'] }[] = [];
  const referenced = new Set<DtNode>();
  for (const n of holders) {
    const p = pathOf.get(n)!;
    for (const prop of n.props) {
      if (!prop.refs.length) continue;
      if (prop.refs.some((r) => r.kind === 'path')) {
        prop.value = withPaths(prop.value, prop.refs, (r) => {
          const t = index.target(r);
          if (!t) throw refError(n, p, prop.name, r);
          if (omissions) referenced.add(t);
          return pathOf.get(t)!;
        });
      }
      for (const r of prop.refs) {
        if (r.kind !== 'phandle') continue;
        const t = index.target(r);
        if (!t) {
          if (tree.plugin) {
            fixups.push({ node: n, label: r.target, entry: `${p}:${prop.name}:${r.offset}` });
            continue;
          }
          throw refError(n, p, prop.name, r);
        }
        if (omissions) referenced.add(t);
        writeBe32(prop.value, r.offset, index.phandleOf(t));
        if (tree.plugin) localFixups.push({ node: n, path: p, prop: prop.name, offset: r.offset, place: r.place });
      }
    }
  }
  // dtc's omit_unused_nodes check runs after every reference is fixed up (phandles handed out by references from
  // nodes it then removes stay as they are): /omit-if-no-ref/ nodes nothing refers to go, with what they hold; with
  // -@ a labelled node stays. Fixups are made after the checks, so those of removed nodes go too.
  const gone = new Set<DtNode>();
  if (omissions) {
    const drop = (n: DtNode) => {
      gone.add(n);
      n.children.forEach(drop);
    };
    const omit = (n: DtNode) => {
      n.children = n.children.filter((c) => {
        const keep = !c.omitIfNoRef || referenced.has(c) || (symbols && c.labels.length > 0);
        if (!keep) drop(c);
        return keep;
      });
      n.children.forEach(omit);
    };
    omit(root);
  }
  if (symbols) {
    // dtc generate_label_tree: tree order, a node's labels in dtc's list order; labelled nodes get phandles.
    const sym = newNode('__symbols__', root.place);
    const label = (n: DtNode, p: string) => {
      for (const l of n.labels) {
        index.phandleOf(n);
        sym.props.push({ name: l, value: new Uint8Array([...utf8(p), 0]), labels: [], refs: [], place: n.place });
      }
      for (const c of n.children) label(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
    };
    label(root, '/');
    if (sym.props.length) root.children.push(sym);
  }
  const fixupsByLabel = new Map<string, string[]>();
  for (const f of fixups) {
    if (gone.has(f.node)) continue;
    let entries = fixupsByLabel.get(f.label);
    if (!entries) fixupsByLabel.set(f.label, (entries = []));
    entries.push(f.entry);
  }
  if (fixupsByLabel.size) {
    const fx = newNode('__fixups__', root.place);
    for (const [l, entries] of fixupsByLabel) fx.props.push({ name: l, value: new Uint8Array(utf8(entries.map((e) => `${e}\0`).join(''))), labels: [], refs: [], place: root.place });
    root.children.push(fx);
  }
  const live = localFixups.filter((f) => !gone.has(f.node));
  if (live.length) {
    // Overlays: where phandles to the overlay's own nodes sit, mirrored under __local_fixups__ (dtc checks.c).
    const lf = newNode('__local_fixups__', root.place);
    const mirror = new ChildIndex();
    const offsets = new Map<DtNode, Map<string, number[]>>();
    for (const f of live) {
      let n = lf;
      const segs = f.path.split('/').filter(Boolean);
      if (segs.length + 1 > MAX_NODE_DEPTH) {
        throw new DtError(`${f.path}: property '${f.prop}': its __local_fixups__ entry would be nested too deeply (more than ${MAX_NODE_DEPTH} levels)`, f.place.file, f.place.line, f.place.column);
      }
      for (const seg of segs) {
        let c = mirror.get(n, seg);
        if (!c) {
          c = newNode(seg, root.place);
          n.children.push(c);
          mirror.added(n, c);
        }
        n = c;
      }
      let props = offsets.get(n);
      if (!props) offsets.set(n, (props = new Map()));
      let list = props.get(f.prop);
      if (!list) props.set(f.prop, (list = []));
      list.push(f.offset);
    }
    for (const [n, props] of offsets) {
      for (const [name, list] of props) {
        const v = new Uint8Array(list.length * 4);
        list.forEach((o, i) => v.set(be32(o), i * 4));
        n.props.push({ name, value: v, labels: [], refs: [], place: root.place });
      }
    }
    root.children.push(lf);
  }
}

/**
 * A value with each path reference's placeholder byte replaced by the path and its NUL, built in one pass; every
 * reference's offset moves by the paths inserted before it. Missing targets are found from the end, as dtc does.
 */
function withPaths(value: Uint8Array, refs: Ref[], pathFor: (r: Ref) => string): Uint8Array {
  const sorted = [...refs].sort((a, b) => a.offset - b.offset);
  const pathRefs = sorted.filter((r) => r.kind === 'path');
  if (!pathRefs.length) return value;
  const texts = new Map<Ref, Uint8Array>();
  for (let i = pathRefs.length - 1; i >= 0; i--) texts.set(pathRefs[i]!, new Uint8Array(utf8(pathFor(pathRefs[i]!))));
  let size = value.length;
  for (const t of texts.values()) size += t.length;
  const out = new Uint8Array(size);
  let from = 0;
  let shift = 0;
  for (const r of sorted) {
    const old = r.offset;
    r.offset += shift;
    const s = texts.get(r);
    if (!s) continue;
    out.set(value.subarray(from, old), from + shift);
    out.set(s, old + shift);
    out[old + shift + s.length] = 0;
    from = old + 1;
    shift += s.length;
  }
  out.set(value.subarray(from), from + shift);
  return out;
}

/** Reported, as dtc does, at the node that holds the property; the property and its own line are in the message. */
function refError(node: DtNode, path: string, prop: string, r: Ref): DtError {
  return new DtError(`${path}: property '${prop}' (line ${r.place.line}): Reference to non-existent node or label "${r.target}"`, node.place.file, node.place.line, node.place.column);
}
