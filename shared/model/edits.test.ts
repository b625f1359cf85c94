import { describe, expect, it } from 'vitest';
import { addChannel, addMap, addMemoryRegion, addProtectionDomain, applyEdit, deleteNodes, emptyHistory, FIRST_MAP_VADDR, moveNodes, nextFreeVaddr, redo, removeChannel, undo, updateMemoryRegion, updateChannelEnd, updateMap, updateProtectionDomain, usedIds, type EditorDoc } from './edits';
import { emptySystem } from './system';
import { problemsByKey } from './graphKeys';
import { exportSystem } from '../sdf/export';
import { importSystem } from '../sdf/import';
import { checkSystem } from '../sdf/check';
import { kernelConfig } from '../sdf/kernelConfig';

const empty = (): EditorDoc => ({ system: emptySystem(), layout: { nodes: {} } });

describe('edits and history', () => {
  it('adds PDs with fresh names and positions, and undo/redo restore exact documents', () => {
    let doc = empty();
    let history = emptyHistory();
    ({ doc, history } = applyEdit(doc, history, addProtectionDomain({ x: 10, y: 20 })));
    ({ doc, history } = applyEdit(doc, history, addProtectionDomain({ x: 30, y: 40 })));
    expect(doc.system.protectionDomains.map((p) => p.name)).toEqual(['pd1', 'pd2']);
    expect(doc.layout.nodes['pd:pd2']).toEqual({ x: 30, y: 40 });
    const afterTwo = doc;
    ({ doc, history } = undo(doc, history));
    expect(doc.system.protectionDomains.map((p) => p.name)).toEqual(['pd1']);
    ({ doc, history } = redo(doc, history));
    expect(doc).toBe(afterTwo);
    expect(history.past.map((p) => p.label)).toEqual(['Add protection domain', 'Add protection domain']);
  });

  it('a new edit clears the redo stack', () => {
    let { doc, history } = applyEdit(empty(), emptyHistory(), addProtectionDomain({ x: 0, y: 0 }));
    ({ doc, history } = undo(doc, history));
    ({ doc, history } = applyEdit(doc, history, addMemoryRegion({ x: 0, y: 0 })));
    expect(history.future).toEqual([]);
  });

  it('renaming a PD carries its position and channel ends; renaming an MR carries maps', () => {
    let doc: EditorDoc = {
      system: {
        ...emptySystem(),
        memoryRegions: [{ name: 'buf', size: 0x1000 }],
        protectionDomains: [
          { name: 'a', programImage: 'a.elf', maps: [{ mr: 'buf', vaddr: 0x1000 }], irqs: [], extra: [] },
          { name: 'b', programImage: 'b.elf', maps: [], irqs: [], extra: [] },
        ],
        channels: [{ ends: [{ pd: 'a', id: 0 }, { pd: 'b', id: 0 }] }],
      },
      layout: { nodes: { 'pd:a': { x: 5, y: 6 }, 'mr:buf': { x: 1, y: 1 } } },
    };
    doc = updateProtectionDomain('a', { name: 'client', priority: 200 }).apply(doc);
    doc = updateMemoryRegion('buf', { name: 'shared' }).apply(doc);
    expect(doc.layout.nodes).toEqual({ 'pd:client': { x: 5, y: 6 }, 'mr:shared': { x: 1, y: 1 } });
    expect(doc.system.channels[0]!.ends[0].pd).toBe('client');
    expect(doc.system.protectionDomains[0]).toMatchObject({ name: 'client', priority: 200, maps: [{ mr: 'shared', vaddr: 0x1000 }] });
    const del = deleteNodes(['mr:shared', 'pd:b']).apply(doc);
    expect(del.system.protectionDomains[0]!.maps).toEqual([]);
    expect(del.system.channels).toEqual([]);
    expect(del.layout.nodes).toEqual({ 'pd:client': { x: 5, y: 6 } });
  });

  it('a move is one undo step', () => {
    let { doc, history } = applyEdit(empty(), emptyHistory(), addProtectionDomain({ x: 0, y: 0 }));
    ({ doc, history } = applyEdit(doc, history, moveNodes({ 'pd:pd1': { x: 100, y: 100 } })));
    expect(history.past).toHaveLength(2);
    ({ doc } = undo(doc, history));
    expect(doc.layout.nodes['pd:pd1']).toEqual({ x: 0, y: 0 });
  });
});

describe('connecting on the canvas', () => {
  const withPdsAndMrs = (): EditorDoc => {
    let doc = empty();
    for (const e of [addProtectionDomain({ x: 0, y: 0 }, 'drv'), addProtectionDomain({ x: 0, y: 100 }, 'cli'), addMemoryRegion({ x: 300, y: 0 }, 'queue'), addMemoryRegion({ x: 300, y: 100 }, 'big')]) doc = e.apply(doc);
    doc = updateMemoryRegion('big', { size: 0x400000, pageSize: 0x200000 }).apply(doc);
    return doc;
  };

  it('a map lands at the next free address, aligned to the region page size, and undo removes exactly it', () => {
    let doc = withPdsAndMrs();
    let history = emptyHistory();
    ({ doc, history } = applyEdit(doc, history, addMap('drv', 'queue')));
    ({ doc, history } = applyEdit(doc, history, addMap('drv', 'big')));
    ({ doc, history } = applyEdit(doc, history, addMap('drv', 'queue')));
    expect(doc.system.protectionDomains[0]!.maps.map((m) => [m.mr, m.vaddr, m.perms])).toEqual([
      ['queue', FIRST_MAP_VADDR, 'rw'],
      ['big', 0x4200000, 'rw'],
      ['queue', 0x4600000, 'rw'],
    ]);
    const before = doc;
    ({ doc, history } = undo(doc, history));
    expect(doc.system.protectionDomains[0]!.maps).toHaveLength(2);
    ({ doc } = redo(doc, history));
    expect(doc).toBe(before);
    expect(nextFreeVaddr([], [], { name: 'x', size: 0x1000 })).toBe(FIRST_MAP_VADDR);
  });

  it('channel ids are the lowest free in each PD and never clash with an IRQ id', () => {
    let doc = withPdsAndMrs();
    doc = { ...doc, system: { ...doc.system, protectionDomains: doc.system.protectionDomains.map((p) => (p.name === 'drv' ? { ...p, irqs: [{ irq: 33, id: 0 }] } : p)) } };
    doc = addChannel('drv', 'cli').apply(doc);
    doc = addChannel('drv', 'cli').apply(doc);
    expect(doc.system.channels.map((c) => c.ends.map((e) => `${e.pd}:${e.id}`))).toEqual([
      ['drv:1', 'cli:0'],
      ['drv:2', 'cli:1'],
    ]);
    expect(usedIds(doc.system, 'drv')).toEqual(new Set([0, 1, 2]));
    expect(addChannel('drv', 'drv').apply(doc)).toBe(doc);
  });

  it("a VM's maps go to the VM; deleting a region removes the VM's maps of it too; deleting a parent takes its children", () => {
    let doc = withPdsAndMrs();
    doc = {
      ...doc,
      system: {
        ...doc.system,
        protectionDomains: doc.system.protectionDomains.map((p) =>
          p.name === 'drv' ? { ...p, virtualMachine: { name: 'linux', vcpus: [{ id: 0 }], maps: [] }, children: [{ name: 'kid', id: 1, programImage: 'kid.elf', maps: [], irqs: [], extra: [] }] } : p,
        ),
      },
    };
    doc = addMap('drv', 'big', 'vm').apply(doc);
    expect(doc.system.protectionDomains[0]!.virtualMachine!.maps.map((m) => m.mr)).toEqual(['big']);
    doc = addChannel('kid', 'cli').apply(doc);
    const noBig = deleteNodes(['mr:big']).apply(doc);
    expect(noBig.system.protectionDomains[0]!.virtualMachine!.maps).toEqual([]);
    const noDrv = deleteNodes(['pd:drv']).apply(doc);
    expect(noDrv.system.protectionDomains.map((p) => p.name)).toEqual(['cli']);
    expect(noDrv.system.channels).toEqual([]);
  });
});

describe("a VM's maps where a Linux guest needs them", () => {
  const QEMU = { base: 0x4000_0000, ramStart: 0x4000_0000 };
  const vmDoc = (): EditorDoc => {
    let doc = empty();
    doc = addProtectionDomain({ x: 0, y: 0 }, 'vmm').apply(doc);
    doc = addMemoryRegion({ x: 0, y: 0 }, 'guest_ram', { size: 0x1000_0000, pageSize: 0x20_0000 }).apply(doc);
    doc = addMemoryRegion({ x: 0, y: 0 }, 'virtio_buf', { size: 0x1000 }).apply(doc);
    doc = addMemoryRegion({ x: 0, y: 0 }, 'uart', { size: 0x1000, physAddr: 0x900_0000 }).apply(doc);
    doc = addMemoryRegion({ x: 0, y: 0 }, 'ram_1to1', { size: 0x1000, physAddr: 0x6000_0000 }).apply(doc);
    return { ...doc, system: { ...doc.system, protectionDomains: doc.system.protectionDomains.map((p) => ({ ...p, virtualMachine: { name: 'linux', vcpus: [{ id: 0 }], maps: [] } })) } };
  };
  const vmMaps = (doc: EditorDoc) => doc.system.protectionDomains[0]!.virtualMachine!.maps;

  it("RAM goes at the board's guest RAM base, rwx (the next free address when that is taken); a device's registers where they are, uncached", () => {
    let doc = vmDoc();
    doc = addMap('vmm', 'guest_ram', 'vm', QEMU).apply(doc);
    doc = addMap('vmm', 'virtio_buf', 'vm', QEMU).apply(doc);
    doc = addMap('vmm', 'uart', 'vm', QEMU).apply(doc);
    doc = addMap('vmm', 'ram_1to1', 'vm', QEMU).apply(doc);
    expect(vmMaps(doc)).toEqual([
      { mr: 'guest_ram', vaddr: 0x4000_0000, perms: 'rwx' },
      { mr: 'virtio_buf', vaddr: 0x5000_0000, perms: 'rwx' },
      { mr: 'uart', vaddr: 0x900_0000, perms: 'rw', cached: false },
      { mr: 'ram_1to1', vaddr: 0x5000_1000, perms: 'rwx' },
    ]);
    // The whole system passes the Microkit rules.
    expect(checkSystem(exportSystem(doc.system), 'vm.system', kernelConfig({ arch: 'aarch64' })).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('without board facts RAM still gets rwx, at the first free address', () => {
    const doc = addMap('vmm', 'guest_ram', 'vm').apply(vmDoc());
    expect(vmMaps(doc)).toEqual([{ mr: 'guest_ram', vaddr: FIRST_MAP_VADDR, perms: 'rwx' }]);
  });
});

describe('editing a map', () => {
  it('patches one map (undefined clears an attribute), removes it with null, and undo restores it', () => {
    let doc = empty();
    for (const e of [addProtectionDomain({ x: 0, y: 0 }, 'a'), addMemoryRegion({ x: 0, y: 0 }, 'm'), addMap('a', 'm'), addMap('a', 'm')]) doc = e.apply(doc);
    let history = emptyHistory();
    ({ doc, history } = applyEdit(doc, history, updateMap('a', 1, 'pd', { vaddr: 0x6000000, cached: false, setvarVaddr: 'buf' })));
    expect(doc.system.protectionDomains[0]!.maps[1]).toEqual({ mr: 'm', vaddr: 0x6000000, perms: 'rw', cached: false, setvarVaddr: 'buf' });
    ({ doc, history } = applyEdit(doc, history, updateMap('a', 1, 'pd', { cached: undefined })));
    expect(doc.system.protectionDomains[0]!.maps[1]).not.toHaveProperty('cached');
    const two = doc;
    ({ doc, history } = applyEdit(doc, history, updateMap('a', 0, 'pd', null)));
    expect(doc.system.protectionDomains[0]!.maps.map((m) => m.vaddr)).toEqual([0x6000000]);
    ({ doc } = undo(doc, history));
    expect(doc).toBe(two);
  });
});

/** The rules the checker finds broken on channel 0 of the document's XML (what the canvas draws red). */
const channelRules = (doc: EditorDoc) => {
  const xml = exportSystem(doc.system);
  const { diagnostics } = checkSystem(xml, 't.system', kernelConfig({ arch: 'aarch64' }));
  return (problemsByKey(diagnostics, importSystem(xml).sources).get('ch:0') ?? []).map((d) => d.rule);
};

describe('editing a channel', () => {
  it('ends take id/pp/notify patches; the PPC rule is the checker\'s, found on the channel; remove and undo', () => {
    let doc = empty();
    for (const e of [addProtectionDomain({ x: 0, y: 0 }, 'client'), addProtectionDomain({ x: 0, y: 0 }, 'server'), addChannel('client', 'server')]) doc = e.apply(doc);
    doc = updateProtectionDomain('server', { priority: 150 }).apply(doc);
    doc = updateChannelEnd(0, 0, { pp: true, id: 5 }).apply(doc);
    expect(doc.system.channels[0]!.ends[0]).toEqual({ pd: 'client', id: 5, pp: true });
    expect(channelRules(doc)).toEqual([]);
    const wrongWay = updateChannelEnd(0, 0, { pp: undefined }).apply(updateChannelEnd(0, 1, { pp: true }).apply(doc));
    expect(channelRules(wrongWay)).toEqual(['pp-priority']);
    const both = updateChannelEnd(0, 1, { pp: true }).apply(doc);
    expect(channelRules(both)).toEqual(['pp-both']);
    let history = emptyHistory();
    ({ doc, history } = applyEdit(doc, history, removeChannel(0)));
    expect(doc.system.channels).toEqual([]);
    ({ doc } = undo(doc, history));
    expect(doc.system.channels).toHaveLength(1);
  });
});
