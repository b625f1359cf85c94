import type { BoardPack } from '../model/board';
import { allProtectionDomains, isArmIrq, type ProtectionDomain, type SystemModel } from '../model/system';
import { hex } from '../format/hex';
import { howToSet, type Audience } from './words';

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

/** A PD without a VM, and whether it can become the VMM of a new one (step 4 offers those first). */
export interface VmmCandidate {
  pd: string;
  fit: boolean;
  /** Why (a VMM by name, a client PD; or the sDDF role that rules it out). */
  reason: string;
}

/**
 * The rule, by the names sDDF and LionsOS give their PDs and by shape: a PD can take a VM when it has none (a PD runs
 * at most one) and is not the driver or a virtualiser of an sDDF subsystem — those serve other PDs, and a guest in one
 * would sit in that subsystem's data path. Drivers: `*_driver`/`*_drv`, or any PD that takes a hardware IRQ and maps a
 * device's registers (an MR with phys_addr); virtualisers: `*_virt*` (serial_virt_tx, net_virt_rx, blk_virt), `mux_*`;
 * copiers: `copy0`, `eth_copy1`, `client0_net_copier`. A name with `vmm` is a VMM waiting for its guest and comes first;
 * clients (`client0`, `micropython`) can host one too.
 */
export function vmmCandidates(system: SystemModel): VmmCandidate[] {
  const devices = new Set(system.memoryRegions.filter((m) => m.physAddr !== undefined).map((m) => m.name));
  const out: VmmCandidate[] = [];
  for (const p of allProtectionDomains(system)) {
    if (p.virtualMachine) continue;
    const n = p.name;
    const word = (w: string) => new RegExp(`(^|[_-])(${w})(\\d*)([_-]|$)`, 'i').test(n);
    if (/vmm/i.test(n)) out.push({ pd: n, fit: true, reason: 'named as a VMM' });
    else if (word('driver|drv')) out.push({ pd: n, fit: false, reason: 'an sDDF driver by its name: it serves its subsystem’s clients' });
    else if (word('virt|mux')) out.push({ pd: n, fit: false, reason: 'an sDDF virtualiser by its name: it sits between a driver and its clients' });
    else if (word('copy|copier')) out.push({ pd: n, fit: false, reason: 'an sDDF copier by its name: it moves a client’s buffers' });
    else if (p.irqs.length && p.maps.some((m) => devices.has(m.mr))) out.push({ pd: n, fit: false, reason: 'a driver by its shape: it takes a hardware IRQ and maps device registers' });
    else out.push({ pd: n, fit: true, reason: 'no VM yet, no driver or virtualiser role' });
  }
  // Stable: VMMs by name, then other fits, then the rest, each in system order.
  const rank = (c: VmmCandidate) => (c.fit ? (c.reason === 'named as a VMM' ? 0 : 1) : 2);
  return out.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
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

export function resolveVmTarget(board: BoardPack, spec: VmSpec = {}, system?: SystemModel, audience: Audience = 'cli'): { target: VmTarget; messages: TargetMessage[] } {
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
    messages.push({ severity: 'error', code: 'which-vm', message: `the system has ${withVm.length} VMs (${withVm.map((p) => `${p.virtualMachine!.name} in ${p.name}`).join(', ')}): say which one (${howToSet({ kind: 'which-vm' }, audience)})` });
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
