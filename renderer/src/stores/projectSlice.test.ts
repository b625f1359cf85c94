import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { addProtectionDomain } from '../../../shared/model/edits';
import { importSystem } from '../../../shared/sdf/import';
import { createStudioStore, isDirty } from './studioStore';
import { createFakeClient, settle } from './testing/fakeClient';
import { fakeHash, memoryDisk, openedStore, snapshot, TWO_PD_SYSTEM } from './testing/fixtures';

describe('project slice', () => {
  it('open project → the snapshot is loaded: model, settings, recent, history, report and patterns asked for', async () => {
    const snap = snapshot();
    snap.studio.build = { config: 'release', sdkPath: '/opt/sdk', toolchain: 'clang' };
    snap.studio.layout = { nodes: { 'pd:sender': { x: 10, y: 20 } } };
    const { store, fake } = await openedStore(snap);
    const s = store.getState();
    expect(s.project).toEqual({ dir: '/work/demo', studio: snap.studio, kind: 'studio-project' });
    expect(s.docPath).toBe('demo.system');
    expect(s.opened).toBe(1);
    expect(s.doc.system.protectionDomains.map((p) => p.name)).toEqual(['sender', 'receiver']);
    expect(s.doc.layout).toEqual(snap.studio.layout);
    expect(s.savedDoc).toBe(s.doc);
    expect(isDirty(s)).toBe(false);
    expect(s.buildSettings).toEqual({ sdk: '/opt/sdk', config: 'release', toolchain: 'clang' });
    expect(s.centerView).toBe('graph');
    expect(s.notice).toEqual({ kind: 'info', message: 'Opened demo' });
    expect(fake.callsOf('project.open')).toEqual([{ dir: '/work/demo' }]);
    expect(fake.callsOf('fs.readText').map((p) => p.path).sort()).toEqual(['build/report.txt', 'timeline-patterns.txt']);
    expect(fake.callsOf('build.history')).toHaveLength(1);
    expect(fake.callsOf('project.recent')).toHaveLength(1);
    // Opening again counts again: the canvas fits the system on each load.
    await store.actions.openProject('/work/demo');
    expect(store.getState().opened).toBe(2);
    store.dispose();
  });

  it('a migrated studio.json says what changed; a refused open reports its problems with their places', async () => {
    const { store, fake } = await openedStore(snapshot({ migrated: ['schemaVersion 1 → 2'] }));
    expect(store.getState().notice?.message).toBe('Project file migrated: schemaVersion 1 → 2. Save to keep the new format.');
    const problem = { severity: 'error' as const, message: 'bad json', file: 'studio.json', line: 3, column: 7 };
    fake.refuse('project.open', new StudioError('corrupt', 'studio.json does not parse', [problem]));
    await store.actions.openProject('/work/broken');
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'studio.json does not parse' });
    expect(store.getState().loadDiagnostics).toEqual([problem]);
    expect(store.getState().panel).toBe('problems');
    store.dispose();
  });

  it('save sends studio.json with the layout and the file changed only where the edit says, then the project is clean', async () => {
    const { store, fake } = await openedStore();
    fake.answer('project.save', { savedAt: 'now', files: [] });
    store.actions.edit(addProtectionDomain({ x: 300, y: 40 }, 'extra'));
    expect(isDirty(store.getState())).toBe(true);
    expect(await store.actions.save()).toBe(true);
    const [sent] = fake.callsOf('project.save');
    const doc = store.getState().doc;
    // The user's text with one contiguous insertion after the last PD, in the file's own indentation.
    expect(sent!.systemXml).toBe(TWO_PD_SYSTEM.replace('  </protection_domain>\n  <channel>', '  </protection_domain>\n  <protection_domain name="extra" priority="100">\n    <program_image path="extra.elf" />\n  </protection_domain>\n  <channel>'));
    expect(importSystem(sent!.systemXml).model!.protectionDomains.map((p) => p.name)).toEqual(['sender', 'receiver', 'extra']);
    expect(sent!.studio.layout).toEqual(doc.layout);
    expect(doc.layout.nodes['pd:extra']).toEqual({ x: 300, y: 40 });
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().notice?.message).toBe('Saved demo.system and studio.json');
    store.dispose();
  });

  it('save imports an XML draft typed a moment ago, and refuses a draft that does not parse with its place', async () => {
    const { store, fake } = await openedStore();
    fake.answer('project.save', { savedAt: 'now', files: [] });
    store.actions.editXml(TWO_PD_SYSTEM.replace('name="receiver"', 'name="listener"').replace('pd="receiver"', 'pd="listener"'), 10_000);
    await store.actions.save();
    expect(fake.callsOf('project.save')[0]!.systemXml).toContain('name="listener"');
    store.actions.editXml('<system><protection_domain name="x"', 10_000);
    expect(await store.actions.save()).toBe(false);
    expect(fake.callsOf('project.save')).toHaveLength(1);
    expect(store.getState().notice?.message).toMatch(/^demo\.system:1:\d+: the XML pane does not parse/);
    store.dispose();
  });

  it('autosave writes a recovery file only when there is something unsaved, keeping a draft as typed', async () => {
    const { store, fake } = await openedStore();
    fake.answer('project.autosave', { savedAt: 'now' });
    await store.actions.autosave();
    expect(fake.callsOf('project.autosave')).toHaveLength(0);
    store.actions.editXml('<system><oops', 10_000);
    await store.actions.autosave();
    expect(fake.callsOf('project.autosave')[0]!.systemXml).toBe('<system><oops');
    store.dispose();
  });

  it('save as moves the project to the new folder; the board follows setBoard', async () => {
    const { store, fake } = await openedStore();
    fake.answer('project.saveAs', (p) => ({ ...snapshot(), dir: p.dir, studio: p.studio }));
    store.actions.setBoard('odroidc4');
    await store.actions.saveAs('/work/copy');
    expect(fake.callsOf('project.saveAs')[0]!.studio.board).toBe('odroidc4');
    expect(store.getState().project?.dir).toBe('/work/copy');
    expect(store.getState().notice?.message).toBe('Saved as /work/copy');
    store.dispose();
  });
});

describe('host slice', () => {
  it('init asks the host what it offers and opens the project it was started with', async () => {
    const fake = createFakeClient();
    fake.answer('host.info', { mode: 'browser', version: '1', platform: 'linux', capabilities: { nativeDialogs: false }, initialProject: '/work/demo' });
    fake.answer('project.recent', { projects: [{ dir: '/work/demo', name: 'demo', openedAt: 'today' }] });
    fake.answer('boards.list', { boards: [], problems: [] });
    fake.answer('templates.list', { templates: [] });
    fake.answer('doctor.check', { tools: [{ id: 'dtc', label: 'dtc', purpose: 'device trees', found: true, required: true }] });
    fake.answer('project.open', snapshot());
    fake.answer('build.history', { builds: [] });
    const store = createStudioStore(fake);
    await store.actions.init();
    // The toolchain check runs once the first screen is up (afterStartup: 1 s, then idle).
    await new Promise((r) => setTimeout(r, 1_050));
    await settle();
    const s = store.getState();
    expect(s.host?.mode).toBe('browser');
    expect(s.recent.map((r) => r.name)).toEqual(['demo']);
    expect(s.doctor?.map((t) => t.id)).toEqual(['dtc']);
    expect(s.project?.dir).toBe('/work/demo');
    store.dispose();
  });

  it('a reload reopens the project open last; a folder the user opens meanwhile is the one that stays open', async () => {
    const fake = createFakeClient();
    fake.answer('host.info', { mode: 'browser', version: '1', platform: 'linux', capabilities: { nativeDialogs: false }, lastProject: '/work/demo' });
    fake.answer('project.recent', { projects: [{ dir: '/work/demo', name: 'demo', openedAt: 'today' }] });
    fake.answer('boards.list', { boards: [], problems: [] });
    fake.answer('templates.list', { templates: [] });
    fake.answer('doctor.check', { tools: [] });
    fake.answer('build.history', { builds: [] });
    // The last project is slow to open (a large folder); the user opens another one before it answers.
    fake.answer('project.open', async ({ dir }) => {
      if (dir === '/work/demo') await new Promise((r) => setTimeout(r, 50));
      return snapshot({ dir, trusted: dir !== '/work/demo' });
    });
    const store = createStudioStore(fake);
    const starting = store.actions.init();
    await new Promise((r) => setTimeout(r, 5));
    const mine = store.actions.openProject('/work/other');
    await Promise.all([starting, mine]);
    await settle();
    // The host was asked in that order, so it holds the folder the page shows.
    expect(fake.callsOf('project.open').map((p) => p.dir)).toEqual(['/work/demo', '/work/other']);
    expect(store.getState().project?.dir).toBe('/work/other');

    // Alone, the last project is reopened as the user left it: not trusted, so restricted.
    const again = createStudioStore(fake);
    await again.actions.init();
    await settle();
    expect(again.getState().project?.dir).toBe('/work/demo');
    expect(again.getState().trusted).toBe(false);

    // The Open dialog, asked for while the reopen is on its way, stays open when it arrives.
    const third = createStudioStore(fake);
    const reopening = third.actions.init();
    await new Promise((r) => setTimeout(r, 5));
    third.actions.openDialog('open');
    await reopening;
    await settle();
    expect(third.getState().project?.dir).toBe('/work/demo');
    expect(third.getState().dialog).toBe('open');
    // A project the user opens closes it as before.
    await third.actions.openProject('/work/other');
    expect(third.getState().dialog).toBeUndefined();
    store.dispose();
    again.dispose();
    third.dispose();
  });

  it('a host that cannot say what it is gives a notice, and the doctor still runs', async () => {
    const fake = createFakeClient();
    fake.answer('doctor.check', { tools: [] });
    const store = createStudioStore(fake);
    await store.actions.init();
    // The toolchain check runs once the first screen is up (afterStartup: 1 s, then idle).
    await new Promise((r) => setTimeout(r, 1_050));
    await settle();
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'the fake host has no answer for host.info' });
    expect(store.getState().doctor).toEqual([]);
    store.dispose();
  });
  it('a host that comes back gets the folder reopened and the unsaved edits at once; the tab keeps its document', async () => {
    const { store, fake } = await openedStore();
    fake.answer('host.info', { mode: 'browser', version: '1', platform: 'linux', capabilities: { nativeDialogs: false } });
    fake.answer('project.autosave', { savedAt: 'now' });
    store.actions.edit(addProtectionDomain({ x: 300, y: 40 }, 'third'));
    const edited = store.getState().doc;
    store.actions.linkChanged({ state: 'reconnecting', attempt: 1, retryInMs: 250 });
    expect(store.getState()).toMatchObject({ connected: false, link: { state: 'reconnecting', attempt: 1 } });
    store.actions.linkChanged({ state: 'refused', reason: 'not ours', retryInMs: 500 });
    expect(store.getState().link).toEqual({ state: 'refused', reason: 'not ours', retryInMs: 500 });
    // The new host opens the folder afresh (its recovery file, older than the tab, is not offered)...
    fake.answer('project.open', snapshot({ recovery: { savedAt: 'earlier', studio: snapshot().studio, systemXml: TWO_PD_SYSTEM } }));
    const opensBefore = fake.callsOf('project.open').length;
    store.actions.linkChanged({ state: 'connected' });
    await settle();
    const s = store.getState();
    expect(s).toMatchObject({ connected: true, link: undefined });
    expect(fake.callsOf('project.open').slice(opensBefore)).toEqual([{ dir: '/work/demo' }]);
    // ...and the tab's document, edit and history stay, handed over as the recovery file.
    expect(s.doc).toBe(edited);
    expect(s.recovery).toBeUndefined();
    expect(isDirty(s)).toBe(true);
    expect(fake.callsOf('project.autosave').at(-1)!.systemXml).toContain('name="third"');
    expect(fake.callsOf('fs.watch').length).toBeGreaterThan(0);
    expect(s.notice?.message).toMatch(/^Reconnected to the seL4 Studio host\. Your unsaved changes are kept in this tab/);
    store.dispose();
  });

  it('on reconnection a file changed on disk meanwhile is reloaded when clean, and put to the user when edited', async () => {
    const { store, fake } = await openedStore();
    fake.answer('host.info', { mode: 'browser', version: '1', platform: 'linux', capabilities: { nativeDialogs: false } });
    fake.answer('project.autosave', { savedAt: 'now' });
    const changed = TWO_PD_SYSTEM.replace('priority="90"', 'priority="91"');
    memoryDisk(fake, { 'demo.system': changed });
    fake.answer('project.open', snapshot({ systemXml: changed, systemHash: fakeHash(changed) }));
    store.actions.linkChanged({ state: 'reconnecting', attempt: 1, retryInMs: 250 });
    store.actions.linkChanged({ state: 'connected' });
    await settle();
    expect(store.getState().doc.text).toBe(changed);
    expect(store.getState().diskConflict).toBeUndefined();

    const again = TWO_PD_SYSTEM.replace('priority="90"', 'priority="92"');
    memoryDisk(fake, { 'demo.system': again });
    fake.answer('project.open', snapshot({ systemXml: again, systemHash: fakeHash(again) }));
    store.actions.edit(addProtectionDomain({ x: 300, y: 40 }, 'mine'));
    store.actions.linkChanged({ state: 'reconnecting', attempt: 1, retryInMs: 250 });
    store.actions.linkChanged({ state: 'connected' });
    await settle();
    expect(store.getState().doc.text).toContain('name="mine"');
    expect(store.getState().diskConflict).toMatchObject({ path: 'demo.system', diskText: again, diskHash: fakeHash(again) });
    store.dispose();
  });
});
