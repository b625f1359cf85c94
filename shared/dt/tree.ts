/** The device tree as dtc holds it after parsing: nodes with ordered properties and children, labels, phandles. */
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

export function newNode(name: string, place: Place): DtNode {
  return { name, props: [], children: [], labels: [], place };
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

/** Every node with its path, depth-first in tree order. */
export function* walk(root: DtNode): Generator<{ node: DtNode; path: string; parent?: DtNode }> {
  const rec = function* (n: DtNode, p: string, parent?: DtNode): Generator<{ node: DtNode; path: string; parent?: DtNode }> {
    yield parent ? { node: n, path: p, parent } : { node: n, path: p };
    for (const c of n.children) yield* rec(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`, n);
  };
  yield* rec(root, '/');
}

export const u32be = (v: Uint8Array, off: number) => ((v[off]! << 24) | (v[off + 1]! << 16) | (v[off + 2]! << 8) | v[off + 3]!) >>> 0;
