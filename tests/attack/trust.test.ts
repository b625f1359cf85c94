// Workspace trust (issue 13): a folder the user opens is restricted until they trust it — it cannot build, run QEMU or
// run a tool, and its settings (an SDK whose `bin/microkit` is the folder's own script, a compiler) are never used —
// and the decision is the user's: remembered per folder in their config, revocable (from the CLI too), never taken
// from the folder, and in Electron given in a native dialog the page cannot answer. Real host, real files, real make.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../../shared/api/rpc';
import { createStudioHost, type StudioHostOptions } from '../../electron/services/studioHost';
import { SdkChoices } from '../../electron/services/sdk';
import { openHostSocket } from '../support/browserHost';
import { startServer } from '../../electron/server/server';
import { run as runCli } from '../../electron/cli/cli';

const repo = path.resolve(import.meta.dirname, '../..');
const hasMake = spawnSync('sh', ['-c', 'command -v make']).status === 0;
const SYSTEM = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n  <protection_domain name="hello" priority="254">\n    <program_image path="hello.elf" />\n  </protection_domain>\n</system>\n';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

/**
 * A hostile checkout: its Makefile and the SDK its settings name (a folder of its own, with an executable
 * `bin/microkit`) each leave a mark in the canary folder when they run. Nothing may run while it is untrusted.
 */
function world() {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'attack-trust-')));
  const canary = path.join(base, 'canary');
  mkdirSync(canary);
  const evil = path.join(base, 'evil');
  mkdirSync(path.join(evil, '.git'), { recursive: true });
  writeFileSync(path.join(evil, 'hello.system'), SYSTEM);
  writeFileSync(path.join(evil, 'Makefile'), `all:\n\ttouch ${canary}/make-ran\n`);
  const sdk = path.join(evil, 'tools', 'sdk');
  mkdirSync(path.join(sdk, 'bin'), { recursive: true });
  mkdirSync(path.join(sdk, 'board', 'qemu_virt_aarch64', 'debug'), { recursive: true });
  writeFileSync(path.join(sdk, 'VERSION'), '2.3.0\n');
  writeFileSync(path.join(sdk, 'bin', 'microkit'), `#!/bin/sh\ntouch ${canary}/sdk-ran\n`);
  chmodSync(path.join(sdk, 'bin', 'microkit'), 0o755);
  mkdirSync(path.join(evil, '.sel4-studio'));
  // The folder's settings name its own SDK and claim trust; neither widens anything until the user trusts it.
  writeFileSync(path.join(evil, '.sel4-studio', 'settings.json'), JSON.stringify({ schemaVersion: 1, board: 'qemu_virt_aarch64', build: { sdkPath: sdk, toolchain: 'aarch64-linux-gnu', variables: {} }, layouts: {}, trusted: true }));
  // A trust file of its own, where a naive host might look for one.
  writeFileSync(path.join(evil, '.sel4-studio', 'trust.json'), JSON.stringify({ version: 1, folders: [{ dir: evil, trustedAt: new Date().toISOString() }] }));
  return { base, canary, evil, sdk, config: path.join(base, 'config') };
}

function host(config: string, extra: Partial<StudioHostOptions> = {}) {
  const h = createStudioHost({ mode: 'browser', version: 'test', configDir: config, boardsDir: path.join(repo, 'boards'), emit: () => undefined, ...extra });
  disposers.push(h.dispose);
  const dispatch = createDispatcher(h.handlers);
  return async (method: string, params: unknown = {}) => {
    const env = await dispatch(method, params);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.result as any;
  };
}

const until = async (what: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
  return what();
};

describe('a restricted folder cannot build or run', () => {
  it('build and QEMU are refused as untrusted (saying how to trust) and nothing of the folder runs', async () => {
    const w = world();
    const call = host(w.config);
    const snap = await call('project.open', { dir: w.evil });
    expect(snap.trusted).toBe(false);
    // The settings are read (shown in the UI) but unused: the build is refused before they are looked at.
    expect(snap.settings.build.sdkPath).toBe(w.sdk);
    for (const params of [{}, { sdk: w.sdk, toolchain: 'aarch64-linux-gnu' }]) {
      await expect(call('build.start', params)).rejects.toMatchObject({ code: 'untrusted', message: expect.stringContaining(`sel4-studio trust ${w.evil}`) });
    }
    writeFileSync(path.join(w.evil, 'hello.elf'), 'not an elf');
    await expect(call('qemu.start', { board: 'qemu_virt_aarch64', kernel: 'hello.elf' })).rejects.toMatchObject({ code: 'untrusted' });
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(w.canary)).toEqual([]);
    expect(existsSync(path.join(w.evil, 'build'))).toBe(false);
    // View, edit and validate still work.
    expect((await call('fs.read', { path: 'hello.system' })).text).toBe(SYSTEM);
    expect((await call('system.compose', { path: 'hello.system' })).kind).toBe('plain');
  });

  it.runIf(hasMake)('trusted, the same build runs the folder’s Makefile and SDK: the gate is all that stopped them', async () => {
    const w = world();
    const call = host(w.config);
    await call('project.open', { dir: w.evil });
    expect(await call('workspace.trust', { trusted: true })).toEqual({ trusted: true });
    // The SDK its settings name runs only once the user chose it too (tests/attack/intents.test.ts).
    await new SdkChoices(w.config).add(w.sdk);
    await call('build.start', {});
    expect(await until(() => existsSync(path.join(w.canary, 'make-ran')) && existsSync(path.join(w.canary, 'sdk-ran')))).toBe(true);
  });
});

describe('trust is the user’s, remembered per folder and revocable', () => {
  it('is kept by real path in trust.json (0600) in the user config, survives a restart, and is revoked from the palette or the CLI', async () => {
    const w = world();
    mkdirSync(path.join(w.base, 'links'));
    const alias = path.join(w.base, 'links', 'evil-alias');
    spawnSync('ln', ['-s', w.evil, alias]);
    let call = host(w.config);
    await call('project.open', { dir: alias });
    await call('workspace.trust', { trusted: true });
    const file = path.join(w.config, 'trust.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).folders.map((f: { dir: string }) => f.dir)).toEqual([w.evil]);
    // A new host (the next session) with the same config: trusted, by either name of the folder.
    call = host(w.config);
    expect((await call('project.open', { dir: w.evil })).trusted).toBe(true);
    expect((await call('project.open', { dir: alias })).trusted).toBe(true);
    // Revoked in the window: refused again at once.
    expect(await call('workspace.trust', { trusted: false })).toEqual({ trusted: false });
    await expect(call('build.start', {})).rejects.toMatchObject({ code: 'untrusted' });
    // Trusted again, then revoked from the CLI while the window is open: the next build is refused.
    await call('workspace.trust', { trusted: true });
    const saved = process.env.SEL4_STUDIO_CONFIG_DIR;
    process.env.SEL4_STUDIO_CONFIG_DIR = w.config;
    const out: string[] = [];
    try {
      expect(await runCli(['trust', '--list'], (s) => out.push(s))).toBe(0);
      expect(out.join('')).toContain(w.evil);
      expect(await runCli(['trust', '--untrust', w.evil], (s) => out.push(s))).toBe(0);
      // The CLI trusts only a folder that can be a project.
      expect(await runCli(['trust', path.join(w.base, 'missing')], (s) => out.push(s))).toBe(1);
      expect(await runCli(['trust', os.homedir()], (s) => out.push(s))).toBe(1);
      expect(await runCli(['trust', '/'], (s) => out.push(s))).toBe(1);
      expect((await import('../../electron/cli/trustCommand')).userTrustStore().file).toBe(path.join(w.config, 'trust.json'));
    } finally {
      if (saved === undefined) delete process.env.SEL4_STUDIO_CONFIG_DIR;
      else process.env.SEL4_STUDIO_CONFIG_DIR = saved;
    }
    await expect(call('build.start', {})).rejects.toMatchObject({ code: 'untrusted' });
    expect((await call('project.open', { dir: w.evil })).trusted).toBe(false);
    expect(readdirSync(w.canary)).toEqual([]);
  });

  it('a trust file others could have written trusts nothing', async () => {
    const w = world();
    const call = host(w.config);
    await call('project.open', { dir: w.evil });
    await call('workspace.trust', { trusted: true });
    chmodSync(path.join(w.config, 'trust.json'), 0o666);
    expect((await call('project.open', { dir: w.evil })).trusted).toBe(false);
  });

  it('a folder that holds the user config (and so trust.json) cannot be opened: it could trust itself', async () => {
    const w = world();
    const call = host(w.config);
    await expect(call('project.open', { dir: w.base })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining("seL4 Studio's own settings") });
    await expect(call('project.open', { dir: w.config })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('folders seL4 Studio fills from empty are trusted; a checkout it adds to is not; Save As keeps the source’s trust', async () => {
    const w = world();
    const call = host(w.config);
    const made = await call('project.create', { dir: path.join(w.base, 'fresh'), name: 'fresh' });
    expect(made.trusted).toBe(true);
    const checkout = path.join(w.base, 'checkout');
    mkdirSync(path.join(checkout, '.git'), { recursive: true });
    writeFileSync(path.join(checkout, 'Makefile'), `all:\n\ttouch ${w.canary}/checkout-make\n`);
    expect((await call('project.create', { dir: checkout, name: 'c' })).trusted).toBe(false);
    // Save As from the untrusted checkout into a new folder: the copy is untrusted too (its settings came along).
    const studio = (await call('project.open', { dir: w.evil })).studio;
    expect((await call('project.saveAs', { dir: path.join(w.base, 'copy-of-evil'), studio, systemXml: SYSTEM })).trusted).toBe(false);
    await call('project.open', { dir: path.join(w.base, 'fresh') });
    expect((await call('project.saveAs', { dir: path.join(w.base, 'copy-of-fresh'), studio, systemXml: SYSTEM })).trusted).toBe(true);
  });
});

describe('Electron: the page can ask, only the user can answer', () => {
  it('trust needs the native dialog’s yes; folders need the native picker (or the recent list)', async () => {
    const w = world();
    const asked: string[] = [];
    let answer = false;
    let pick: string | null = null;
    const call = host(w.config, {
      mode: 'electron',
      pickedFoldersOnly: true,
      confirmTrust: async (dir) => (asked.push(dir), answer),
      pickDirectory: async () => pick,
    });
    // A path the page made up is refused: the user never chose it.
    await expect(call('project.open', { dir: w.evil })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('Browse') });
    await expect(call('project.create', { dir: path.join(w.base, 'made-up'), name: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(existsSync(path.join(w.base, 'made-up'))).toBe(false);
    pick = w.evil;
    expect(await call('project.pickDirectory', { title: 'Open', mode: 'open' })).toEqual({ dir: w.evil });
    expect((await call('project.open', { dir: w.evil })).trusted).toBe(false);
    // The user says no in the native dialog: still restricted, nothing stored.
    expect(await call('workspace.trust', { trusted: true })).toEqual({ trusted: false });
    expect(asked).toEqual([w.evil]);
    expect(existsSync(path.join(w.config, 'trust.json'))).toBe(false);
    await expect(call('build.start', {})).rejects.toMatchObject({ code: 'untrusted' });
    answer = true;
    expect(await call('workspace.trust', { trusted: true })).toEqual({ trusted: true });
    expect(asked).toEqual([w.evil, w.evil]);
    // Opened once by the user, the folder is in the recent list: opening it from there needs no new pick.
    const call2 = host(w.config, { mode: 'electron', pickedFoldersOnly: true, pickDirectory: async () => null });
    expect((await call2('project.open', { dir: w.evil })).trusted).toBe(true);
  });
});

describe('browser mode: the same gates behind the WebSocket', () => {
  it('a page on the real browser host cannot build a restricted folder', async () => {
    const w = world();
    const staticDir = path.join(w.base, 'static');
    mkdirSync(staticDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    const server = await startServer({ port: 0, staticDir, configDir: w.config, version: 'test', boardsDir: path.join(repo, 'boards'), log: () => undefined });
    disposers.push(() => void server.close());
    const ws = await openHostSocket(server.port, server.token);
    let id = 0;
    const rpc = (method: string, params: unknown) =>
      new Promise<any>((resolve) => {
        const mine = ++id;
        const onMessage = (d: WebSocket.RawData) => {
          const msg = JSON.parse(String(d));
          if (msg.t !== 'result' || msg.id !== mine) return;
          ws.off('message', onMessage);
          resolve(msg.envelope);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ t: 'call', id: mine, method, params }));
      });
    expect(await rpc('project.open', { dir: w.evil })).toMatchObject({ ok: true, result: { trusted: false } });
    expect(await rpc('build.start', {})).toMatchObject({ ok: false, error: { code: 'untrusted' } });
    ws.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(w.canary)).toEqual([]);
  });
});
