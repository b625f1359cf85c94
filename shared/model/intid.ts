/**
 * What a GIC interrupt number (INTID, what Microkit's `<irq irq>` and seL4 take on ARM) is: the GIC architecture's
 * ranges, the device-tree cells that name it, the device that raises it when a board pack or a device tree says, and
 * whether seL4 keeps it for itself. For the IRQ inspector, the passthrough planner and the .system checker.
 *
 * Ranges (Arm GIC architecture v2/v3): SGI 0-15 (software-generated, inter-processor), PPI 16-31 (per core: the
 * architected timers, the GIC maintenance and PMU interrupts), SPI 32-1019 (shared: devices), 1020-1023 special
 * (spurious / acknowledge values, never delivered), LPI from 8192 (message-based, GICv3 ITS; not taken by seL4's IRQ
 * control). A device tree writes `<0 n flags>` for SPI n (INTID n + 32) and `<1 n flags>` for PPI n (INTID n + 16).
 */
export type IntidKind = 'SGI' | 'PPI' | 'SPI' | 'special' | 'LPI' | 'invalid';

export interface IntidFacts {
  intid: number;
  kind: IntidKind;
  /** The number within its kind: SGI n, PPI n, SPI n. */
  number?: number;
  /** The device-tree `interrupts` cells (GIC binding) that name it: `<0 1 4>` for SPI 1. */
  dtCells?: string;
  /** `SPI 1 (INTID 33)`. */
  label: string;
  /** Who raises it, when a board pack or device tree says (device name or node path). */
  raisedBy?: { name: string; from: 'board pack' | 'device tree' | 'architecture' };
  /** seL4 keeps it for itself: a PD cannot be given it (the reason). */
  kernelOwned?: string;
}

/**
 * PPIs every ARMv8 board wires the same way (the architected timer and the GIC maintenance interrupt, SBSA and every
 * board DT in boards/): INTID -> what it is. seL4 takes some of them for itself (tools/hardware.yml: the kernel
 * timer is timer interrupt index 3 = the EL2 physical timer with hypervisor support, index 2 = the virtual timer
 * without; with hypervisor support it also reserves the virtual timer event and the vGIC maintenance interrupt).
 */
const ARCH_PPIS: Record<number, string> = {
  25: 'GIC virtual CPU interface maintenance interrupt (PPI 9)',
  26: 'EL2 physical timer (PPI 10)',
  27: 'virtual timer (PPI 11)',
  29: 'secure EL1 physical timer (PPI 13)',
  30: 'non-secure EL1 physical timer (PPI 14)',
};

/** The INTIDs seL4 keeps on AArch64, with or without hypervisor support (EL2 / EL1). */
export function kernelOwnedIntid(intid: number, hypervisor: boolean): string | undefined {
  if (hypervisor) {
    if (intid === 26) return 'seL4 runs its own tick on the EL2 physical timer (PPI 10) when built as a hypervisor';
    if (intid === 27) return 'seL4 keeps the virtual timer (PPI 11) to forward it to the vCPU that owns it';
    if (intid === 25) return 'seL4 keeps the GIC maintenance interrupt (PPI 9) for its virtual GIC';
    return undefined;
  }
  return intid === 27 ? 'seL4 runs its own tick on the virtual timer (PPI 11) when not built as a hypervisor' : undefined;
}

export function intidKind(intid: number): IntidKind {
  if (!Number.isInteger(intid) || intid < 0) return 'invalid';
  if (intid < 16) return 'SGI';
  if (intid < 32) return 'PPI';
  if (intid < 1020) return 'SPI';
  if (intid < 1024) return 'special';
  if (intid >= 8192) return 'LPI';
  return 'invalid';
}

export interface IntidContext {
  /** seL4 built as a hypervisor (EL2): decides which timer PPI the kernel keeps. Default true (AArch64 SDK boards). */
  hypervisor?: boolean;
  /** Who raises which INTID, from a board pack or a device tree (first match wins). */
  sources?: { intid: number; name: string; from: 'board pack' | 'device tree' }[];
}

/** Everything an inspector shows about one INTID. */
export function classifyIntid(intid: number, ctx: IntidContext = {}): IntidFacts {
  const kind = intidKind(intid);
  const facts: IntidFacts = { intid, kind, label: `INTID ${intid}` };
  if (kind === 'SGI') Object.assign(facts, { number: intid, label: `SGI ${intid} (INTID ${intid})` });
  if (kind === 'PPI') Object.assign(facts, { number: intid - 16, dtCells: `<1 ${intid - 16} flags>`, label: `PPI ${intid - 16} (INTID ${intid})` });
  if (kind === 'SPI') Object.assign(facts, { number: intid - 32, dtCells: `<0 ${intid - 32} flags>`, label: `SPI ${intid - 32} (INTID ${intid})` });
  if (kind === 'special') facts.label = `INTID ${intid} (special: spurious/acknowledge value, never delivered)`;
  if (kind === 'LPI') facts.label = `LPI ${intid} (message-based, GICv3 ITS)`;
  const src = ctx.sources?.find((s) => s.intid === intid);
  if (src) facts.raisedBy = { name: src.name, from: src.from };
  else if (kind === 'PPI' && ARCH_PPIS[intid]) facts.raisedBy = { name: ARCH_PPIS[intid]!, from: 'architecture' };
  const owned = kind === 'PPI' ? kernelOwnedIntid(intid, ctx.hypervisor ?? true) : undefined;
  if (owned) facts.kernelOwned = owned;
  return facts;
}
