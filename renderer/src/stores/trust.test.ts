import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { updateProtectionDomain } from '../../../shared/model/edits';
import { isDirty } from './studioStore';
import { commandById, commandTitle, commandTitleNow } from '../commands/registry';
import { isEnabled } from '../commands/dispatch';
import { settle } from './testing/fakeClient';
import { openedStore, snapshot } from './testing/fixtures';

// Restricted mode in the store: the project snapshot says whether the folder is trusted, the workspace slice keeps it
// and asks the host to change it, and Build / Build & Run / QEMU follow (the host refuses them anyway).

describe('workspace trust in the store', () => {
  it('an untrusted folder opens restricted: build and run are off with the reason, trust is offered', async () => {
    const { store } = await openedStore(snapshot({ trusted: false, kind: 'folder' }));
    const s = store.getState();
    expect(s.trusted).toBe(false);
    expect(isEnabled(commandById('build'), s)).toBe(false);
    expect(isEnabled(commandById('buildRun'), s)).toBe(false);
    expect(isEnabled(commandById('trustFolder'), s)).toBe(true);
    expect(isEnabled(commandById('untrustFolder'), s)).toBe(false);
    expect(commandTitleNow('build', s)).toMatch(/^Restricted mode: this folder is not trusted/);
  });

  it('Build and QEMU in restricted mode ask nothing of the host and say how to trust (no save prompt first)', async () => {
    const { store, fake } = await openedStore(snapshot({ trusted: false }));
    store.actions.edit(updateProtectionDomain('sender', { priority: 5 }));
    expect(isDirty(store.getState())).toBe(true);
    await store.actions.startBuild(true);
    expect(store.getState().buildPrompt).toBeUndefined();
    await store.actions.startQemu({ image: 'build/loader.img' });
    expect(fake.callsOf('build.start')).toEqual([]);
    expect(fake.callsOf('qemu.start')).toEqual([]);
    expect(store.getState().notice).toMatchObject({ kind: 'error', message: expect.stringContaining('Trust this folder') });
  });

  it('Trust asks the host; the answer (the user may decline in a native dialog) is what the window shows', async () => {
    const { store, fake } = await openedStore(snapshot({ trusted: false }));
    fake.answer('workspace.trust', { trusted: false });
    expect(await store.actions.trustFolder(true)).toBe(false);
    expect(store.getState().trusted).toBe(false);
    fake.answer('workspace.trust', ({ trusted }) => ({ trusted }));
    expect(await store.actions.trustFolder(true)).toBe(true);
    expect(fake.callsOf('workspace.trust')).toEqual([{ trusted: true }, { trusted: true }]);
    const s = store.getState();
    expect(s.trusted).toBe(true);
    expect(isEnabled(commandById('build'), s)).toBe(true);
    expect(commandTitleNow('build', s)).toBe(commandTitle('build'));
    // And back: revoked from the palette.
    await store.actions.trustFolder(false);
    expect(store.getState().trusted).toBe(false);
  });

  it('a host that finds the folder untrusted (revoked from the CLI) puts the window back in restricted mode', async () => {
    const { store, fake } = await openedStore(snapshot({ trusted: true }));
    fake.refuse('build.start', new StudioError('untrusted', 'Restricted mode: /work/demo is not trusted'));
    await store.actions.startBuild();
    expect(store.getState().trusted).toBe(false);
    expect(isEnabled(commandById('build'), store.getState())).toBe(false);
  });

  it('opening another folder takes its trust; Save As takes the copy’s', async () => {
    const { store, fake } = await openedStore(snapshot({ trusted: true }));
    fake.answer('project.open', snapshot({ dir: '/work/other', trusted: false }));
    await store.actions.openProject('/work/other');
    await settle();
    expect(store.getState().trusted).toBe(false);
    fake.answer('project.saveAs', snapshot({ dir: '/work/copy', trusted: true }));
    await store.actions.saveAs('/work/copy');
    expect(store.getState()).toMatchObject({ trusted: true, project: { dir: '/work/copy' } });
  });
});
