import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { createStudioStore } from './studioStore';
import { createFakeClient } from './testing/fakeClient';

describe('runs slice', () => {
  it('a tool run shows in Output, its output streams in and its exit is recorded', async () => {
    const fake = createFakeClient();
    fake.answer('tool.version', { runId: 'run-3', command: ['/usr/bin/dtc', '--version'] });
    const store = createStudioStore(fake);
    expect(await store.actions.runToolVersion('dtc')).toBe('run-3');
    // The page names the tool; the host composes its arguments.
    expect(fake.callsOf('tool.version')).toEqual([{ tool: 'dtc' }]);
    expect(store.getState().panel).toBe('output');
    fake.emit('process.output', { runId: 'run-3', stream: 'stdout', data: 'line 1\n' });
    fake.emit('process.output', { runId: 'run-3', stream: 'stderr', data: 'warning\n' });
    fake.emit('process.output', { runId: 'run-4', stream: 'stdout', data: 'not ours\n' });
    fake.emit('process.exit', { runId: 'run-3', code: 0, signal: null, durationMs: 12 });
    const [run] = store.getState().runs;
    expect(run).toMatchObject({ runId: 'run-3', label: '/usr/bin/dtc --version', command: ['/usr/bin/dtc', '--version'], text: 'line 1\nwarning\n' });
    expect(run!.exit).toMatchObject({ code: 0, signal: null, durationMs: 12 });
    store.dispose();
  });

  it('a tool the host refuses gives a notice and no run; cancel asks the host', async () => {
    const fake = createFakeClient();
    fake.refuse('tool.version', new StudioError('tool-missing', 'Clang is not installed (apt-get install clang lld)'));
    fake.answer('process.cancel', {});
    const store = createStudioStore(fake);
    expect(await store.actions.runToolVersion('clang')).toBeUndefined();
    expect(store.getState().runs).toEqual([]);
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'Clang is not installed (apt-get install clang lld)' });
    await store.actions.cancelRun('run-1');
    expect(fake.callsOf('process.cancel')).toEqual([{ runId: 'run-1' }]);
    store.dispose();
  });
});
