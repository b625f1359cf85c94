/**
 * Big-endian 32-bit words: device-tree cells and phandles are stored this way in DTS values and in a DTB
 * (Devicetree Specification §2.2.4: "big-endian 32-bit integers").
 */

/** The 32-bit word at `at` (unsigned). */
export function readBe32(bytes: ArrayLike<number>, at = 0): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Overwrite the 32-bit word at `at`. */
export function writeBe32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 24) & 0xff;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/** One 32-bit word as four bytes. */
export function be32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeBe32(out, 0, value);
  return out;
}

/** Every whole 32-bit word of a value (a trailing partial word is not a cell and is left out). */
export function be32Words(bytes: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(readBe32(bytes, i));
  return out;
}
