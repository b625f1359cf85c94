import { writeBe32 } from '../format/bigEndian';
import { hex } from '../format/hex';
import { fromUtf8, utf8 } from '../format/utf8';
import { Bytes, StringTable } from './strings';
import type { DtNode, DtTree } from './tree';
import { MAX_NODE_DEPTH, newNode } from './tree';

const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;

/**
 * A flattened device tree laid out exactly as dtc 1.6 writes it (flattree.c, version 17): header, memory
 * reservation map, structure block, strings block; strings shared where dtc shares them (./strings).
 *
 * One pass over the tree (an explicit stack: a tree built by hand may be deeper than the readers allow) into one
 * growing buffer, names written byte by byte when they are ASCII (they always are in practice).
 */
export function writeDtb(tree: DtTree): Uint8Array {
  const strings = new Bytes();
  const table = new StringTable(strings);
  // A tree read from a blob (and changed, as by an overlay) keeps that blob's strings; new names are appended,
  // as libfdt does.
  if (tree.stringsBlock) table.append(tree.stringsBlock);
  // One function, its state in locals: fast before the engine optimizes it (one compile per process is the common
  // case) and after.
  let buf: Uint8Array = new Uint8Array(1 << 16);
  let len = 0;
  // The nodes still to open, and END_NODE markers (undefined) where a node closes.
  const stack: (DtNode | undefined)[] = [tree.root];
  while (stack.length) {
    const n = stack.pop();
    if (!n) {
      if (len + 4 > buf.length) buf = grown(buf, len, 4);
      writeBe32(buf, len, END_NODE);
      len += 4;
      continue;
    }
    const name = n.name;
    if (len + 8 + name.length * 3 > buf.length) buf = grown(buf, len, 8 + name.length * 3);
    writeBe32(buf, len, BEGIN_NODE);
    len += 4;
    // The name byte by byte when ASCII (as it always is in practice), its NUL and padding to 4 bytes.
    const at = len;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c >= 0x80) {
        const bytes = utf8(name);
        buf.set(bytes, at);
        len = at + bytes.length;
        break;
      }
      buf[len++] = c;
    }
    do buf[len++] = 0;
    while (len & 3);
    const props = n.props;
    for (let i = 0; i < props.length; i++) {
      const p = props[i]!;
      const v = p.value;
      const off = table.offsetOf(p.name);
      if (len + 16 + v.length > buf.length) buf = grown(buf, len, 16 + v.length);
      writeBe32(buf, len, PROP);
      writeBe32(buf, len + 4, v.length);
      writeBe32(buf, len + 8, off);
      len += 12;
      buf.set(v, len);
      len += v.length;
      while (len & 3) buf[len++] = 0;
    }
    stack.push(undefined);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  if (len + 4 > buf.length) buf = grown(buf, len, 4);
  writeBe32(buf, len, END);
  len += 4;
  const structLen = len;
  const rsv = 16 * (tree.memreserve.length + 1);
  const headerSize = 40;
  const offRsv = headerSize;
  const offStruct = offRsv + rsv;
  const offStrings = offStruct + structLen;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offRsv, 17, 16, tree.bootCpuid, strings.length, structLen].forEach((v, i) => dv.setUint32(i * 4, v));
  tree.memreserve.forEach((r, i) => {
    dv.setBigUint64(offRsv + 16 * i, r.address);
    dv.setBigUint64(offRsv + 16 * i + 8, r.size);
  });
  out.set(buf.subarray(0, structLen), offStruct);
  out.set(strings.bytes(), offStrings);
  return out;
}

/** A copy of the first `len` bytes in a buffer with room for `need` more (doubling). */
function grown(buf: Uint8Array, len: number, need: number): Uint8Array {
  let size = buf.length * 2;
  while (size < len + need) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, len));
  return next;
}

export class DtbError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${hex(offset)})`);
    this.name = 'DtbError';
  }
}

/** Read a flattened device tree; every structural error names its byte offset. */
export function readDtb(blob: Uint8Array): DtTree {
  if (blob.length < 40) throw new DtbError('blob is shorter than an FDT header', 0);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = dv.getUint32(0);
  if (magic !== FDT_MAGIC) throw new DtbError(`bad magic ${hex(magic)} (expected 0xd00dfeed)`, 0);
  const total = dv.getUint32(4);
  const offStruct = dv.getUint32(8);
  const offStrings = dv.getUint32(12);
  const offRsv = dv.getUint32(16);
  const version = dv.getUint32(20);
  if (total > blob.length) throw new DtbError(`totalsize ${total} is larger than the blob (${blob.length})`, 4);
  if (version < 16) throw new DtbError(`unsupported FDT version ${version}`, 20);
  const sizeStrings = version >= 3 ? dv.getUint32(32) : total - offStrings;
  const sizeStruct = version >= 17 ? dv.getUint32(36) : total - offStruct;
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total || offRsv > total) throw new DtbError('a block lies outside the blob', 8);
  const tree: DtTree = { root: newNode('', { file: '<dtb>', line: 0, column: 0 }), memreserve: [], plugin: false, bootCpuid: dv.getUint32(28) };
  for (let o = offRsv; ; o += 16) {
    if (o + 16 > total) throw new DtbError('unterminated memory reservation map', o);
    const a = dv.getBigUint64(o);
    const s = dv.getBigUint64(o + 8);
    if (a === 0n && s === 0n) break;
    tree.memreserve.push({ address: a, size: s });
  }
  // Properties share their names: each name is read once (a blob of many properties with one long name would
  // otherwise hold that name once per property).
  const names = new Map<number, string>();
  const propName = (nameoff: number) => {
    let name = names.get(nameoff);
    if (name === undefined) names.set(nameoff, (name = cstr(offStrings + nameoff, offStrings + sizeStrings)));
    return name;
  };
  const cstr = (at: number, limit: number) => {
    let e = at;
    while (e < limit && blob[e] !== 0) e++;
    if (e >= limit) throw new DtbError('unterminated string', at);
    return fromUtf8(blob.subarray(at, e));
  };
  let o = offStruct;
  const end = offStruct + sizeStruct;
  const stack: DtNode[] = [];
  let sawRoot = false;
  const align = (x: number) => (x + 3) & ~3;
  for (;;) {
    if (o + 4 > end) throw new DtbError('structure block ends without FDT_END', o);
    const tok = dv.getUint32(o);
    o += 4;
    if (tok === BEGIN_NODE) {
      const at = o - 4;
      let e = o;
      while (e < end && blob[e] !== 0) e++;
      const name = cstr(o, end);
      o = align(e + 1);
      const place = { file: '<dtb>', line: 0, column: o };
      if (!stack.length) {
        if (sawRoot) throw new DtbError('more than one root node', o);
        sawRoot = true;
        tree.root.place = place;
        stack.push(tree.root);
      } else {
        if (stack.length > MAX_NODE_DEPTH) throw new DtbError(`node '${name}' is nested too deeply (more than ${MAX_NODE_DEPTH} levels)`, at);
        const n = newNode(name, place);
        stack[stack.length - 1]!.children.push(n);
        stack.push(n);
      }
    } else if (tok === END_NODE) {
      if (!stack.pop()) throw new DtbError('FDT_END_NODE without a node', o - 4);
    } else if (tok === PROP) {
      const node = stack[stack.length - 1];
      if (!node) throw new DtbError('property outside any node', o - 4);
      if (o + 8 > end) throw new DtbError('truncated property', o);
      const len = dv.getUint32(o);
      const nameoff = dv.getUint32(o + 4);
      o += 8;
      if (o + len > end) throw new DtbError('property value runs past the structure block', o);
      if (nameoff >= sizeStrings) throw new DtbError('property name offset outside the strings block', o - 4);
      node.props.push({ name: propName(nameoff), value: blob.slice(o, o + len), labels: [], refs: [], place: { file: '<dtb>', line: 0, column: o } });
      o = align(o + len);
    } else if (tok === NOP) {
      continue;
    } else if (tok === END) {
      if (stack.length) throw new DtbError('FDT_END inside a node', o - 4);
      break;
    } else throw new DtbError(`unknown structure token ${hex(tok)}`, o - 4);
  }
  if (!sawRoot) throw new DtbError('no root node', offStruct);
  tree.stringsBlock = blob.slice(offStrings, offStrings + sizeStrings);
  return tree;
}
