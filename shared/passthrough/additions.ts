import type { BoardPack } from '../model/board';
import type { Edit } from '../model/edits';
import { allProtectionDomains, emptySystem, type Channel, type MapEntry, type MemoryRegion, type ProtectionDomain, type SystemModel, type VirtualMachine } from '../model/system';
import { updatePd } from '../model/edits';
import { placeAdded } from '../model/layout';
import { hex } from '../format/hex';
import type { Plan, PlanInput } from './plan';
import { PATH_B, PATH_B_QUEUES, hasPathBClient, type PathBPlan } from './pathB';

/**
 * A plan as `.system` content: the elements it adds (a delta: new regions and PDs whole, existing PDs as shells with
 * only their new maps, IRQs and VM maps) and the union of a system with them. A new system comes out whole and valid
 * (VMM PD with priority and program image, VM with vCPUs, guest RAM region and its `rwx` map, device regions, maps and
 * IRQs); an existing one gets the minimal additions, which document.ts writes into the user's text losslessly.
 */
const MiB2 = 0x200000n;
const asNum = (n: bigint) => Number(n);

function ramRegion(plan: Plan): MemoryRegion {
  const v = plan.vm;
  const big = v.ramSize % MiB2 === 0n && v.ramBase % MiB2 === 0n && (v.ramPhys ?? 0n) % MiB2 === 0n;
  return {
    name: v.ramRegion,
    size: asNum(v.ramSize),
    ...(big ? { pageSize: asNum(MiB2) } : {}),
    ...(v.ramPhys !== undefined ? { physAddr: asNum(v.ramPhys) } : {}),
    comments: [` Guest RAM of VM '${v.vm}': guest-physical ${hex(v.ramBase)} + ${hex(v.ramSize)}${v.ramPhys === v.ramBase ? ' (1:1, for DMA)' : ''}. `],
  };
}

/** The first address at or above `from`, aligned, past every map of `maps` (sizes from `regions`). */
function freeVaddr(maps: readonly MapEntry[], regions: readonly MemoryRegion[], from: bigint, align: bigint): bigint {
  let end = from;
  for (const m of maps) {
    const size = BigInt(regions.find((r) => r.name === m.mr)?.size ?? 0x1000);
    if (BigInt(m.vaddr) + size > end) end = BigInt(m.vaddr) + size;
  }
  return ((end + align - 1n) / align) * align;
}

/** Everything the plan adds to `input.system` (or to an empty system), as a system of its own. */
export function planAdditions(plan: Plan, input: PlanInput): SystemModel {
  const base = input.system ?? emptySystem();
  const v = plan.vm;
  const delta: SystemModel = { memoryRegions: [], protectionDomains: [], channels: [], extra: [] };
  const existingPd = allProtectionDomains(base).find((p) => p.name === v.vmm);
  const allRegions = () => [...base.memoryRegions, ...delta.memoryRegions];
  const vmm: ProtectionDomain = existingPd
    ? { name: existingPd.name, programImage: existingPd.programImage, maps: [], irqs: [], extra: [] }
    : { name: v.vmm, priority: v.vmmPriority, programImage: v.programImage, maps: [], irqs: [], extra: [], comments: [` VMM of '${v.vm}' (libvmm): it loads the guest, emulates its GIC and injects the interrupts below. `] };
  const vm: VirtualMachine = existingPd?.virtualMachine
    ? { name: existingPd.virtualMachine.name, vcpus: existingPd.virtualMachine.vcpus.map((c) => ({ ...c })), maps: [] }
    : { name: v.vm, vcpus: vcpuIds(existingPd, v.vcpus).map((id) => ({ id })), maps: [] };

  if (v.createVm) {
    if (!base.memoryRegions.some((m) => m.name === v.ramRegion)) delta.memoryRegions.push(ramRegion(plan));
    vm.maps.push({ mr: v.ramRegion, vaddr: asNum(v.ramBase), perms: 'rwx' });
    // libvmm copies the kernel, DTB and initrd into guest RAM: the VMM maps it too (guest_ram_vaddr).
    const at = existingPd ? freeVaddr(existingPd.maps, allRegions(), v.ramBase, MiB2) : v.ramBase;
    vmm.maps.push({ mr: v.ramRegion, vaddr: asNum(at), perms: 'rw', setvarVaddr: 'guest_ram_vaddr' });
    gicV2Interface(input.board, base, delta, vm);
  }
  for (const r of plan.regions) {
    if (!r.existing) {
      delta.memoryRegions.push({ name: r.name, size: asNum(r.size), physAddr: asNum(r.physAddr), comments: [` ${r.devices.join(', ')}: device registers passed to VM '${v.vm}' `] });
    }
    if (!r.mapped) vm.maps.push({ mr: r.name, vaddr: asNum(r.guestAddr), perms: 'rw', cached: false });
  }
  for (const i of plan.irqs) {
    if (i.existing) continue;
    vmm.irqs.push({ irq: i.intid, id: i.id, ...(i.trigger === 'edge' ? { trigger: 'edge' as const } : {}), comments: [` ${i.device}${i.name ? ` ${i.name}` : ''}: SPI ${i.intid - 32} `] });
  }
  if (plan.pathB && !plan.pathB.existing) pathBAdditions(plan.pathB, plan, base, delta, vmm, allRegions);
  const vmHasNew = vm.maps.length > 0 || v.createVm;
  if (vmHasNew) vmm.virtualMachine = vm;
  if (!existingPd || vmm.maps.length || vmm.irqs.length || vmHasNew) delta.protectionDomains.unshift(vmm);
  return delta;
}

/** vCPU ids 0.. that do not clash with the VMM's child PD ids (reference/microkit-sdf.md §3). */
function vcpuIds(pd: ProtectionDomain | undefined, n: number): number[] {
  const taken = new Set((pd?.children ?? []).map((c) => c.id));
  const out: number[] = [];
  for (let id = 0; out.length < n; id++) if (!taken.has(id)) out.push(id);
  return out;
}

/** GICv2 (QEMU virt): the guest's GIC CPU interface is the hardware virtual CPU interface, mapped where GICC is. */
function gicV2Interface(board: BoardPack, base: SystemModel, delta: SystemModel, vm: VirtualMachine): void {
  const gic = board.gic;
  const vcpu = gic?.version === 2 ? gic.regs.find((r) => r.name === 'vcpu') : undefined;
  const cpu = gic?.regs.find((r) => r.name === 'cpu');
  if (!vcpu || !cpu) return;
  const have = base.memoryRegions.find((m) => m.physAddr === Number(BigInt(vcpu.address)));
  const name = have?.name ?? (base.memoryRegions.some((m) => m.name === 'gic_vcpu') ? 'gic_vcpu1' : 'gic_vcpu');
  if (!have) delta.memoryRegions.push({ name, size: 0x1000, physAddr: Number(BigInt(vcpu.address)), comments: [' The GIC virtual CPU interface: the guest sees it as its GIC CPU interface. '] });
  vm.maps.push({ mr: name, vaddr: Number(BigInt(cpu.address)), perms: 'rw', cached: false });
}

function pathBAdditions(pb: PathBPlan, plan: Plan, base: SystemModel, delta: SystemModel, vmm: ProtectionDomain, allRegions: () => MemoryRegion[]): void {
  const add = (mr: MemoryRegion) => {
    if (!allRegions().some((m) => m.name === mr.name)) delta.memoryRegions.push(mr);
  };
  const nic = pb.nic.name;
  for (const w of pb.windows) if (!w.existing) add({ name: w.name, size: asNum(w.size), physAddr: asNum(w.physAddr), comments: [` ${nic} registers, owned by the trusted ${PATH_B.driver} PD (Path B) `] });
  if (pb.bpmp) {
    add({ name: 'bpmp_tx', size: 0x1000, physAddr: asNum(pb.bpmp.tx), comments: [' BPMP IPC (clocks, resets, power of the NIC), mapped by the driver only '] });
    add({ name: 'bpmp_rx', size: 0x1000, physAddr: asNum(pb.bpmp.rx) });
    add({ name: 'hsp_dbell', size: 0x1000, physAddr: asNum(pb.bpmp.doorbell) });
  }
  add({ name: 'hw_ring_buffer', size: 0x10000 });
  PATH_B_QUEUES.forEach((q, i) => add({ name: q, size: 0x200000, pageSize: 0x200000, ...(i === 0 ? { comments: [' sDDF queues and frame buffers of Path B (driver <-> virtualisers <-> copier <-> client VMM) '] } : {}) }));
  const m = (mr: string, vaddr: number, setvar: string, perms = 'rw'): MapEntry => ({ mr, vaddr, perms, setvarVaddr: setvar });
  const dev = (mr: string, vaddr: number, setvar: string): MapEntry => ({ mr, vaddr, perms: 'rw', cached: false, setvarVaddr: setvar });
  const pd = (name: string, image: string, maps: MapEntry[], extra: Partial<ProtectionDomain> = {}): ProtectionDomain => ({ name, priority: PATH_B.priority, programImage: image, maps, irqs: [], extra: [], ...extra });
  const winMaps = pb.windows.map((w, i) => dev(w.name, 0x3000000 + i * 0x10000, `eth_${w.name.slice(nic.length + 1).replace(/^hypervisor$/, 'hyp')}_regs`));
  const driver = pd(PATH_B.driver, 'eth_driver.elf', [
    ...winMaps,
    ...(pb.bpmp ? [dev('bpmp_tx', 0x50000000, 'bpmp_tx'), dev('bpmp_rx', 0x50001000, 'bpmp_rx'), dev('hsp_dbell', 0x50002000, 'hsp_dbell')] : []),
    { mr: 'hw_ring_buffer', vaddr: 0x2000000, perms: 'rw', cached: false, setvarVaddr: 'hw_ring_buffer_vaddr' },
    m('net_rx_free_drv', 0x2200000, 'rx_free'),
    m('net_rx_active_drv', 0x2400000, 'rx_active'),
    m('net_tx_free_drv', 0x2600000, 'tx_free'),
    m('net_tx_active_drv', 0x2800000, 'tx_active'),
  ], { setvars: [{ symbol: 'hw_ring_buffer_paddr', regionPaddr: 'hw_ring_buffer' }], comments: [` Path B: the trusted driver of ${nic} (its windows, interrupt and BPMP channel); the guest sees virtio-net only. `] });
  driver.irqs = pb.irqs.map((i) => ({ irq: i.intid, id: i.id, ...(i.trigger === 'edge' ? { trigger: 'edge' as const } : {}), comments: [` ${i.what} `] }));
  const copier = pd(PATH_B.copier, 'network_copy.elf', [
    m('net_rx_free_copy0', 0x2000000, 'rx_free_virt'),
    m('net_rx_active_copy0', 0x2200000, 'rx_active_virt'),
    m('net_rx_free_cli0', 0x2400000, 'rx_free_cli'),
    m('net_rx_active_cli0', 0x2600000, 'rx_active_cli'),
    m('net_rx_buffer_data_region', 0x2800000, 'virt_buffer_data_region', 'r'),
    m('net_rx_buffer_data_region_cli0', 0x2a00000, 'cli_buffer_data_region'),
  ]);
  const virtRx = pd(PATH_B.virtRx, 'network_virt_rx.elf', [
    m('net_rx_free_drv', 0x2000000, 'rx_free_drv'),
    m('net_rx_active_drv', 0x2200000, 'rx_active_drv'),
    m('net_rx_free_copy0', 0x2400000, 'rx_free_cli0'),
    m('net_rx_active_copy0', 0x2600000, 'rx_active_cli0'),
    m('net_rx_buffer_data_region', 0x2800000, 'buffer_data_vaddr'),
  ], { setvars: [{ symbol: 'buffer_data_paddr', regionPaddr: 'net_rx_buffer_data_region' }] });
  const virtTx = pd(PATH_B.virtTx, 'network_virt_tx.elf', [
    m('net_tx_free_drv', 0x2000000, 'tx_free_drv'),
    m('net_tx_active_drv', 0x2200000, 'tx_active_drv'),
    m('net_tx_free_cli0', 0x2400000, 'tx_free_cli0'),
    m('net_tx_active_cli0', 0x2600000, 'tx_active_cli0'),
    m('net_tx_buffer_data_region_cli0', 0x2800000, 'buffer_data_region_cli0_vaddr', 'r'),
  ], { setvars: [{ symbol: 'buffer_data_region_cli0_paddr', regionPaddr: 'net_tx_buffer_data_region_cli0' }] });
  delta.protectionDomains.push(copier, virtRx, virtTx, driver);
  const ch = (a: string, ia: number, b: string, ib: number, comment?: string): Channel => ({ ends: [{ pd: a, id: ia }, { pd: b, id: ib }], ...(comment ? { comments: [comment] } : {}) });
  delta.channels.push(ch(PATH_B.driver, 1, PATH_B.virtRx, 0, ' Path B: eth_driver <-> virtualisers '), ch(PATH_B.driver, 2, PATH_B.virtTx, 0), ch(PATH_B.virtRx, 1, PATH_B.copier, 0, ' Path B: receive virt -> copier -> client VMM; transmit client VMM -> virt '));
  if (hasPathBClient(base, plan.vm.vmm)) return;
  // The client side: the VMM maps its queues (after everything it maps) and gets two channel ids.
  const existing = allProtectionDomains(base).find((p) => p.name === plan.vm.vmm);
  let at = freeVaddr([...(existing?.maps ?? []), ...vmm.maps], allRegions(), 0x80000000n, MiB2);
  const cli = (mr: string, setvar: string) => {
    const e = m(mr, asNum(at), setvar);
    at += MiB2;
    return e;
  };
  vmm.maps.push(cli('net_rx_free_cli0', 'rx_free'), cli('net_rx_active_cli0', 'rx_active'), cli('net_tx_free_cli0', 'tx_free'), cli('net_tx_active_cli0', 'tx_active'), cli('net_rx_buffer_data_region_cli0', 'rx_buffer_data_region'), cli('net_tx_buffer_data_region_cli0', 'tx_buffer_data_region'));
  // A copy: planning the additions again (a preview, then Apply) must give the same ids.
  const used = new Set(plan.vm.usedIds);
  const free = () => {
    let id = 1;
    while (used.has(id)) id++;
    used.add(id);
    return id;
  };
  delta.channels.push(ch(PATH_B.copier, 1, plan.vm.vmm, free()), ch(PATH_B.virtTx, 1, plan.vm.vmm, free()));
}

/** `base` with `delta` merged in by name: new elements appended, existing PDs and VMs given the new maps and IRQs. */
export function applyAdditions(base: SystemModel, delta: SystemModel): SystemModel {
  const memoryRegions = [...base.memoryRegions, ...delta.memoryRegions.filter((m) => !base.memoryRegions.some((b) => b.name === m.name))];
  let protectionDomains = base.protectionDomains;
  const names = new Set(allProtectionDomains(base).map((p) => p.name));
  for (const d of delta.protectionDomains) {
    if (!names.has(d.name)) {
      protectionDomains = [...protectionDomains, d];
      continue;
    }
    protectionDomains = updatePd(protectionDomains, d.name, (p) => mergePd(p, d));
  }
  const sameChannel = (a: Channel, b: Channel) => a.ends.every((e, i) => e.pd === b.ends[i]!.pd && e.id === b.ends[i]!.id);
  const channels = [...base.channels, ...delta.channels.filter((c) => !base.channels.some((b) => sameChannel(b, c)))];
  return { ...base, memoryRegions, protectionDomains, channels };
}

function mergePd(p: ProtectionDomain, d: ProtectionDomain): ProtectionDomain {
  const sameMap = (a: MapEntry, b: MapEntry) => a.mr === b.mr && a.vaddr === b.vaddr;
  const maps = [...p.maps, ...d.maps.filter((m) => !p.maps.some((x) => sameMap(x, m)))];
  const irqs = [...p.irqs, ...d.irqs.filter((i) => !p.irqs.some((x) => 'irq' in x && 'irq' in i && x.irq === i.irq))];
  const out: ProtectionDomain = { ...p, maps, irqs };
  if (d.virtualMachine) {
    const vm = p.virtualMachine;
    out.virtualMachine = vm
      ? { ...vm, vcpus: [...vm.vcpus, ...d.virtualMachine.vcpus.filter((c) => !vm.vcpus.some((x) => x.id === c.id))], maps: [...vm.maps, ...d.virtualMachine.maps.filter((m) => !vm.maps.some((x) => sameMap(x, m)))] }
      : d.virtualMachine;
  }
  return out;
}

/** The system after the passthrough: `input.system` (or an empty one) with the plan's additions. */
export function passthroughSystem(plan: Plan, input: PlanInput): SystemModel {
  return applyAdditions(input.system ?? emptySystem(), planAdditions(plan, input));
}

/** The passthrough as one undoable edit of the open document (the wizard's Apply). */
export function passthroughEdit(plan: Plan, input: Omit<PlanInput, 'system'>): Edit {
  return {
    label: `Pass ${plan.devices.map((d) => d.name).join(', ')} through to ${plan.vm.vm}`,
    apply(doc) {
      const system = applyAdditions(doc.system, planAdditions(plan, { ...input, system: doc.system }));
      // The new VMM, regions and PDs are drawn below what is there, not on it.
      return placeAdded(doc, { ...doc, system });
    },
  };
}
