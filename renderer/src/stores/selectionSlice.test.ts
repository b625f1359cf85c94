import { describe, expect, it } from 'vitest';
import { openedStore } from './testing/fixtures';

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
});
