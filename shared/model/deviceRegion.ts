import type { BoardPack } from './board';
import type { MemoryRegion } from './system';

/** Memory regions at a board device's registers: the palette's "Device region" and the region inspector's device picker. */

/**
 * The first register range of a board device (one that may be passed through) that no region of the system covers yet,
 * as a region named after the device.
 */
export function nextDeviceRegion(system: { memoryRegions: readonly MemoryRegion[] }, board: BoardPack | undefined): MemoryRegion | undefined {
  const used = new Set(system.memoryRegions.flatMap((m) => (m.physAddr !== undefined ? [m.physAddr] : [])));
  for (const d of board?.devices ?? []) {
    if (d.passthrough === 'no') continue;
    for (const r of d.regs) {
      const region = deviceRegion(d.name, parseInt(r.address, 16), parseInt(r.size, 16));
      if (!used.has(region.physAddr!)) return region;
    }
  }
  return undefined;
}

/** A region at a device's registers: page-aligned around the range, `phys_addr` set, uncached maps expected. */
export function deviceRegion(name: string, address: number, size: number): MemoryRegion {
  const page = 0x1000;
  const start = Math.floor(address / page) * page;
  const end = Math.ceil((address + size) / page) * page;
  return { name, size: end - start, physAddr: start };
}
