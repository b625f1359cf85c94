// Issue 13: whoever holds the browser-mode token (or a script injected into the page) could run anything through the
// contract. The contract now offers intents; the host composes every command line. Each attempt below goes through the
// real host (createStudioHost behind the dispatcher both hosts use: every call schema-checked) with real tools, must
// fail with a clear error, and a marker file outside the project proves nothing ran and nothing was written. Controls
// run the same payloads straight at the tools, to show each one is live (a payload that cannot work proves nothing).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, promises as fs, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../shared/api/rpc';
import type { EventName } from '../../shared/api/contract';
import { checkMonitorCommand, MONITOR_COMMANDS } from '../../shared/qemu/monitor';
import { createStudioHost, type StudioHostOptions } from '../../electron/services/studioHost';
import { BuildService } from '../../electron/services/build';
import { ProcessSupervisor } from '../../electron/services/processes';
import { ProjectService } from '../../electron/services/projects';
import { QemuService } from '../../electron/services/qemu';
import { SdkChoices } from '../../electron/services/sdk';
import { ImageChoices } from '../../electron/services/images';
import { loadBoards } from '../../electron/services/boards';
import { readTemplate } from '../../electron/services/templates';
import { standinSdk } from '../support/standinSdk';
import { budget, scale } from './scale';

const root = path.resolve(import.meta.dirname, '../..');
const boardsDir = path.join(root, 'boards');
const templates = path.join(root, 'resources/templates');
const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const TOOLS = ['cmake', 'ninja', 'make', 'aarch64-linux-gnu-gcc', 'qemu-system-aarch64', 'dtc', 'mkfifo'];
const ok = TOOLS.every(has);
if (!ok && process.env.CI === 'true') throw new Error(`${TOOLS.join(', ')} are required in CI`);

type Envelope = { ok: true; result: any } | { ok: false; error: { code: string; message: string } };

/** A host as Electron main or the browser host binds it, with its events collected. */
function host(configDir: string, extra: Partial<StudioHostOptions> = {}) {
  const events: { event: EventName; payload: any }[] = [];
  const studio = createStudioHost({ mode: extra.confirm ? 'electron' : 'browser', version: 'test', configDir, boardsDir, emit: (event, payload) => events.push({ event, payload }), ...extra });
  const dispatch = createDispatcher(studio.handlers);
  // Every folder here is trusted, as a user would before building: what stops an attempt must be the intent check,
  // not workspace trust (tests/attack/trust.test.ts proves that gate on its own).
  const call = async (method: string, params: unknown) => {
    const r = (await dispatch(method, params)) as Envelope;
    if (r.ok && (method === 'project.open' || method === 'project.create')) await dispatch('workspace.trust', { trusted: true });
    return r;
  };
  return { call, events, dispose: studio.dispose };
}

/** Everything an attempt left behind in the canary folder (markers are named `M-…`). */
const markersIn = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('M-'));
async function waitFor(check: () => boolean, ms: number) {
  for (const until = Date.now() + ms; Date.now() < until && !check(); ) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe.runIf(ok)('intents, not commands: the contract runs no free arguments (issue 13)', () => {
  let outside: string; // the canary folder: markers, an evil SDK, scripts; never inside a project
  let configDir: string;
  let projectDir: string;
  let browser: ReturnType<typeof host>;
  const attempts: { name: string; error: string }[] = [];
  const marker = (name: string) => path.join(outside, `M-${name}`);

  /** An attempt: it must be refused (code and message), and its marker must not exist. */
  async function attempt(name: string, run: () => Promise<Envelope>, refusal: { code: string; message: RegExp }, mark = marker(name)) {
    const r = await run();
    attempts.push({ name, error: r.ok ? '(succeeded)' : `${r.error.code}: ${r.error.message}` });
    expect(r, name).toMatchObject({ ok: false, error: { code: refusal.code, message: expect.stringMatching(refusal.message) } });
    // Give a tool that did start the time to write its marker.
    await new Promise((res) => setTimeout(res, 30));
    expect(existsSync(mark), `${name}: ${mark}`).toBe(false);
  }

  /** A Microkit SDK laid out right whose bin/microkit is the attacker's: it touches its marker. */
  function evilSdk(name: string, opts: { fifoVersion?: boolean } = {}) {
    const dir = path.join(outside, name);
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    mkdirSync(path.join(dir, 'board/qemu_virt_aarch64/debug/include'), { recursive: true });
    mkdirSync(path.join(dir, 'board/qemu_virt_aarch64/debug/lib'), { recursive: true });
    if (opts.fifoVersion) spawnSync('mkfifo', [path.join(dir, 'VERSION')]);
    else writeFileSync(path.join(dir, 'VERSION'), '2.3.0\n');
    writeFileSync(path.join(dir, 'bin/microkit'), `#!/bin/sh\ntouch '${marker(name)}'\nexit 1\n`);
    chmodSync(path.join(dir, 'bin/microkit'), 0o755);
    return dir;
  }

  beforeAll(async () => {
    outside = mkdtempSync(path.join(os.tmpdir(), 'intents-outside-'));
    configDir = mkdtempSync(path.join(os.tmpdir(), 'intents-config-'));
    projectDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'intents-project-')), 'hello');
    browser = host(configDir);
    expect(await browser.call('project.create', { dir: projectDir, name: 'hello', template: 'hello' })).toMatchObject({ ok: true });
    writeFileSync(path.join(projectDir, 'image.bin'), Buffer.alloc(64));
  });
  afterAll(() => {
    browser?.dispose();
    console.log(`intents: ${attempts.filter((a) => a.error === '(succeeded)').length} of ${attempts.length} succeeded`);
  });

  describe('1. no tool runs with arguments from the page', () => {
    const payloads = (m: (n: string) => string): [string, string, string[]][] => [
      ['cmake -E env sh -c', 'cmake', ['-E', 'env', 'sh', '-c', `touch '${m('cmake-env')}'`]],
      ['cmake -P', 'cmake', ['-P', path.join(outside, 'touch.cmake')]],
      ['make --eval $(shell)', 'make', ['-f', '/dev/null', '--eval', `$(shell touch '${m('make-eval')}')`]],
      ['gcc -wrapper', 'aarch64-linux-gnu-gcc', ['-x', 'c', '-c', '/dev/null', '-o', '/dev/null', '-wrapper', `/bin/sh,-c,touch '${m('gcc-wrapper')}'`]],
      ['qemu -incoming exec:', 'qemu-system-aarch64', ['-machine', 'virt', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-S', '-incoming', `exec:touch '${m('qemu-incoming')}'`]],
      ['dtc -o outside', 'dtc', ['-I', 'dts', '-O', 'dtb', '-o', m('dtc-out'), path.join(outside, 'empty.dts')]],
    ];
    const markerOf = ['cmake-env', 'cmake-P', 'make-eval', 'gcc-wrapper', 'qemu-incoming', 'dtc-out'];

    beforeAll(() => {
      writeFileSync(path.join(outside, 'touch.cmake'), `file(TOUCH "${marker('cmake-P')}")\n`);
      writeFileSync(path.join(outside, 'empty.dts'), '/dts-v1/;\n/ { };\n');
    });

    it('control: each payload, run straight at its tool, does run (or write)', async () => {
      const control = (n: string) => path.join(outside, `control-${n}`);
      writeFileSync(path.join(outside, 'touch-control.cmake'), `file(TOUCH "${control('cmake-P')}")\n`);
      for (const [i, [name, tool, args]] of payloads(control).entries()) {
        const a = name === 'cmake -P' ? ['-P', path.join(outside, 'touch-control.cmake')] : args;
        const child = spawn(tool, a, { stdio: 'ignore' });
        expect(await waitFor(() => existsSync(control(markerOf[i]!)), 5000), `control ${name}`).toBe(true);
        child.kill('SIGKILL');
      }
    }, budget(20_000, 60_000));

    it('process.start is gone; tool.version takes a known tool and nothing else', async () => {
      for (const [i, [name, tool, args]] of payloads(marker).entries()) {
        await attempt(`process.start ${name}`, () => browser.call('process.start', { tool, args }), { code: 'unknown-method', message: /unknown method/ }, marker(markerOf[i]!));
        await attempt(`tool.version ${name}`, () => browser.call('tool.version', { tool, args }), { code: 'invalid-params', message: /args/ }, marker(markerOf[i]!));
      }
      await attempt('tool.version of a program the doctor does not know', () => browser.call('tool.version', { tool: 'sh' }), { code: 'invalid-params', message: /tool/ });
      // The intent itself: exactly the doctor's probe, streamed as before.
      const r = await browser.call('tool.version', { tool: 'dtc' });
      expect(r).toMatchObject({ ok: true, result: { command: [expect.stringMatching(/\/dtc$/), '--version'] } });
      const runId = r.ok ? r.result.runId : '';
      expect(await waitFor(() => browser.events.some((e) => e.event === 'process.exit' && e.payload.runId === runId), 5000)).toBe(true);
      expect(browser.events.filter((e) => e.event === 'process.output' && e.payload.runId === runId).map((e) => e.payload.data).join('')).toMatch(/Version: DTC/);
    }, budget(10_000, 30_000));
  });

  describe('2. QEMU starts with typed options only', () => {
    it('extra arguments and smuggled option values are refused; no file appears', async () => {
      const start = (extra: object) => browser.call('qemu.start', { board: 'qemu_virt_aarch64', image: 'image.bin', ...extra });
      await attempt('qemu -pidfile', () => start({ extraArgs: ['-pidfile', marker('qemu -pidfile')] }), { code: 'invalid-params', message: /extraArgs/ });
      await attempt('qemu -D', () => start({ extraArgs: ['-d', 'guest_errors', '-D', marker('qemu -D')] }), { code: 'invalid-params', message: /extraArgs/ });
      await attempt('qemu -chardev file', () => start({ extraArgs: ['-chardev', `file,id=f,path=${marker('qemu -chardev file')}`] }), { code: 'invalid-params', message: /extraArgs/ });
      await attempt('qemu -incoming exec:', () => start({ extraArgs: ['-incoming', `exec:touch '${marker('qemu -incoming exec:')}'`] }), { code: 'invalid-params', message: /extraArgs/ });
      writeFileSync(path.join(outside, 'evil-ifup.sh'), `#!/bin/sh\ntouch '${marker('qemu netdev script')}'\n`, { mode: 0o755 });
      await attempt('qemu netdev script', () => start({ options: { network: { hostfwd: [], script: path.join(outside, 'evil-ifup.sh') } } }), { code: 'invalid-params', message: /script/ });
      await attempt('qemu hostfwd smuggling guestfwd cmd:', () => start({ options: { network: { hostfwd: [{ protocol: 'tcp', hostPort: `5555,guestfwd=tcp:10.0.2.100:1-cmd:touch ${marker('qemu guestfwd')}`, guestPort: 22 }] } } }), { code: 'invalid-params', message: /hostPort/ }, marker('qemu guestfwd'));
      await attempt('qemu trace to a file of the page\'s choosing', () => start({ options: { trace: ['guest_errors'], logFile: marker('qemu trace file') } }), { code: 'invalid-params', message: /logFile/ }, marker('qemu trace file'));
      // The trace file is the host's; a link put in its place (a hostile checkout) does not take it outside.
      mkdirSync(path.join(projectDir, 'build'), { recursive: true });
      symlinkSync(marker('qemu trace link'), path.join(projectDir, 'build/sel4-studio-qemu-trace.log'));
      await attempt('qemu trace through a link out of the folder', () => start({ options: { trace: ['guest_errors'] } }), { code: 'forbidden', message: /leaves the project through a link/ }, marker('qemu trace link'));
      await fs.rm(path.join(projectDir, 'build/sel4-studio-qemu-trace.log'));
      // The same link trick on the serial log (opened for appending, which would create the file where the link points).
      mkdirSync(path.join(projectDir, 'logs'), { recursive: true });
      symlinkSync(marker('serial log link'), path.join(projectDir, 'logs/boot.log'));
      await attempt('serial log through a link out of the folder', () => browser.call('serial.open', { target: 'tcp://127.0.0.1:9', baudRate: 115200, log: 'logs/boot.log' }), { code: 'forbidden', message: /leaves the project through a link/ }, marker('serial log link'));
      await fs.rm(path.join(projectDir, 'logs/boot.log'));
      // A folder in the trace file's place is not written through either.
      mkdirSync(path.join(projectDir, 'build/sel4-studio-qemu-trace.log'));
      expect(await start({ options: { trace: ['guest_errors'] } })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/is not a regular file/) } });
      await fs.rm(path.join(projectDir, 'build/sel4-studio-qemu-trace.log'), { recursive: true });
    });

    it('an image named with a comma cannot add a second file= to the loader (the outside file never reaches the guest)', async () => {
      const secret = path.join(outside, 'secret.bin');
      writeFileSync(secret, 'SECRET!!SECRET!!');
      const sneaky = `build/x,file=${secret}`;
      await fs.mkdir(path.join(projectDir, path.dirname(sneaky)), { recursive: true });
      writeFileSync(path.join(projectDir, sneaky), 'INSIDE..INSIDE..');
      const r = await browser.call('qemu.start', { board: 'qemu_virt_aarch64', image: sneaky, options: { memoryMiB: 2048, trace: ['guest_errors'] } });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      const id = r.ok ? r.result.id : '';
      try {
        await browser.call('qemu.control', { id, action: 'pause' });
        const dump = await browser.call('qemu.monitor', { id, command: 'xp /16cb 0x70000000' });
        expect(dump).toMatchObject({ ok: true, result: { text: expect.stringContaining("'I' 'N' 'S' 'I' 'D' 'E'") } });
        expect(dump.ok && dump.result.text).not.toContain("'S' 'E' 'C' 'R' 'E' 'T'");
        expect(existsSync(path.join(projectDir, 'build/sel4-studio-qemu-trace.log'))).toBe(true);
      } finally {
        await browser.call('qemu.control', { id, action: 'stop' });
      }
    }, budget(10_000, 30_000));
  });

  describe('2b. files outside the project reach QEMU only when the user picked them', () => {
    it('a kernel, initrd, disk or loader blob outside the folder (named, or through a link) is refused until the user adds it from a terminal', async () => {
      const secret = path.join(outside, 'secret-kernel.bin');
      writeFileSync(secret, 'SECRET!!SECRET!!');
      mkdirSync(path.join(projectDir, 'build'), { recursive: true });
      symlinkSync(secret, path.join(projectDir, 'build/secret-link'));
      const start = (p: object) => browser.call('qemu.start', { board: 'qemu_virt_aarch64', image: 'image.bin', ...p });
      const notPicked = { code: 'forbidden', message: /not one of your picked images: .*sel4-studio image add PATH/ };
      await attempt('qemu kernel outside', () => browser.call('qemu.start', { board: 'qemu_virt_aarch64', kernel: secret }), notPicked);
      await attempt('qemu initrd outside', () => browser.call('qemu.start', { board: 'qemu_virt_aarch64', kernel: 'image.bin', options: { initrd: secret } }), notPicked);
      await attempt('qemu disk outside', () => start({ options: { disk: secret } }), notPicked);
      await attempt('qemu loader blob outside', () => start({ options: { loaders: [{ file: secret, addr: 0x48000000 }] } }), notPicked);
      await attempt('qemu disk through a link', () => start({ options: { disk: 'build/secret-link' } }), { code: 'forbidden', message: /leaves the project through a link/ });
      await attempt('qemu initrd with a relative escape', () => browser.call('qemu.start', { board: 'qemu_virt_aarch64', kernel: 'image.bin', options: { initrd: '../secret-kernel.bin' } }), { code: 'forbidden', message: /leaves the project/ });
      // The guest writes to its disk: a disk in the folder that is another name of an outside file is refused.
      linkSync(secret, path.join(projectDir, 'build/secret-hardlink'));
      await attempt('qemu disk hard-linked to a file outside', () => start({ options: { disk: 'build/secret-hardlink' } }), { code: 'forbidden', message: /has 2 names \(hard links\)/ });
      await fs.rm(path.join(projectDir, 'build/secret-hardlink'));
      await attempt('qemu free -drive keys', () => start({ options: { disk: 'image.bin', driveOptions: 'snapshot=off' } }), { code: 'invalid-params', message: /driveOptions/ });
      await attempt('qemu -append on a loader image', () => start({ options: { append: 'init=/bin/sh' } }), { code: 'invalid-params', message: /-append is for a Linux kernel booted directly/ });
      // A browser page cannot pick: it is told how the user adds a file from their own terminal.
      expect(await browser.call('images.pick', {})).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringMatching(/sel4-studio image add PATH/) } });
      // Control: once the user added it (what `sel4-studio image add` does), the same file boots, and its bytes are in the guest.
      await new ImageChoices(configDir).add(secret);
      expect(await browser.call('images.list', {})).toMatchObject({ ok: true, result: { images: [{ path: secret, size: 16 }] } });
      const r = await start({ options: { loaders: [{ file: secret, addr: 0x48000000 }] } });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, result: { format: 'raw' } });
      const id = r.ok ? r.result.id : '';
      try {
        await browser.call('qemu.control', { id, action: 'pause' });
        const dump = await browser.call('qemu.monitor', { id, command: 'xp /16cb 0x48000000' });
        expect(dump).toMatchObject({ ok: true, result: { text: expect.stringContaining("'S' 'E' 'C' 'R' 'E' 'T'") } });
      } finally {
        await browser.call('qemu.control', { id, action: 'stop' });
        await browser.call('images.remove', { path: secret });
      }
    }, budget(10_000, 30_000));

    it('a disk named with commas cannot add -drive keys (QEMU reads ",," as a comma)', async () => {
      const sneaky = `build/d,readonly=on,file=${path.join(outside, 'secret-kernel.bin')}`;
      await fs.mkdir(path.join(projectDir, path.dirname(sneaky)), { recursive: true });
      writeFileSync(path.join(projectDir, sneaky), Buffer.alloc(4096));
      const r = await browser.call('qemu.start', { board: 'qemu_virt_aarch64', image: 'image.bin', options: { disk: sneaky } });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      const id = r.ok ? r.result.id : '';
      try {
        const block = await browser.call('qemu.monitor', { id, command: 'info block' });
        // One file, named in full; no read-only flag was added.
        expect(block).toMatchObject({ ok: true, result: { text: expect.stringMatching(/^disk0 \(#block\d+\): (.*) \(raw\)$/m) } });
        const text = block.ok ? (block.result.text as string) : '';
        expect(/^disk0 \(#block\d+\): (.*) \(raw\)$/m.exec(text)![1]).toBe(path.join(projectDir, sneaky));
        expect(text).not.toMatch(/Read-only/i);
      } finally {
        await browser.call('qemu.control', { id, action: 'stop' });
      }
    }, budget(10_000, 30_000));
  });

  describe('3. the monitor sends inspection and run control only', () => {
    /** [what, its marker, the command]: each command would write or run something named by its marker. */
    const payloads = (m: (n: string) => string): [string, string, string][] =>
      (
        [
          ['migrate exec:', 'migrate', (x: string) => `migrate -d "exec:touch ${x}"`],
          ['dump-guest-memory', 'dump-guest-memory', (x: string) => `dump-guest-memory ${x}`],
          ['pmemsave', 'pmemsave', (x: string) => `pmemsave 0x70000000 64 ${x}`],
          ['memsave', 'memsave', (x: string) => `memsave 0 64 ${x}`],
          ['screendump', 'screendump', (x: string) => `screendump ${x}`],
          ['chardev-add file', 'chardev-add', (x: string) => `chardev-add file,id=f,path=${x}`],
          ['drive_add', 'drive_add', (x: string) => `drive_add 0 file=${x},if=none,format=raw`],
          ['logfile', 'logfile', (x: string) => `logfile ${x}`],
          ['object_add memory-backend-file', 'object_add', (x: string) => `object_add memory-backend-file,id=mb,mem-path=${x},size=4096`],
          ['netdev_add guestfwd cmd:', 'netdev_add', (x: string) => `netdev_add user,id=n1,guestfwd=tcp:10.0.2.100:1-cmd:touch ${x}`],
          ['dumpdtb', 'dumpdtb', (x: string) => `dumpdtb ${x}`],
          ['leading space', 'leading-space', (x: string) => ` migrate "exec:touch ${x}"`],
          ['second line', 'second-line', (x: string) => `info mtree\nmigrate "exec:touch ${x}"`],
          ['quoted word', 'quoted-word', (x: string) => `"migrate" "exec:touch ${x}"`],
          ['glued ;', 'glued', (x: string) => `info;migrate "exec:touch ${x}"`],
          ['upper case', 'upper-case', (x: string) => `MIGRATE "exec:touch ${x}"`],
        ] as const
      ).map(([name, key, command]) => [name, key, command(m(key))]);
    let qemuId = '';
    beforeAll(async () => {
      const r = await browser.call('qemu.start', { board: 'qemu_virt_aarch64', image: 'image.bin' });
      expect(r).toMatchObject({ ok: true });
      qemuId = r.ok ? r.result.id : '';
    }, 15_000);
    afterAll(async () => {
      await browser.call('qemu.control', { id: qemuId, action: 'stop' });
    });

    it('control: QEMU does run `migrate "exec:…"` and write object_add\'s file when the command reaches it', async () => {
      const board = (await loadBoards(boardsDir)).boards.find((b) => b.name === 'qemu_virt_aarch64')!;
      const svc = new QemuService({ output: () => undefined, status: () => undefined });
      const { id } = await svc.start(board, { image: path.join(projectDir, 'image.bin') });
      try {
        const control = (n: string) => path.join(outside, `control-${n}`);
        // (object_add first: a migration under way holds QEMU's lock and would keep it waiting)
        await svc.monitor(id, `object_add memory-backend-file,id=mb,mem-path=${control('object_add')},size=4096`).catch(() => undefined);
        await svc.monitor(id, `migrate -d "exec:touch ${control('migrate')}"`).catch(() => undefined);
        expect(await waitFor(() => existsSync(control('migrate')) && existsSync(control('object_add')), 5000)).toBe(true);
      } finally {
        await svc.stop(id);
      }
    }, budget(10_000, 30_000));

    it('browser mode: anything off the list is refused, saying to use the command line for the full monitor', async () => {
      for (const [name, key, command] of payloads(marker)) {
        await attempt(`monitor ${name}`, () => browser.call('qemu.monitor', { id: qemuId, command }), { code: 'forbidden', message: /sel4-studio qemu .*--monitor/ }, marker(key));
      }
      expect(markersIn(outside)).toEqual([]);
      // What is on the list still works, as typed.
      expect(await browser.call('qemu.monitor', { id: qemuId, command: 'info mtree' })).toMatchObject({ ok: true, result: { text: expect.stringContaining('pl011') } });
      expect(await browser.call('qemu.monitor', { id: qemuId, command: 'xp /2xw 0x70000000' })).toMatchObject({ ok: true });
    });

    it('Electron: a command off the list goes only through the host\'s own dialog, showing the exact command', async () => {
      const asked: string[] = [];
      let answer = false;
      const electron = host(mkdtempSync(path.join(os.tmpdir(), 'intents-electron-')), { confirm: async (q) => (asked.push(q.detail), answer) });
      try {
        expect(await electron.call('project.open', { dir: projectDir })).toMatchObject({ ok: true });
        const r = await electron.call('qemu.start', { board: 'qemu_virt_aarch64', image: 'image.bin' });
        const id = r.ok ? r.result.id : '';
        const command = `migrate "exec:touch ${marker('electron migrate')}"`;
        await attempt('monitor migrate exec: (Electron, the user says no)', () => electron.call('qemu.monitor', { id, command }), { code: 'forbidden', message: /you declined/ }, marker('electron migrate'));
        expect(asked).toHaveLength(1);
        expect(asked[0]!.split('\n')[0]).toBe(command);
        // The user says yes to a command they typed: it is sent.
        answer = true;
        expect(await electron.call('qemu.monitor', { id, command: 'mouse_button 0' })).toMatchObject({ ok: true });
        expect(asked).toHaveLength(2);
        // On the list: no dialog.
        expect(await electron.call('qemu.monitor', { id, command: 'info status' })).toMatchObject({ ok: true, result: { text: expect.stringMatching(/VM status/) } });
        expect(asked).toHaveLength(2);
        await electron.call('qemu.control', { id, action: 'stop' });
      } finally {
        electron.dispose();
        await browser.call('project.open', { dir: projectDir });
      }
    }, budget(10_000, 30_000));

    it(`variants of refused commands (spacing, case, control characters): only ever a listed command, as QEMU reads the word (${scale(2000, 200_000)} tried)`, () => {
      // QEMU's own reading of the command word (monitor/hmp.c get_command_name): skip white space, stop at white space or '/'.
      const qemuWord = (line: string) => /^[ \t\n\v\f\r]*([^ \t\n\v\f\r/\0]*)/.exec(line)![1];
      const bad = payloads(marker).map(([, , c]) => c.trimStart());
      const noise = [' ', '\t', '\n', '\r', '\0', '\u00a0', '\u2028', ';', '"', "'", '/', '\\', '$', '`'];
      let seed = 13;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
      let allowed = 0;
      for (let i = 0; i < scale(2000, 200_000); i++) {
        let c = bad[rnd(bad.length)]!;
        for (let k = 1 + rnd(3); k > 0; k--) {
          const at = rnd(c.length + 1);
          c = rnd(3) ? c.slice(0, at) + noise[rnd(noise.length)]! + c.slice(at) : rnd(2) ? c.toUpperCase() : noise[rnd(noise.length)]! + c;
        }
        const r = checkMonitorCommand(c);
        if (!r.ok) continue;
        // Noise can turn "chardev-add …" into "c hardev-add …": then QEMU runs `cont` (and refuses the extra words). What
        // QEMU would run is exactly the word the check allowed, on one printable line.
        allowed++;
        expect(qemuWord(c), JSON.stringify(c)).toBe(r.command);
        expect(Object.keys(MONITOR_COMMANDS)).toContain(r.command);
        expect(c, JSON.stringify(c)).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
        expect(r.command, JSON.stringify(c)).not.toMatch(/^(migrate|dump|pmemsave|memsave|screendump|chardev|drive|logfile|object|netdev|dumpdtb)/);
      }
      expect(allowed).toBeLessThan(scale(2000, 200_000) / 10);
    }, budget(5_000, 120_000));
  });

  describe('4. an SDK runs only when the user chose it', () => {
    let evil: string;
    beforeAll(() => {
      evil = evilSdk('evil-sdk');
    });

    it('control: a build with that SDK as the user\'s own choice (the command line) does run its bin/microkit', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'intents-control-'));
      const t = await readTemplate(templates, 'hello');
      const snap = await new ProjectService(mkdtempSync(path.join(os.tmpdir(), 'cfg-'))).create(dir, 'hello', t.info.board, t.systemXml, t.files);
      await fs.rm(path.join(dir, 'CMakeLists.txt'));
      const builds = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }), { step: () => undefined, output: () => undefined, progress: () => undefined, problem: () => undefined, done: () => undefined });
      const { finished } = await builds.start({ root: dir, studio: snap.studio, sdk: evil, toolchain: 'aarch64-linux-gnu' });
      await finished;
      expect(existsSync(marker('evil-sdk'))).toBe(true);
      await fs.rm(marker('evil-sdk'));
    }, budget(10_000, 30_000));

    it('named by the page, by .sel4-studio/settings.json or by studio.json: refused, saying how to choose it', async () => {
      const notChosen = { code: 'forbidden', message: /was not chosen by you.*sel4-studio sdk add/ };
      await attempt('build.start sdk=evil', () => browser.call('build.start', { sdk: evil }), notChosen, marker('evil-sdk'));
      await attempt('build.start sdk=evil through a link', () => {
        symlinkSync(evil, path.join(outside, 'link-to-evil'));
        return browser.call('build.start', { sdk: path.join(outside, 'link-to-evil') });
      }, notChosen, marker('evil-sdk'));
      // studio.json names it.
      const studio = JSON.parse(readFileSync(path.join(projectDir, 'studio.json'), 'utf8'));
      writeFileSync(path.join(projectDir, 'studio.json'), JSON.stringify({ ...studio, build: { ...studio.build, sdkPath: evil } }, null, 2));
      await attempt('studio.json sdkPath=evil', () => browser.call('build.start', {}), notChosen, marker('evil-sdk'));
      writeFileSync(path.join(projectDir, 'studio.json'), JSON.stringify(studio, null, 2));
      // A folder (a git checkout) whose settings file names it.
      const folder = mkdtempSync(path.join(os.tmpdir(), 'intents-folder-'));
      await fs.cp(projectDir, folder, { recursive: true });
      await fs.rm(path.join(folder, 'studio.json'));
      mkdirSync(path.join(folder, '.sel4-studio'));
      writeFileSync(path.join(folder, '.sel4-studio/settings.json'), JSON.stringify({ schemaVersion: 1, layouts: {}, build: { variables: {}, sdkPath: evil } }));
      expect(await browser.call('project.open', { dir: folder })).toMatchObject({ ok: true, result: { kind: 'folder' } });
      await attempt('.sel4-studio/settings.json sdkPath=evil', () => browser.call('build.start', { system: 'hello.system' }), notChosen, marker('evil-sdk'));
      // The page cannot choose it either: a browser has no dialog of the host's own.
      await attempt('sdk.choose evil (browser)', () => browser.call('sdk.choose', { path: evil }), { code: 'forbidden', message: /cannot ask you to confirm an SDK.*sel4-studio sdk add/ }, marker('evil-sdk'));
      await attempt('build.start after sdk.choose (browser)', () => browser.call('build.start', { sdk: evil, system: 'hello.system' }), notChosen, marker('evil-sdk'));
      expect(await browser.call('sdk.inspect', { path: evil })).toMatchObject({ ok: true, result: { sdk: { path: evil, chosen: false } } });
      await browser.call('project.open', { dir: projectDir });
    }, budget(10_000, 30_000));

    it('Electron: the page asks, the host\'s dialog decides; a no leaves the SDK unchosen', async () => {
      const cfg = mkdtempSync(path.join(os.tmpdir(), 'intents-electron-'));
      const asked: string[] = [];
      const electron = host(cfg, { confirm: async (q) => (asked.push(q.message), false), pickDirectory: async () => null });
      try {
        expect(await electron.call('project.open', { dir: projectDir })).toMatchObject({ ok: true });
        expect(await electron.call('sdk.choose', { path: evil })).toEqual({ ok: true, result: { sdk: null } });
        expect(asked).toEqual([`Use the Microkit SDK at ${evil}?`]);
        await attempt('build.start sdk=evil after the user said no (Electron)', () => electron.call('build.start', { sdk: evil }), { code: 'forbidden', message: /was not chosen by you.*: choose it in the Build tab/ }, marker('evil-sdk'));
        expect(await new SdkChoices(cfg).list()).toEqual([]);
      } finally {
        electron.dispose();
        await browser.call('project.open', { dir: projectDir });
      }
    });

    it('an SDK whose VERSION is a FIFO is not one: answered at once, never read, never run', async () => {
      const fifo = evilSdk('fifo-sdk', { fifoVersion: true });
      const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000));
      const inspected = await Promise.race([browser.call('sdk.inspect', { path: fifo }), timeout]);
      expect(inspected).toMatchObject({ ok: true, result: { sdk: null, hint: expect.stringMatching(/is not a Microkit SDK \(it needs a VERSION file/) } });
      await attempt('build.start sdk=FIFO VERSION', () => Promise.race([browser.call('build.start', { sdk: fifo }), timeout.then(() => ({ ok: true, result: 'hung' }) as Envelope)]), { code: 'tool-missing', message: /is not a Microkit SDK/ }, marker('fifo-sdk'));
      await attempt('sdk.choose FIFO VERSION', () => Promise.race([browser.call('sdk.choose', { path: fifo }), timeout.then(() => ({ ok: true, result: 'hung' }) as Envelope)]), { code: 'not-found', message: /is not a Microkit SDK/ }, marker('fifo-sdk'));
      // bin/microkit a link (to the attacker's script) is not an SDK's either.
      const linked = path.join(outside, 'linked-sdk');
      await fs.cp(evil, linked, { recursive: true });
      await fs.rm(path.join(linked, 'bin/microkit'));
      symlinkSync(path.join(evil, 'bin/microkit'), path.join(linked, 'bin/microkit'));
      expect(await browser.call('sdk.inspect', { path: linked })).toMatchObject({ ok: true, result: { sdk: null } });
    });
  });

  describe('5. stored settings never carry CMake or make text into a build', () => {
    let sdk: string;
    beforeAll(async () => {
      sdk = standinSdk();
      await new SdkChoices(configDir).add(sdk); // the user chose the stand-in earlier
    }, 60_000);

    it('a settings file whose compiler and board carry CMake text is refused at open with its place; the build uses defaults and runs none of it', async () => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'intents-settings-'));
      await fs.cp(projectDir, folder, { recursive: true });
      await fs.rm(path.join(folder, 'studio.json'));
      await fs.rm(path.join(folder, 'build'), { recursive: true, force: true });
      mkdirSync(path.join(folder, '.sel4-studio'));
      const inject = (m: string) => `x)\nexecute_process(COMMAND touch "${marker(m)}")\n#`;
      writeFileSync(path.join(folder, '.sel4-studio/settings.json'), JSON.stringify({ schemaVersion: 1, layouts: {}, board: inject('settings board'), build: { variables: {}, toolchain: inject('settings toolchain') } }, null, 2));
      const opened = await browser.call('project.open', { dir: folder });
      expect(opened).toMatchObject({ ok: true, result: { settingsProblems: [expect.objectContaining({ file: '.sel4-studio/settings.json', message: expect.stringMatching(/^board: /) }), expect.objectContaining({ message: expect.stringMatching(/^build\.toolchain: /) })] } });
      attempts.push({ name: 'settings.json toolchain/board with CMake text', error: opened.ok ? opened.result.settingsProblems.map((d: { message: string }) => d.message).join('; ') : '(not opened)' });
      const done = browser.events.length;
      const r = await browser.call('build.start', { system: 'hello.system', sdk });
      expect(r).toMatchObject({ ok: true });
      expect(await waitFor(() => browser.events.slice(done).some((e) => e.event === 'build.done'), 60_000)).toBe(true);
      const toolchainFile = readFileSync(path.join(folder, 'build/sel4-studio-toolchain.cmake'), 'utf8');
      expect(toolchainFile).not.toContain('execute_process');
      expect(toolchainFile).toContain('set(MICROKIT_BOARD "qemu_virt_aarch64"');
      expect(existsSync(marker('settings board'))).toBe(false);
      expect(existsSync(marker('settings toolchain'))).toBe(false);
      await browser.call('project.open', { dir: projectDir });
    }, budget(60_000, 120_000));

    it('the page cannot store such text, and a value that got past every schema still stops at the build', async () => {
      const injected = `aarch64-linux-gnu)\nexecute_process(COMMAND touch "${marker('saved toolchain')}")\n#`;
      await attempt('workspace.saveSettings toolchain with CMake text', () => browser.call('workspace.saveSettings', { settings: { schemaVersion: 1, layouts: {}, build: { variables: {}, toolchain: injected } } }), { code: 'invalid-params', message: /toolchain/ }, marker('saved toolchain'));
      const studio = JSON.parse(readFileSync(path.join(projectDir, 'studio.json'), 'utf8'));
      await attempt('project.save board with make text', () => browser.call('project.save', { studio: { ...studio, board: `$(shell touch ${marker('saved board')})` }, systemXml: '<system/>' }), { code: 'invalid-params', message: /board/ }, marker('saved board'));
      await attempt('build.start toolchain with CMake text', () => browser.call('build.start', { toolchain: injected, sdk }), { code: 'invalid-params', message: /toolchain/ }, marker('saved toolchain'));
      // Defence in depth: the build service itself (the command line's) refuses what no schema checked.
      const builds = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }), { step: () => undefined, output: () => undefined, progress: () => undefined, problem: () => undefined, done: () => undefined });
      const saved = JSON.parse(readFileSync(path.join(projectDir, 'studio.json'), 'utf8'));
      let refused: unknown;
      await builds.start({ root: projectDir, studio: { ...saved, build: { ...saved.build, toolchain: injected } }, sdk }).catch((e: unknown) => (refused = e));
      expect(refused).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/compiler setting .* is not one of/) });
      attempts.push({ name: 'BuildService with a toolchain no schema checked', error: (refused as Error).message });
      expect(existsSync(marker('saved toolchain'))).toBe(false);
    });
  });

  describe("6. a repository's make variables never carry make or shell text, nor name a program", () => {
    let sdk: string;
    let repo: string;
    beforeAll(async () => {
      sdk = standinSdk();
      await new SdkChoices(configDir).add(sdk);
      repo = path.join(mkdtempSync(path.join(os.tmpdir(), 'intents-repo-')), 'example');
      await fs.cp(path.join(root, 'tests/fixtures/repo-make'), repo, { recursive: true });
    }, 60_000);
    const settings = (variables: Record<string, string>, extra: Record<string, unknown> = {}) => ({ settings: { schemaVersion: 1, layouts: {}, build: { variables, sdkPath: sdk, ...extra } } });

    it('control: the payloads, given to make straight on its command line, do run', () => {
      const control = path.join(outside, 'control-make-var');
      spawnSync('make', ['-n', `GREETING=$(shell touch ${control})`, `MICROKIT_SDK=${sdk}`, 'MICROKIT_BOARD=qemu_virt_aarch64'], { cwd: repo });
      expect(existsSync(control)).toBe(true);
      // A program named by a variable the Makefile runs: it runs with the Makefile's arguments.
      const tool = path.join(outside, 'control-make-tool');
      writeFileSync(path.join(outside, 'control-tool.sh'), `#!/bin/sh\ntouch '${tool}'\n`);
      chmodSync(path.join(outside, 'control-tool.sh'), 0o755);
      spawnSync('make', [`MICROKIT_TOOL=${path.join(outside, 'control-tool.sh')}`, `MICROKIT_SDK=${sdk}`, 'MICROKIT_BOARD=qemu_virt_aarch64', 'BUILD_DIR=control-build'], { cwd: repo });
      expect(existsSync(tool)).toBe(true);
      writeFileSync(path.join(outside, 'make-tool.sh'), `#!/bin/sh\ntouch '${marker('make-var-tool')}'\n`);
      chmodSync(path.join(outside, 'make-tool.sh'), 0o755);
    }, budget(20_000, 60_000));

    it('stored through the page, each is refused at the build (or at the store); make never runs them', async () => {
      expect(await browser.call('project.open', { dir: repo })).toMatchObject({ ok: true, result: { kind: 'folder' } });
      expect(await browser.call('build.makefile', {})).toMatchObject({ ok: true, result: { kind: 'repo', makefile: { runTarget: 'qemu' } } });
      const tries: [string, Record<string, string>, RegExp][] = [
        ['make-var-shell', { GREETING: `$(shell touch ${marker('make-var-shell')})` }, /cannot be passed to make and the shell/],
        ['make-var-backtick', { GREETING: `\`touch ${marker('make-var-backtick')}\`` }, /cannot be passed to make and the shell/],
        ['make-var-tool', { MICROKIT_TOOL: path.join(outside, 'make-tool.sh') }, /runs MICROKIT_TOOL as a program/],
        ['make-var-cc', { CC: path.join(outside, 'make-tool.sh') }, /does not take CC/],
        ['make-var-sdk', { MICROKIT_SDK: outside }, /comes from the chosen SDK/],
        ['make-var-option', { GREETING: `x --eval=$(shell touch ${marker('make-var-option')})` }, /cannot be passed|starting with "-"/],
      ];
      for (const [name, variables, refusal] of tries) {
        expect(await browser.call('workspace.saveSettings', settings(variables))).toMatchObject({ ok: true });
        await attempt(`build.start with stored ${name}`, () => browser.call('build.start', {}), { code: 'invalid-params', message: refusal });
        await attempt(`build.runTarget with stored ${name}`, () => browser.call('build.runTarget', {}), { code: 'invalid-params', message: refusal }, marker(name));
      }
      await attempt('workspace.saveSettings a variable with a line break', () => browser.call('workspace.saveSettings', settings({ GREETING: `x\nall:\n\ttouch ${marker('make-var-newline')}` })), { code: 'invalid-params', message: /one line/ }, marker('make-var-newline'));
      await attempt('workspace.saveSettings a run target with shell text', () => browser.call('workspace.saveSettings', settings({}, { runTarget: `qemu; touch ${marker('make-target')}` })), { code: 'invalid-params', message: /runTarget/ }, marker('make-target'));
      expect(await browser.call('workspace.saveSettings', settings({}, { runTarget: 'clean' }))).toMatchObject({ ok: true });
      expect(await browser.call('workspace.saveSettings', settings({}, { runTarget: 'nothere' }))).toMatchObject({ ok: true });
      await attempt('build.runTarget of a target the Makefile lacks', () => browser.call('build.runTarget', {}), { code: 'not-found', message: /has no target "nothere"/ });
      await browser.call('project.open', { dir: projectDir });
    }, budget(30_000, 60_000));
  });

  it('nothing any attempt named exists', () => {
    expect(markersIn(outside)).toEqual([]);
    const succeeded = attempts.filter((a) => a.error === '(succeeded)');
    expect(succeeded).toEqual([]);
    expect(attempts.length).toBeGreaterThanOrEqual(25);
  });
});
