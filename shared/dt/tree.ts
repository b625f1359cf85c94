/** The device tree as dtc holds it after parsing: nodes with ordered properties and children, labels, phandles. */

/**
 * How deep a node may sit below the root (the root is level 0). Every reader refuses deeper trees with an error at the
 * node (the DTS parser, the DTB reader, a `/include/` or an override that nests further), so that every walk of a
 * tree, recursive or not, stays shallow. Real trees are under 10 levels deep.
 */
export const MAX_NODE_DEPTH = 256;

export interface Place {
  file: string;
  line: number;
  column: number;
}

/** A piece of a property value that refers to another node, resolved at the end (dtc "markers"). */
export interface Ref {
  offset: number;
  kind: 'phandle' | 'path';
  target: string; // a label, or a path when it starts with '/'
  place: Place;
}

export interface Property {
  name: string;
  value: Uint8Array;
  labels: string[];
  refs: Ref[];
  place: Place;
  /** dtc keeps deleted properties in place: re-adding one puts it back where it was. */
  deleted?: boolean;
}

export interface DtNode {
  name: string;
  props: Property[];
  children: DtNode[];
  labels: string[];
  place: Place;
  deleted?: boolean;
  omitIfNoRef?: boolean;
}

export interface DtTree {
  root: DtNode;
  memreserve: { address: bigint; size: bigint }[];
  plugin: boolean;
  bootCpuid: number;
  /** The strings block of the blob this tree was read from: a writer that keeps it keeps libfdt's layout. */
  stringsBlock?: Uint8Array;
}

const unitlessName = (name: string) => {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
};

export function newNode(name: string, place: Place): DtNode {
  // Every field from the start: nodes keep one shape, so code made fast for them stays valid.
  return { name, props: [], children: [], labels: [], place, deleted: undefined, omitIfNoRef: undefined };
}

export function getProp(node: DtNode, name: string): Property | undefined {
  return node.props.find((p) => p.name === name);
}

export function nodePath(path: DtNode[]): string {
  return path.length <= 1 ? '/' : `/${path.slice(1).map((n) => n.name).join('/')}`;
}

/** Find a node by its full path ("/soc/serial@c280000"); a segment without "@" matches a unique unit-less name. */
export function nodeByPath(root: DtNode, path: string): DtNode | undefined {
  if (path === '/') return root;
  let node: DtNode | undefined = root;
  for (const seg of path.split('/').filter(Boolean)) {
    node = node.children.find((c) => c.name === seg) ?? node.children.find((c) => !seg.includes('@') && c.name.split('@')[0] === seg);
    if (!node) return undefined;
  }
  return node;
}

/**
 * Children by name, for lookups in a tree that is being built or read many times: a node's maps are made on first
 * use; `added` keeps them current as children are appended. Same answers as {@link nodeByPath}.
 */
export class ChildIndex {
  private readonly exact = new Map<DtNode, Map<string, DtNode>>();
  /** By the name without its unit address: the first such child. */
  private readonly base = new Map<DtNode, Map<string, DtNode>>();
  private exactOf(n: DtNode) {
    let e = this.exact.get(n);
    if (!e) {
      e = new Map();
      for (const c of n.children) if (!e.has(c.name)) e.set(c.name, c);
      this.exact.set(n, e);
    }
    return e;
  }
  private baseOf(n: DtNode) {
    let b = this.base.get(n);
    if (!b) {
      b = new Map();
      for (const c of n.children) {
        const unitless = unitlessName(c.name);
        if (!b.has(unitless)) b.set(unitless, c);
      }
      this.base.set(n, b);
    }
    return b;
  }
  added(parent: DtNode, child: DtNode) {
    const e = this.exact.get(parent);
    if (e && !e.has(child.name)) e.set(child.name, child);
    const b = this.base.get(parent);
    const unitless = b && unitlessName(child.name);
    if (b && !b.has(unitless!)) b.set(unitless!, child);
  }
  get(parent: DtNode, name: string): DtNode | undefined {
    // Most nodes have a few children: searched, with no map made.
    const kids = parent.children;
    if (kids.length <= 8 && !this.exact.has(parent)) {
      for (let i = 0; i < kids.length; i++) if (kids[i]!.name === name) return kids[i];
      return undefined;
    }
    return this.exactOf(parent).get(name);
  }
  /**
   * The node at `path`. With `live`, nodes marked deleted are not there (dtc's get_node_by_path skips them while a
   * tree is being built): a path through a deleted node names nothing.
   */
  byPath(root: DtNode, path: string, live = false): DtNode | undefined {
    if (path === '/') return live && root.deleted ? undefined : root;
    let node: DtNode | undefined = root;
    for (const seg of path.split('/')) {
      if (!seg) continue;
      const parent: DtNode = node;
      node = this.get(parent, seg);
      if (node && live && node.deleted) node = undefined;
      if (!node && !seg.includes('@')) {
        node = this.baseOf(parent).get(seg);
        // The first child of that name that is not deleted (a deleted one may come first: rare, so searched).
        if (node && live && node.deleted) node = parent.children.find((c) => !c.deleted && c.name.split('@')[0] === seg);
      }
      if (!node) return undefined;
    }
    return node;
  }
}

/** Every node with its path, depth-first in tree order. */
export function* walk(root: DtNode): Generator<{ node: DtNode; path: string; parent?: DtNode }> {
  // An explicit stack: nested generators would cost a step per level for every node.
  const stack: { node: DtNode; path: string; parent?: DtNode }[] = [{ node: root, path: '/' }];
  while (stack.length) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.node.children.length - 1; i >= 0; i--) {
      const c = e.node.children[i]!;
      stack.push({ node: c, path: e.path === '/' ? `/${c.name}` : `${e.path}/${c.name}`, parent: e.node });
    }
  }
}

export const u32be = (v: Uint8Array, off: number) => ((v[off]! << 24) | (v[off + 1]! << 16) | (v[off + 2]! << 8) | v[off + 3]!) >>> 0;
