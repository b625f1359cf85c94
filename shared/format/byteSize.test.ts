import { describe, expect, it } from 'vitest';
import { byteSize } from './byteSize';

describe('byteSize', () => {
  it('uses the largest binary unit the size fills at least once', () => {
    expect(byteSize(768)).toBe('768 B');
    expect(byteSize(1023)).toBe('1023 B');
    expect(byteSize(1024)).toBe('1 KiB');
    expect(byteSize(0x1000)).toBe('4 KiB');
    expect(byteSize(0x200000)).toBe('2 MiB');
    expect(byteSize(2 ** 31)).toBe('2 GiB');
  });

  it('shows at most two decimals and drops trailing zeros', () => {
    expect(byteSize(1.5 * 2 ** 20)).toBe('1.5 MiB');
    expect(byteSize(0x1234567)).toBe('18.2 MiB');
    expect(byteSize(1025)).toBe('1 KiB');
  });
});
