import { describe, expect, it } from 'vitest';
import { updateProtectionDomain } from '../../../shared/model/edits';
import { defaultFolderSettings } from '../../../shared/model/folderSettings';
import { isDirty } from './documentSlice';
import { settle } from './testing/fakeClient';
import { fakeHash, openedStore, snapshot, TWO_PD_SYSTEM } from './testing/fixtures';

const OTHER = '<!-- SPDX-License-Identifier: BSD-2-Clause -->\n<system>\n\t<protection_domain name="solo" priority="9"><program_image path="solo.elf"/></protection_domain>\n</system>\n';

/** A plain folder (a checkout, no studio.json) with two system files. */
async function folder() {
  const snap = snapshot({ kind: 'folder', settings: defaultFolderSettings(), systemPath: 'examples/a/a.system', systemHash: fakeHash(TWO_PD_SYSTEM) });
  const opened = await openedStore(snap);
  const files = { 'examples/a/a.system': TWO_PD_SYSTEM, 'examples/b/b.system': OTHER };
  // The store was opened over a disk with the first file only: give it the folder.
  const { memoryDisk } = await import('./testing/fixtures');
  memoryDisk(opened.fake, files);
  opened.fake.answer('workspace.saveSettings', {});
  return { ...opened, files };
}

describe('files: tabs of system files, disk is the truth', () => {
  it('opens a second file in a tab; each keeps its own text, history and changes', async () => {
    const { store, fake } = await folder();
    store.actions.edit(updateProtectionDomain('sender', { priority: 111 }));
    await store.actions.openSystemFile('examples/b/b.system');
    expect(store.getState().docPath).toBe('examples/b/b.system');
    expect(store.getState().doc.text).toBe(OTHER);
    expect(isDirty(store.getState())).toBe(false);
    expect(Object.keys(store.getState().parked)).toEqual(['examples/a/a.system']);
    await store.actions.openSystemFile('examples/a/a.system');
    expect(store.getState().doc.text).toContain('priority="111"');
    expect(isDirty(store.getState())).toBe(true);
    store.actions.undo();
    expect(store.getState().doc.text).toBe(TWO_PD_SYSTEM);
    // The build builds the file on screen (a folder has many), as it is on disk.
    await store.actions.openSystemFile('examples/b/b.system');
    fake.answer('build.start', { buildId: 'build-1', steps: [] });
    await store.actions.startBuild();
    expect(fake.callsOf('build.start')[0]).toMatchObject({ system: 'examples/b/b.system' });
    store.dispose();
  });

  it('saving a folder file writes only that file, over the bytes it read; settings only when they changed', async () => {
    const { store, fake, files } = await folder();
    store.actions.edit(updateProtectionDomain('sender', { priority: 111 }));
    expect(await store.actions.save()).toBe(true);
    expect(files['examples/a/a.system']).toBe(TWO_PD_SYSTEM.replace('name="sender" priority="100"', 'name="sender" priority="111"'));
    expect(fake.callsOf('workspace.saveSettings')).toHaveLength(0);
    expect(fake.callsOf('project.save')).toHaveLength(0);
    store.actions.setBoard('odroidc4');
    expect(await store.actions.save()).toBe(true);
    expect(fake.callsOf('workspace.saveSettings')[0]!.settings.board).toBe('odroidc4');
    store.dispose();
  });

  it('a change on disk reloads a clean document in place, and asks when there are local edits', async () => {
    const { store, fake, files } = await folder();
    store.actions.select(['pd:sender']);
    files['examples/a/a.system'] = TWO_PD_SYSTEM.replace('priority="90"', 'priority="91"');
    fake.emit('fs.changed', { path: 'examples/a/a.system', hash: fakeHash(files['examples/a/a.system']!) });
    await settle();
    expect(store.getState().doc.text).toBe(files['examples/a/a.system']);
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().selection).toEqual(['pd:sender']);
    // Now with an edit of our own: the bar, and a save that refuses to overwrite.
    store.actions.edit(updateProtectionDomain('sender', { priority: 5 }));
    files['examples/a/a.system'] = TWO_PD_SYSTEM.replace('priority="90"', 'priority="92"');
    fake.emit('fs.changed', { path: 'examples/a/a.system', hash: fakeHash(files['examples/a/a.system']!) });
    await settle();
    expect(store.getState().diskConflict).toMatchObject({ path: 'examples/a/a.system', diskText: files['examples/a/a.system'] });
    expect(store.getState().doc.text).toContain('priority="5"');
    store.actions.keepMine();
    expect(await store.actions.save()).toBe(true);
    expect(files['examples/a/a.system']).toContain('priority="5"');
    // A change nobody told us about is still caught at save time.
    store.actions.edit(updateProtectionDomain('sender', { priority: 6 }));
    files['examples/a/a.system'] = 'changed behind our back';
    expect(await store.actions.save()).toBe(false);
    expect(files['examples/a/a.system']).toBe('changed behind our back');
    expect(store.getState().diskConflict?.diskText).toBe('changed behind our back');
    await store.actions.reloadFromDisk();
    expect(store.getState().doc.text).toBe('changed behind our back');
    store.dispose();
  });
});
