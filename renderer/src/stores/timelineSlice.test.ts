import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { TIMELINE_PATTERNS_FILE } from './studioStore';
import { createFakeClient } from './testing/fakeClient';
import { openedStore, snapshot } from './testing/fixtures';
import { createStudioStore } from './studioStore';

const labels = (store: { getState(): { milestones: { label: string }[] } }) => store.getState().milestones.map((m) => m.label);

async function booted() {
  const opened = await openedStore();
  opened.fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'] });
  opened.fake.answer('fs.writeText', {});
  await opened.store.actions.startQemu({ image: 'build/loader.img' });
  return opened;
}

describe('timeline slice', () => {
  it('new patterns are re-applied to the boot on screen, ahead of the built-in ones, and saved', async () => {
    const { store, fake } = await booted();
    fake.emit('qemu.output', { id: 'qemu-1', data: 'MON|INFO: Microkit Bootstrap\nsender: ready\n' });
    expect(labels(store)).toEqual(['Microkit monitor']);
    const patterns = '# mine\nSender up = /^sender: ready/\n';
    expect(await store.actions.setTimelinePatterns(patterns)).toBe(true);
    expect(labels(store)).toEqual(['Microkit monitor', 'Sender up']);
    expect(store.getState().timelinePatterns).toBe(patterns);
    expect(fake.callsOf('fs.writeText')).toEqual([{ path: TIMELINE_PATTERNS_FILE, text: patterns }]);
    // Later output is matched by them too.
    fake.emit('qemu.output', { id: 'qemu-1', data: 'sender: ready\n' });
    expect(labels(store)).toEqual(['Microkit monitor', 'Sender up', 'Sender up']);
    store.dispose();
  });

  it('patterns with errors are not used or saved, and say which line is wrong', async () => {
    const { store, fake } = await booted();
    fake.emit('qemu.output', { id: 'qemu-1', data: 'Bootstrapping kernel\n' });
    expect(await store.actions.setTimelinePatterns('ok = /x/\nnot a pattern\nbad = /(/\n')).toBe(false);
    expect(store.getState().patternErrors.map((e) => e.line)).toEqual([2, 3]);
    expect(labels(store)).toEqual(['Kernel bootstrapping']);
    expect(fake.callsOf('fs.writeText')).toEqual([]);
    store.dispose();
  });

  it('a reset starts the timeline over: what came before it is not replayed', async () => {
    const { store, fake } = await booted();
    fake.answer('qemu.control', { status: 'running' });
    fake.emit('qemu.output', { id: 'qemu-1', data: 'Bootstrapping kernel\n' });
    await store.actions.controlQemu('reset');
    fake.emit('qemu.output', { id: 'qemu-1', data: 'MON|INFO: Microkit Bootstrap\n' });
    await store.actions.setTimelinePatterns('Kernel again = /^Bootstrapping/\n');
    expect(labels(store)).toEqual(['Microkit monitor']);
    store.dispose();
  });

  it('a project brings its own patterns file; saving one that cannot be written says so', async () => {
    const fake = createFakeClient();
    fake.answer('project.open', snapshot());
    fake.answer('project.recent', { projects: [] });
    fake.answer('build.history', { builds: [] });
    fake.answer('fs.readText', ({ path }) => {
      if (path === TIMELINE_PATTERNS_FILE) return { text: 'Mine = /^mine/\n' };
      throw new StudioError('not-found', path);
    });
    const store = createStudioStore(fake);
    await store.actions.openProject('/work/demo');
    await store.actions.loadTimelinePatterns();
    expect(store.getState().timelinePatterns).toBe('Mine = /^mine/\n');
    fake.refuse('fs.writeText', new StudioError('forbidden', 'read-only project'));
    expect(await store.actions.setTimelinePatterns('Other = /^other/\n')).toBe(false);
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'read-only project' });
    store.dispose();
  });
});
