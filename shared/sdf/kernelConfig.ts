/**
 * The kernel facts the Microkit tool reads from the SDK and that change what a `.system` may say
 * (reference/microkit-sdf.md §4, §9).
 */
export type Arch = 'aarch64' | 'riscv64' | 'x86_64';

export interface KernelConfig {
  arch: Arch;
  hypervisor: boolean;
  /** AArch64 physical-address bits (40 or 44); sets the EL2 user address-space top. */
  paBits: 40 | 44;
  /** AArch64 without hypervisor support runs seL4 at EL1 (qemu_virt_aarch64_el1). */
  numCores: number;
  iommu: boolean;
  /** undefined on non-ARM: "ARM SMC forwarding support is not available for this architecture". */
  armSmc?: boolean;
  numDomains: number;
  numDomainSchedules: number;
  /**
   * Not a kernel fact but the board's, for a warning the tool does not give: where a VM's RAM belongs (guest-physical
   * `base`) and where the board's RAM starts (regions with a `phys_addr` from there on are RAM). Absent: not checked.
   */
  guestRam?: { base: bigint; ramStart: bigint };
}

export const PAGE_SIZES = [0x1000n, 0x200000n] as const;

export function kernelConfig(partial: Partial<KernelConfig> & { arch: Arch }): KernelConfig {
  return {
    hypervisor: partial.arch !== 'riscv64',
    paBits: 40,
    numCores: 1,
    iommu: partial.arch === 'x86_64',
    armSmc: partial.arch === 'aarch64' ? true : undefined,
    numDomains: 16,
    numDomainSchedules: 100,
    ...partial,
  };
}

/** seL4_UserVSpaceTop: the last valid user virtual address (inclusive). */
export function userVSpaceTop(c: KernelConfig): bigint {
  switch (c.arch) {
    case 'aarch64':
      if (!c.hypervisor) return 0x7fff_ffff_ffffn;
      return c.paBits === 44 ? 0xfff_ffff_ffffn : 0xff_ffff_ffffn;
    case 'riscv64':
      return 0x3f_ffff_efffn;
    case 'x86_64':
      return 0x7fff_ffff_efffn;
  }
}

/** First invalid PD virtual address: below the IPC buffer, its guard page and the stack (§4). */
export function pdMapMaxVaddr(c: KernelConfig, stackSize: bigint): bigint {
  return (userVSpaceTop(c) & ~0xfffn) - 0x1000n - stackSize;
}

/** First invalid guest-physical address of a VM map. */
export function vmMapMaxVaddr(c: KernelConfig): bigint {
  return userVSpaceTop(c) + 1n;
}

export const archDisplay: Record<Arch, string> = { aarch64: 'AArch64', riscv64: 'RISC-V (64-bit)', x86_64: 'x86-64' };

/**
 * The configuration names used by the corpus labels ("aarch64 EL2 hyp, PA40, uniprocessor",
 * "x86_64_generic_vtx, smp-* (cores=16)", "riscv64 (Sv39), uniprocessor").
 */
export function kernelConfigFromLabel(label: string): KernelConfig {
  const cores = /cores=(\d+)/.exec(label);
  const numCores = cores ? Number(cores[1]) : 1;
  if (label.startsWith('x86_64')) return kernelConfig({ arch: 'x86_64', hypervisor: label.includes('vtx'), numCores });
  if (label.startsWith('riscv64')) return kernelConfig({ arch: 'riscv64', hypervisor: false, numCores });
  return kernelConfig({ arch: 'aarch64', hypervisor: !/EL1/.test(label), paBits: label.includes('PA44') ? 44 : 40, numCores });
}
