import { utf8 } from '../format/utf8';
import { DtError } from './cpp';
import { Heap } from './heap';
import { resolveRefs } from './references';
import { ChildIndex, MAX_NODE_DEPTH, newNode, type DtNode, type DtTree, type Place, type Property } from './tree';

/**
 * What the parser read, merged into one tree as dtc's livetree does: root and `&label { }` / `&{/path} { }` bodies
 * merged into the nodes they name, `/delete-node/`, `/delete-property/` and `/omit-if-no-ref/` applied, overlay
 * targets that are not in this tree kept as fragments; then references resolved (./references).
 *
 * Every lookup is indexed (children and properties by name, labels by name), so that a file of many overrides or of
 * a node with many children takes time in proportion to its size; dtc itself walks the tree for each label.
 */

/** A top-level statement of a DTS file. */
export type Item =
  | { kind: 'node'; target: '/' | { label: string } | { path: string }; body: Body; place: Place }
  | { kind: 'delete'; target: { label: string } | { path: string }; place: Place }
  | { kind: 'omit'; target: { label: string } | { path: string }; place: Place };

/** A `{ ... };` body: properties, child nodes and deletions, in source order. */
export interface Body {
  entries: (
    | { kind: 'prop'; prop: Property }
    | { kind: 'child'; name: string; labels: string[]; body: Body; omit: boolean; place: Place }
    | { kind: 'delprop'; name: string; place: Place }
    | { kind: 'delnode'; name: string; place: Place }
  )[];
  place: Place;
}

/** Apply the items in order to the tree the parser started (root, memreserve, plugin flag), then resolve references. */
export function evaluate(tree: DtTree, items: Item[], symbols: boolean): DtTree {
  const ev = new Evaluator(tree);
  for (const item of items) ev.apply(item);
  tree.bootCpuid = guessBootCpuid(tree.root);
  if (ev.deletions) prune(tree.root);
  resolveRefs(tree, symbols);
  return tree;
}

/**
 * The merging of one tree. A class rather than closures made per call, so that the code the engine optimizes for
 * one tree serves the next.
 */
class Evaluator {
  private readonly root: DtNode;
  private readonly kids = new ChildIndex();
  private readonly labels: LabelIndex;
  /** Properties by name, for nodes with many (a few are searched: most nodes have few, and get no map). */
  private readonly props = new Map<DtNode, Map<string, Property>>();
  private readonly propLabels = new Map<Property, Set<string>>();
  private fragments = 0;
  /** Whether anything was deleted: only then is the tree pruned. */
  deletions = false;

  constructor(private readonly tree: DtTree) {
    this.root = tree.root;
    this.labels = new LabelIndex(tree.root);
  }

  apply(item: Item) {
    const { tree, labels, kids, root } = this;
    if (item.kind === 'node') {
      if (item.target === '/') this.merge(root, item.body);
      else if (tree.plugin && 'label' in item.target && !labels.get(item.target.label)) {
        // In an overlay, `&label { }` targets the base tree: kept as a fragment, as dtc does.
        this.addFragment({ label: item.target.label }, item.body, item.place);
      } else if (tree.plugin && 'path' in item.target && !kids.byPath(root, item.target.path, true)) {
        this.addFragment({ path: item.target.path }, item.body, item.place);
      } else this.merge(this.resolve(item.target, item.place), item.body);
    } else if (item.kind === 'delete') {
      this.markDeleted(this.resolve(item.target, item.place));
    } else {
      this.resolve(item.target, item.place).omitIfNoRef = true;
    }
  }

  private propOf(n: DtNode, name: string): Property | undefined {
    let m = this.props.get(n);
    if (!m) {
      const list = n.props;
      if (list.length <= 8) {
        for (let i = 0; i < list.length; i++) if (list[i]!.name === name) return list[i];
        return undefined;
      }
      m = new Map();
      for (const p of list) if (!m.has(p.name)) m.set(p.name, p);
      this.props.set(n, m);
    }
    return m.get(name);
  }

  private addProp(n: DtNode, p: Property) {
    n.props.push(p);
    this.props.get(n)?.set(p.name, p);
  }

  private markDeleted(n: DtNode) {
    this.deletions = true;
    n.deleted = true;
    n.labels = [];
    this.labels.cleared(n);
    for (const p of n.props) {
      p.deleted = true;
      p.labels = [];
      this.propLabels.delete(p);
    }
    for (const c of n.children) this.markDeleted(c);
  }

  private addChild(parent: DtNode, child: DtNode) {
    parent.children.push(child);
    this.kids.added(parent, child);
    this.labels.added(parent, child);
    if (parent === this.root && child.name.startsWith('fragment@')) this.fragments++;
  }

  private resolve(t: { label: string } | { path: string }, place: Place): DtNode {
    // Deleted nodes are not found, by label or by path (dtc); a deletion is revived only by its parent's body.
    const node = 'label' in t ? this.labels.get(t.label) : this.kids.byPath(this.root, t.path, true);
    if (!node) throw new DtError(`Label or path ${'label' in t ? t.label : t.path} not found`, place.file, place.line, place.column);
    return node;
  }

  // dtc marks deleted nodes and properties instead of removing them; a later definition with the same name revives
  // them in their old place (livetree.c merge_nodes / delete_node).
  private merge(node: DtNode, body: Body) {
    if (node.deleted) node.deleted = false;
    for (const e of body.entries) {
      if (e.kind === 'prop') {
        const old = this.propOf(node, e.prop.name);
        if (old) {
          old.value = e.prop.value;
          old.refs = e.prop.refs;
          old.place = e.prop.place;
          if (old.deleted) old.deleted = false;
          let seen = this.propLabels.get(old);
          if (!seen) this.propLabels.set(old, (seen = new Set(old.labels)));
          for (const l of e.prop.labels) {
            if (seen.has(l)) continue;
            seen.add(l);
            old.labels.push(l);
          }
        } else {
          // The parsed property itself goes into the tree: each body is merged once.
          this.addProp(node, e.prop);
        }
      } else if (e.kind === 'delprop') {
        const p = this.propOf(node, e.name);
        if (p && !p.deleted) {
          this.deletions = true;
          p.deleted = true;
          p.labels = [];
          this.propLabels.delete(p);
        }
      } else if (e.kind === 'delnode') {
        const c = this.kids.get(node, e.name);
        if (c && !c.deleted) this.markDeleted(c);
      } else {
        let child = this.kids.get(node, e.name);
        if (!child) {
          if (this.labels.depth(node) + 1 > MAX_NODE_DEPTH) {
            throw new DtError(`node '${e.name}' is nested too deeply (more than ${MAX_NODE_DEPTH} levels)`, e.place.file, e.place.line, e.place.column);
          }
          child = newNode(e.name, e.place);
          child.labels = [...e.labels];
          this.addChild(node, child);
        } else {
          // dtc keeps labels in a list that later definitions prepend to (livetree.c add_label).
          for (const l of e.labels) {
            if (this.labels.has(child, l)) continue;
            child.labels.unshift(l);
            this.labels.labelled(child, l);
          }
        }
        if (e.omit) child.omitIfNoRef = true;
        this.merge(child, e.body);
      }
    }
  }

  private addFragment(target: { label: string } | { path: string }, body: Body, place: Place) {
    const frag = newNode(`fragment@${this.fragments}`, place);
    frag.props.push(
      'label' in target
        ? { name: 'target', value: new Uint8Array([0xff, 0xff, 0xff, 0xff]), labels: [], refs: [{ offset: 0, kind: 'phandle' as const, target: target.label, place }], place }
        : { name: 'target-path', value: new Uint8Array([...utf8(target.path), 0]), labels: [], refs: [], place },
    );
    this.addChild(this.root, frag);
    const ov = newNode('__overlay__', place);
    this.addChild(frag, ov);
    this.merge(ov, body);
  }
}

/**
 * The header's boot_cpuid_phys as dtc guesses it once the source is read (livetree.c guess_boot_cpuid, called by the
 * parser before checks and reference fixups): the `reg` of the first child of `/cpus` when it is one cell, else 0.
 * `/cpus` is the live child named exactly `cpus` (not `cpus@0`); the first child is the first in dtc's list, a
 * deleted one included (its properties are gone, so 0); a phandle reference still holds its placeholder (0xffffffff)
 * and a path reference has no bytes yet.
 */
function guessBootCpuid(root: DtNode): number {
  const cpus = root.children.find((c) => !c.deleted && c.name === 'cpus');
  const first = cpus?.children[0];
  const reg = first?.props.find((p) => !p.deleted && p.name === 'reg');
  if (!reg) return 0;
  // Our path references keep a one-byte placeholder where dtc has none yet.
  const placeholders = new Set(reg.refs.filter((r) => r.kind === 'path').map((r) => r.offset));
  const bytes = [...reg.value].filter((_, i) => !placeholders.has(i));
  return bytes.length === 4 ? ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0 : 0;
}

/** Drop what stayed deleted, so everything after parsing sees the tree dtc writes. */
function prune(n: DtNode) {
  n.props = n.props.filter((p) => !p.deleted);
  n.children = n.children.filter((c) => !c.deleted);
  n.children.forEach(prune);
}

/**
 * Labels to nodes while the tree is being built: a label names the first node in tree order that carries it and is
 * not deleted (nor inside a deleted node). Children are only ever appended, so tree order between two nodes is the
 * order in which their branches were created. Each label keeps its holders in a heap ordered by tree order; holders
 * that lost the label (a deletion clears labels) are dropped when they reach the top, so each is dropped once.
 */
class LabelIndex {
  private readonly parent = new Map<DtNode, DtNode>();
  private readonly seq = new Map<DtNode, number>();
  private readonly depths = new Map<DtNode, number>();
  private readonly holders = new Map<string, Heap<DtNode>>();
  /** Each node's labels as a set (a node may carry many). */
  private readonly own = new Map<DtNode, Set<string>>();
  private next = 0;
  constructor(root: DtNode) {
    this.seq.set(root, this.next++);
    this.depths.set(root, 0);
    // The tree handed in may already have nodes (it has not, from the parser; kept general).
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      for (const l of n.labels) this.labelled(n, l);
      for (const c of n.children) {
        this.register(n, c);
        stack.push(c);
      }
    }
  }
  depth(n: DtNode): number {
    return this.depths.get(n) ?? 0;
  }
  private register(parent: DtNode, child: DtNode) {
    this.parent.set(child, parent);
    this.seq.set(child, this.next++);
    this.depths.set(child, this.depth(parent) + 1);
  }
  added(parent: DtNode, child: DtNode) {
    this.register(parent, child);
    for (const l of child.labels) this.labelled(child, l);
  }
  has(n: DtNode, label: string): boolean {
    return this.own.get(n)?.has(label) ?? false;
  }
  /** A deletion took the node's labels. */
  cleared(n: DtNode) {
    this.own.delete(n);
  }
  labelled(n: DtNode, label: string) {
    let set = this.own.get(n);
    if (!set) this.own.set(n, (set = new Set()));
    set.add(label);
    let h = this.holders.get(label);
    if (!h) this.holders.set(label, (h = new Heap((a, b) => this.before(a, b))));
    h.push(n);
  }
  get(label: string): DtNode | undefined {
    const h = this.holders.get(label);
    while (h?.size && !this.holds(h.peek()!, label)) h.pop();
    return h?.peek();
  }
  /** Still labelled, and neither it nor an ancestor deleted (as a tree walk that skips deleted nodes finds it). */
  private holds(n: DtNode, label: string): boolean {
    if (!this.has(n, label)) return false;
    for (let x: DtNode | undefined = n; x; x = this.parent.get(x)) if (x.deleted) return false;
    return true;
  }
  /** `a` comes before `b` in tree order (preorder). */
  private before(a: DtNode, b: DtNode): boolean {
    if (a === b) return false;
    let x = a;
    let y = b;
    let dx = this.depth(x);
    let dy = this.depth(y);
    while (dx > dy) {
      x = this.parent.get(x)!;
      dx--;
    }
    while (dy > dx) {
      y = this.parent.get(y)!;
      dy--;
    }
    if (x === y) return this.depth(a) < this.depth(b); // an ancestor comes first
    for (;;) {
      const px = this.parent.get(x)!;
      const py = this.parent.get(y)!;
      if (px === py) return this.seq.get(x)! < this.seq.get(y)!;
      x = px;
      y = py;
    }
  }
}
