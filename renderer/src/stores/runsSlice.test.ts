import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { createStudioStore } from './studioStore';
import { createFakeClient } from './testing/fakeClient';

describe('runs slice', () => {
  it('a tool run shows in Output, its output streams in and its exit is recorded', async () => {
    const fake = createFakeClient();
    fake.answer('process.start', { runId: 'run-3', command: ['dtc', '-I', 'dts'] });
    const store = createStudioStore(fake);
    expect(await store.actions.runTool('dtc', ['-I', 'dts'])).toBe('run-3');
    expect(fake.callsOf('process.start')).toEqual([{ tool: 'dtc', args: ['-I', 'dts'] }]);
    expect(store.getState().panel).toBe('output');
    fake.emit('process.output', { runId: 'run-3', stream: 'stdout', data: 'line 1\n' });
    fake.emit('process.output', { runId: 'run-3', stream: 'stderr', data: 'warning\n' });
    fake.emit('process.output', { runId: 'run-4', stream: 'stdout', data: 'not ours\n' });
    fake.emit('process.exit', { runId: 'run-3', code: 0, signal: null, durationMs: 12 });
    const [run] = store.getState().runs;
    expect(run).toMatchObject({ runId: 'run-3', label: 'dtc -I dts', text: 'line 1\nwarning\n' });
    expect(run!.exit).toMatchObject({ code: 0, signal: null, durationMs: 12 });
    store.dispose();
  });

  it('a tool the host refuses gives a notice and no run; cancel asks the host', async () => {
    const fake = createFakeClient();
    fake.refuse('process.start', new StudioError('forbidden', 'rm is not a known tool'));
    fake.answer('process.cancel', {});
    const store = createStudioStore(fake);
    expect(await store.actions.runTool('rm', ['-rf', '/'], 'oops')).toBeUndefined();
    expect(store.getState().runs).toEqual([]);
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'rm is not a known tool' });
    await store.actions.cancelRun('run-1');
    expect(fake.callsOf('process.cancel')).toEqual([{ runId: 'run-1' }]);
    store.dispose();
  });
});
