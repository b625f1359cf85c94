/**
 * The `.system` vocabulary of Microkit 2.3 as data: every element, where it may appear, its attributes with a
 * one-line explanation, their allowed values and ranges, and what names they refer to (reference/microkit-sdf.md §2).
 * The checker takes its attribute lists and numeric limits from here; the inspectors take their field ranges; the
 * editor takes completion and hover text. Help text is written from the same numbers, so the three never disagree.
 */

/** An inclusive range of whole numbers; `align`: values must be multiples of it. */
export interface NumericRange {
  min: number;
  max: number;
  align?: number;
}

/** The largest value the editor holds exactly; attributes that are u64 in the tool are edited up to it. */
const EDITABLE_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The numeric limits the Microkit 2.3.0 tool enforces (reference/microkit-sdf.md §2, §3), plus the two the tool
 * leaves unchecked that seL4 Studio enforces for it (child ids, which end up in a 62-bit fault badge, and GIC INTIDs).
 */
export const SDF_LIMITS = {
  /** §2.2: 255 is the monitor's. */
  priority: { min: 0, max: 254 },
  /** §3: channel ids (`end@id`, `irq@id`) share one space per PD; PD_MAX_ID = 61. vCPU and ioport ids use the same range. */
  channelId: { min: 0, max: 61 },
  /** §3: not checked by the tool; the fault badge is `1<<62 | id`, so 0–61 is enforced here. */
  childId: { min: 0, max: 61 },
  /** §2.2: bytes, 4 KiB aligned. */
  stackSize: { min: 0x1000, max: 0x1000000, align: 0x1000 },
  /** §2.2: a u8 in the tool (values above make it panic); the board's core count narrows it further. */
  cpu: { min: 0, max: 255 },
  /** §2.10: slot 0 is the Microkit CNode's. */
  capSlot: { min: 1, max: 127 },
  /** §2.5: x86 vectors. */
  x86Vector: { min: 0, max: 107 },
  /** §2.13: io virtual addresses lie below 0x8000000000. */
  iovaddr: { min: 0, max: 0x7f_ffff_ffff },
  /** GIC INTIDs (SGIs, PPIs, SPIs); the tool does not range-check `irq@irq` (§2.5). */
  armIrq: { min: 0, max: 1019 },
  /** §2.2: µs, a u64; budget ≤ period. */
  budget: { min: 0, max: EDITABLE_MAX },
  period: { min: 0, max: EDITABLE_MAX },
} as const satisfies Record<string, NumericRange>;

/** §3: the number of PDs, children included (MAX_PDS). */
export const MAX_PDS = 63;
/** §2.2 defaults the checker assumes when an attribute is absent. */
export const SDF_DEFAULTS = { priority: 0, budget: 1000, stackSize: 0x2000, cpu: 0 } as const;

/** §2.2, §2.8: the budget may not exceed the period (the period defaults to the budget). */
export const budgetFitsPeriod = (budget: bigint, period: bigint) => budget <= period;

const hexOf = (n: number) => `0x${n.toString(16)}`;
const L = SDF_LIMITS;
const span = (r: NumericRange) => `${r.min}–${r.max}`;

export interface AttrSpec {
  doc: string;
  required?: boolean;
  /** Fixed values offered by completion. */
  values?: readonly string[];
  /** The attribute names another element: completion offers those names. */
  ref?: 'mr' | 'pd' | 'domain';
  /** Only on some forms of the element (e.g. child PDs, PD maps); the checker decides. */
  only?: string;
  since?: string;
  /** The numbers the attribute accepts; inspectors' fields and the checker read it from here. */
  range?: NumericRange;
}

export interface ElementSpec {
  doc: string;
  attrs: Record<string, AttrSpec>;
  children: readonly string[];
}

const BOOL = ['true', 'false'] as const;
const prio = `Scheduling priority ${span(L.priority)}; higher runs first (${L.priority.max + 1} is the monitor). Default ${SDF_DEFAULTS.priority}.`;
const budget = `CPU time in µs per period. Default ${SDF_DEFAULTS.budget}.`;
const period = 'Replenishment period in µs; at least the budget. Default = budget.';
const setvarId = 'A symbol in the program that Microkit sets to this id.';
const capSlot = `Destination slot, ${span(L.capSlot)}.`;

export const SDF_SCHEMA: Record<string, ElementSpec> = {
  system: {
    doc: 'The whole system: protection domains, memory regions, channels (and on x86, IO address spaces and domains).',
    attrs: {},
    children: ['protection_domain', 'memory_region', 'channel', 'io_address_space', 'domains'],
  },
  protection_domain: {
    doc: 'An isolated program with its own address space, capabilities, priority and budget. May nest child PDs.',
    attrs: {
      name: { doc: "Unique among all PDs, children included; 'monitor' is reserved.", required: true },
      priority: { doc: prio, range: L.priority },
      budget: { doc: budget, range: L.budget },
      period: { doc: period, range: L.period },
      passive: { doc: 'After init the PD gives up its scheduling context and runs on its callers’. Default false.', values: BOOL },
      stack_size: { doc: `Stack bytes, ${hexOf(L.stackSize.min)}–${hexOf(L.stackSize.max)}, a multiple of ${hexOf(L.stackSize.align)}. Default ${hexOf(SDF_DEFAULTS.stackSize)}.`, range: L.stackSize },
      smc: { doc: 'May make Secure Monitor Calls (ARM). Default false.', values: BOOL },
      cpu: { doc: `The core the PD runs on, below the board's core count. Default ${SDF_DEFAULTS.cpu}.`, range: L.cpu },
      fpu: { doc: 'The PD uses the FPU. Default true.', values: BOOL, since: '2.3.0' },
      domain: { doc: 'The scheduling domain; required on every PD when <domains> exists, forbidden otherwise.', ref: 'domain', since: '2.3.0' },
      id: { doc: `Child PDs only: the id the parent knows this child by (${span(L.childId)}).`, only: 'child', range: L.childId },
      setvar_id: { doc: 'Child PDs only: a symbol in the parent that receives the child’s id.', only: 'child' },
    },
    children: ['program_image', 'map', 'irq', 'ioport', 'setvar', 'protection_domain', 'virtual_machine', 'cspace'],
  },
  program_image: {
    doc: 'The ELF the PD runs, found through --search-path.',
    attrs: {
      path: { doc: 'ELF file name, looked up in each --search-path directory, then the current directory.', required: true },
      path_for_symbols: { doc: 'A separate ELF used only to find and patch symbols.', since: '2.2.0' },
    },
    children: [],
  },
  map: {
    doc: 'Maps a memory region into the PD’s (or VM’s) address space.',
    attrs: {
      mr: { doc: 'The memory region to map.', required: true, ref: 'mr' },
      vaddr: { doc: 'Where the region appears (for a VM: the guest-physical address); page aligned.', required: true },
      perms: { doc: 'r, w, x in any combination; write-only is refused. Default rw.', values: ['r', 'rw', 'rx', 'rwx', 'x'] },
      cached: { doc: 'Cacheable mapping; device registers want false. Default true.', values: BOOL },
      setvar_vaddr: { doc: 'A symbol in the program that receives vaddr.', only: 'pd-map' },
      setvar_size: { doc: 'A symbol in the program that receives the region’s size.', only: 'pd-map', since: '2.0.0' },
      setvar_prefill_size: { doc: 'A symbol in the program that receives the prefill file’s length.', only: 'pd-map', since: '2.2.0' },
    },
    children: [],
  },
  irq: {
    doc: 'An interrupt delivered to the PD as a notification on channel `id`.',
    attrs: {
      irq: { doc: 'ARM/RISC-V interrupt number: the GIC INTID: a device-tree SPI n is n + 32, a PPI n is n + 16 (the EL1 physical timer, PPI 14, is 30).', range: L.armIrq },
      id: { doc: `Channel id in this PD, ${span(L.channelId)}; shares the space with channel ends.`, required: true, range: L.channelId },
      trigger: { doc: 'level or edge. Default level.', values: ['level', 'edge'] },
      setvar_id: { doc: setvarId, since: '2.1.0' },
      pin: { doc: 'x86 I/O APIC pin.', since: '2.1.0' },
      vector: { doc: `x86 vector, ${span(L.x86Vector)}.`, since: '2.1.0', range: L.x86Vector },
      ioapic: { doc: 'x86 I/O APIC index. Default 0.', since: '2.1.0' },
      polarity: { doc: 'x86 I/O APIC polarity, low or high. Default high.', values: ['low', 'high'], since: '2.1.0' },
      pcidev: { doc: 'x86 MSI: the PCI device as BB:DD.F (hex).', since: '2.1.0' },
      handle: { doc: 'x86 MSI handle.', since: '2.1.0' },
    },
    children: [],
  },
  ioport: {
    doc: 'x86 I/O port range given to the PD.',
    attrs: {
      id: { doc: `I/O port id, ${span(L.channelId)} (its own namespace).`, required: true, range: L.channelId },
      addr: { doc: 'First port.', required: true },
      size: { doc: 'Number of ports, > 0.', required: true },
      setvar_id: { doc: setvarId },
      setvar_addr: { doc: 'A symbol that receives addr.' },
    },
    children: [],
  },
  setvar: {
    doc: 'Sets a symbol in the program to the physical address of a memory region.',
    attrs: {
      symbol: { doc: 'The symbol to patch.', required: true },
      region_paddr: { doc: 'The memory region whose physical address the symbol receives.', required: true, ref: 'mr' },
    },
    children: [],
  },
  virtual_machine: {
    doc: 'A guest run by this PD (its VMM); needs a hypervisor kernel. Maps here are guest-physical: the guest’s RAM at the board’s guest RAM base with perms rwx (its kernel runs from it), a device’s registers at their physical address.',
    attrs: {
      name: { doc: 'Unique among VMs.', required: true },
      priority: { doc: `AArch64: the vCPUs’ priority, ${span(L.priority)} (the tool wraps larger values). Default ${SDF_DEFAULTS.priority}.`, range: L.priority },
      budget: { doc: `AArch64: ${budget}`, range: L.budget },
      period: { doc: `AArch64: ${period}`, range: L.period },
    },
    children: ['vcpu', 'map'],
  },
  vcpu: {
    doc: 'One virtual CPU of the VM.',
    attrs: {
      id: { doc: `vCPU id, ${span(L.channelId)}, unique in the VM and distinct from the VMM’s child ids.`, required: true, range: L.channelId },
      cpu: { doc: 'The core it runs on. Default: the VMM’s cpu.', since: '2.1.0', range: L.cpu },
      setvar_id: { doc: 'Accepted but ignored by Microkit 2.3.0.', since: '2.1.0' },
    },
    children: [],
  },
  cspace: {
    doc: 'Extra capabilities placed in the PD’s CNode.',
    attrs: {},
    children: ['cap_tcb', 'cap_sc', 'cap_vspace'],
  },
  cap_tcb: { doc: 'A PD’s thread control block capability.', attrs: { slot: { doc: capSlot, required: true, range: L.capSlot }, pd: { doc: 'Whose TCB.', required: true, ref: 'pd' } }, children: [] },
  cap_sc: { doc: 'A PD’s scheduling context capability.', attrs: { slot: { doc: capSlot, required: true, range: L.capSlot }, pd: { doc: 'Whose SC.', required: true, ref: 'pd' } }, children: [] },
  cap_vspace: { doc: 'A PD’s address space capability.', attrs: { slot: { doc: capSlot, required: true, range: L.capSlot }, pd: { doc: 'Whose VSpace.', required: true, ref: 'pd' } }, children: [] },
  memory_region: {
    doc: 'Memory that can be mapped into PDs and VMs; with phys_addr, a fixed physical range such as device registers.',
    attrs: {
      name: { doc: 'Unique among memory regions.', required: true },
      size: { doc: 'Bytes, a multiple of the page size (required unless prefilled).' },
      page_size: { doc: '0x1000 or 0x200000. Default 0x1000 (raised to 2 MiB where safe).', values: ['0x1000', '0x200000'] },
      phys_addr: { doc: 'Fixed physical address, aligned to the page size.' },
      prefill_path: { doc: 'A file whose contents fill the region at boot.', since: '2.2.0' },
      prefill_bootinfo: { doc: 'Fill from boot information.', values: ['fdt', 'x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq'], since: '2.3.0' },
    },
    children: [],
  },
  channel: {
    doc: 'A notification (and optionally protected-procedure) link between two PDs.',
    attrs: {},
    children: ['end'],
  },
  end: {
    doc: 'One end of a channel.',
    attrs: {
      pd: { doc: 'The PD at this end (a child PD is allowed).', required: true, ref: 'pd' },
      id: { doc: `The channel id this PD sees, ${span(L.channelId)}, unique among its channels and IRQs.`, required: true, range: L.channelId },
      pp: { doc: 'This PD may make protected procedure calls to the other end, which needs a strictly higher priority. Default false.', values: BOOL, since: '2.0.0' },
      notify: { doc: 'This PD may notify the other end. Default true.', values: BOOL, since: '2.0.0' },
      setvar_id: { doc: setvarId, since: '2.1.0' },
    },
    children: [],
  },
  io_address_space: {
    doc: 'x86 IOMMU address space of one PCI device.',
    attrs: {
      name: { doc: 'Unique name.', required: true },
      peripheral_id: { doc: 'The PCI device as B:D.F (hex).', required: true },
      domain_id: { doc: 'IOMMU domain id, unique.', required: true },
    },
    children: ['iomap'],
  },
  iomap: {
    doc: 'Maps a memory region into the device’s IO address space.',
    attrs: {
      mr: { doc: 'The memory region.', required: true, ref: 'mr' },
      iovaddr: { doc: `IO virtual address, below ${hexOf(L.iovaddr.max + 1)}.`, required: true, range: L.iovaddr },
      perms: { doc: 'r, w or rw. Default rw.', values: ['r', 'w', 'rw'] },
    },
    children: [],
  },
  domains: { doc: 'The seL4 domain scheduler (uniprocessor only).', attrs: {}, children: ['domain', 'domain_schedule'] },
  domain: { doc: 'A scheduling domain.', attrs: { name: { doc: 'Unique name.', required: true }, id: { doc: 'Domain number, below KernelNumDomains (16).' } }, children: [] },
  domain_schedule: {
    doc: 'The order and durations of domains.',
    attrs: { index_shift: { doc: 'Shift applied to schedule indices.' }, start_index: { doc: 'The entry the schedule starts at.' } },
    children: ['domain_entry', 'domain_end_marker'],
  },
  domain_entry: { doc: 'Run a domain for a duration.', attrs: { domain: { doc: 'The domain.', required: true, ref: 'domain' }, duration: { doc: 'How long, in kernel ticks.', required: true } }, children: [] },
  domain_end_marker: { doc: 'The end of the schedule.', attrs: {}, children: [] },
};

/** The attribute names of an element; `forms` adds the ones reserved to a form (child PDs, PD maps). */
export function attrNames(element: string, ...forms: string[]): string[] {
  const spec = SDF_SCHEMA[element];
  if (!spec) return [];
  return Object.entries(spec.attrs)
    .filter(([, a]) => !a.only || forms.includes(a.only))
    .map(([n]) => n);
}

/** The numbers an attribute accepts (undefined: not a bounded number), for the inspectors' fields. */
export function attrRange(element: string, attr: string): NumericRange | undefined {
  return SDF_SCHEMA[element]?.attrs[attr]?.range;
}

/**
 * A number as an inspector field takes it (decimal or 0x-hex, `_` separators, empty = attribute absent), checked
 * against an attribute's range: the same numbers the checker enforces, so a value the field accepts never fails
 * the checker's range rule, and one it refuses always would.
 */
export function parseNumberIn(raw: string, range: NumericRange): { value?: number; error?: string } {
  const s = raw.trim().replace(/_/g, '');
  if (s === '') return { value: undefined };
  const n = s.startsWith('0x') ? parseInt(s.slice(2), 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n)) return { error: 'a decimal or 0x-prefixed number' };
  const show = (x: number) => (range.align ? hexOf(x) : String(x));
  if (n < range.min || n > range.max) return { error: `between ${show(range.min)} and ${show(range.max)}` };
  if (range.align && n % range.align !== 0) return { error: `a multiple of ${hexOf(range.align)}` };
  return { value: n };
}
