import { describe, expect, it } from 'vitest';
import { applyEdit, emptyHistory, undo, updateMemoryRegion, updateProtectionDomain, type Edit, type EditorDoc } from './edits';
import { addChildPd, addIrq, addVcpu, addVirtualMachine, editSetvar, updateIrq, updateVcpu, updateVirtualMachine } from './editsInsidePd';
import { emptySystem, type ArmIrq } from './system';
import { exportSystem } from '../sdf/export';
import { checkSystem } from '../sdf/check';
import { kernelConfig } from '../sdf/kernelConfig';

const base = (): EditorDoc => ({
  system: {
    ...emptySystem(),
    memoryRegions: [{ name: 'ram', size: 0x10000 }],
    protectionDomains: [
      { name: 'vmm', priority: 100, programImage: 'vmm.elf', maps: [], irqs: [{ irq: 33, id: 0 }], extra: [] },
      { name: 'other', priority: 50, programImage: 'o.elf', maps: [], irqs: [], extra: [] },
    ],
    channels: [{ ends: [{ pd: 'vmm', id: 1 }, { pd: 'other', id: 0 }] }],
  },
  layout: { nodes: {} },
});

/** Apply edits one by one, checking that each is one undo step back to exactly the document before it. */
function run(doc: EditorDoc, ...edits: Edit[]): EditorDoc {
  let history = emptyHistory();
  for (const e of edits) {
    const before = doc;
    ({ doc, history } = applyEdit(doc, history, e));
    expect(undo(doc, history).doc).toBe(before);
  }
  return doc;
}
const valid = (doc: EditorDoc) => checkSystem(exportSystem(doc.system), 't.system', kernelConfig({ arch: 'aarch64' })).diagnostics.filter((d) => d.severity === 'error');

describe('edits inside a PD', () => {
  it('a VM gets a vCPU whose id avoids the child ids; vCPUs and the VM edit and go away', () => {
    let doc = run(base(), addChildPd('vmm', { x: 0, y: 0 }), addVirtualMachine('vmm'), addVcpu('vmm'));
    const vmm = doc.system.protectionDomains[0]!;
    expect(vmm.children![0]!.id).toBe(0);
    expect(vmm.virtualMachine!.vcpus.map((v) => v.id)).toEqual([1, 2]);
    expect(vmm.virtualMachine!.name).toBe('vm1');
    doc = run(doc, updateVirtualMachine('vmm', { name: 'linux', priority: 99 }), updateVcpu('vmm', 1, { cpu: 0 }));
    expect(doc.system.protectionDomains[0]!.virtualMachine).toMatchObject({ name: 'linux', priority: 99, vcpus: [{ id: 1 }, { id: 2, cpu: 0 }] });
    doc = run(doc, updateVcpu('vmm', 0, null));
    expect(doc.system.protectionDomains[0]!.virtualMachine!.vcpus).toEqual([{ id: 2, cpu: 0 }]);
    expect(valid(doc)).toEqual([]);
    doc = run(doc, updateVirtualMachine('vmm', null));
    expect(doc.system.protectionDomains[0]!.virtualMachine).toBeUndefined();
  });

  it('an IRQ takes the lowest free channel id (never a channel end) and an unclaimed INTID', () => {
    const doc = run(base(), addIrq('vmm'), addIrq('vmm', 79, 'edge'), addIrq('other'));
    const irqs = doc.system.protectionDomains[0]!.irqs as ArmIrq[];
    expect(irqs.map((i) => [i.irq, i.id])).toEqual([[33, 0], [32, 2], [79, 3]]);
    expect(irqs[2]!.trigger).toBe('edge');
    expect((doc.system.protectionDomains[1]!.irqs[0] as ArmIrq).irq).toBe(34);
    expect(valid(doc)).toEqual([]);
    const edited = run(doc, updateIrq('vmm', 1, { irq: 40, trigger: 'level' }), updateIrq('vmm', 0, null));
    expect((edited.system.protectionDomains[0]!.irqs as ArmIrq[]).map((i) => i.irq)).toEqual([40, 79]);
  });

  it('child PDs: named after the parent, below its priority, placed, renamable with references following', () => {
    let doc = run(base(), addChildPd('vmm', { x: 5, y: 6 }));
    expect(doc.system.protectionDomains[0]!.children![0]).toMatchObject({ name: 'vmm_child1', id: 0, priority: 99 });
    expect(doc.layout.nodes['pd:vmm_child1']).toEqual({ x: 5, y: 6 });
    doc = run(doc, updateProtectionDomain('vmm_child1', { name: 'worker', priority: 10 }));
    expect(doc.system.protectionDomains[0]!.children![0]).toMatchObject({ name: 'worker', priority: 10 });
    expect(doc.layout.nodes['pd:worker']).toEqual({ x: 5, y: 6 });
    expect(valid(doc)).toEqual([]);
  });

  it('setvars are added, edited and removed, and follow a region rename', () => {
    let doc = run(base(), editSetvar('other', undefined, null), editSetvar('other', 0, { symbol: 'ram_paddr' }));
    expect(doc.system.protectionDomains[1]!.setvars).toEqual([{ symbol: 'ram_paddr', regionPaddr: 'ram' }]);
    doc = run(doc, updateMemoryRegion('ram', { name: 'dram' }));
    expect(doc.system.protectionDomains[1]!.setvars![0]!.regionPaddr).toBe('dram');
    doc = run(doc, editSetvar('other', 0, null));
    expect(doc.system.protectionDomains[1]!.setvars).toBeUndefined();
  });
});
