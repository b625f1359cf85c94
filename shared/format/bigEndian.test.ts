import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { be32, be32Words, readBe32, writeBe32 } from './bigEndian';

// DataView is the platform's own big-endian reader and writer: the helpers must agree with it on every input.
describe('big-endian 32-bit words', () => {
  it('read as DataView.getUint32 reads them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), (bytes, k) => {
        const at = k % (bytes.length - 3);
        return readBe32(bytes, at) === new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
      }),
    );
  });

  it('write as DataView.setUint32 writes them, touching only their four bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat(), fc.nat({ max: 0xffff_ffff }), (bytes, k, v) => {
        const at = k % (bytes.length - 3);
        const ours = Uint8Array.from(bytes);
        const theirs = Uint8Array.from(bytes);
        writeBe32(ours, at, v);
        new DataView(theirs.buffer).setUint32(at, v);
        expect(ours).toEqual(theirs);
      }),
    );
    expect([...be32(0xd00dfeed)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]);
  });

  it('split a value into whole cells and leave a partial word out', () => {
    expect(be32Words(Uint8Array.of(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 9))).toEqual([1, 0xffff_ffff]);
  });
});
