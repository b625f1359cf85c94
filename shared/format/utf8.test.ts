import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromUtf8, utf8 } from './utf8';

// TextEncoder/TextDecoder are the platform's UTF-8; shared/ may not assume them, but a test may check against them.
describe('UTF-8 without the platform codecs', () => {
  it('encodes every string as TextEncoder does (1- to 4-byte sequences)', () => {
    expect(utf8('a\u00e9\u20ac\u{1f600}')).toEqual([...new TextEncoder().encode('a\u00e9\u20ac\u{1f600}')]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8(s)).toEqual([...new TextEncoder().encode(s)]);
      }),
    );
  });

  it('decodes valid UTF-8 as TextDecoder does', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => fromUtf8(new TextEncoder().encode(s)) === s));
  });

  it('turns a byte that cannot start a sequence into U+FFFD and goes on', () => {
    expect(fromUtf8([0x41, 0x80, 0x42])).toBe('A\ufffdB');
    expect(fromUtf8([0xff, 0x43])).toBe('\ufffdC');
  });
});
