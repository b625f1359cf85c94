/** UTF-8 without TextEncoder/TextDecoder, which are platform APIs that shared/ does not assume. */
export function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** UTF-8 bytes to a string; a byte that cannot start a sequence becomes U+FFFD (as a decoder replaces it). */
export function fromUtf8(b: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let cp: number;
    let n: number;
    if (c < 0x80) [cp, n] = [c, 1];
    else if (c >> 5 === 6) [cp, n] = [((c & 31) << 6) | (b[i + 1]! & 63), 2];
    else if (c >> 4 === 14) [cp, n] = [((c & 15) << 12) | ((b[i + 1]! & 63) << 6) | (b[i + 2]! & 63), 3];
    else if (c >> 3 === 30) [cp, n] = [((c & 7) << 18) | ((b[i + 1]! & 63) << 12) | ((b[i + 2]! & 63) << 6) | (b[i + 3]! & 63), 4];
    else [cp, n] = [0xfffd, 1];
    s += String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp);
    i += n;
  }
  return s;
}
