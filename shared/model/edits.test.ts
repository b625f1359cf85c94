import { describe, expect, it } from 'vitest';
import { addMemoryRegion, addProtectionDomain, applyEdit, deleteNodes, emptyHistory, moveNodes, redo, undo, updateMemoryRegion, updateProtectionDomain, type EditorDoc } from './edits';
import { emptySystem } from './system';

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
