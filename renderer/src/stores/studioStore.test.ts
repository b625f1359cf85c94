import { describe, expect, it } from 'vitest';
import { createStudioStore, sliceFactories } from './studioStore';
import type { StudioActions, StudioState } from './slice';
import { createFakeClient, settle } from './testing/fakeClient';
import { openedStore } from './testing/fixtures';

describe('the composed store', () => {
  it('no two slices define the same state field or action name', () => {
    const fake = createFakeClient();
    const store = createStudioStore(fake);
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, create] of Object.entries(sliceFactories)) {
      const slice = create(fake, store.setState, store.getState, store.actions);
      for (const key of [...Object.keys(slice.state), ...Object.keys(slice.actions)]) {
        if (owner.has(key)) clashes.push(`${key}: ${owner.get(key)} and ${name}`);
        owner.set(key, name);
      }
      slice.dispose();
    }
    expect(clashes).toEqual([]);
    store.dispose();
  });

  it('is flat: every slice field is a state field and every slice action an action of the root', () => {
    const fake = createFakeClient();
    const store = createStudioStore(fake, 'light');
    const state = store.getState();
    for (const create of Object.values(sliceFactories)) {
      const slice = create(fake, store.setState, store.getState, store.actions);
      for (const key of Object.keys(slice.state)) expect(Object.keys(state), `state field ${key}`).toContain(key);
      for (const key of Object.keys(slice.actions)) expect(typeof store.actions[key as keyof StudioActions], `action ${key}`).toBe('function');
      slice.dispose();
    }
    expect(state.theme).toBe('light');
    // The fields components read today, by their names.
    const names: (keyof StudioState)[] = ['doc', 'history', 'selection', 'build', 'buildHistory', 'qemu', 'serials', 'activeConsole', 'milestones', 'source', 'panel', 'centerView'];
    for (const n of names) expect(n in state, n).toBe(true);
    store.dispose();
  });

  it('dispose() releases every host subscription: no listener is left and events change nothing', async () => {
    const { store, fake } = await openedStore();
    expect(fake.listenerCount()).toBeGreaterThan(0);
    await store.actions.runToolVersion('dtc').catch(() => undefined);
    store.dispose();
    expect(fake.listenerCount()).toBe(0);
    const before = store.getState();
    fake.emit('serial.status', { id: 'serial-1', status: 'closed' });
    fake.emit('process.output', { runId: 'run-1', stream: 'stdout', data: 'late' });
    fake.emit('build.done', { buildId: 'build-1', record: { buildId: 'build-1', startedAt: '', durationMs: 1, result: 'ok', problems: 0, steps: [], config: 'debug', board: 'qemu_virt_aarch64' } });
    await settle();
    expect(store.getState()).toBe(before);
  });

  it('two stores over two clients do not share consoles', () => {
    const a = createStudioStore(createFakeClient());
    const b = createStudioStore(createFakeClient());
    a.actions.appendConsole('serial-1', new Uint8Array([65]));
    expect(a.actions.consoleText('serial-1')).toBe('A');
    expect(b.actions.consoleText('serial-1')).toBe('');
    a.dispose();
    b.dispose();
  });
});
