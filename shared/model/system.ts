/**
 * The system model: the whole Microkit 2.3 surface (reference/microkit-sdf.md §2) as plain immutable data (edits
 * return new objects), so undo records are snapshots and derived data (XML, problems) is recomputed by pure
 * functions. An attribute absent from the file is absent here: defaults are the tool's, not written back.
 *
 * Comments immediately before an element travel with it (`comments`); elements outside mainline Microkit (fork
 * extensions) are kept verbatim in `extra` and written back unchanged, so opening and saving never loses anything.
 */
export type Perms = string; // a combination of r, w, x (§2.4)

interface Commented {
  comments?: string[];
}

export interface MemoryRegion extends Commented {
  name: string;
  /** Absent only when prefilled (§2.11). */
  size?: number;
  pageSize?: number;
  physAddr?: number;
  prefillPath?: string;
  prefillBootinfo?: string;
}

export interface MapEntry extends Commented {
  mr: string;
  vaddr: number;
  perms?: Perms;
  cached?: boolean;
  setvarVaddr?: string;
  setvarSize?: string;
  setvarPrefillSize?: string;
}

/** The three IRQ forms (§2.5): ARM/RISC-V by number, x86 I/O APIC by pin, x86 MSI by PCI device. */
export interface ArmIrq extends Commented {
  irq: number;
  id: number;
  trigger?: 'level' | 'edge';
  setvarId?: string;
}
export interface IoapicIrq extends Commented {
  pin: number;
  vector: number;
  id: number;
  ioapic?: number;
  trigger?: 'level' | 'edge';
  polarity?: 'low' | 'high';
  setvarId?: string;
}
export interface MsiIrq extends Commented {
  pcidev: string;
  handle: number;
  vector: number;
  id: number;
  setvarId?: string;
}
export type IrqEntry = ArmIrq | IoapicIrq | MsiIrq;
export const isArmIrq = (i: IrqEntry): i is ArmIrq => 'irq' in i;

export interface IoPort extends Commented {
  id: number;
  addr: number;
  size: number;
  setvarId?: string;
  setvarAddr?: string;
}

export interface SetVar extends Commented {
  symbol: string;
  regionPaddr: string;
}

export interface Vcpu extends Commented {
  id: number;
  cpu?: number;
  setvarId?: string;
}

export interface VirtualMachine extends Commented {
  name: string;
  priority?: number;
  budget?: number;
  period?: number;
  vcpus: Vcpu[];
  maps: MapEntry[];
}

export interface CapMap extends Commented {
  type: 'tcb' | 'sc' | 'vspace';
  slot: number;
  pd: string;
}

export interface ProtectionDomain extends Commented {
  name: string;
  priority?: number;
  budget?: number;
  period?: number;
  passive?: boolean;
  stackSize?: number;
  smc?: boolean;
  cpu?: number;
  fpu?: boolean;
  domain?: string;
  /** Child PDs only: the id the parent sees, and the parent's symbol that receives it. */
  id?: number;
  setvarId?: string;
  programImage: string;
  pathForSymbols?: string;
  maps: MapEntry[];
  irqs: IrqEntry[];
  ioports?: IoPort[];
  setvars?: SetVar[];
  children?: ProtectionDomain[];
  virtualMachine?: VirtualMachine;
  cspace?: CapMap[];
  /** Child elements outside mainline Microkit, verbatim. */
  extra: string[];
}

export interface ChannelEnd {
  pd: string;
  id: number;
  pp?: boolean;
  notify?: boolean;
  setvarId?: string;
}

export interface Channel extends Commented {
  ends: [ChannelEnd, ChannelEnd];
}

export interface IoMap extends Commented {
  mr: string;
  iovaddr: number;
  perms?: string;
}

export interface IoAddressSpace extends Commented {
  name: string;
  peripheralId: string;
  domainId?: number;
  maps: IoMap[];
}

export type ScheduleEntry = ({ domain: string; duration: string } | { endMarker: true }) & Commented;

export interface DomainSchedule extends Commented {
  domains: ({ name: string; id?: number } & Commented)[];
  startIndex?: number;
  indexShift?: number;
  schedule: ScheduleEntry[];
}

export interface SystemModel {
  domains?: DomainSchedule;
  memoryRegions: MemoryRegion[];
  ioAddressSpaces?: IoAddressSpace[];
  protectionDomains: ProtectionDomain[];
  channels: Channel[];
  /** Top-level elements outside mainline Microkit, verbatim. */
  extra: string[];
  /** Comments after the last element of <system>. */
  trailingComments?: string[];
}

export const emptySystem = (): SystemModel => ({ memoryRegions: [], protectionDomains: [], channels: [], extra: [] });

/** Node keys tie a model element to its layout position in studio.json. */
export const pdKey = (name: string) => `pd:${name}`;
export const mrKey = (name: string) => `mr:${name}`;

/** Every PD, children included, depth-first as the tool flattens them. */
export function allProtectionDomains(model: SystemModel): ProtectionDomain[] {
  const out: ProtectionDomain[] = [];
  const walk = (pd: ProtectionDomain) => {
    out.push(pd);
    for (const c of pd.children ?? []) walk(c);
  };
  model.protectionDomains.forEach(walk);
  return out;
}

/** Elements kept verbatim (fork or Microkit 1.x syntax): in the file, but not in the model the graph draws. */
export function keptVerbatim(model: SystemModel): number {
  return [...model.extra, ...allProtectionDomains(model).flatMap((pd) => pd.extra)].filter((x) => !x.startsWith('<!--')).length;
}

/** The first `${base}${n}` not in `taken` (n from 1). */
export function freshName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  for (let n = 1; ; n++) {
    const candidate = `${base}${n}`;
    if (!set.has(candidate)) return candidate;
  }
}
