import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hex } from './hex';

describe('hex', () => {
  it('spells addresses as the .system format does: 0x, lowercase, no padding', () => {
    expect(hex(0x9000000)).toBe('0x9000000');
    expect(hex(0xdeadbeef)).toBe('0xdeadbeef');
    expect(hex(0)).toBe('0x0');
  });

  it('keeps 64-bit device-tree values exact as bigints', () => {
    expect(hex(0xffff_ffff_ffff_f000n)).toBe('0xfffffffffffff000');
  });

  it('reads back as the same value (numbers up to 2^53, bigints of any size)', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => Number(hex(n)) === n));
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => BigInt(hex(n)) === n));
  });
});
