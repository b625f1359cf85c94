import { describe, expect, it } from 'vitest';
import { addProtectionDomain } from '../../../shared/model/edits';
import { exportSystem } from '../../../shared/sdf/export';
import { createStudioStore } from './studioStore';
import { createFakeClient, settle } from './testing/fakeClient';
import { openedStore, snapshot, TWO_PD_SYSTEM } from './testing/fixtures';

const pdNames = (store: { getState(): { doc: { system: { protectionDomains: { name: string }[] } } } }) =>
  store.getState().doc.system.protectionDomains.map((p) => p.name);

describe('document slice', () => {
  it('edit, undo and redo step through the history; undo drops a selection of what is gone', async () => {
    const { store } = await openedStore();
    store.actions.edit(addProtectionDomain({ x: 0, y: 0 }, 'extra'));
    expect(pdNames(store)).toEqual(['sender', 'receiver', 'extra']);
    expect(store.getState().history.past.map((h) => h.label)).toEqual(['Add protection domain']);
    store.actions.select(['pd:extra', 'pd:sender']);
    store.actions.undo();
    expect(pdNames(store)).toEqual(['sender', 'receiver']);
    expect(store.getState().selection).toEqual(['pd:sender']);
    store.actions.redo();
    expect(pdNames(store)).toEqual(['sender', 'receiver', 'extra']);
    expect(store.getState().history.future).toEqual([]);
    store.dispose();
  });

  it('no project: an edit does nothing', () => {
    const store = createStudioStore(createFakeClient());
    const doc = store.getState().doc;
    store.actions.edit(addProtectionDomain({ x: 0, y: 0 }, 'extra'));
    expect(store.getState().doc).toBe(doc);
    store.dispose();
  });

  it('XML typed in the pane is shown at once and imported after the pause as one undoable edit', async () => {
    const { store } = await openedStore();
    const text = TWO_PD_SYSTEM.replace('priority="100"', 'priority="120"');
    store.actions.editXml(text, 20);
    expect(store.getState().xmlText).toBe(text);
    expect(store.getState().doc.system.protectionDomains[0]!.priority).toBe(100);
    await new Promise((r) => setTimeout(r, 40));
    expect(store.getState().doc.system.protectionDomains[0]!.priority).toBe(120);
    expect(store.getState().history.past.map((h) => h.label)).toEqual(['Edit XML']);
    store.actions.undo();
    expect(store.getState().doc.system.protectionDomains[0]!.priority).toBe(100);
    expect(store.getState().xmlText).toBeUndefined();
    store.dispose();
  });

  it('a draft that does not parse keeps the last good model; revert gives the pane back to the model', async () => {
    const { store } = await openedStore();
    const doc = store.getState().doc;
    store.actions.editXml('<system><protection_domain', 10_000);
    store.actions.flushXml();
    expect(store.getState().doc).toBe(doc);
    store.actions.revertXml();
    expect(store.getState().xmlText).toBeUndefined();
    store.dispose();
  });

  it('a quick fix is an undoable edit and replaces the load problems', async () => {
    const { store } = await openedStore();
    const fixed = exportSystem({ ...store.getState().doc.system, protectionDomains: store.getState().doc.system.protectionDomains.map((p) => ({ ...p, priority: 7 })) });
    store.actions.applyFix({ label: 'lower priorities', text: fixed });
    expect(store.getState().doc.system.protectionDomains.map((p) => p.priority)).toEqual([7, 7]);
    expect(store.getState().history.past.map((h) => h.label)).toEqual(['Quick fix: lower priorities']);
    store.actions.applyFix({ label: 'broken', text: '<system' });
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'quick fix "broken" produced a file that does not parse' });
    store.dispose();
  });

  it('restoring an autosave is an edit; one caught mid-typing goes back to the XML pane', async () => {
    const studio = snapshot().studio;
    const recovered = TWO_PD_SYSTEM.replace('name="sender"', 'name="talker"').replace('pd="sender"', 'pd="talker"');
    const { store, fake } = await openedStore(snapshot({ recovery: { savedAt: 'then', studio, systemXml: recovered } }));
    expect(store.getState().recovery?.savedAt).toBe('then');
    store.actions.restoreRecovery();
    expect(pdNames(store)).toEqual(['talker', 'receiver']);
    expect(store.getState().recovery).toBeUndefined();
    expect(store.getState().history.past.map((h) => h.label)).toEqual(['Restore autosaved changes']);

    store.setState({ recovery: { savedAt: 'later', studio, systemXml: '<system><half' } });
    store.actions.restoreRecovery();
    expect(store.getState().xmlText).toBe('<system><half');
    fake.answer('project.discardRecovery', {});
    store.setState({ recovery: { savedAt: 'again', studio, systemXml: recovered } });
    await store.actions.discardRecovery();
    expect(store.getState().recovery).toBeUndefined();
    expect(fake.callsOf('project.discardRecovery')).toHaveLength(1);
    store.dispose();
  });

  it('revealInXml counts each request, so the same line can be revealed twice', () => {
    const store = createStudioStore(createFakeClient());
    store.actions.revealInXml(4, 2);
    store.actions.revealInXml(4, 2);
    expect(store.getState().reveal).toEqual({ line: 4, column: 2, seq: 2 });
    store.dispose();
  });

  it('dispose cancels a pending import of the XML pane', async () => {
    const { store } = await openedStore();
    const doc = store.getState().doc;
    store.actions.editXml(TWO_PD_SYSTEM.replace('priority="100"', 'priority="120"'), 10);
    store.dispose();
    await settle();
    await new Promise((r) => setTimeout(r, 30));
    expect(store.getState().doc).toBe(doc);
  });
});
