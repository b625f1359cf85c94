import { decodeInterrupts, decodeReg, phandleSpecifiers, strings, type Index } from '../dt/query';
import { getProp } from '../dt/tree';

/**
 * The BPMP channel a guest's BPMP node needs when its devices keep their clocks, resets and power domains: the T234
 * binding (nvidia,tegra186-bpmp.yaml; reference/t234-devices.md §3) requires `mboxes` (the HSP doorbell the CPU rings,
 * `<&hsp_top0 TEGRA_HSP_MBOX_TYPE_DB TEGRA_HSP_DB_MASTER_BPMP>`) and `shmem` (the TX and RX pages of SYSRAM,
 * `cpu_bpmp_tx`/`cpu_bpmp_rx`, `pool` children of an `mmio-sram` node). Read from the board's tree, so the guest's
 * node is written as the host's is; none of it is the hardware's in the guest: the VMM's BPMP proxy provides it.
 */
export interface BpmpChannel {
  /** The provider node (`/bpmp`), its label and compatible. */
  path: string;
  label: string;
  compatible: string[];
  mbox: {
    path: string;
    label: string;
    compatible: string[];
    address: bigint;
    size: bigint;
    /** The cells after the phandle in `mboxes` (type, index), and the provider's `#mbox-cells`. */
    args: number[];
    /** The HSP's doorbell interrupt (the BPMP's answers ring it). */
    doorbell?: { spi: number; intid: number; trigger: 'level' | 'edge' };
  };
  /** TX then RX, as `shmem` lists them: CPU-physical pages, with the node's label and `label` property. */
  shmem: { label: string; name: string; address: bigint; size: bigint; labelProp?: string }[];
}

const clean = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

export const isBpmp = (compatible: readonly string[]) => compatible.some((c) => /^nvidia,tegra\d+-bpmp$/.test(c));

/** The BPMP's channel from the tree, or why it cannot be had (the guest's node could not be complete). */
export function bpmpChannel(idx: Index | undefined, provider: string): BpmpChannel | { missing: string } {
  const loc = idx?.byPath.get(provider);
  if (!idx || !loc) return { missing: `the board pack does not describe the BPMP's channel (its mboxes and shmem): choose the board's device tree in step 1 for a complete BPMP node` };
  const node = loc.node;
  const mb = phandleSpecifiers(idx, node, 'mboxes', '#mbox-cells')[0];
  const hsp = mb && idx.byPath.get(mb.provider);
  if (!mb || !hsp) return { missing: `${provider} in the tree has no mboxes (the HSP doorbell it is rung through)` };
  const shm = getProp(node, 'shmem') ? phandleSpecifiers(idx, node, 'shmem', '#shmem-cells') : [];
  if (shm.length !== 2) return { missing: `${provider} in the tree has no shmem pair (TX and RX pages)${getProp(node, 'memory-region') ? ': its channel is in DRAM (memory-region), which the guest cannot be given' : ''}` };
  const shmem: BpmpChannel['shmem'] = [];
  for (const s of shm) {
    const n = idx.byPath.get(s.provider)!.node;
    const r = decodeReg(idx, n)[0];
    if (!r || !r.translated) return { missing: `${s.provider} (BPMP shmem) has no CPU address` };
    const labelProp = strings(n, 'label')[0];
    shmem.push({ label: clean(n.labels[0] ?? n.name.split('@')[0]!), name: n.name.split('@')[0]!, address: r.address, size: r.size, ...(labelProp ? { labelProp } : {}) });
  }
  const reg = decodeReg(idx, hsp.node)[0];
  if (!reg) return { missing: `${mb.provider} (the BPMP's mailbox) has no registers` };
  const db = decodeInterrupts(idx, hsp.node).find((i) => i.name === 'doorbell' && i.type === 'SPI');
  return {
    path: provider,
    label: clean(node.labels[0] ?? node.name.split('@')[0]!),
    compatible: strings(node, 'compatible'),
    mbox: {
      path: mb.provider,
      label: clean(hsp.node.labels[0] ?? hsp.node.name.split('@')[0]!),
      compatible: strings(hsp.node, 'compatible'),
      address: reg.address,
      size: reg.size,
      args: mb.args,
      ...(db ? { doorbell: { spi: db.number!, intid: db.intid!, trigger: db.trigger ?? 'level' } } : {}),
    },
    shmem,
  };
}
