import { hex } from '../format/hex';
import { isArmIrq, type IrqEntry, type ProtectionDomain, type SystemModel } from './system';

/**
 * The parts of a system a user can lose with a delete, each with an identity that does not depend on list positions
 * (so the same part is recognised before and after an edit that shifts indices), the graph key that names it in this
 * document when it has one, and a description in words. The delete preview is the difference of these lists before
 * and after the delete edit (clipboard.ts), so what the dialog says and what the edit does cannot drift apart.
 */
export interface DocumentPart {
  id: string;
  /** The graph key (shared/model/graphKeys.ts) of this part in this document, when the graph shows it. */
  key?: string;
  describe: string;
}

const irqWords = (q: IrqEntry) => (isArmIrq(q) ? `IRQ ${q.irq}` : 'pin' in q ? `I/O APIC pin ${q.pin}` : `MSI ${q.pcidev}`);

/** Every part, in document order: each PD (children after their parent) with what it holds, channels, regions. */
export function documentParts(system: SystemModel): DocumentPart[] {
  const out: DocumentPart[] = [];
  const visit = (pd: ProtectionDomain, isChild: boolean) => {
    const p = pd.name;
    out.push({ id: `pd:${p}`, key: `pd:${p}`, describe: `${isChild ? 'child PD' : 'PD'} ${p}` });
    const vm = pd.virtualMachine;
    if (vm) {
      out.push({ id: `vm:${p}:${vm.name}`, key: `vm:${p}`, describe: `virtual machine ${vm.name}` });
      vm.maps.forEach((m, i) => out.push({ id: `vmmap:${p}:${m.mr}:${m.vaddr}`, key: `vmmap:${p}:${i}`, describe: `map of ${m.mr} into ${vm.name} at ${hex(m.vaddr)}` }));
    }
    pd.irqs.forEach((q, i) => out.push({ id: `irq:${p}:${JSON.stringify(q)}`, key: `irq:${p}:${i}`, describe: `${irqWords(q)} (id ${q.id}) of ${p}` }));
    pd.maps.forEach((m, i) => out.push({ id: `map:${p}:${m.mr}:${m.vaddr}`, key: `map:${p}:${i}`, describe: `map of ${m.mr} into ${p} at ${hex(m.vaddr)}` }));
    pd.setvars?.forEach((s, i) => out.push({ id: `setvar:${p}:${s.symbol}:${s.regionPaddr}`, key: `setvar:${p}:${i}`, describe: `setvar ${s.symbol} of ${p}` }));
    pd.ioports?.forEach((io) => out.push({ id: `ioport:${p}:${io.id}:${io.addr}:${io.size}`, describe: `I/O port id ${io.id} of ${p}` }));
    pd.cspace?.forEach((c) => out.push({ id: `cap:${p}:${c.type}:${c.slot}:${c.pd}`, describe: `${c.type} cap of ${c.pd} in slot ${c.slot} of ${p}` }));
    for (const c of pd.children ?? []) visit(c, true);
  };
  for (const pd of system.protectionDomains) visit(pd, false);
  system.channels.forEach((c, i) => {
    const [a, b] = c.ends;
    out.push({ id: `ch:${a.pd}:${a.id}:${b.pd}:${b.id}`, key: `ch:${i}`, describe: `channel ${a.pd} (id ${a.id}) ↔ ${b.pd} (id ${b.id})` });
  });
  for (const m of system.memoryRegions) out.push({ id: `mr:${m.name}`, key: `mr:${m.name}`, describe: `region ${m.name}` });
  for (const s of system.ioAddressSpaces ?? []) {
    for (const m of s.maps) out.push({ id: `iomap:${s.name}:${m.mr}:${m.iovaddr}`, describe: `iomap of ${m.mr} into ${s.name} at ${hex(m.iovaddr)}` });
  }
  return out;
}

/** References that name a region or PD the system does not have (what an edit can leave behind without deleting). */
export function danglingReferences(system: SystemModel): DocumentPart[] {
  const regions = new Set(system.memoryRegions.map((m) => m.name));
  const pds = new Set<string>();
  const all: ProtectionDomain[] = [];
  const walk = (pd: ProtectionDomain) => {
    pds.add(pd.name);
    all.push(pd);
    pd.children?.forEach(walk);
  };
  system.protectionDomains.forEach(walk);
  const out: DocumentPart[] = [];
  for (const pd of all) {
    for (const s of pd.setvars ?? []) {
      if (!regions.has(s.regionPaddr)) out.push({ id: `setvar:${pd.name}:${s.symbol}:${s.regionPaddr}`, describe: `setvar ${s.symbol} of ${pd.name} (left naming a missing region)` });
    }
    for (const c of pd.cspace ?? []) {
      if (!pds.has(c.pd)) out.push({ id: `cap:${pd.name}:${c.type}:${c.slot}:${c.pd}`, describe: `${c.type} cap in slot ${c.slot} of ${pd.name} (left naming a missing PD)` });
    }
  }
  for (const s of system.ioAddressSpaces ?? []) {
    for (const m of s.maps) {
      if (!regions.has(m.mr)) out.push({ id: `iomap:${s.name}:${m.mr}:${m.iovaddr}`, describe: `iomap of ${m.mr} into ${s.name} (left naming a missing region)` });
    }
  }
  return out;
}

/**
 * What an edit takes away besides what was asked (`asked`: graph keys in `before`), in words: parts present before
 * and gone after, then references the edit leaves naming something gone. Parts are matched by identity, as many
 * times as they occur, so two identical maps count as two.
 */
export function lostParts(before: SystemModel, after: SystemModel, asked: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const p of documentParts(after)) left.set(p.id, (left.get(p.id) ?? 0) + 1);
  const askedKeys = new Set(asked);
  const out: string[] = [];
  for (const p of documentParts(before)) {
    const n = left.get(p.id) ?? 0;
    if (n > 0) left.set(p.id, n - 1);
    else if (!p.key || !askedKeys.has(p.key)) out.push(p.describe);
  }
  const brokenBefore = new Set(danglingReferences(before).map((r) => r.id));
  for (const r of danglingReferences(after)) if (!brokenBefore.has(r.id)) out.push(r.describe);
  return out;
}
