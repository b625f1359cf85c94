import type { NodePosition } from './project';
import { lowestFree, stripUndefined, updatePd, usedIds, type Edit, type EditorDoc } from './edits';
import { allProtectionDomains, freshName, isArmIrq, pdKey, type ArmIrq, type IrqEntry, type ProtectionDomain, type SetVar, type Vcpu, type VirtualMachine } from './system';

/**
 * Edits of what lives inside a PD: its virtual machine and vCPUs, IRQs, child PDs and setvars. Each is one undo
 * step; ids are allocated so they never clash (reference/microkit-sdf.md §3).
 */

const findPd = (doc: EditorDoc, name: string) => allProtectionDomains(doc.system).find((p) => p.name === name);
const onPd = (doc: EditorDoc, name: string, fn: (pd: ProtectionDomain) => ProtectionDomain): EditorDoc => ({
  ...doc,
  system: { ...doc.system, protectionDomains: updatePd(doc.system.protectionDomains, name, fn) },
});

/** Ids a PD's children and its VM's vCPUs share (a child id may not equal a vCPU id). */
function childAndVcpuIds(pd: ProtectionDomain): Set<number> {
  const ids = new Set<number>();
  for (const c of pd.children ?? []) if (c.id !== undefined) ids.add(c.id);
  for (const v of pd.virtualMachine?.vcpus ?? []) ids.add(v.id);
  return ids;
}

/** Give a PD a virtual machine (it becomes a VMM): one vCPU, no maps yet. */
export function addVirtualMachine(pdName: string, name?: string): Edit {
  return {
    label: `Add a virtual machine to ${pdName}`,
    apply(doc) {
      const pd = findPd(doc, pdName);
      if (!pd || pd.virtualMachine) return doc;
      const taken = allProtectionDomains(doc.system).flatMap((p) => (p.virtualMachine ? [p.virtualMachine.name] : []));
      const vm: VirtualMachine = { name: name ?? freshName('vm', taken), vcpus: [{ id: lowestFree(childAndVcpuIds(pd)) }], maps: [] };
      return onPd(doc, pdName, (p) => ({ ...p, virtualMachine: vm }));
    },
  };
}

/** Change the VM's attributes, or (patch null) remove the VM with its maps and vCPUs. */
export function updateVirtualMachine(pdName: string, patch: Partial<Omit<VirtualMachine, 'maps' | 'vcpus'>> | null): Edit {
  return {
    label: patch ? `Edit ${pdName}'s virtual machine` : `Remove ${pdName}'s virtual machine`,
    apply: (doc) =>
      onPd(doc, pdName, (pd) => {
        if (!pd.virtualMachine) return pd;
        if (!patch) {
          const { virtualMachine: _gone, ...rest } = pd;
          return rest;
        }
        return { ...pd, virtualMachine: stripUndefined({ ...pd.virtualMachine, ...patch }) };
      }),
  };
}

/** Add a vCPU with the lowest id free (among vCPUs and the VMM's child ids). */
export function addVcpu(pdName: string): Edit {
  return {
    label: `Add a vCPU to ${pdName}'s VM`,
    apply: (doc) =>
      onPd(doc, pdName, (pd) => (pd.virtualMachine ? { ...pd, virtualMachine: { ...pd.virtualMachine, vcpus: [...pd.virtualMachine.vcpus, { id: lowestFree(childAndVcpuIds(pd)) }] } } : pd)),
  };
}

export function updateVcpu(pdName: string, index: number, patch: Partial<Vcpu> | null): Edit {
  return {
    label: patch ? `Edit vCPU ${index} of ${pdName}'s VM` : `Remove vCPU ${index} of ${pdName}'s VM`,
    apply: (doc) =>
      onPd(doc, pdName, (pd) => {
        const vm = pd.virtualMachine;
        if (!vm || !vm.vcpus[index]) return pd;
        const vcpus = patch ? vm.vcpus.map((v, i) => (i === index ? stripUndefined({ ...v, ...patch }) : v)) : vm.vcpus.filter((_, i) => i !== index);
        return { ...pd, virtualMachine: { ...vm, vcpus } };
      }),
  };
}

/** Hardware IRQ numbers already claimed anywhere in the system (they must be globally unique). */
export function usedIrqNumbers(doc: EditorDoc): Set<number> {
  const out = new Set<number>();
  for (const pd of allProtectionDomains(doc.system)) for (const i of pd.irqs) if (isArmIrq(i)) out.add(i.irq);
  return out;
}

/**
 * Deliver an interrupt to a PD: the given GIC INTID (or the lowest unclaimed SPI INTID, ≥ 32), on the lowest channel
 * id free in the PD (never one of its channel ends).
 */
export function addIrq(pdName: string, irq?: number, trigger?: 'level' | 'edge'): Edit {
  return {
    label: `Add an IRQ to ${pdName}`,
    apply(doc) {
      const pd = findPd(doc, pdName);
      if (!pd) return doc;
      const used = usedIrqNumbers(doc);
      let number = irq ?? 32;
      if (irq === undefined) while (used.has(number)) number++;
      const entry: ArmIrq = { irq: number, id: lowestFree(usedIds(doc.system, pdName)), ...(trigger ? { trigger } : {}) };
      return onPd(doc, pdName, (p) => ({ ...p, irqs: [...p.irqs, entry] }));
    },
  };
}

export function updateIrq(pdName: string, index: number, patch: Partial<ArmIrq> | null): Edit {
  return {
    label: patch ? `Edit IRQ ${index} of ${pdName}` : `Remove IRQ ${index} from ${pdName}`,
    apply: (doc) =>
      onPd(doc, pdName, (pd) => {
        if (!pd.irqs[index]) return pd;
        const irqs: IrqEntry[] = patch ? pd.irqs.map((q, i) => (i === index ? (stripUndefined({ ...q, ...patch }) as IrqEntry) : q)) : pd.irqs.filter((_, i) => i !== index);
        return { ...pd, irqs };
      }),
  };
}

/** A child PD under `parent`, with the lowest id free among its siblings and the parent's vCPU ids. */
export function addChildPd(parent: string, at: NodePosition, name?: string): Edit {
  return {
    label: `Add a child PD to ${parent}`,
    apply(doc) {
      const p = findPd(doc, parent);
      if (!p) return doc;
      const childName = name ?? freshName(`${parent}_child`, allProtectionDomains(doc.system).map((x) => x.name));
      const prio = Math.max(0, (p.priority ?? 0) - 1);
      const child: ProtectionDomain = { name: childName, id: lowestFree(childAndVcpuIds(p)), priority: prio, programImage: `${childName}.elf`, maps: [], irqs: [], extra: [] };
      const next = onPd(doc, parent, (pd) => ({ ...pd, children: [...(pd.children ?? []), child] }));
      return { ...next, layout: { ...doc.layout, nodes: { ...doc.layout.nodes, [pdKey(childName)]: at } } };
    },
  };
}

/** Add (`index` undefined), change or (patch null) remove a setvar of a PD. */
export function editSetvar(pdName: string, index: number | undefined, patch: Partial<SetVar> | null): Edit {
  return {
    label: index === undefined ? `Add a setvar to ${pdName}` : patch ? `Edit a setvar of ${pdName}` : `Remove a setvar from ${pdName}`,
    apply(doc) {
      const mr = doc.system.memoryRegions[0];
      return onPd(doc, pdName, (pd) => {
        const list = pd.setvars ?? [];
        if (index === undefined) {
          const symbol = freshNameSymbol(list.map((s) => s.symbol));
          return { ...pd, setvars: [...list, { symbol, regionPaddr: patch?.regionPaddr ?? mr?.name ?? '' }] };
        }
        const next = patch ? list.map((s, i) => (i === index ? { ...s, ...patch } : s)) : list.filter((_, i) => i !== index);
        const { setvars: _old, ...rest } = pd;
        return next.length ? { ...pd, setvars: next } : rest;
      });
    },
  };
}

const freshNameSymbol = (taken: string[]) => freshName('region_paddr', taken);
