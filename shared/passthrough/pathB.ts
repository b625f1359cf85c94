import { allProtectionDomains, type SystemModel } from '../model/system';
import { spiToIntid } from '../model/board';
import { hex } from '../format/hex';
import type { PlanInput, PlanMessage, PlannedDevice, PlannedIrq } from './plan';
import { irqOwners, type VmTarget } from './target';

/**
 * The trusted-driver route for a NIC ("Path B", reference/field-notes.md §1; resources/templates/orin-agx-path-b):
 * an `eth_driver` PD owns every register window and the interrupt of the NIC and talks to the BPMP itself; sDDF's
 * `net_virt_rx` / `net_virt_tx` virtualisers and a `client0_net_copier` sit between it and the VMM, which shows the
 * guest a virtio-net device. The guest never touches the NIC, its DMA or the BPMP.
 */
export const PATH_B = {
  driver: 'eth_driver',
  virtRx: 'net_virt_rx',
  virtTx: 'net_virt_tx',
  copier: 'client0_net_copier',
  /** The published layout's priorities: the sDDF PDs 200, above the client VMM (100). */
  priority: 200,
  vmmPriority: 100,
  /** Where the VMM emulates virtio-net for the guest (the template's guest-physical address) and its window. */
  virtioGuestAddr: 0x160000n,
  virtioSize: 0x200n,
  mac: '02:c2:0a:00:01:01',
} as const;

/** The sDDF queues and data regions of one client (2 MiB each, as the template). */
export const PATH_B_QUEUES = [
  'net_rx_free_drv',
  'net_rx_active_drv',
  'net_tx_free_drv',
  'net_tx_active_drv',
  'net_rx_free_copy0',
  'net_rx_active_copy0',
  'net_rx_free_cli0',
  'net_rx_active_cli0',
  'net_tx_free_cli0',
  'net_tx_active_cli0',
  'net_rx_buffer_data_region',
  'net_rx_buffer_data_region_cli0',
  'net_tx_buffer_data_region_cli0',
] as const;

export interface PathBPlan {
  nic: PlannedDevice;
  /** The system already has the driver PD: nothing of Path B is added (the report says so). */
  existing: boolean;
  /** The NIC's windows as the driver maps them (all of them, the hypervisor window included). */
  windows: { name: string; physAddr: bigint; size: bigint; existing?: boolean }[];
  /** The driver's interrupts: the NIC's first, and the BPMP doorbell when the driver talks to the BPMP. */
  irqs: { intid: number; trigger: 'level' | 'edge'; id: number; what: string }[];
  /** BPMP IPC pages and the HSP TOP0 doorbell page the driver maps (T234, t234-devices.md §3). */
  bpmp?: { tx: bigint; rx: bigint; doorbell: bigint };
  /** The guest's virtio-net device, emulated by the VMM. */
  virtio: { guestAddr: bigint; size: bigint; intid: number; mac: string };
}

interface Ctx {
  input: PlanInput;
  target: VmTarget;
  devices: PlannedDevice[];
  irqs: PlannedIrq[];
  messages: PlanMessage[];
}

export function planPathB(nic: PlannedDevice, ctx: Ctx): PathBPlan {
  const { input, messages } = ctx;
  const sys = input.system;
  const existing = !!sys && allProtectionDomains(sys).some((p) => p.name === PATH_B.driver);
  const windows = nic.regs.map((r) => {
    const name = `${nic.name}_${(r.name ?? 'regs').replace(/[^A-Za-z0-9_]/g, '_')}`;
    const same = sys?.memoryRegions.find((m) => m.physAddr !== undefined && BigInt(m.physAddr) === r.address);
    return { name: same?.name ?? name, physAddr: r.address, size: r.size, ...(same ? { existing: true } : {}) };
  });
  const first = nic.irqs[0];
  const irqs: PathBPlan['irqs'] = first ? [{ intid: first.intid, trigger: first.trigger, id: 0, what: `${nic.name}${first.name ? ` ${first.name}` : ''}` }] : [];
  const shmem = input.board.devices.find((d) => d.name === 'bpmp_shmem');
  const hsp = input.board.devices.find((d) => d.name === 'hsp_top0');
  let bpmp: PathBPlan['bpmp'];
  if (shmem && hsp && nic.facts.clocks.length + nic.facts.resets.length > 0) {
    const tx = shmem.regs.find((r) => r.name === 'cpu_bpmp_tx');
    const rx = shmem.regs.find((r) => r.name === 'cpu_bpmp_rx');
    const db = hsp.irqs.find((i) => i.name === 'doorbell');
    if (tx && rx) {
      // The BPMP's doorbell page in HSP TOP0 (t234-devices.md §3: r35 BPMP reg 0x03c90000 + 0x1000).
      bpmp = { tx: BigInt(tx.address), rx: BigInt(rx.address), doorbell: BigInt(hsp.regs[0]!.address) + 0x90000n };
      if (db) irqs.push({ intid: spiToIntid(db.spi), trigger: db.trigger, id: 3, what: 'BPMP doorbell (HSP TOP0)' });
    }
  }
  if (!existing) {
    const owners = irqOwners(sys);
    for (const i of irqs) {
      const had = owners.get(i.intid);
      if (had) messages.push({ severity: 'error', device: nic.name, code: 'irq-taken', message: `INTID ${i.intid} (${i.what}) already goes to PD '${had.pd}': the eth_driver PD needs it` });
    }
  }
  // A virtual interrupt for virtio-net (the VMM injects it): the lowest SPI no planned IRQ and no board device uses.
  const used = new Set<number>([...ctx.irqs.map((i) => i.intid), ...irqs.map((i) => i.intid), ...input.board.devices.flatMap((d) => d.irqs.map((i) => spiToIntid(i.spi)))]);
  let intid = 32;
  while (used.has(intid)) intid++;
  const virtio = { guestAddr: PATH_B.virtioGuestAddr, size: PATH_B.virtioSize, intid, mac: PATH_B.mac };
  const guestEnd = ctx.target.ramBase + ctx.target.ramSize;
  if (virtio.guestAddr < guestEnd && virtio.guestAddr + virtio.size > ctx.target.ramBase) {
    messages.push({ severity: 'error', device: nic.name, code: 'guest-overlap', message: `the virtio-net window at guest ${hex(virtio.guestAddr)} overlaps guest RAM` });
  }
  if (existing) messages.push({ severity: 'info', device: nic.name, code: 'path-b-existing', message: `the system already has the Path B PDs (${PATH_B.driver}): nothing of Path B is added` });
  return { nic, existing, windows, irqs, ...(bpmp ? { bpmp } : {}), virtio };
}

/** Whether a system has the client side of Path B for a VMM (the copier and virt_tx channels). */
export function hasPathBClient(sys: SystemModel, vmm: string): boolean {
  const peers = sys.channels.filter((c) => c.ends.some((e) => e.pd === vmm)).flatMap((c) => c.ends.map((e) => e.pd));
  return peers.includes(PATH_B.copier) && peers.includes(PATH_B.virtTx);
}
