import { hex } from '../format/hex';
import { fromUtf8, utf8 } from '../format/utf8';
import type { DtNode, DtTree } from './tree';
import { newNode } from './tree';

const FDT_MAGIC = 0xd00dfeed;
const BEGIN_NODE = 1;
const END_NODE = 2;
const PROP = 3;
const NOP = 4;
const END = 9;

/**
 * A flattened device tree laid out exactly as dtc 1.6 writes it (flattree.c, version 17): header, memory
 * reservation map, structure block, strings block; strings shared where dtc shares them (including suffixes of
 * strings already in the table).
 */
export function writeDtb(tree: DtTree): Uint8Array {
  const strings = new Bytes();
  // dtc looks for a name at every offset of the table (so "phandle" may reuse the tail of "linux,phandle"): every
  // suffix of every string added is a candidate, the earliest offset winning.
  const suffixes = new Map<string, number>();
  if (tree.stringsBlock) {
    // A tree read from a blob (and changed, as by an overlay) keeps that blob's strings; new names are appended,
    // as libfdt does.
    strings.push(tree.stringsBlock);
    let start = 0;
    for (let i = 0; i < tree.stringsBlock.length; i++) {
      if (tree.stringsBlock[i] !== 0) continue;
      const name = fromUtf8(tree.stringsBlock.subarray(start, i));
      const ascii = i - start === name.length;
      for (let k = 0; k <= name.length; k++) {
        const suffix = name.slice(k);
        if (!suffixes.has(suffix)) suffixes.set(suffix, start + (ascii ? k : utf8(name.slice(0, k)).length));
      }
      start = i + 1;
    }
  }
  const strIndex = (name: string): number => {
    const hit = suffixes.get(name);
    if (hit !== undefined) return hit;
    const at = strings.length;
    const bytes = utf8(name);
    strings.push(bytes);
    strings.byte(0);
    const ascii = bytes.length === name.length;
    for (let k = 0; k < name.length; k++) {
      const suffix = name.slice(k);
      if (!suffixes.has(suffix)) suffixes.set(suffix, at + (ascii ? k : utf8(name.slice(0, k)).length));
    }
    return at;
  };
  const struct = new Bytes();
  const emit = (n: DtNode) => {
    struct.u32(BEGIN_NODE);
    struct.push(utf8(n.name));
    struct.byte(0);
    struct.pad4();
    for (const p of n.props) {
      struct.u32(PROP);
      struct.u32(p.value.length);
      struct.u32(strIndex(p.name));
      struct.push(p.value);
      struct.pad4();
    }
    for (const c of n.children) emit(c);
    struct.u32(END_NODE);
  };
  emit(tree.root);
  struct.u32(END);
  const rsv = new Bytes();
  for (const r of tree.memreserve) {
    rsv.u64(r.address);
    rsv.u64(r.size);
  }
  rsv.u64(0n);
  rsv.u64(0n);
  const headerSize = 40;
  const offRsv = headerSize;
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offRsv, 17, 16, tree.bootCpuid, strings.length, struct.length].forEach((v, i) => dv.setUint32(i * 4, v));
  out.set(rsv.bytes(), offRsv);
  out.set(struct.bytes(), offStruct);
  out.set(strings.bytes(), offStrings);
  return out;
}

/** A growable byte buffer (pushing numbers one by one into arrays is the slow part of writing big trees). */
class Bytes {
  private buf = new Uint8Array(1 << 16);
  length = 0;
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.length++] = b;
  }
  push(bytes: ArrayLike<number>) {
    this.room(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  u32(v: number) {
    this.room(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }
  u64(v: bigint) {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    this.u32(Number(v & 0xffffffffn));
  }
  pad4() {
    while (this.length % 4) this.byte(0);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
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
      const name = cstr(o, end);
      o = align(o + new Uint8Array(utf8(name)).length + 1);
      const place = { file: '<dtb>', line: 0, column: o };
      if (!stack.length) {
        if (sawRoot) throw new DtbError('more than one root node', o);
        sawRoot = true;
        tree.root.place = place;
        stack.push(tree.root);
      } else {
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
      node.props.push({ name: cstr(offStrings + nameoff, offStrings + sizeStrings), value: blob.slice(o, o + len), labels: [], refs: [], place: { file: '<dtb>', line: 0, column: o } });
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
