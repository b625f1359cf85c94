import type { BoardPack } from './board';
import { hex } from '../format/hex';
import { allProtectionDomains, type MapEntry, type MemoryRegion, type SystemModel } from './system';
import { pdMapMaxVaddr, userVSpaceTop, vmMapMaxVaddr, type KernelConfig } from '../sdf/kernelConfig';

/**
 * The memory map of a system: the physical address space (fixed regions, the board's devices, RAM) and each PD's
 * and VM's virtual address space (maps, stack, IPC buffer), with overlaps, misalignment and limit overruns marked on
 * the blocks they concern (reference/microkit-sdf.md §2.4, §4, §5.8). Pure: the memory-map view draws it.
 */
export interface MemBlock {
  /** What selecting the block selects in the graph: `mr:NAME`, `map:PD:i`, `vmmap:PD:i`; empty for fixed parts. */
  key: string;
  label: string;
  start: number;
  size: number;
  kind: 'map' | 'device' | 'board-device' | 'ram' | 'stack' | 'guard' | 'ipc' | 'kernel';
  mr?: string;
  perms?: string;
  cached?: boolean;
  problems: string[];
}

export interface AddressSpace {
  id: string;
  title: string;
  kind: 'physical' | 'pd' | 'vm';
  /** The owning PD (for PD and VM spaces). */
  pd?: string;
  /** First address past what maps may use. */
  limit?: number;
  blocks: MemBlock[];
}

const PAGE = 0x1000;
const sizeOf = (mr: MemoryRegion | undefined) => mr?.size ?? mr?.pageSize ?? PAGE;

/** Mark every pair of overlapping blocks (not just the first, as the tool reports). Blocks sorted by start. */
function markOverlaps(blocks: MemBlock[]) {
  const sorted = [...blocks].sort((a, b) => a.start - b.start);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < a.start + a.size; j++) {
      const b = sorted[j]!;
      if (b.size === 0 || a.size === 0) continue;
      a.problems.push(`overlaps ${b.label} [${hex(b.start)}..${hex(b.start + b.size)})`);
      b.problems.push(`overlaps ${a.label} [${hex(a.start)}..${hex(a.start + a.size)})`);
    }
  }
  return sorted;
}

function mapBlocks(maps: readonly MapEntry[], regions: Map<string, MemoryRegion>, keyOf: (i: number) => string, limit: number): MemBlock[] {
  return maps.map((m, i) => {
    const mr = regions.get(m.mr);
    const size = sizeOf(mr);
    const page = mr?.pageSize ?? PAGE;
    const problems: string[] = [];
    if (!mr) problems.push(`no memory region '${m.mr}'`);
    if (m.vaddr % page !== 0) problems.push(`vaddr ${hex(m.vaddr)} is not aligned to the page size ${hex(page)}`);
    if (m.vaddr + size > limit) problems.push(`ends at ${hex(m.vaddr + size)}, past the limit ${hex(limit)}`);
    return { key: keyOf(i), label: m.mr, start: m.vaddr, size, kind: 'map' as const, mr: m.mr, perms: m.perms ?? 'rw', cached: m.cached ?? true, problems };
  });
}

/** `kernel`: where the last build's report put the kernel objects (shared/build/report.ts), shown in the physical space. */
export function memoryMap(system: SystemModel, config: KernelConfig, board?: BoardPack, kernel?: { start: number; end: number; objects: number }): AddressSpace[] {
  const regions = new Map(system.memoryRegions.map((r) => [r.name, r]));
  const spaces: AddressSpace[] = [];

  // Physical: regions fixed at phys_addr, the board's devices no region covers (for orientation), RAM's start.
  const phys: MemBlock[] = system.memoryRegions
    .filter((r) => r.physAddr !== undefined)
    .map((r) => {
      const page = r.pageSize ?? PAGE;
      const problems = r.physAddr! % page !== 0 ? [`phys_addr ${hex(r.physAddr!)} is not aligned to the page size ${hex(page)}`] : [];
      return { key: `mr:${r.name}`, label: r.name, start: r.physAddr!, size: sizeOf(r), kind: 'device' as const, mr: r.name, problems };
    });
  const fixed = markOverlaps(phys);
  for (const d of board?.devices ?? []) {
    for (const reg of d.regs) {
      const start = parseInt(reg.address, 16);
      const size = parseInt(reg.size, 16);
      if (fixed.some((b) => b.start < start + size && start < b.start + b.size)) continue;
      fixed.push({ key: '', label: `${d.title}${reg.name ? ` (${reg.name})` : ''}`, start, size, kind: 'board-device', problems: [] });
    }
  }
  if (board?.memory) fixed.push({ key: '', label: 'RAM starts', start: parseInt(board.memory.base, 16), size: 0, kind: 'ram', problems: [] });
  if (kernel) fixed.push({ key: '', label: `kernel objects (${kernel.objects}, last build)`, start: kernel.start, size: kernel.end - kernel.start, kind: 'kernel', problems: [] });
  spaces.push({ id: 'physical', title: 'Physical', kind: 'physical', blocks: fixed.sort((a, b) => a.start - b.start) });

  // Each PD: maps below the stack; the stack, a guard page and the IPC buffer at the top of the address space.
  const top = Number(userVSpaceTop(config) & ~0xfffn);
  for (const pd of allProtectionDomains(system)) {
    const stack = pd.stackSize ?? 0x2000;
    const limit = Number(pdMapMaxVaddr(config, BigInt(stack)));
    const blocks = markOverlaps(mapBlocks(pd.maps, regions, (i) => `map:${pd.name}:${i}`, limit));
    blocks.push(
      { key: '', label: 'stack', start: limit, size: stack, kind: 'stack', problems: [] },
      { key: '', label: 'guard page', start: top - PAGE, size: PAGE, kind: 'guard', problems: [] },
      { key: '', label: 'IPC buffer', start: top, size: PAGE, kind: 'ipc', problems: [] },
    );
    spaces.push({ id: `pd:${pd.name}`, title: pd.name, kind: 'pd', pd: pd.name, limit, blocks });
    if (pd.virtualMachine && config.hypervisor) {
      const vmLimit = Number(vmMapMaxVaddr(config));
      const vmBlocks = markOverlaps(mapBlocks(pd.virtualMachine.maps, regions, (i) => `vmmap:${pd.name}:${i}`, vmLimit));
      spaces.push({ id: `vm:${pd.name}`, title: `${pd.virtualMachine.name} (guest-physical)`, kind: 'vm', pd: pd.name, limit: vmLimit, blocks: vmBlocks });
    }
  }
  return spaces;
}

/** Every problem of the map as `space: block: problem`, for tests and a summary line. */
export function memoryProblems(spaces: AddressSpace[]): string[] {
  return spaces.flatMap((s) => s.blocks.flatMap((b) => b.problems.map((p) => `${s.title}: ${b.label}: ${p}`)));
}
