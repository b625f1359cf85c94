import type { BoardPack } from '../model/board';
import { allProtectionDomains, isArmIrq, type ProtectionDomain, type SystemModel } from '../model/system';
import { hex } from '../format/hex';

/**
 * Which VMM and VM a passthrough goes to: the ones the system already has (a libvmm VMM PD and its VM), or new ones
 * the plan creates (VMM PD with priority and program image, VM with vCPUs, guest RAM region and its `rwx` map).
 */
export interface VmSpec {
  /** The VM; default: the system's only VM, else `linux`. */
  name?: string;
  /** The PD that owns it (the VMM); default: the PD of the chosen VM, else `vmm`. */
  vmm?: string;
  /** Guest-physical base and size of guest RAM; default: the existing VM's RAM, else the board pack's `memory.guestRam`. */
  ramBase?: bigint;
  ramSize?: bigint;
  /** Where guest RAM sits physically; equal to ramBase means 1:1 (IPA = PA), which bus-master devices need. */
  ramPhys?: bigint;
  vcpus?: number;
  /** A new VMM's priority (default 254, libvmm's examples) and program image (default `<vmm>.elf`). */
  vmmPriority?: number;
  programImage?: string;
}

export interface VmTarget {
  vmm: string;
  vm: string;
  /** The plan adds the VMM PD / the VM (false: they are in the system). */
  createVmm: boolean;
  createVm: boolean;
  ramBase: bigint;
  ramSize: bigint;
  ramPhys?: bigint;
  /** The guest RAM region's name (existing or to be created). */
  ramRegion: string;
  vcpus: number;
  vmmPriority: number;
  programImage: string;
  /** Channel ids the VMM already uses (IRQs and channel ends). */
  usedIds: Set<number>;
}

export interface TargetMessage {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

const DEFAULT_RAM_SIZE = 0x10000000n;

function vmPds(system: SystemModel | undefined): ProtectionDomain[] {
  return system ? allProtectionDomains(system).filter((p) => p.virtualMachine) : [];
}

/** The guest RAM of an existing VM: its executable map (else its largest), as guest-physical base, size, phys. */
function guestRamOf(pd: ProtectionDomain, system: SystemModel): { base: bigint; size: bigint; phys?: bigint; mr: string } | undefined {
  const maps = pd.virtualMachine!.maps
    .map((m) => ({ m, mr: system.memoryRegions.find((r) => r.name === m.mr) }))
    .filter((x) => x.mr?.size !== undefined);
  const pick = maps.find((x) => (x.m.perms ?? 'rw').includes('x')) ?? [...maps].sort((a, b) => b.mr!.size! - a.mr!.size!)[0];
  if (!pick) return undefined;
  return { base: BigInt(pick.m.vaddr), size: BigInt(pick.mr!.size!), mr: pick.mr!.name, ...(pick.mr!.physAddr !== undefined ? { phys: BigInt(pick.mr!.physAddr) } : {}) };
}

/** Channel ids a PD uses: its IRQs' and its channel ends'. */
export function channelIdsOf(system: SystemModel | undefined, pd: string): Set<number> {
  const out = new Set<number>();
  if (!system) return out;
  const p = allProtectionDomains(system).find((x) => x.name === pd);
  for (const i of p?.irqs ?? []) out.add(i.id);
  for (const ch of system.channels) for (const e of ch.ends) if (e.pd === pd) out.add(e.id);
  return out;
}

/** The hardware IRQ numbers (INTIDs) every PD already takes, with the PD. */
export function irqOwners(system: SystemModel | undefined): Map<number, { pd: string; id: number }> {
  const out = new Map<number, { pd: string; id: number }>();
  for (const p of system ? allProtectionDomains(system) : []) for (const i of p.irqs) if (isArmIrq(i)) out.set(i.irq, { pd: p.name, id: i.id });
  return out;
}

export function resolveVmTarget(board: BoardPack, spec: VmSpec = {}, system?: SystemModel): { target: VmTarget; messages: TargetMessage[] } {
  const messages: TargetMessage[] = [];
  const withVm = vmPds(system);
  const pds = system ? allProtectionDomains(system) : [];
  let owner: ProtectionDomain | undefined;
  if (spec.vmm) owner = pds.find((p) => p.name === spec.vmm);
  else if (spec.name) owner = withVm.find((p) => p.virtualMachine!.name === spec.name);
  else if (withVm.length === 1) owner = withVm[0];
  // A PD already called `vmm` without a VM is taken to be the VMM (a skeleton waiting for its guest).
  else if (!withVm.length) owner = pds.find((p) => p.name === 'vmm');
  else if (withVm.length > 1) {
    messages.push({ severity: 'error', code: 'which-vm', message: `the system has ${withVm.length} VMs (${withVm.map((p) => `${p.virtualMachine!.name} in ${p.name}`).join(', ')}): say which one (--vm NAME or --vmm PD)` });
  }
  if (owner?.virtualMachine && spec.name && owner.virtualMachine.name !== spec.name) {
    messages.push({ severity: 'error', code: 'which-vm', message: `${owner.name} already runs VM '${owner.virtualMachine.name}', not '${spec.name}' (a PD has at most one VM)` });
  }
  const vm = owner?.virtualMachine;
  const ram = owner?.virtualMachine && system ? guestRamOf(owner, system) : undefined;
  const boardRam = board.memory?.guestRam;
  const ramBase = ram?.base ?? spec.ramBase ?? (boardRam ? BigInt(boardRam.base) : board.memory ? BigInt(board.memory.base) : 0x40000000n);
  const ramSize = ram?.size ?? spec.ramSize ?? (boardRam ? BigInt(boardRam.size) : DEFAULT_RAM_SIZE);
  if (ram && ((spec.ramBase !== undefined && spec.ramBase !== ram.base) || (spec.ramSize !== undefined && spec.ramSize !== ram.size))) {
    messages.push({ severity: 'warning', code: 'ram', message: `VM '${vm!.name}' already has guest RAM '${ram.mr}' at ${hex(ram.base)} + ${hex(ram.size)}: that is used, not the RAM asked for` });
  }
  const vmmName = owner?.name ?? spec.vmm ?? 'vmm';
  const taken = new Set(system?.memoryRegions.map((m) => m.name) ?? []);
  let ramRegion = ram?.mr ?? 'guest_ram';
  for (let n = 1; !ram && taken.has(ramRegion); n++) ramRegion = `guest_ram${n}`;
  const target: VmTarget = {
    vmm: vmmName,
    vm: vm?.name ?? spec.name ?? 'linux',
    createVmm: !owner,
    createVm: !vm,
    ramBase,
    ramSize,
    ramRegion,
    vcpus: vm?.vcpus.length ?? spec.vcpus ?? 1,
    vmmPriority: owner?.priority ?? spec.vmmPriority ?? 254,
    programImage: owner?.programImage ?? spec.programImage ?? `${vmmName}.elf`,
    usedIds: channelIdsOf(system, vmmName),
  };
  const phys = ram ? ram.phys : spec.ramPhys;
  if (phys !== undefined) target.ramPhys = phys;
  if (!owner && pds.some((p) => p.name === vmmName)) messages.push({ severity: 'error', code: 'vmm-name', message: `a PD '${vmmName}' exists` });
  if (vm) messages.push({ severity: 'info', code: 'existing-vm', message: `into the existing VM '${vm.name}' of VMM PD '${vmmName}' (guest RAM '${ramRegion}' at ${hex(ramBase)} + ${hex(ramSize)}${target.ramPhys !== undefined ? `, physical ${hex(target.ramPhys)}` : ''})` });
  else if (owner) messages.push({ severity: 'info', code: 'existing-vmm', message: `PD '${vmmName}' gets a new VM '${target.vm}'` });
  else messages.push({ severity: 'info', code: 'new-vmm', message: `a new VMM PD '${vmmName}' (priority ${target.vmmPriority}, ${target.programImage}) with VM '${target.vm}' (${target.vcpus} vCPU${target.vcpus > 1 ? 's' : ''}, guest RAM ${hex(ramBase)} + ${hex(ramSize)})` });
  if (!board.hypervisor) messages.push({ severity: 'error', code: 'no-hypervisor', message: `${board.name}'s kernel is not built as a hypervisor: it runs no VMs (Microkit runs a <virtual_machine> only on a hypervisor kernel, seL4 at EL2)` });
  return { target, messages };
}
