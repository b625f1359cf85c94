/**
 * Crafted device-tree inputs of a chosen size (issue 13): the bounds tests check what each ends with, the DoS corpus
 * how its time grows with the size.
 */

const FDT_MAGIC = 0xd00dfeed;

/** A blob laid out as dtc writes it (header, empty reservation map, structure block, strings block). */
export function blob(struct: Uint8Array, strings: Uint8Array): Uint8Array {
  const offStruct = 40 + 16;
  const offStrings = offStruct + struct.length;
  const out = new Uint8Array(offStrings + strings.length);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, out.length, offStruct, offStrings, 40, 17, 16, 0, strings.length, struct.length].forEach((v, i) => dv.setUint32(i * 4, v));
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

/** A structure block from 32-bit words and NUL-padded names. */
class Struct {
  private words: number[] = [];
  u32(v: number) {
    this.words.push(v);
  }
  /** A name and its NUL, padded to 4 bytes. */
  name(s: string) {
    const b = [...Buffer.from(s), 0];
    while (b.length % 4) b.push(0);
    for (let i = 0; i < b.length; i += 4) this.words.push(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.words.length * 4);
    const dv = new DataView(out.buffer);
    this.words.forEach((w, i) => dv.setUint32(i * 4, w));
    return out;
  }
}

/** A DTB whose root has `props` properties that all share one name of `nameLength` characters. */
export function longNameDtb(props: number, nameLength: number): Uint8Array {
  const s = new Struct();
  s.u32(1);
  s.name('');
  for (let i = 0; i < props; i++) {
    s.u32(3);
    s.u32(4);
    s.u32(0);
    s.u32(i);
  }
  s.u32(2);
  s.u32(9);
  return blob(s.bytes(), new Uint8Array([...Buffer.from('p'.repeat(nameLength)), 0]));
}

/** A DTB with `depth` nodes each inside the last. */
export function deepDtb(depth: number): Uint8Array {
  const s = new Struct();
  s.u32(1);
  s.name('');
  for (let i = 0; i < depth; i++) {
    s.u32(1);
    s.name('n');
  }
  for (let i = 0; i <= depth; i++) s.u32(2);
  s.u32(9);
  return blob(s.bytes(), new Uint8Array(0));
}

/** A DTS with `depth` nodes named n each inside the last (line 2). */
export function deepDts(depth: number): string {
  return `/dts-v1/;\n/ {${' n {'.repeat(depth)}${' };'.repeat(depth)} };\n`;
}

/** `n` labelled nodes with a reg each, then one `&label { }` override per node. */
export function overrides(n: number): string {
  let s = '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n';
  for (let i = 0; i < n; i++) s += `\tl${i}: n${i}@${i.toString(16)} { reg = <${i} 4>; };\n`;
  s += '};\n';
  for (let i = 0; i < n; i++) s += `&l${i} { status = "okay"; };\n`;
  return s;
}

/** `levels` macros, each expanding to the one before twice, and a line using the last (line levels + 2). */
export function doublingMacros(levels: number): string {
  let s = '#define A0 x\n';
  for (let i = 1; i <= levels; i++) s += `#define A${i} A${i - 1} A${i - 1}\n`;
  return `${s}A${levels}\n`;
}

/** Headers f0.h … f`levels`.h, each including the next twice (2^levels includes without guards). */
export function diamondIncludes(levels: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < levels; i++) files[`f${i}.h`] = `#include "f${i + 1}.h"\n#include "f${i + 1}.h"\n`;
  files[`f${levels}.h`] = 'x\n';
  return files;
}
