import { fromUtf8, utf8 } from '../format/utf8';

/**
 * The strings block of a DTB and where each property name is in it. dtc looks for a name at every offset of the
 * table (flattree.c stringtable_insert: "phandle" may reuse the tail of "linux,phandle"), the earliest offset winning:
 * a name is found where it is the tail of an entry already there.
 *
 * Names up to {@link SHORT} characters (every real one) are looked up in a map of the entries' tails of that length
 * at most, filled for an entry when a name that ends as it ends is first looked up. Longer names, and a
 * block that is not UTF-8, use an index of every tail's rolling hash (two moduli, 51 bits, a base chosen per table),
 * made on first need and kept up to date; a hit is compared byte by byte, a collision falls back to a search. Time and
 * memory stay linear in the table either way.
 */
const SHORT = 64;
const NON_ASCII = /[\u0080-\uffff]/;

/** An entry of the table (its last SHORT characters when longer, and ASCII), its tails not in the map yet. */
interface Entry {
  s: string;
  offset: number;
  ascii: boolean;
  indexed: boolean;
}

export class StringTable {
  /** Tails of the entries indexed so far, up to SHORT characters, at their earliest byte offset. */
  private readonly tails = new Map<string, number>();
  /**
   * Entries whose tails are not in `tails` yet, by their last one, two and three characters: a name can only be the
   * tail of an entry that ends as it ends, so a lookup indexes those entries only (most never need it).
   */
  private readonly waiting = new Map<string, Entry[]>();
  private readonly entries: Entry[] = [];
  /** Names asked for, and entries that are not UTF-8 under the spelling they read back as. */
  private readonly names = new Map<string, number>();
  private hashed: TailHashes | undefined;
  /** Some entry is not valid UTF-8: its tails are not in `tails`, so every lookup goes through the hashes. */
  private raw = false;
  constructor(private readonly bytes: Bytes) {}

  /** Add raw bytes (a whole strings block, or one name and its NUL) and index their entries. */
  append(block: ArrayLike<number>) {
    const at = this.bytes.length;
    this.bytes.push(block);
    const b = this.bytes.bytes();
    // Entries end at a NUL; bytes after the last NUL end nowhere and never match (dtc compares up to a NUL).
    for (let start = at, i = b.indexOf(0, at); i >= 0; start = i + 1, i = b.indexOf(0, start)) {
      const raw = b.subarray(start, i);
      if (!raw.some((x) => x >= 0x80)) {
        // Only the tails a short name can match: the last SHORT characters.
        const from = Math.max(0, raw.length - SHORT);
        this.remember(String.fromCharCode(...raw.subarray(from)), start + from, true);
        continue;
      }
      const name = fromUtf8(raw);
      if (sameBytes(utf8(name), raw)) this.remember(name, start, false);
      else {
        // A name that is not valid UTF-8 reads back as U+FFFD: the whole entry stays findable under that spelling,
        // so such a blob is written back with its own strings.
        this.raw = true;
        if (!this.names.has(name)) this.names.set(name, start);
      }
    }
    this.hashed?.index(b, at);
  }

  private remember(s: string, offset: number, ascii: boolean) {
    const e: Entry = { s, offset, ascii, indexed: false };
    this.entries.push(e);
    for (let k = Math.min(3, s.length); k > 0; k--) {
      const key = s.slice(s.length - k);
      const list = this.waiting.get(key);
      if (list) list.push(e);
      else this.waiting.set(key, [e]);
    }
  }

  /** Index every entry `name` may be the tail of. */
  private ready(name: string) {
    if (!name.length) {
      for (const e of this.entries) if (!e.indexed) this.index(e);
      return;
    }
    const key = name.length > 3 ? name.slice(name.length - 3) : name;
    const list = this.waiting.get(key);
    if (!list) return;
    this.waiting.delete(key);
    for (const e of list) if (!e.indexed) this.index(e);
  }

  /** An entry's tails, each kept at its earliest offset (entries are indexed out of order). */
  private index(e: Entry) {
    e.indexed = true;
    const { s, offset } = e;
    const tails = this.tails;
    const put = (tail: string, at: number) => {
      const have = tails.get(tail);
      if (have === undefined || at < have) tails.set(tail, at);
    };
    if (e.ascii) {
      // `s` is at most SHORT characters here.
      for (let k = 0; k <= s.length; k++) put(k ? s.slice(k) : s, offset + k);
      return;
    }
    // Byte offsets of each character boundary (a tail cannot start inside a character's bytes).
    let bytes = offset;
    for (let k = 0; k <= s.length; ) {
      const cp = s.codePointAt(k) ?? 0;
      if (s.length - k <= SHORT) put(s.slice(k), bytes);
      if (k === s.length) break;
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      k += cp > 0xffff ? 2 : 1;
    }
  }

  offsetOf(name: string): number {
    const have = this.names.get(name);
    if (have !== undefined) return have;
    let at: number;
    if (name.length <= SHORT && !this.raw) {
      this.ready(name);
      at = this.tails.get(name) ?? -1;
    } else {
      this.hashed ??= new TailHashes(this.bytes.bytes());
      at = this.hashed.find(this.bytes.bytes(), utf8(name));
    }
    if (at < 0) {
      at = this.bytes.length;
      if (!NON_ASCII.test(name)) {
        this.bytes.push(asciiBytes(name));
        const from = Math.max(0, name.length - SHORT);
        this.remember(from ? name.slice(from) : name, at + from, true);
        this.hashed?.index(this.bytes.bytes(), at);
      } else this.append([...utf8(name), 0]);
    }
    this.names.set(name, at);
    return at;
  }
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Every tail of the table (up to the NUL that ends it) by its rolling hash, earliest offset first. */
class TailHashes {
  private static readonly P1 = 2147483647; // 2^31 - 1
  private static readonly P2 = 1000003;
  private readonly base = 257 + Math.floor(Math.random() * 1_000_000);
  /** Hash -> earliest offset with that hash (open addressing in typed arrays: no objects per tail). */
  private readonly first = new HashTable();
  constructor(b: Uint8Array) {
    this.index(b, 0);
  }
  /** Index the tails that start at or after `from`. */
  index(b: Uint8Array, from: number) {
    let end = b.length;
    while (end > from && b[end - 1] !== 0) end--;
    // Hash of the tail at i: b[i] + base * hash(i + 1), from the end in one pass; offsets are added from the start,
    // so each hash keeps its earliest offset. At a NUL the hash is that of "" (0, 0): "" is found at the first NUL.
    const h1s = new Uint32Array(end - from);
    const h2s = new Uint32Array(end - from);
    let h1 = 0;
    let h2 = 0;
    for (let i = end - 1; i >= from; i--) {
      const c = b[i]!;
      if (c === 0) h1 = h2 = 0;
      else {
        h1 = (c + this.base * h1) % TailHashes.P1;
        h2 = (c + this.base * h2) % TailHashes.P2;
      }
      h1s[i - from] = h1;
      h2s[i - from] = h2;
    }
    for (let i = from; i < end; i++) this.first.addIfAbsent(h1s[i - from]!, h2s[i - from]!, i);
  }
  /** The earliest offset of `want` and a NUL, or -1. */
  find(b: Uint8Array, want: number[]): number {
    let h1 = 0;
    let h2 = 0;
    for (let i = want.length - 1; i >= 0; i--) {
      h1 = (want[i]! + this.base * h1) % TailHashes.P1;
      h2 = (want[i]! + this.base * h2) % TailHashes.P2;
    }
    const hit = this.first.get(h1, h2);
    if (hit < 0) return -1;
    return matches(b, hit, want) ? hit : search(b, want);
  }
}

function matches(b: Uint8Array, at: number, want: number[]): boolean {
  if (at + want.length >= b.length) return false;
  for (let k = 0; k < want.length; k++) if (b[at + k] !== want[k]) return false;
  return b[at + want.length] === 0;
}

/** The earliest offset holding `want` and a NUL (after a hash collision only). */
function search(b: Uint8Array, want: number[]): number {
  outer: for (let i = 0; i + want.length < b.length; i++) {
    for (let k = 0; k < want.length; k++) if (b[i + k] !== want[k]) continue outer;
    if (b[i + want.length] === 0) return i;
  }
  return -1;
}

/** A hash table from a pair of 31-bit hashes to an offset, kept in typed arrays. */
class HashTable {
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
  private buf: Uint8Array;
  length = 0;
  constructor(size = 1 << 12) {
    this.buf = new Uint8Array(size);
  }
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
