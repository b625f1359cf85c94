import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardPackSchema } from './board';
import { deviceRegion, nextDeviceRegion } from './deviceRegion';

describe('device regions', () => {
  it('the next device region is the first board device no region covers yet', () => {
    const board = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, '../../boards/qemu_virt_aarch64/board.json'), 'utf8')));
    expect(nextDeviceRegion({ memoryRegions: [] }, board)).toEqual({ name: 'pl011', physAddr: 0x9000000, size: 0x1000 });
    expect(nextDeviceRegion({ memoryRegions: [{ name: 'u', size: 0x1000, physAddr: 0x9000000 }] }, board)?.name).not.toBe('pl011');
    expect(nextDeviceRegion({ memoryRegions: [] }, undefined)).toBeUndefined();
  });

  it('a device region covers the registers in whole pages', () => {
    expect(deviceRegion('uart', 0x3100000, 0x10000)).toEqual({ name: 'uart', physAddr: 0x3100000, size: 0x10000 });
    expect(deviceRegion('odd', 0x9000100, 0x200)).toEqual({ name: 'odd', physAddr: 0x9000000, size: 0x1000 });
    expect(deviceRegion('straddle', 0x9000f00, 0x200)).toEqual({ name: 'straddle', physAddr: 0x9000000, size: 0x2000 });
  });
});
