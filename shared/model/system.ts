/**
 * The system model the editor changes: a plain, immutable data tree (edits return new objects), so that undo records
 * are snapshots and derived data (XML, problems) is recomputed from it by pure functions.
 *
 * This covers protection domains, memory regions, maps, IRQs and channels. Elements it does not model yet are kept
 * verbatim (`extra`) and written back unchanged, so opening and saving never loses what a file holds.
 */
export type Perms = string; // a combination of r, w, x (reference/microkit-sdf.md §2.4)

export interface MemoryRegion {
  name: string;
  size: number;
  pageSize?: number;
  physAddr?: number;
}

export interface MapEntry {
  mr: string;
  vaddr: number;
  perms?: Perms;
  cached?: boolean;
  setvarVaddr?: string;
}

export interface IrqEntry {
  irq: number;
  id: number;
  trigger?: 'level' | 'edge';
}

export interface ProtectionDomain {
  name: string;
  priority?: number;
  budget?: number;
  period?: number;
  passive?: boolean;
  stackSize?: number;
  cpu?: number;
  programImage: string;
  maps: MapEntry[];
  irqs: IrqEntry[];
  /** Child elements not modelled yet, verbatim (e.g. `<virtual_machine>` until the full model lands). */
  extra: string[];
}

export interface ChannelEnd {
  pd: string;
  id: number;
  pp?: boolean;
  notify?: boolean;
}

export interface Channel {
  ends: [ChannelEnd, ChannelEnd];
}

export interface SystemModel {
  memoryRegions: MemoryRegion[];
  protectionDomains: ProtectionDomain[];
  channels: Channel[];
  /** Top-level elements not modelled yet, verbatim. */
  extra: string[];
}

export const emptySystem = (): SystemModel => ({ memoryRegions: [], protectionDomains: [], channels: [], extra: [] });

/** Node keys tie a model element to its layout position in studio.json. */
export const pdKey = (name: string) => `pd:${name}`;
export const mrKey = (name: string) => `mr:${name}`;

/** The first `${base}${n}` not in `taken` (n from 1). */
export function freshName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  for (let n = 1; ; n++) {
    const candidate = `${base}${n}`;
    if (!set.has(candidate)) return candidate;
  }
}
