import { mkdirSync, mkdtempSync, promises as fs, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../shared/api/rpc';
import type { EventName } from '../shared/api/contract';
import { createStudioHost } from '../electron/services/studioHost';

const repo = path.resolve(import.meta.dirname, '..');
let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

function host() {
  const events: { event: EventName; payload: unknown }[] = [];
  const base = mkdtempSync(path.join(os.tmpdir(), 'studio-wshost-'));
  const h = createStudioHost({ mode: 'browser', version: 'test', configDir: path.join(base, 'config'), boardsDir: path.join(repo, 'boards'), emit: (event, payload) => events.push({ event, payload }) });
  dispose = h.dispose;
  const dispatch = createDispatcher(h.handlers);
  const call = async (method: string, params: unknown) => {
    const env = await dispatch(method, params);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.result as Record<string, unknown>;
  };
  const root = path.join(base, 'sddf');
  for (const [f, text] of Object.entries({ 'Makefile': 'all:\n', 'examples/echo/echo.system': '<system/>\n', 'examples/echo/echo.c': 'int x;\n' })) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return { call, events, root };
}

const until = async (what: () => boolean) => {
  for (let i = 0; i < 150 && !what(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(what()).toBe(true);
};

describe('the workspace methods through the dispatcher', () => {
  it('open a plain folder, list it, read, write with the hash, refuse a stale write, report an outside change', async () => {
    const { call, events, root } = host();
    const snap = await call('project.open', { dir: root });
    expect(snap).toMatchObject({ kind: 'folder', systemPath: 'examples/echo/echo.system' });
    expect((await call('workspace.files', {})).files).toEqual([
      { path: 'examples/echo/echo.c', kind: 'source' },
      { path: 'examples/echo/echo.system', kind: 'system' },
      { path: 'Makefile', kind: 'build' },
    ]);

    const file = 'examples/echo/echo.c';
    const read = await call('fs.read', { path: file });
    await call('fs.watch', { paths: [file, 'examples/echo/echo.system'] });
    const written = await call('fs.write', { path: file, text: 'int y;\n', expectHash: read.hash });
    await expect(call('fs.write', { path: file, text: 'int z;\n', expectHash: read.hash })).rejects.toMatchObject({ code: 'conflict' });
    await expect(call('fs.write', { path: file, text: 'int z;\n' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await fs.readFile(path.join(root, file), 'utf8')).toBe('int y;\n');

    await fs.writeFile(path.join(root, file), 'int outside;\n');
    await until(() => events.some((e) => e.event === 'fs.changed'));
    const changed = events.filter((e) => e.event === 'fs.changed').map((e) => e.payload);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ path: file });
    expect((changed[0] as { hash: string }).hash).not.toBe(written.hash);
    expect((await call('fs.read', { path: file })).hash).toBe((changed[0] as { hash: string }).hash);
  });

  it('renames a file only over the content read, never over an existing file nor out of the folder', async () => {
    const { call, root } = host();
    await call('project.open', { dir: root });
    const from = 'examples/echo/echo.c';
    const read = await call('fs.read', { path: from });
    await expect(call('fs.rename', { from, to: 'Makefile', expectHash: read.hash })).rejects.toMatchObject({ code: 'conflict' });
    await expect(call('fs.rename', { from, to: '../outside.c', expectHash: read.hash })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.rename', { from, to: 'examples/echo/talker.c', expectHash: '0'.repeat(64) })).rejects.toMatchObject({ code: 'conflict' });
    await call('fs.rename', { from, to: 'examples/echo/talker.c', expectHash: read.hash });
    expect(await fs.readFile(path.join(root, 'examples/echo/talker.c'), 'utf8')).toBe('int x;\n');
    expect(await fs.readFile(path.join(root, 'Makefile'), 'utf8')).toBe('all:\n');
    await expect(fs.access(path.join(root, from))).rejects.toThrow();
    await expect(call('fs.rename', { from, to: 'x.c', expectHash: read.hash })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('confines every path to the open folder and writes settings only when asked', async () => {
    const { call, root } = host();
    await call('project.open', { dir: root });
    await expect(call('fs.read', { path: '../../etc/passwd' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.write', { path: '/tmp/x', text: '' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.watch', { paths: ['../outside.c'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(fs.access(path.join(root, '.sel4-studio'))).rejects.toThrow();
    await call('workspace.saveSettings', { settings: { schemaVersion: 1, board: 'odroidc4', build: { variables: { MICROKIT_BOARD: 'odroidc4' } }, layouts: {} } });
    expect(JSON.parse(await fs.readFile(path.join(root, '.sel4-studio/settings.json'), 'utf8'))).toMatchObject({ board: 'odroidc4' });
    expect((await call('project.open', { dir: root })).studio).toMatchObject({ board: 'odroidc4' });
  });
});
