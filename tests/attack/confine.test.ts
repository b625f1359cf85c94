// Confinement (issue 13): whatever a folder holds (symbolic links, dangling ones, hard links) and whatever path the page
// names, the host writes nothing outside the open folder — logs, autosave, settings, build history and reports
// included — never makes a home or system folder a project, never replaces a file Save As did not write, and never
// quotes the bytes of a file outside the folder in an answer or an error. A canary folder beside the project holds a
// secret; after each attack its listing and its bytes are what they were, and no answer contains the secret.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../shared/api/rpc';
import { SdkChoices } from '../../electron/services/sdk';
import { createStudioHost } from '../../electron/services/studioHost';

const repo = path.resolve(import.meta.dirname, '../..');
const SYSTEM = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n  <protection_domain name="hello" priority="254">\n    <program_image path="hello.elf" />\n  </protection_domain>\n</system>\n';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

interface World {
  base: string;
  canary: string;
  secret: string;
  /** Everything in the canary folder, with each file's bytes. */
  snapshot(): Record<string, string>;
  config: string;
}

function world(): World {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'attack-confine-')));
  const canary = path.join(base, 'canary');
  mkdirSync(canary);
  const secret = `CANARY-${randomBytes(12).toString('hex')}`;
  // Shaped to provoke quoting: not JSON, not XML, a cpp #error, a JSON array of "builds".
  writeFileSync(path.join(canary, 'secret.txt'), `${secret} private key material\n`);
  writeFileSync(path.join(canary, 'secret.h'), `#error ${secret}\n`);
  writeFileSync(path.join(canary, 'secret.xml'), `<protection_domain name="${secret}" priority="1"><program_image path="x.elf"/></protection_domain>\n`);
  writeFileSync(path.join(canary, 'history.json'), JSON.stringify([{ buildId: secret }]));
  writeFileSync(path.join(canary, 'recovery.json'), JSON.stringify({ savedAt: secret, studio: {}, systemXml: secret }));
  // A Makefile that passes cpp flags for a template named vmm.system (as LionsOS's do), the flags naming the secret.
  const token = secret.replace(/-/g, '_');
  writeFileSync(path.join(canary, 'Makefile'), `SYSTEM_TEMPLATE := vmm.system\nSYSTEM_CPPFLAGS := -DSECRET_${token} -DX=$(UNSET_${token})\n\nbuild/vmm.system: $(SYSTEM_TEMPLATE)\n\tcpp -P $(SYSTEM_CPPFLAGS) $< -o $@\n`);
  const snapshot = () => Object.fromEntries(readdirSync(canary, { recursive: true, encoding: 'utf8' }).sort().map((f) => [f, (() => { try { return readFileSync(path.join(canary, f), 'utf8'); } catch { return '<dir>'; } })()]));
  return { base, canary, secret, snapshot, config: path.join(base, 'config') };
}

function host(w: World) {
  const h = createStudioHost({ mode: 'browser', version: 'test', configDir: w.config, boardsDir: path.join(repo, 'boards'), emit: () => undefined });
  disposers.push(h.dispose);
  const dispatch = createDispatcher(h.handlers);
  const seen: string[] = [];
  const call = async (method: string, params: unknown = {}) => {
    const env = await dispatch(method, params);
    // Every answer and every error is kept: none may hold the canary's bytes.
    seen.push(JSON.stringify(env));
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.result as any;
  };
  return { call, seen };
}

/** A trusted project of its own (made by the host), with the links an attack needs placed in it. */
async function project(w: World, name = 'proj') {
  const { call, seen } = host(w);
  const dir = path.join(w.base, name);
  await call('project.create', { dir, name });
  return { call, seen, dir };
}

/** A Microkit SDK stand-in whose tool only exits 0 (enough to reach the build's own writes). */
function quietSdk(w: World): string {
  const sdk = path.join(w.base, 'sdk');
  mkdirSync(path.join(sdk, 'bin'), { recursive: true });
  mkdirSync(path.join(sdk, 'board', 'qemu_virt_aarch64', 'debug'), { recursive: true });
  writeFileSync(path.join(sdk, 'VERSION'), '2.3.0\n');
  writeFileSync(path.join(sdk, 'bin', 'microkit'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(sdk, 'bin', 'microkit'), 0o755);
  return sdk;
}

const until = async (what: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
  return what();
};

describe('writes stay in the folder', () => {
  it('a serial log through a dangling link, a linked folder or a hard link is refused; a plain log works', async () => {
    const w = world();
    const before = w.snapshot();
    const { call, dir } = await project(w);
    symlinkSync(path.join(w.canary, 'created-by-log.txt'), path.join(dir, 'dangling.log'));
    symlinkSync(w.canary, path.join(dir, 'logs'));
    linkSync(path.join(w.canary, 'secret.txt'), path.join(dir, 'hard.log'));
    const target = 'tcp://127.0.0.1:9';
    await expect(call('serial.open', { target, baudRate: 115200, log: 'dangling.log' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('serial.open', { target, baudRate: 115200, log: 'logs/boot.log' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('serial.open', { target, baudRate: 115200, log: 'hard.log' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('hard link') });
    expect(w.snapshot()).toEqual(before);
    // The same call with a plain log inside the folder: the bytes of a real (TCP) serial line land in it.
    const server = net.createServer((s) => s.end('hello from the board\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    disposers.push(() => server.close());
    const { id } = await call('serial.open', { target: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, baudRate: 115200, log: 'serial/boot.log' });
    expect(await until(() => { try { return readFileSync(path.join(dir, 'serial/boot.log'), 'utf8').includes('hello from the board'); } catch { return false; } })).toBe(true);
    await call('serial.close', { id });
  });

  it('build output: a `build` link out of the folder is refused before anything runs; a hard-linked step log and a linked history are not written through', async () => {
    const w = world();
    const before = w.snapshot();
    const sdk = quietSdk(w);
    await new SdkChoices(w.config).add(sdk);
    const { call, dir } = await project(w);
    symlinkSync(w.canary, path.join(dir, 'build'));
    await expect(call('build.start', { sdk, toolchain: 'aarch64-linux-gnu' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('build') });
    expect(w.snapshot()).toEqual(before);
    // A real build folder, whose microkit step log is a hard link to the secret and whose history is a dangling link out.
    const { unlinkSync } = await import('node:fs');
    unlinkSync(path.join(dir, 'build'));
    mkdirSync(path.join(dir, 'build'));
    linkSync(path.join(w.canary, 'secret.txt'), path.join(dir, 'build', 'sel4-studio-microkit.log'));
    symlinkSync(path.join(w.canary, 'new-history.json'), path.join(dir, 'build', 'sel4-studio-history.json'));
    const { buildId } = await call('build.start', { sdk, toolchain: 'aarch64-linux-gnu' });
    expect(buildId).toMatch(/^build-/);
    await new Promise((r) => setTimeout(r, 800));
    expect(w.snapshot()).toEqual(before);
    // The history is read through no link either (a JSON list of "builds" outside the folder).
    unlinkSync(path.join(dir, 'build', 'sel4-studio-history.json'));
    symlinkSync(path.join(w.canary, 'history.json'), path.join(dir, 'build', 'sel4-studio-history.json'));
    expect(await call('build.history')).toEqual({ builds: [] });
  });

  it('autosave, folder settings, fs.write and reports refuse links out of the folder, dangling ones included', async () => {
    const w = world();
    // Named like a temp file a killed writer left: the sweep on open removes those in the folder, not through a link.
    writeFileSync(path.join(w.canary, '.settings.json.999999999.1.deadbeef.tmp'), 'not ours to remove');
    const before = w.snapshot();
    // A plain folder (no studio.json): its autosave and settings live in .sel4-studio/, here a link to the canary.
    const folder = path.join(w.base, 'checkout');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'hello.system'), SYSTEM);
    symlinkSync(w.canary, path.join(folder, '.sel4-studio'));
    symlinkSync(w.canary, path.join(folder, 'reports'));
    symlinkSync(path.join(w.canary, 'made-by-write.txt'), path.join(folder, 'notes.txt'));
    const { call } = host(w);
    const snap = await call('project.open', { dir: folder });
    await expect(call('project.autosave', { studio: snap.studio, systemXml: SYSTEM })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('workspace.saveSettings', { settings: { ...snap.settings, board: 'odroidc4' } })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.writeText', { path: 'reports/boot-report.html', text: '<p>report</p>' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.write', { path: 'notes.txt', text: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.writeText', { path: 'notes.txt', text: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(w.snapshot()).toEqual(before);
    // A link that stays inside still works (a dangling one to a file the write creates in the folder).
    symlinkSync('inside.txt', path.join(folder, 'alias.txt'));
    await call('fs.writeText', { path: 'alias.txt', text: 'ok' });
    expect(readFileSync(path.join(folder, 'alias.txt'), 'utf8')).toBe('ok');
  });
});

describe('project folders are chosen sensibly', () => {
  it('New refuses a non-empty folder that is not a git checkout (dotfiles count), a home folder, / and system folders', async () => {
    const w = world();
    const { call } = host(w);
    const fakeHome = path.join(w.base, 'home', 'user');
    mkdirSync(path.join(fakeHome, '.ssh'), { recursive: true });
    writeFileSync(path.join(fakeHome, '.bashrc'), 'echo hi\n');
    writeFileSync(path.join(fakeHome, '.ssh', 'id_rsa'), w.secret);
    // A folder holding only dotfiles, like a home: refused (before, hidden entries did not count).
    await expect(call('project.create', { dir: fakeHome, name: 'x' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('not a git checkout') });
    const home = process.env.HOME;
    process.env.HOME = fakeHome;
    try {
      // As the home folder itself (even if it were a git checkout of dotfiles): refused, for New and Open alike.
      mkdirSync(path.join(fakeHome, '.git'));
      await expect(call('project.create', { dir: fakeHome, name: 'x' })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('home folder') });
      await expect(call('project.open', { dir: fakeHome })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('home folder') });
      await expect(call('project.open', { dir: path.dirname(fakeHome) })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('holds your home folder') });
    } finally {
      process.env.HOME = home;
    }
    expect(readdirSync(fakeHome).sort()).toEqual(['.bashrc', '.git', '.ssh']);
    for (const dir of ['/', '/etc', '/usr', '/tmp', '/proc/self']) {
      await expect(call('project.open', { dir })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/system folder|holds your home folder/) });
    }
    await expect(call('project.create', { dir: '/etc/sel4-project', name: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('New into a git checkout keeps every file it has; a file it would replace refuses it', async () => {
    const w = world();
    const { call } = host(w);
    const checkout = path.join(w.base, 'checkout');
    mkdirSync(path.join(checkout, '.git'), { recursive: true });
    writeFileSync(path.join(checkout, 'README.md'), '# mine\n');
    const made = await call('project.create', { dir: checkout, name: 'c' });
    expect(made.kind).toBe('studio-project');
    expect(readFileSync(path.join(checkout, 'README.md'), 'utf8')).toBe('# mine\n');
    // Again: it now holds a project.
    await expect(call('project.create', { dir: checkout, name: 'c' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already holds') });
    const other = path.join(w.base, 'other');
    mkdirSync(path.join(other, '.git'), { recursive: true });
    writeFileSync(path.join(other, 'CMakeLists.txt'), 'mine\n');
    await expect(call('project.create', { dir: other, name: 'o', template: 'hello' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('CMakeLists.txt') });
    expect(readFileSync(path.join(other, 'CMakeLists.txt'), 'utf8')).toBe('mine\n');
    expect(readdirSync(other).sort()).toEqual(['.git', 'CMakeLists.txt']);
  });

  it('Save As never replaces a same-named .system in a folder that is not a project, nor fills a non-empty folder', async () => {
    const w = world();
    const { call } = await project(w, 'source');
    const snap = await call('project.open', { dir: path.join(w.base, 'source') });
    const target = path.join(w.base, 'target');
    mkdirSync(path.join(target, '.git'), { recursive: true });
    writeFileSync(path.join(target, snap.studio.systemFile), 'theirs\n');
    await expect(call('project.saveAs', { dir: target, studio: snap.studio, systemXml: SYSTEM })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(snap.studio.systemFile) });
    expect(readFileSync(path.join(target, snap.studio.systemFile), 'utf8')).toBe('theirs\n');
    expect(readdirSync(target).sort()).toEqual(['.git', snap.studio.systemFile]);
    const full = path.join(w.base, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'notes.txt'), 'mine\n');
    await expect(call('project.saveAs', { dir: full, studio: snap.studio, systemXml: SYSTEM })).rejects.toMatchObject({ code: 'conflict' });
    expect(readdirSync(full)).toEqual(['notes.txt']);
    // An empty folder is fine.
    expect((await call('project.saveAs', { dir: path.join(w.base, 'empty'), studio: snap.studio, systemXml: SYSTEM })).dir).toBe(path.join(w.base, 'empty'));
  });
});

describe('no answer quotes a file outside the folder', () => {
  it('studio.json, settings, recovery, XIncludes, cpp includes and Makefiles linked out of the folder: the secret never comes back', async () => {
    const w = world();
    const before = w.snapshot();
    const { call, seen } = host(w);
    // studio.json is a link to the secret: the open is refused without reading it.
    const p1 = path.join(w.base, 'p1');
    mkdirSync(p1);
    symlinkSync(path.join(w.canary, 'secret.txt'), path.join(p1, 'studio.json'));
    await expect(call('project.open', { dir: p1 })).rejects.toMatchObject({ code: 'forbidden' });
    // A folder whose settings and autosave are links to the secret and to a well-formed recovery outside.
    const p2 = path.join(w.base, 'p2');
    mkdirSync(path.join(p2, '.sel4-studio'), { recursive: true });
    writeFileSync(path.join(p2, 'hello.system'), SYSTEM);
    symlinkSync(path.join(w.canary, 'secret.txt'), path.join(p2, '.sel4-studio', 'settings.json'));
    symlinkSync(path.join(w.canary, 'recovery.json'), path.join(p2, '.sel4-studio', 'recovery.json'));
    const snap = await call('project.open', { dir: p2 });
    expect(snap.recovery).toBeUndefined();
    expect(snap.settingsProblems?.[0]?.message).toMatch(/outside the folder/);
    // System files made of several files, each reaching out of the folder.
    writeFileSync(path.join(p2, 'xi.system'), '<?xml version="1.0"?>\n<system xmlns:xi="http://www.w3.org/2001/XInclude">\n  <xi:include href="part.xml"/>\n</system>\n');
    symlinkSync(path.join(w.canary, 'secret.xml'), path.join(p2, 'part.xml'));
    writeFileSync(path.join(p2, 'abs.system'), `#include "${path.join(w.canary, 'secret.h')}"\n<system/>\n`);
    writeFileSync(path.join(p2, 'linked.system'), '#include "inc.h"\n<system/>\n');
    symlinkSync(path.join(w.canary, 'secret.h'), path.join(p2, 'inc.h'));
    mkdirSync(path.join(p2, 'vmm'));
    writeFileSync(path.join(p2, 'vmm', 'vmm.system'), '#include "board.h"\n<system/>\n');
    symlinkSync(path.join(w.canary, 'Makefile'), path.join(p2, 'vmm', 'Makefile'));
    for (const file of ['xi.system', 'abs.system', 'linked.system', 'vmm/vmm.system']) {
      const r = await call('system.compose', { path: file });
      expect(r.composite, file).toBeUndefined();
    }
    await call('system.compose', { path: 'abs.system', cpp: { defines: {}, includeDirs: [] } });
    // Device trees for the passthrough wizard: the same includes, a dtc /include/, an include folder named outside.
    writeFileSync(path.join(p2, 'abs.dts'), `/dts-v1/;\n#include "${path.join(w.canary, 'secret.h')}"\n/ { };\n`);
    writeFileSync(path.join(p2, 'linked.dts'), '/dts-v1/;\n#include "inc.h"\n/ { };\n');
    writeFileSync(path.join(p2, 'dtc.dts'), '/dts-v1/;\n/include/ "inc.h"\n');
    for (const file of ['abs.dts', 'linked.dts', 'dtc.dts']) await expect(call('dt.load', { path: file }), file).rejects.toMatchObject({ code: expect.stringMatching(/forbidden|corrupt/) });
    await expect(call('dt.load', { path: 'linked.dts', includeDirs: ['../canary'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('dt.load', { path: 'inc.h' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.read', { path: 'part.xml' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(call('fs.readText', { path: 'inc.h' })).rejects.toMatchObject({ code: 'forbidden' });
    const all = seen.join('\n');
    expect(all).not.toContain(w.secret);
    expect(all).not.toContain(w.secret.replace(/-/g, '_'));
    expect(w.snapshot()).toEqual(before);
  });
});
