import type { XmlElement } from './xml';
import { SDF_LIMITS } from './schema';
import { pdMapMaxVaddr, vmMapMaxVaddr } from './kernelConfig';
import { SdfError, attr, loc, withAttrSet } from './checkValues';
import type { MemoryRegion } from './checkMemory';
import type { Pd } from './checkPd';
import type { IoAddressSpace } from './checkIommu';
import { hx, type SystemCheck } from './checkSystemCtx';

/** Where things lie: I/O port ranges (§5.7), maps in each address space (§5.8), physical addresses and setvars (§5.10). */
export function checkIoPorts(sys: SystemCheck): void {
  const { ctx, record, pds } = sys;
  const ports: { pd: Pd; id: bigint; start: bigint; end: bigint }[] = [];
  for (const pd of pds) {
    const ids = new Set<bigint>();
    for (const p of pd.ioports) {
      if (ids.has(p.id)) record(new SdfError(`Error: duplicate I/O port id: ${p.id} in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'duplicate-ioport'));
      ids.add(p.id);
      const mine = { pd, id: p.id, start: p.addr, end: p.addr + p.size };
      for (const o of ports) {
        if (mine.start < o.end && o.start < mine.end) {
          record(
            new SdfError(
              `Error: I/O port id: ${mine.id}, half-open range: [${hx(mine.start)}, ${hx(mine.end)}) in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)} overlaps with I/O port id: ${o.id}, half-open range: [${hx(o.start)}, ${hx(o.end)}) in protection domain: '${o.pd.name}' @ ${loc(ctx, o.pd.el)}`,
              pd.el.line,
              pd.el.column,
              'ioport-overlap',
            ),
          );
          break;
        }
      }
      ports.push(mine);
    }
  }
}

/** Maps of every PD, VM and IO address space; returns the regions by name (the first of each name). */
export function checkMaps(sys: SystemCheck, mrs: MemoryRegion[], ioSpaces: IoAddressSpace[]): Map<string, MemoryRegion> {
  const { ctx, record, attempt, pds } = sys;
  const config = ctx.config;
  const mrByName = new Map<string, MemoryRegion>();
  for (const mr of mrs) if (!mrByName.has(mr.name)) mrByName.set(mr.name, mr);
  const checkSpace = (maps: { mr: string; addr: bigint; el: XmlElement }[], space: string, maxEnd: bigint, element: 'map' | 'iomap') => {
    const addrName = element === 'map' ? 'vaddr' : 'iovaddr';
    const rangeName = element === 'map' ? 'virtual address range' : 'io address range';
    const done: { mr: string; start: bigint; end: bigint }[] = [];
    for (const m of maps) {
      const e = attempt(() => {
        const mr = mrByName.get(m.mr);
        const where = `@ ${loc(ctx, m.el)}`;
        const err = (msg: string, rule: string) => new SdfError(`Error: ${msg} ${where}`, m.el.line, m.el.column, rule);
        if (!mr) throw err(`invalid memory region name '${m.mr}' on '${element}'`, 'map-mr');
        if (m.addr % mr.pageSize !== 0n) throw err(`invalid ${addrName} alignment on '${element}'`, 'map-align');
        const start = m.addr;
        const end = start + mr.size;
        if (end > (1n << 64n) - 1n) throw err(`${element} for '${m.mr}' has address range that overflows`, 'map-overflow');
        if (end > maxEnd) throw err(`${element} for '${m.mr}' has ${rangeName} [${hx(start)}..${hx(end)}) which exceeds valid address space [0x0..${hx(maxEnd)})`, 'map-limit');
        for (const o of done) {
          if (!(start >= o.end || end <= o.start)) {
            throw err(`map for '${m.mr}' has ${rangeName} [${hx(start)}..${hx(end)}) which overlaps with map for '${o.mr}' [${hx(o.start)}..${hx(o.end)}) in ${space}`, 'map-overlap');
          }
        }
        return { mr: m.mr, start, end };
      });
      if (e) done.push(e);
    }
  };
  for (const pd of pds) {
    checkSpace(pd.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, el: m.el })), `protection domain '${pd.name}'`, pdMapMaxVaddr(config, pd.stackSize), 'map');
    if (pd.vm) checkSpace(pd.vm.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, el: m.el })), `virtual machine '${pd.vm.name}'`, vmMapMaxVaddr(config), 'map');
  }
  if (ioSpaces.some((s) => s.maps.some((m) => mrByName.get(m.mr)?.pageSize === 0x200000n))) {
    record(new SdfError('Error: currently seL4 does not have large page support for the IOMMU', undefined, undefined, 'iommu-large-page'));
  } else {
    for (const s of [...ioSpaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      checkSpace(s.maps.map((m) => ({ mr: m.mr, addr: m.iovaddr, el: m.el })), s.device, BigInt(SDF_LIMITS.iovaddr.max) + 1n, 'iomap');
    }
  }
  return mrByName;
}

/** Fixed physical ranges (within the board, no overlap), unused regions, and what setvars and prefill sizes name. */
export function checkPhysicalAndSetvars(sys: SystemCheck, mrs: MemoryRegion[], ioSpaces: IoAddressSpace[], mrByName: Map<string, MemoryRegion>): void {
  const { ctx, record, pds } = sys;
  const config = ctx.config;
  const fixed: MemoryRegion[] = [];
  for (const mr of mrs) {
    if (mr.physAddr === undefined) continue;
    const end = mr.physAddr + mr.size;
    if (config.arch === 'aarch64' && end > 1n << BigInt(config.paBits)) {
      // The tool finds this only when it lays out memory for the image (§6); say it now.
      record(new SdfError(`Error: memory region '${mr.name}' [${hx(mr.physAddr)}..${hx(end)}) lies beyond the ${config.paBits}-bit physical address space of this board @ ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'phys-bits'));
    }
    const clash = fixed.find((o) => mr.physAddr! < o.physAddr! + o.size && o.physAddr! < end);
    if (clash) {
      record(
        new SdfError(
          `Error: memory region '${mr.name}' physical address range [${hx(mr.physAddr)}..${hx(end)}) overlaps with another memory region '${clash.name}' [${hx(clash.physAddr!)}..${hx(clash.physAddr! + clash.size)}) @ ${loc(ctx, mr.el)}`,
          mr.el.line,
          mr.el.column,
          'phys-overlap',
        ),
      );
    }
    fixed.push(mr);
  }
  const mapped = new Set<string>();
  for (const pd of pds) {
    for (const m of pd.maps) mapped.add(m.mr);
    for (const m of pd.vm?.maps ?? []) mapped.add(m.mr);
  }
  for (const s of ioSpaces) for (const m of s.maps) mapped.add(m.mr);
  for (const mr of mrs) if (!mapped.has(mr.name)) ctx.warn(mr.el, `WARNING: unused memory region '${mr.name}'`, 'unused-mr');
  for (const pd of pds) {
    for (const m of pd.maps) {
      const mr = mrByName.get(m.mr);
      if (m.setvarPrefillSize && mr && mr.prefillPath === undefined) {
        record(new SdfError(`Error: 'setvar_prefill_size' used for MR without a \`prefill_path\` @ '${mr.name}' ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'prefill-size'));
      }
    }
    for (const sv of pd.setvars) {
      if (sv.kind !== 'paddr') continue;
      const mr = mrByName.get(sv.mr!);
      if (!mr) {
        record(new SdfError(`Error: unknown memory region '${sv.mr}' in setvar region_paddr of protection domain '${pd.name}': ${loc(ctx, pd.el)} (the Microkit tool crashes on this)`, pd.el.line, pd.el.column, 'setvar-mr', true));
      } else if (config.arch === 'x86_64' && mr.physAddr === undefined) {
        record(new SdfError(`Error: setvar with 'region_paddr' for MR without a specified paddr is unsupported on x86-64 @ '${mr.name}' ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'setvar-paddr'));
      }
    }
  }
}

/**
 * A VM's RAM where a Linux guest can use it (warnings: the Microkit tool accepts any address and perms). The guest's
 * RAM is the VM's map of a RAM-like region (no `phys_addr`, or one in the board's RAM) at the board's guest RAM base,
 * else its executable one, else its largest. It must be executable (the guest kernel runs from it) and, where the board
 * says, start at the guest RAM base: the guest's device tree puts its memory there (libvmm guests see the board's layout).
 */
export function checkGuestRam(sys: SystemCheck, mrByName: Map<string, MemoryRegion>): void {
  const { ctx, pds } = sys;
  const ram = ctx.config.guestRam;
  for (const pd of pds) {
    const vm = pd.vm;
    if (!vm) continue;
    const maps = vm.maps.flatMap((m) => {
      const mr = mrByName.get(m.mr);
      return mr && (mr.physAddr === undefined || (ram !== undefined && mr.physAddr >= ram.ramStart)) ? [{ ...m, region: mr, perms: attr(m.el, 'perms') ?? 'rw' }] : [];
    });
    if (!maps.length) continue;
    const guest =
      (ram && maps.find((m) => m.vaddr === ram.base)) ?? maps.find((m) => m.perms.includes('x')) ?? maps.reduce((a, b) => (b.region.size > a.region.size ? b : a));
    if (!guest.perms.includes('x')) {
      ctx.warn(
        guest.el,
        `virtual machine '${vm.name}' maps its RAM '${guest.mr}' with perms="${guest.perms}": a guest kernel runs from its RAM, so it needs perms="rwx" (the Microkit tool accepts the file; the guest faults on its first instruction)`,
        'vm-ram-exec',
        { label: `Map ${guest.mr} into ${vm.name} as rwx`, text: withAttrSet(ctx, guest.el, 'perms', 'rwx') },
      );
    }
    if (ram && guest.vaddr !== ram.base) {
      const end = ram.base + guest.region.size;
      const free = vm.maps.every((m) => m === guest || m.vaddr >= end || m.vaddr + (mrByName.get(m.mr)?.size ?? 0n) <= ram.base);
      const fixed = free && ram.base % guest.region.pageSize === 0n ? { label: `Map ${guest.mr} at the guest RAM base ${hx(ram.base)}`, text: withAttrSet(ctx, guest.el, 'vaddr', hx(ram.base)) } : undefined;
      ctx.warn(
        guest.el,
        `virtual machine '${vm.name}' has its RAM '${guest.mr}' at guest-physical ${hx(guest.vaddr)}, not at this board's guest RAM base ${hx(ram.base)}, where a Linux guest's device tree puts its memory (the Microkit tool accepts any address)`,
        'vm-ram-base',
        fixed,
      );
    }
  }
}
