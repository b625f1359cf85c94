import { describe, expect, it } from 'vitest';
import { openedStore } from './testing/fixtures';
import { addChannel, addMap } from '../../../shared/model/edits';
import { paletteEdit, PALETTE_ITEMS } from '../features/graph/paletteItems';
import qemu from '../../../boards/qemu_virt_aarch64/board.json';
import { BoardPackSchema } from '../../../shared/model/board';

const QEMU = BoardPackSchema.parse(qemu);

describe('selection slice', () => {
  it('select keeps the same array when nothing changed; selectAll takes every PD and region', async () => {
    const { store } = await openedStore();
    store.actions.select(['pd:sender']);
    const first = store.getState().selection;
    store.actions.select(['pd:sender']);
    expect(store.getState().selection).toBe(first);
    store.actions.selectAll();
    expect(store.getState().selection).toEqual(['pd:sender', 'pd:receiver', 'mr:shared']);
    store.dispose();
  });

  it('copy then paste adds the copies under fresh names and selects them', async () => {
    const { store } = await openedStore();
    store.actions.select(['pd:sender']);
    expect(store.actions.copy()).toBe(true);
    expect(store.getState().notice?.message).toBe('Copied sender (Ctrl+V pastes)');
    store.actions.paste();
    const names = store.getState().doc.system.protectionDomains.map((p) => p.name);
    expect(names).toHaveLength(3);
    const pasted = names[2]!;
    expect(pasted).not.toBe('sender');
    expect(store.getState().selection).toEqual([`pd:${pasted}`]);
    store.actions.duplicate();
    expect(store.getState().doc.system.protectionDomains).toHaveLength(4);
    expect(store.getState().history.past.at(-1)?.label).toBe('Duplicate');
    store.dispose();
  });

  it('a delete that takes more with it waits for confirmation; cancel keeps everything', async () => {
    const { store } = await openedStore();
    store.actions.requestDelete(['mr:shared']);
    const pending = store.getState().pendingDelete;
    expect(pending?.keys).toEqual(['mr:shared']);
    expect(pending?.also.length).toBeGreaterThan(0);
    expect(store.getState().doc.system.memoryRegions).toHaveLength(1);
    store.actions.cancelDelete();
    expect(store.getState().pendingDelete).toBeUndefined();
    store.actions.requestDelete(['mr:shared']);
    store.actions.confirmDelete();
    expect(store.getState().doc.system.memoryRegions).toHaveLength(0);
    expect(store.getState().doc.system.protectionDomains[1]!.maps).toEqual([]);
    expect(store.getState().selection).toEqual([]);
    store.dispose();
  });

  it('whatever the palette drops is selected (a region as much as an IRQ or a VM): one undo step', async () => {
    const { store } = await openedStore();
    const expected: Record<string, string> = { pd: 'pd:pd1', mr: 'mr:mr1', device: 'mr:pl011', child: 'pd:sender_child1', vm: 'vm:sender', irq: 'irq:sender:0' };
    for (const { kind } of PALETTE_ITEMS) {
      const s = store.getState();
      const r = paletteEdit(kind, { x: 10, y: 10 }, s.doc, QEMU, 'sender');
      if ('error' in r) throw new Error(r.error);
      const steps = s.history.past.length;
      store.actions.select([]);
      store.actions.addAndSelect(r.edit);
      expect(store.getState().selection, kind).toEqual([expected[kind]]);
      expect(store.getState().history.past.length, kind).toBe(steps + 1);
    }
    store.dispose();
  });

  it('a newly drawn map or channel is selected; undo takes it away in one step and drops the selection', async () => {
    const { store } = await openedStore();
    store.actions.select(['pd:sender']);
    const steps = store.getState().history.past.length;
    store.actions.addAndSelect(addMap('sender', 'shared'));
    expect(store.getState().selection).toEqual(['map:sender:0']);
    store.actions.addAndSelect(addChannel('receiver', 'sender'));
    expect(store.getState().selection).toEqual(['ch:1']);
    expect(store.getState().history.past.length).toBe(steps + 2);
    store.actions.undo();
    expect(store.getState().doc.system.channels).toHaveLength(1);
    expect(store.getState().selection).toEqual([]);
    store.actions.undo();
    expect(store.getState().doc.system.protectionDomains[0]!.maps).toEqual([]);
    // An edit that adds nothing (a map of a region that does not exist) leaves the selection alone.
    store.actions.select(['pd:receiver']);
    store.actions.addAndSelect(addMap('sender', 'no-such-region'));
    expect(store.getState().selection).toEqual(['pd:receiver']);
    store.dispose();
  });
});
