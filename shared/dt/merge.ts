import { utf8 } from '../format/utf8';
import { DtError } from './cpp';
import { resolveRefs } from './references';
import { newNode, nodeByPath, type DtNode, type DtTree, type Place, type Property } from './tree';

/**
 * What the parser read, merged into one tree as dtc's livetree does: root and `&label { }` / `&{/path} { }` bodies
 * merged into the nodes they name, `/delete-node/`, `/delete-property/` and `/omit-if-no-ref/` applied, overlay
 * targets that are not in this tree kept as fragments; then references resolved (./references).
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
  const root = tree.root;
  const labels = () => {
    const m = new Map<string, DtNode>();
    const rec = (n: DtNode) => {
      if (n.deleted) return;
      for (const l of n.labels) if (!m.has(l)) m.set(l, n);
      n.children.forEach(rec);
    };
    rec(root);
    return m;
  };
  const resolve = (t: { label: string } | { path: string }, place: Place): DtNode => {
    const node = 'label' in t ? labels().get(t.label) : nodeByPath(root, t.path);
    if (!node) throw new DtError(`Label or path ${'label' in t ? t.label : t.path} not found`, place.file, place.line, place.column);
    return node;
  };
  // dtc marks deleted nodes and properties instead of removing them; a later definition with the same name revives
  // them in their old place (livetree.c merge_nodes / delete_node).
  const merge = (node: DtNode, body: Body) => {
    node.deleted = false;
    for (const e of body.entries) {
      if (e.kind === 'prop') {
        const old = node.props.find((p) => p.name === e.prop.name);
        if (old) {
          old.value = e.prop.value;
          old.refs = e.prop.refs;
          old.place = e.prop.place;
          old.deleted = false;
          for (const l of e.prop.labels) if (!old.labels.includes(l)) old.labels.push(l);
        } else node.props.push({ ...e.prop });
      } else if (e.kind === 'delprop') {
        const p = node.props.find((x) => x.name === e.name && !x.deleted);
        if (p) {
          p.deleted = true;
          p.labels = [];
        }
      } else if (e.kind === 'delnode') {
        const c = node.children.find((x) => x.name === e.name && !x.deleted);
        if (c) markDeleted(c);
      } else {
        let child = node.children.find((c) => c.name === e.name);
        if (!child) {
          child = newNode(e.name, e.place);
          child.labels = [...e.labels];
          node.children.push(child);
        } else {
          // dtc keeps labels in a list that later definitions prepend to (livetree.c add_label).
          for (const l of e.labels) if (!child.labels.includes(l)) child.labels.unshift(l);
        }
        if (e.omit) child.omitIfNoRef = true;
        merge(child, e.body);
      }
    }
  };
  for (const item of items) {
    if (item.kind === 'node') {
      if (item.target === '/') merge(root, item.body);
      else if (tree.plugin && 'label' in item.target && !labels().has(item.target.label)) {
        // In an overlay, `&label { }` targets the base tree: kept as a fragment, as dtc does.
        addFragment(tree, { label: item.target.label }, item.body, merge, item.place);
      } else if (tree.plugin && 'path' in item.target && !nodeByPath(root, item.target.path)) {
        addFragment(tree, { path: item.target.path }, item.body, merge, item.place);
      } else merge(resolve(item.target, item.place), item.body);
    } else if (item.kind === 'delete') {
      markDeleted(resolve(item.target, item.place));
    } else {
      resolve(item.target, item.place).omitIfNoRef = true;
    }
  }
  prune(root);
  resolveRefs(tree, symbols);
  return tree;
}

function markDeleted(n: DtNode) {
  n.deleted = true;
  n.labels = [];
  for (const p of n.props) {
    p.deleted = true;
    p.labels = [];
  }
  n.children.forEach(markDeleted);
}

/** Drop what stayed deleted, so everything after parsing sees the tree dtc writes. */
function prune(n: DtNode) {
  n.props = n.props.filter((p) => !p.deleted);
  n.children = n.children.filter((c) => !c.deleted);
  n.children.forEach(prune);
}

function addFragment(tree: DtTree, target: { label: string } | { path: string }, body: Body, merge: (n: DtNode, b: Body) => void, place: Place) {
  const n = tree.root.children.filter((c) => c.name.startsWith('fragment@')).length;
  const frag = newNode(`fragment@${n}`, place);
  frag.props.push(
    'label' in target
      ? { name: 'target', value: new Uint8Array([0xff, 0xff, 0xff, 0xff]), labels: [], refs: [{ offset: 0, kind: 'phandle' as const, target: target.label, place }], place }
      : { name: 'target-path', value: new Uint8Array([...utf8(target.path), 0]), labels: [], refs: [], place },
  );
  const ov = newNode('__overlay__', place);
  frag.children.push(ov);
  tree.root.children.push(frag);
  merge(ov, body);
}
