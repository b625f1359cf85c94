import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../shared/api/rpc';
import { createStudioHost } from '../electron/services/studioHost';

const repo = path.resolve(import.meta.dirname, '..');
const disposers: (() => void)[] = [];
afterEach(() => disposers.splice(0).forEach((d) => d()));

/** A host over the user's config folder `configDir`, as a start of `npm start` (or a page reload) makes one. */
function host(configDir: string, initialProject?: string) {
  const h = createStudioHost({ mode: 'browser', version: 'test', configDir, boardsDir: path.join(repo, 'boards'), emit: () => undefined, ...(initialProject ? { initialProject } : {}) });
  disposers.push(h.dispose);
  const dispatch = createDispatcher(h.handlers);
  return async (method: string, params: unknown) => {
    const env = await dispatch(method, params);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.result as Record<string, unknown>;
  };
}

describe('the last project, remembered by the host in the user\'s config', () => {
  it('host.info names the project open last while its folder exists; --project comes first; trust is as the user left it', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'studio-last-'));
    const config = path.join(base, 'config');
    const first = host(config);
    expect((await first('host.info', {})).lastProject).toBeUndefined();
    const a = path.join(base, 'a');
    const b = path.join(base, 'b');
    await first('project.create', { dir: a, name: 'a' });
    await first('project.create', { dir: b, name: 'b' });
    await first('project.open', { dir: a });

    // A new host (the page reloaded, or the IDE started again) on the same user config.
    const second = host(config);
    expect((await second('host.info', {})).lastProject).toBe(a);
    // Opened again it is what it was: New made it, so it is trusted; once untrusted it opens restricted.
    expect((await second('project.open', { dir: a })).trusted).toBe(true);
    await second('workspace.trust', { trusted: false });
    expect((await host(config)('project.open', { dir: a })).trusted).toBe(false);

    // --project wins over the remembered one.
    expect(await host(config, b)('host.info', {})).toMatchObject({ initialProject: b });
    expect((await host(config, b)('host.info', {})).lastProject).toBeUndefined();

    // A folder that is gone is not offered.
    rmSync(a, { recursive: true });
    expect((await host(config)('host.info', {})).lastProject).toBeUndefined();
    rmSync(base, { recursive: true, force: true });
  });
});
