import { describe, expect, it } from 'vitest';
import { moveNodes, updateProtectionDomain } from '../../../shared/model/edits';
import { drawnPositions } from '../../../shared/model/layout';
import { fakeHash, openedStore, snapshot } from './testing/fixtures';

import serial from '../../../resources/templates/sddf-serial.system?raw';
import linux from '../../../resources/templates/libvmm-linux.system?raw';

const G = 'group:sddf:serial';

describe('graph view slice: groups and paths', () => {
  it('collapse and expand are undoable layout edits; the members move with the collapsed node', async () => {
    const { store } = await openedStore(snapshot({ systemXml: serial, systemHash: fakeHash(serial) }));
    const before = drawnPositions(store.getState().doc);
    store.actions.select(['pd:client']);
    store.actions.setGroupCollapsed(G, true);
    expect(store.getState().doc.layout.collapsed).toEqual([G]);
    expect(store.getState().history.past.at(-1)!.label).toBe('Collapse serial subsystem (sDDF)');
    // The selection inside it becomes the group.
    expect(store.getState().selection).toEqual([G]);
    const corner = store.getState().doc.layout.nodes[G]!;
    expect(corner).toEqual({ x: Math.min(...Object.values(before).map((p) => p.x)), y: Math.min(...Object.values(before).map((p) => p.y)) });
    // The collapsed node dragged 100 px right: expanding brings the members along.
    store.actions.edit(moveNodes({ [G]: { x: corner.x + 100, y: corner.y } }));
    store.actions.setGroupCollapsed(G, false);
    const after = drawnPositions(store.getState().doc);
    expect(store.getState().doc.layout.collapsed).toBeUndefined();
    expect(G in store.getState().doc.layout.nodes).toBe(false);
    for (const k of Object.keys(before)) expect(after[k]!.x).toBe(before[k]!.x + 100);
    store.actions.undo();
    store.actions.undo();
    expect(store.getState().doc.layout.collapsed).toEqual([G]);
    store.actions.undo();
    expect(store.getState().doc.layout.collapsed).toBeUndefined();
    store.dispose();
  });

  it('highlight path takes the two selected PDs; otherwise says what to select', async () => {
    const { store } = await openedStore(snapshot({ systemXml: serial, systemHash: fakeHash(serial) }));
    store.actions.select(['pd:client']);
    store.actions.highlightPath();
    expect(store.getState().graphView.path).toBeUndefined();
    expect(JSON.stringify(store.getState())).toContain('select two protection domains');
    store.actions.select(['pd:client', 'pd:serial_driver']);
    store.actions.highlightPath();
    expect(store.getState().graphView.path).toEqual(['pd:client', 'pd:serial_driver']);
    store.dispose();
  });

  it('showNode opens the collapsed group around a node (a problem or the memory map pointing into it) and selects it', async () => {
    const { store } = await openedStore(snapshot({ systemXml: serial, systemHash: fakeHash(serial) }));
    store.actions.setGroupCollapsed(G, true);
    expect(store.actions.showNode('pd:client')).toBe(true);
    expect(store.getState().doc.layout.collapsed).toBeUndefined();
    expect(store.getState().selection).toEqual(['pd:client']);
    // Nothing collapsed around it: only selected, no edit.
    const steps = store.getState().history.past.length;
    expect(store.actions.showNode('pd:serial_driver')).toBe(false);
    expect(store.getState().history.past.length).toBe(steps);
    expect(store.getState().selection).toEqual(['pd:serial_driver']);
    store.dispose();
  });

  it('renaming the VMM of a collapsed group keeps it collapsed under its new id (the VMM name is in the id)', async () => {
    const { store } = await openedStore(snapshot({ systemXml: linux, systemHash: fakeHash(linux) }));
    store.actions.setGroupCollapsed('group:vmm:VMM', true);
    const at = store.getState().doc.layout.nodes['group:vmm:VMM'];
    store.actions.edit(updateProtectionDomain('VMM', { name: 'guest_vmm' }));
    expect(store.getState().doc.text).toContain('name="guest_vmm"');
    expect(store.getState().doc.layout.collapsed).toEqual(['group:vmm:guest_vmm']);
    expect(store.getState().doc.layout.nodes['group:vmm:guest_vmm']).toEqual(at);
    store.actions.undo();
    expect(store.getState().doc.layout.collapsed).toEqual(['group:vmm:VMM']);
    store.dispose();
  });
});
