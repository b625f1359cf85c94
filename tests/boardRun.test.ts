import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BoardRunService, type BoardRunEvents } from '../electron/services/boardRun';
import { ProcessSupervisor } from '../electron/services/processes';
import { SerialService } from '../electron/services/serial';
import { BoardTargetSchema, type BoardTarget } from '../shared/boardrun/target';
import { pxeConfig } from '../shared/boardrun/pxe';
import { has, makeUnwritable, startLab, tftpGet, type Lab } from './support/lab';

const tools = ['socat', 'ser2net', 'in.tftpd', 'tftp'];
const missing = tools.filter((t) => !has(t));
if (missing.length && process.env.CI === 'true') throw new Error(`${missing.join(', ')} required in CI (apt-get install socat ser2net tftpd-hpa tftp-hpa)`);

let lab: Lab | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await lab?.stop();
  lab = undefined;
});

function harness() {
  const steps: Parameters<BoardRunEvents['step']>[0][] = [];
  const output: string[] = [];
  let done: Parameters<BoardRunEvents['done']>[0] | undefined;
  const consoleText: string[] = [];
  const serial = new SerialService({ data: (_id, d) => consoleText.push(Buffer.from(d).toString('latin1')), status: () => undefined });
  const processes = new ProcessSupervisor({ output: () => undefined, exit: () => undefined });
  let token: string | undefined;
  const svc = new BoardRunService(
    { serial, processes, token: async () => token },
    { step: (e) => steps.push(e), output: (e) => output.push(e.data), done: (e) => (done = e) },
  );
  return { svc, serial, steps, output, consoleText, setToken: (t: string) => (token = t), done: () => done };
}

function project(bytes: Buffer) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'boardrun-'));
  mkdirSync(path.join(root, 'build'));
  writeFileSync(path.join(root, 'build', 'loader.img'), bytes);
  return root;
}

function labTarget(l: Lab, over: Partial<BoardTarget> = {}): BoardTarget {
  return BoardTargetSchema.parse({
    deploy: { kind: 'tftp', folder: l.tftpRoot, fileName: 'lab/sel4.img' },
    power: { kind: 'home-assistant', baseUrl: l.haUrl, entityId: l.entityId, offMs: 50 },
    console: { kind: 'network', protocol: 'rfc2217', host: '127.0.0.1', port: l.consolePort, baudRate: 115200 },
    firmware: { kind: 'u-boot', loadAddress: '0x40000000', boot: 'go' },
    bootTimeoutMs: 20_000,
    ...over,
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(missing.length === 0)('run on board against a loopback lab (in.tftpd, tftp, ser2net, socat; HA double)', () => {
  it('deploys byte-identical (fetched by a real TFTP client), powers off then on in order, and boots to the monitor', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir);
    const image = randomBytes(300 * 1024 + 17);
    const root = project(image);
    const h = harness();
    h.setToken(lab.token);
    const { runId, log } = await h.svc.start({ root, name: 'lab', target: labTarget(lab) });
    await h.svc.finished(runId);
    expect(h.done()).toMatchObject({ result: 'booted' });
    expect(h.steps.filter((s) => s.status !== 'running').map((s) => `${s.step}:${s.status}`)).toEqual(['build:skipped', 'deploy:done', 'power-off:done', 'console:done', 'power-on:done', 'boot:done']);

    // A real TFTP client gets exactly the image from a real TFTP server serving the deploy folder.
    const got = path.join(dir, 'fetched.img');
    const t = tftpGet(lab.tftpPort, 'lab/sel4.img', got);
    expect(t.ok, t.output).toBe(true);
    expect(Buffer.compare(readFileSync(got), image)).toBe(0);
    // No temp file was left beside it.
    expect(readdirSync(path.join(lab.tftpRoot, 'lab'))).toEqual(['sel4.img']);

    // Home Assistant's switch service, in order, with the token as a bearer and the entity as JSON.
    expect(lab.calls.map((c) => [c.service, c.entityId, c.auth, c.status])).toEqual([
      ['turn_off', 'switch.board_plug', `Bearer ${lab.token}`, 200],
      ['turn_on', 'switch.board_plug', `Bearer ${lab.token}`, 200],
    ]);
    // The console (over ser2net) saw the whole boot, and the run log holds it.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.consoleText.join('')).toContain('MON|INFO: completed system invocations');
    await h.svc.stop(runId, true);
    expect(lab.calls.at(-1)?.service).toBe('turn_off');
    const logText = readFileSync(path.join(root, log), 'utf8');
    expect(logText).toContain('LDR|INFO: altloader for seL4 starting');
    expect(logText).toContain('== deploy: done');
    expect(logText).toContain('tftpboot 0x40000000 lab/sel4.img; go 0x40000000');
    expect(logText).not.toContain(lab.token);
  }, 60_000);

  it('a deploy into a folder it cannot write stops the run there: no power call, no console left open', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir);
    const undo = makeUnwritable(lab.tftpRoot);
    if (!undo) return void console.warn('skipped: the TFTP folder stays writable for this user');
    cleanups.push(undo);
    const h = harness();
    h.setToken(lab.token);
    const { runId } = await h.svc.start({ root: project(randomBytes(4096)), name: 'lab', target: labTarget(lab) });
    await h.svc.finished(runId);
    expect(h.done()).toMatchObject({ result: 'failed', failedStep: 'deploy' });
    expect(h.done()!.error).toMatch(/cannot (deploy into|create|write) .*(permission denied|not permitted)/);
    expect(lab.calls).toEqual([]);
    expect(h.svc.active).toBeUndefined();
  }, 30_000);

  it('a 401 from Home Assistant stops the run at power off with the reason; nothing is left running', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir);
    const h = harness();
    h.setToken('a-wrong-token');
    const { runId } = await h.svc.start({ root: project(randomBytes(4096)), name: 'lab', target: labTarget(lab) });
    await h.svc.finished(runId);
    expect(h.done()).toMatchObject({ result: 'failed', failedStep: 'power-off' });
    expect(h.done()!.error).toMatch(/Home Assistant answered 401 Unauthorized to turn_off switch\.board_plug: the token is wrong or expired/);
    expect(lab.calls.map((c) => [c.service, c.status])).toEqual([['turn_off', 401]]);
    expect(h.svc.active).toBeUndefined();
  }, 30_000);

  it('a custom argv deploy and power run as configured; a failing one stops the run with its output', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir);
    const h = harness();
    const dest = path.join(dir, 'by-command.img');
    const target = labTarget(lab, {
      deploy: { kind: 'command', argv: ['cp', '{image}', dest] },
      power: { kind: 'command', cycle: ['sh', '-c', 'echo plug says no >&2; exit 3'] },
    });
    const image = randomBytes(2048);
    const { runId } = await h.svc.start({ root: project(image), name: 'cmd', target });
    await h.svc.finished(runId);
    expect(Buffer.compare(readFileSync(dest), image)).toBe(0);
    expect(h.done()).toMatchObject({ result: 'failed', failedStep: 'power-on', error: 'sh exited with status 3' });
    expect(h.output.join('')).toContain('plug says no');
    expect(h.steps.find((s) => s.step === 'power-off')?.status).toBe('skipped');
    expect(h.svc.active).toBeUndefined();
  }, 30_000);

  it('cancel while waiting for the boot closes the console and powers off when asked', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir, { replayDelayMs: 60_000 });
    const h = harness();
    h.setToken(lab.token);
    const { runId } = await h.svc.start({ root: project(randomBytes(1024)), name: 'lab', target: labTarget(lab) });
    const end = Date.now() + 15_000;
    while (!h.steps.some((s) => s.step === 'boot' && s.status === 'running') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const consoleId = h.steps.find((s) => s.consoleId)?.consoleId;
    expect(consoleId).toBeDefined();
    await h.svc.stop(runId, true);
    expect(h.done()).toMatchObject({ result: 'cancelled' });
    expect(h.serial.status(consoleId!)).toBeUndefined();
    expect(lab.calls.map((c) => c.service)).toEqual(['turn_off', 'turn_on', 'turn_off']);
    for (const pid of lab.pids) expect(alive(pid)).toBe(true);
  }, 30_000);
});

describe.runIf(missing.length === 0)('sel4-studio run-board', () => {
  it('boots the folder\'s target from the command line: console on stdout, exit 0, powered off after', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-'));
    lab = await startLab(dir);
    const root = project(randomBytes(8192));
    mkdirSync(path.join(root, '.sel4-studio'));
    writeFileSync(path.join(root, '.sel4-studio', 'settings.json'), JSON.stringify({ schemaVersion: 1, build: { variables: {} }, layouts: {}, boardTargets: { lab: labTarget(lab) } }));
    const config = mkdtempSync(path.join(os.tmpdir(), 'cli-config-'));
    const before = process.env.SEL4_STUDIO_CONFIG_DIR;
    process.env.SEL4_STUDIO_CONFIG_DIR = config;
    try {
      const { PowerTokens } = await import('../electron/services/powerTokens');
      await new PowerTokens(path.join(config, 'board-power.json')).set(lab.haUrl, lab.token);
      const { run } = await import('../electron/cli/cli');
      let out = '';
      const code = await run(['run-board', '--target', 'lab', '--project', root, '--no-build', '--power-off'], (s) => (out += s));
      expect(out).toContain('hello, world');
      expect(code).toBe(0);
      expect(lab.calls.map((c) => c.service)).toEqual(['turn_off', 'turn_on', 'turn_off']);
      let missingOut = '';
      expect(await run(['run-board', '--target', 'nope', '--project', root], (s) => (missingOut += s))).toBe(1);
    } finally {
      if (before === undefined) delete process.env.SEL4_STUDIO_CONFIG_DIR;
      else process.env.SEL4_STUDIO_CONFIG_DIR = before;
    }
  }, 30_000);
});

describe.runIf(has('dnsmasq'))('PXE helper', () => {
  it('dnsmasq --test accepts the generated proxy-DHCP configuration', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pxe-'));
    const c = pxeConfig({ iface: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', tftpRoot: dir, bootFile: 'agx/sel4.efi' });
    expect(c.text).toContain('dhcp-range=127.0.0.0,proxy,255.0.0.0');
    expect(c.text).toContain('pxe-service=ARM64_EFI,"seL4 Studio",agx/sel4.efi');
    const conf = path.join(dir, 'pxe.conf');
    writeFileSync(conf, c.text);
    const r = spawnSync('dnsmasq', ['--test', `--conf-file=${conf}`], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/syntax check OK/);
    expect(r.status).toBe(0);
    // The same as options.
    const o = spawnSync('dnsmasq', ['--test', '--conf-file=/dev/null', ...c.options], { encoding: 'utf8' });
    expect(o.status, o.stderr).toBe(0);
    // And a broken one is refused (the check can fail).
    writeFileSync(conf, `${c.text}pxe-service=NOT_A_CSA\n`);
    expect(spawnSync('dnsmasq', ['--test', `--conf-file=${conf}`]).status).not.toBe(0);
  });
});

describe('run on board through the host: the target is named, the folder must be trusted, the token stays in the config', () => {
  it('refuses free argv, refuses an untrusted folder (its command does not run), runs it once trusted', async () => {
    const { createStudioHost } = await import('../electron/services/studioHost');
    const { createDispatcher } = await import('../shared/api/rpc');
    const outside = mkdtempSync(path.join(os.tmpdir(), 'boardrun-outside-'));
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'boardrun-config-'));
    const root = project(randomBytes(64));
    const markerFile = path.join(outside, 'M-deployed');
    mkdirSync(path.join(root, '.sel4-studio'));
    writeFileSync(
      path.join(root, '.sel4-studio', 'settings.json'),
      JSON.stringify({ schemaVersion: 1, build: { variables: {} }, layouts: {}, boardTargets: { desk: { deploy: { kind: 'command', argv: ['cp', '{image}', markerFile] }, power: { kind: 'command', on: ['false'] }, console: { kind: 'network', protocol: 'tcp', host: '127.0.0.1', port: 1, baudRate: 115200 }, firmware: { kind: 'uefi-pxe' } } } }),
    );
    const events: { event: string; payload: any }[] = [];
    const studio = createStudioHost({ mode: 'browser', version: 'test', configDir, trustFile: path.join(configDir, 'trust.json'), boardsDir: path.resolve(import.meta.dirname, '../boards'), emit: (event, payload) => events.push({ event, payload }) });
    const call = createDispatcher(studio.handlers) as (m: string, p: unknown) => Promise<any>;
    try {
      expect(await call('project.open', { dir: root })).toMatchObject({ ok: true });
      // The page cannot describe a command: only a name crosses the contract.
      expect(await call('boardRun.start', { target: 'desk', build: false, argv: ['touch', markerFile] })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
      expect(await call('boardRun.start', { target: '../desk', build: false })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
      // Restricted mode: the folder's command is not run.
      expect(await call('boardRun.start', { target: 'desk', build: false })).toMatchObject({ ok: false, error: { code: 'untrusted' } });
      await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(outside)).toEqual([]);
      // Trusted: it runs exactly as configured and shows the argv in its plan; power's `false` fails the run there.
      expect(await call('workspace.trust', { trusted: true })).toMatchObject({ ok: true });
      const started = await call('boardRun.start', { target: 'desk', build: false });
      expect(started).toMatchObject({ ok: true });
      expect(started.result.plan.steps.find((s: any) => s.id === 'deploy').argv).toEqual(['cp', '{image}', markerFile]);
      const end = Date.now() + 10_000;
      while (!events.some((e) => e.event === 'boardRun.done') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(events.find((e) => e.event === 'boardRun.done')?.payload).toMatchObject({ result: 'failed' });
      expect(readdirSync(outside)).toEqual(['M-deployed']);
      expect(await call('boardRun.start', { target: 'nope', build: false })).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringContaining('there are: desk') } });

      // The token: in the user's config (0600), never in the folder, never answered back.
      const secret = 'ha-secret-token-xyz';
      expect(await call('boardRun.setToken', { baseUrl: 'http://ha.lab:8123', token: secret })).toMatchObject({ ok: true });
      expect(await call('boardRun.tokenStored', { baseUrl: 'http://ha.lab:8123/' })).toEqual({ ok: true, result: { stored: true } });
      const stat = (await import('node:fs')).statSync(path.join(configDir, 'board-power.json'));
      expect(stat.mode & 0o777).toBe(0o600);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(spawnSync('grep', ['-rl', secret, root]).stdout.toString()).toBe('');
    } finally {
      studio.dispose();
    }
  }, 30_000);
});
