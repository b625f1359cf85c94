import { hex } from '../format/hex';
import { fromUtf8, utf8 } from '../format/utf8';
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
 * reservation map, structure block, strings block; strings shared where dtc shares them (including suffixes of
 * strings already in the table).
 */
export function writeDtb(tree: DtTree): Uint8Array {
  const strings = new Bytes();
  const table = new StringTable(strings);
  // A tree read from a blob (and changed, as by an overlay) keeps that blob's strings; new names are appended,
  // as libfdt does.
  if (tree.stringsBlock) table.append(tree.stringsBlock);
  const strIndex = (name: string): number => table.offsetOf(name);
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
  // Trees are at most MAX_NODE_DEPTH deep when read; one built deeper by hand is written without recursion limits.
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

/**
 * The strings block and where each name is in it. dtc looks for a name at every offset of the table
 * (flattree.c stringtable_insert: "phandle" may reuse the tail of "linux,phandle"), the earliest offset winning.
 * Keeping every suffix as a string costs the square of a long name's length; here each suffix (up to the NUL that
 * ends it) is kept as a rolling hash (two moduli, 51 bits, a base chosen per table), and a hit is compared byte by
 * byte; a collision falls back to searching the table. Time and memory are linear in the table.
 */
export class StringTable {
  private static readonly P1 = 2147483647; // 2^31 - 1
  private static readonly P2 = 1000003;
  private readonly base = 257 + Math.floor(Math.random() * 1_000_000);
  /** Suffix hash -> earliest offset with that hash (open addressing in typed arrays: no objects per suffix). */
  private readonly first = new SuffixTable();
  private readonly names = new Map<string, number>();
  constructor(private readonly bytes: Bytes) {}
  /** Add raw bytes (a whole strings block, or one name and its NUL) and index their suffixes. */
  append(block: ArrayLike<number>) {
    const at = this.bytes.length;
    this.bytes.push(block);
    const b = this.bytes.bytes();
    // A bytes run with no NUL at its end ends nowhere: such suffixes never match (dtc compares up to a NUL).
    let end = b.length;
    while (end > at && b[end - 1] !== 0) end--;
    // Hash of the suffix at i (up to the next NUL): b[i] + base * hash(i + 1), from the end in one pass; offsets
    // are indexed from the start, so each hash keeps its earliest offset.
    const h1s = new Uint32Array(end - at);
    const h2s = new Uint32Array(end - at);
    let h1 = 0;
    let h2 = 0;
    for (let i = end - 1; i >= at; i--) {
      const c = b[i]!;
      if (c === 0) h1 = h2 = 0;
      else {
        h1 = (c + this.base * h1) % StringTable.P1;
        h2 = (c + this.base * h2) % StringTable.P2;
      }
      h1s[i - at] = h1;
      h2s[i - at] = h2;
    }
    // At a NUL the hash is that of "" (0, 0): "" is found at the first NUL.
    for (let i = at; i < end; i++) this.first.addIfAbsent(h1s[i - at]!, h2s[i - at]!, i);
    // A name that is not valid UTF-8 reads back as U+FFFD: the whole entry stays findable under that spelling, so
    // such a blob is written back with its own strings.
    for (let i = at, start = at; i < end; i++) {
      if (b[i] !== 0) continue;
      const raw = b.subarray(start, i);
      if (raw.some((x) => x >= 0x80)) {
        const name = fromUtf8(raw);
        if (!this.names.has(name) && !sameBytes(utf8(name), raw)) this.names.set(name, start);
      }
      start = i + 1;
    }
  }
  private hash(want: number[]): [number, number] {
    let h1 = 0;
    let h2 = 0;
    for (let i = want.length - 1; i >= 0; i--) {
      h1 = (want[i]! + this.base * h1) % StringTable.P1;
      h2 = (want[i]! + this.base * h2) % StringTable.P2;
    }
    return [h1, h2];
  }
  offsetOf(name: string): number {
    const have = this.names.get(name);
    if (have !== undefined) return have;
    const want = utf8(name);
    const hit = this.first.get(...this.hash(want));
    let at = hit >= 0 && this.matches(hit, want) ? hit : -1;
    if (hit >= 0 && at < 0) at = this.search(want);
    if (at < 0) {
      at = this.bytes.length;
      this.append([...want, 0]);
    }
    this.names.set(name, at);
    return at;
  }
  private matches(at: number, want: number[]): boolean {
    const b = this.bytes.bytes();
    if (at + want.length >= b.length) return false;
    for (let k = 0; k < want.length; k++) if (b[at + k] !== want[k]) return false;
    return b[at + want.length] === 0;
  }
  /** The earliest offset holding `want` and a NUL (after a hash collision only). */
  private search(want: number[]): number {
    const b = this.bytes.bytes();
    outer: for (let i = 0; i + want.length < b.length; i++) {
      for (let k = 0; k < want.length; k++) if (b[i + k] !== want[k]) continue outer;
      if (b[i + want.length] === 0) return i;
    }
    return -1;
  }
}

/** A hash table from a pair of 31-bit hashes to an offset, kept in typed arrays. */
class SuffixTable {
  private k1 = new Uint32Array(1024);
  private k2 = new Uint32Array(1024);
  /** Offset + 1; 0 is an empty slot. */
  private v = new Float64Array(1024);
  private used = 0;
  private slot(h1: number, h2: number): number {
    const mask = this.v.length - 1;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & mask;
    while (this.v[i] !== 0 && (this.k1[i] !== h1 || this.k2[i] !== h2)) i = (i + 1) & mask;
    return i;
  }
  get(h1: number, h2: number): number {
    return this.v[this.slot(h1, h2)]! - 1;
  }
  addIfAbsent(h1: number, h2: number, offset: number) {
    if ((this.used + 1) * 2 > this.v.length) this.grow();
    const i = this.slot(h1, h2);
    if (this.v[i] !== 0) return;
    this.k1[i] = h1;
    this.k2[i] = h2;
    this.v[i] = offset + 1;
    this.used++;
  }
  private grow() {
    const { k1, k2, v } = this;
    this.k1 = new Uint32Array(v.length * 2);
    this.k2 = new Uint32Array(v.length * 2);
    this.v = new Float64Array(v.length * 2);
    for (let i = 0; i < v.length; i++) {
      if (v[i] === 0) continue;
      const j = this.slot(k1[i]!, k2[i]!);
      this.k1[j] = k1[i]!;
      this.k2[j] = k2[i]!;
      this.v[j] = v[i]!;
    }
  }
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A growable byte buffer (pushing numbers one by one into arrays is the slow part of writing big trees). */
export class Bytes {
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
