import { describe, expect, it } from 'vitest';
import { StudioError } from './errors';
import { createClient, createDispatcher, type Handlers, type RawTransport } from './rpc';

const info = { mode: 'browser', version: '0.0.0', platform: 'linux', capabilities: { nativeDialogs: false } } as const;

function handlers(over: Partial<Handlers> = {}): Handlers {
  const notUsed = async () => {
    throw new StudioError('unsupported', 'not used in this test');
  };
  const base = Object.fromEntries(
    ['host.info', 'doctor.check', 'boards.list', 'project.create', 'project.open', 'project.save', 'project.saveAs', 'project.autosave', 'project.discardRecovery', 'project.close', 'project.recent', 'project.pickDirectory', 'fs.readText', 'fs.writeText', 'tool.version', 'process.cancel', 'qemu.start', 'qemu.control', 'qemu.monitor', 'qemu.input', 'serial.list', 'serial.open', 'serial.send', 'serial.break', 'serial.close'].map((m) => [m, notUsed]),
  ) as unknown as Handlers;
  return { ...base, 'host.info': async () => ({ ...info }), ...over };
}

describe('dispatcher', () => {
  it('answers a valid call', async () => {
    const dispatch = createDispatcher(handlers());
    expect(await dispatch('host.info', {})).toEqual({ ok: true, result: info });
  });

  it('refuses unknown methods and schema-invalid params without calling the handler', async () => {
    let called = false;
    const dispatch = createDispatcher(handlers({ 'fs.readText': async () => ((called = true), { text: '' }) }));
    expect(await dispatch('fs.rmrf', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch('fs.readText', { path: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await dispatch('fs.readText', { path: 'a', extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    // No method takes arguments for a tool: the old free-argument method is gone, the intent takes a known tool only.
    expect(await dispatch('process.start', { tool: 'cmake', args: ['-E', 'env', 'sh', '-c', 'id'] })).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch('tool.version', { tool: 'cmake', args: ['-P', 'x.cmake'] })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await dispatch('tool.version', { tool: 'sh' })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(called).toBe(false);
  });

  it('turns thrown errors into values and malformed results into internal errors', async () => {
    const dispatch = createDispatcher(
      handlers({
        'fs.readText': async () => {
          throw new StudioError('forbidden', 'outside the project');
        },
        'project.recent': async () => ({ projects: 'nope' }) as never,
      }),
    );
    expect(await dispatch('fs.readText', { path: 'x' })).toEqual({ ok: false, error: { code: 'forbidden', message: 'outside the project' } });
    expect(await dispatch('project.recent', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('client', () => {
  it('rethrows host errors as StudioError and filters malformed events', async () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const raw: RawTransport = {
      call: async () => ({ ok: false, error: { code: 'not-found', message: 'no such project' } }),
      on: (event, l) => (listeners.set(event, l), () => listeners.delete(event)),
    };
    const client = createClient(raw);
    await expect(client.call('project.open', { dir: '/x' })).rejects.toMatchObject({ code: 'not-found', message: 'no such project' });
    const got: unknown[] = [];
    const off = client.on('process.output', (p) => got.push(p));
    listeners.get('process.output')!({ runId: 'run-1', stream: 'stdout', data: 'hi' });
    listeners.get('process.output')!({ runId: 'bogus', stream: 'stdout', data: 'hi' });
    expect(got).toEqual([{ runId: 'run-1', stream: 'stdout', data: 'hi' }]);
    off();
    expect(listeners.size).toBe(0);
  });

  it('checks an event once for all its listeners: every listener gets the checked value, none gets a malformed one', () => {
    const listeners = new Map<string, Set<(p: unknown) => void>>();
    const raw: RawTransport = {
      call: async () => ({ ok: true, result: {} }),
      on: (event, l) => {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        set.add(l);
        return () => set.delete(l);
      },
    };
    const client = createClient(raw);
    const got: unknown[][] = [[], [], []];
    for (const g of got) client.on('serial.data', (p) => g.push(p));
    const emit = (p: unknown) => {
      for (const l of listeners.get('serial.data')!) l(p);
    };
    emit({ id: 'serial-1', data: 'aGk=' });
    emit({ id: 'serial-1', data: 42 });
    emit({ id: 7, data: 'aGk=' });
    emit(null);
    for (const g of got) expect(g).toEqual([{ id: 'serial-1', data: 'aGk=' }]);
    // The one checked value, shared.
    expect(got[1]![0]).toBe(got[0]![0]);
    // The same object as another event is checked against that event's schema.
    const payload = { id: 'serial-1', data: 'aGk=' };
    const status: unknown[] = [];
    client.on('serial.status', (p) => status.push(p));
    emit(payload);
    for (const l of listeners.get('serial.status')!) l(payload);
    expect(status).toEqual([]);
  });
});
