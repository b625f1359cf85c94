import { describe, expect, it } from 'vitest';
import qemuBoard from '../../boards/qemu_virt_aarch64/board.json';
import { BoardPackSchema } from '../model/board';
import { imageFormat, recipeLoadAddress, silenceHints, silenceSeconds, smpOffer } from './silence';

const board = BoardPackSchema.parse(qemuBoard);
const bytes = (s: string, at = 0) => {
  const b = new Uint8Array(64);
  b.set(new TextEncoder().encode(s), at);
  return b;
};

describe('a silent boot: what to check', () => {
  it('tells an ELF, an arm64 Linux Image and a raw image apart by their first bytes', () => {
    expect(imageFormat(bytes('\x7fELF'))).toBe('elf');
    expect(imageFormat(bytes('ARMd', 56))).toBe('linux-image');
    expect(imageFormat(new Uint8Array([0x7f, 0x20, 0x03, 0xd5]))).toBe('raw');
  });

  it('the board says how long to wait (10 s when it does not) and where its recipe loads a raw image', () => {
    expect(silenceSeconds(board)).toBe(10);
    expect(silenceSeconds({ ...board, firstOutputSeconds: 30 })).toBe(30);
    expect(recipeLoadAddress(board)).toBe('0x70000000');
  });

  it('the likeliest cause first, from what this boot is', () => {
    expect(silenceHints({ board, kind: 'image', format: 'elf' })[0]).toMatch(/^Raw image vs ELF: this file is an ELF/);
    expect(silenceHints({ board, kind: 'kernel', format: 'raw' })[0]).toMatch(/belongs at the board's loader address \(0x70000000\)/);
    const linux = silenceHints({ board, kind: 'kernel', format: 'linux-image', options: { append: 'quiet' } });
    expect(linux[0]).toMatch(/console=ttyAMA0/);
    expect(silenceHints({ board, kind: 'kernel', format: 'linux-image', options: { append: 'console=ttyAMA0' } }).join('\n')).not.toMatch(/console=ttyAMA0"/);
    expect(silenceHints({ board, kind: 'image', format: 'raw' })[0]).toMatch(/^Load address: QEMU puts loader.img at 0x70000000; the board's Microkit loader is linked at 0x70000000/);
    expect(silenceHints({ board, kind: 'image', format: 'raw', options: { smp: 4 }, config: 'debug' }).pop()).toMatch(/-smp 4 with the debug configuration: .* smp-debug configuration uses 4/);
  });

  it('-smp N is offered from the SDK\'s smp-* configurations for the board, or from the board pack while no SDK is found', () => {
    expect(smpOffer(board, null)).toEqual({ cores: 4, why: expect.stringMatching(/smp-\* configurations for qemu_virt_aarch64/) });
    expect(smpOffer(board, { version: '2.0.1', boards: { qemu_virt_aarch64: ['debug', 'release', 'smp-debug', 'smp-release'] } })?.why).toBe('Microkit 2.0.1 has smp-debug, smp-release for qemu_virt_aarch64: seL4 on 4 cores');
    expect(smpOffer(board, { version: '1.4.1', boards: { qemu_virt_aarch64: ['debug', 'release'] } })).toBeUndefined();
    expect(smpOffer({ name: 'x', smpCores: undefined }, null)).toBeUndefined();
  });
});
