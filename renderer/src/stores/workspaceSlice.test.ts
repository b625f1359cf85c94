import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { checkEvent, type StudioClient } from '../../../shared/api/rpc';
import { StudioError } from '../../../shared/api/errors';
import { methods, type EventName, type EventPayload, type MethodName, type Params, type Result } from '../../../shared/api/contract';
import { defaultFolderSettings } from '../../../shared/model/folderSettings';
import { createWorkspaceSlice, type WorkspaceState } from './workspaceSlice';

/**
 * A small in-memory host: answers are checked against the contract's schemas both ways, events too, so the slice
 * is tested against the real contract; `hold` keeps an answer back to test answers arriving out of order.
 */
function fakeHost() {
  const answers = new Map<string, (params: unknown) => unknown>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { method: string; params: unknown }[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const client: StudioClient = {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      calls.push({ method, params: methods[method].params.parse(params) });
      if (holding) await new Promise<void>((r) => held.push(r));
      const answer = answers.get(method);
      if (!answer) throw new StudioError('unknown-method', `no answer for ${method}`);
      return methods[method].result.parse(await answer(params)) as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (p: unknown) => void);
      return () => void set.delete(listener as (p: unknown) => void);
    },
  };
  return {
    client,
    calls,
    answer<M extends MethodName>(method: M, fn: (params: Params<M>) => Result<M>) {
      answers.set(method, fn as (p: unknown) => unknown);
    },
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      for (const l of listeners.get(event) ?? []) l(checkEvent(event, payload));
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    hold: (on: boolean) => (holding = on),
    releaseFirst: () => held.shift()?.(),
    releaseLast: () => held.pop()?.(),
  };
}

function setup() {
  const host = fakeHost();
  const store = createStore<WorkspaceState>()(() => ({}) as WorkspaceState);
  const slice = createWorkspaceSlice(host.client, store.setState, store.getState);
  store.setState(slice.state, true);
  return { host, store, actions: slice.actions, dispose: slice.dispose };
}

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

describe('workspace slice', () => {
  it('lists the folder\'s files; a failed listing keeps the list and says why', async () => {
    const { host, store, actions } = setup();
    host.answer('workspace.files', () => ({ files: [{ path: 'a.system', kind: 'system' }, { path: 'main.c', kind: 'source' }], truncated: true }));
    await actions.refreshFiles();
    expect(store.getState()).toMatchObject({ workspaceFiles: [{ path: 'a.system', kind: 'system' }, { path: 'main.c', kind: 'source' }], workspaceFilesTruncated: true, workspaceFilesLoading: false });
    host.answer('workspace.files', () => {
      throw new StudioError('no-project', 'no project is open');
    });
    await actions.refreshFiles();
    expect(store.getState()).toMatchObject({ workspaceError: 'no project is open', workspaceFilesLoading: false });
    expect(store.getState().workspaceFiles).toHaveLength(2);
  });

  it('an older listing answering last does not replace a newer one', async () => {
    const { host, store, actions } = setup();
    let answer = '';
    host.answer('workspace.files', () => ({ files: [{ path: answer, kind: 'system' }], truncated: false }));
    host.hold(true);
    const older = actions.refreshFiles();
    const newer = actions.refreshFiles();
    await Promise.resolve();
    answer = 'newer.system';
    host.releaseLast();
    await newer;
    answer = 'older.system';
    host.releaseFirst();
    await older;
    expect(store.getState().workspaceFiles.map((f) => f.path)).toEqual(['newer.system']);
    expect(store.getState().workspaceFilesLoading).toBe(false);
  });

  it('watches the open files once per set, records their changes on disk until acknowledged', async () => {
    const { host, store, actions } = setup();
    host.answer('fs.watch', () => ({}));
    host.answer('workspace.files', () => ({ files: [], truncated: false }));
    await actions.watchFiles(['b.c', 'a.system', 'b.c']);
    await actions.watchFiles(['a.system', 'b.c']);
    expect(host.calls.filter((c) => c.method === 'fs.watch')).toEqual([{ method: 'fs.watch', params: { paths: ['a.system', 'b.c'] } }]);

    host.emit('fs.changed', { path: 'a.system', hash: H1 });
    host.emit('fs.changed', { path: 'not-open.c', hash: H1 });
    expect(store.getState().diskChanges).toEqual({ 'a.system': { hash: H1, deleted: false, seq: 1 } });
    host.emit('fs.changed', { path: 'a.system', hash: H2 });
    expect(store.getState().diskChanges['a.system']).toEqual({ hash: H2, deleted: false, seq: 2 });
    actions.acknowledgeDiskChange('a.system');
    expect(store.getState().diskChanges).toEqual({});
    expect(host.calls.some((c) => c.method === 'workspace.files')).toBe(false);

    // A deleted file changes the listing: the Explorer is refreshed.
    host.emit('fs.changed', { path: 'b.c', deleted: true });
    expect(store.getState().diskChanges['b.c']).toMatchObject({ deleted: true });
    await Promise.resolve();
    expect(host.calls.filter((c) => c.method === 'workspace.files')).toHaveLength(1);

    // Closing b.c drops its pending change.
    await actions.watchFiles(['a.system']);
    expect(store.getState().diskChanges).toEqual({});
  });

  it('saves the folder settings only when asked, and reports a refusal', async () => {
    const { host, store, actions } = setup();
    let saved: unknown;
    host.answer('workspace.saveSettings', ({ settings }) => ((saved = settings), {}));
    const settings = { ...defaultFolderSettings(), board: 'odroidc4' };
    expect(await actions.saveFolderSettings(settings)).toBe(true);
    expect(saved).toEqual(settings);
    expect(store.getState().folderSettings).toEqual(settings);
    host.answer('workspace.saveSettings', () => {
      throw new StudioError('conflict', '.sel4-studio/settings.json does not parse');
    });
    expect(await actions.saveFolderSettings({ ...settings, board: 'zcu102' })).toBe(false);
    expect(store.getState()).toMatchObject({ folderSettings: settings, workspaceError: '.sel4-studio/settings.json does not parse' });
    expect(host.calls.filter((c) => c.method === 'workspace.saveSettings')).toHaveLength(2);
  });

  it('a new project forgets the old folder; dispose releases the subscription', async () => {
    const { host, store, actions, dispose } = setup();
    host.answer('fs.watch', () => ({}));
    await actions.watchFiles(['a.system']);
    host.emit('fs.changed', { path: 'a.system', hash: H1 });
    actions.resetWorkspace(defaultFolderSettings());
    expect(store.getState()).toMatchObject({ watchedFiles: [], diskChanges: {}, workspaceFiles: [], folderSettings: defaultFolderSettings() });
    expect(host.listenerCount()).toBe(1);
    dispose();
    expect(host.listenerCount()).toBe(0);
  });
});
