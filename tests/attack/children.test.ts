// Children die with their parent (issue 13): real hosts, the real CLI and the `npm start` wrapper, real QEMU booting the
// bare-metal fixture and a real make whose recipe runs long, started and stopped over and over, then killed outright
// (SIGKILL) with their children running. Afterwards no process of this run is left (pgrep on a marker every process of
// the run carries in its command line: the work folder's name), and the next start leaves no temp folder behind.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSupervised, WATCHDOG_NAME } from '../../electron/services/supervise';
import { buildBaremetal, hasTools } from '../support/baremetal';
import { standinSdk } from '../support/standinSdk';
import { keyOf, openHostSocket, parseReady } from '../support/browserHost';
import { budget, scale } from './scale';

const root = path.resolve(import.meta.dirname, '../..');
const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = process.platform === 'linux' && hasTools() && has('make') && has('pgrep');
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, make, pgrep, aarch64-linux-gnu-gcc and qemu-system-aarch64 are required in CI');

/** Unique to this run: every process the run starts has it in its command line (paths under the work folder). */
const tag = `kids${process.pid}t${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes of this run, but not the ones we still mean to keep (a live host). */
const ours = (keep: (number | undefined)[] = []) => {
  let pids: number[];
  try {
    pids = execFileSync('pgrep', ['-f', tag]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    pids = [];
  }
  return pids.filter((p) => !keep.includes(p)).map((p) => {
    let comm = '?';
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      // Gone meanwhile.
    }
    return `${p}:${comm}`;
  });
};

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Wait until no process of this run is left but `keep`; how long that took (ms). */
async function noneLeft(keep: (number | undefined)[] = [], ms = 8000): Promise<number> {
  const t0 = Date.now();
  const end = t0 + ms;
  while (ours(keep).length > 0) {
    if (Date.now() > end) throw new Error(`left running: ${ours(keep).join(' ')}`);
    await sleep(25);
  }
  return Date.now() - t0;
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

interface Host {
  proc: ChildProcess;
  call<T = any>(method: string, params?: unknown): Promise<T>;
  events: { event: string; payload: any }[];
  close(): void;
}

/** Connect to a browser-mode host whose stdout prints its URL (the host itself or the npm start wrapper). */
async function connect(proc: ChildProcess): Promise<Host> {
  let buf = '';
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      buf += String(d);
      const ready = buf.split('\n').find((l) => l.startsWith('seL4 Studio ready at '));
      if (ready) resolve(ready);
    });
    proc.once('exit', (code) => reject(new Error(`host exited (${code}) before it was ready: ${buf}`)));
  });
  // As the user's browser does: the launch page holds the key, and the key is proven, never sent.
  const ready = parseReady(line);
  const ws = await openHostSocket(ready.port, keyOf(ready.launchFile));
  let next = 1;
  const waiting = new Map<number, (e: any) => void>();
  const events: Host['events'] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    if (m.t === 'result') waiting.get(m.id)?.(m.envelope);
    else if (m.t === 'event') events.push({ event: m.event, payload: m.payload });
  });
  ws.on('error', () => undefined);
  return {
    proc,
    events,
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, (env) => (env.ok ? resolve(env.result) : reject(new Error(`${method}: ${env.error.message}`))));
        ws.send(JSON.stringify({ t: 'call', id, method, params }));
      }),
    close: () => ws.terminate(),
  };
}

describe.runIf(ok)('children die with their parent; stale temp folders are swept (real hosts, QEMU, make)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), `children-${tag}-`));
  /** TMPDIR of every host and CLI of this run: their temp folders are counted here, apart from other runs'. */
  const tmp = path.join(work, 'tmp');
  const proj = path.join(work, 'proj');
  const env = { ...process.env, TMPDIR: tmp, SEL4_STUDIO_CONFIG_DIR: path.join(work, 'config'), DISPLAY: '', WAYLAND_DISPLAY: '' };
  let sdk = '';
  const qemuDirs = () => readdirSync(tmp).filter((n) => n.startsWith('sel4studio-qemu-'));
  const cliDirs = () => readdirSync(tmp).filter((n) => n.startsWith('sel4-studio-cli-'));
  const cli = (args: string[]) => spawn(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const startHost = () =>
    connect(spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), '--port', '0', '--no-open', '--project', proj], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  const started: ChildProcess[] = [];
  const track = <P extends ChildProcess>(p: P) => (started.push(p), p);

  /** Boot the fixture in the host's QEMU; resolves once its first line came out. */
  async function bootQemu(h: Host): Promise<string> {
    const { id } = await h.call<{ id: string }>('qemu.start', { board: 'qemu_virt_aarch64', kernel: 'baremetal.elf' });
    // The first line may come in several chunks.
    const output = () => h.events.filter((e) => e.event === 'qemu.output' && e.payload.id === id).map((e) => String(e.payload.data)).join('');
    await until('the fixture booting', () => output().includes('test: started'));
    return id;
  }
  /** Start a build and wait until its make recipe (two long steps under a shell) runs. */
  async function buildRunning(h: Host): Promise<string> {
    const { buildId } = await h.call<{ buildId: string }>('build.start', { sdk });
    await until('the long make recipe', () => ours().filter((p) => p.endsWith(':slow')).length === 2);
    return buildId;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
    mkdirSync(tmp);
    sdk = standinSdk(path.join(work, 'sdk'));
    // The user chooses the SDK the IDE may run, from a terminal as in browser mode.
    const added = spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'sdk', 'add', sdk], { env, encoding: 'utf8' });
    expect(added.status, added.stderr).toBe(0);
    // A make project: the recipe runs two long steps under a shell (one in the background), and ignores SIGTERM
    // when `ignore-term` exists, so that only the SIGKILL after the grace ends it.
    const made = spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'new', proj, '--template', 'hello'], { env, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    rmSync(path.join(proj, 'CMakeLists.txt'));
    writeFileSync(
      path.join(proj, 'Makefile'),
      'all:\n\tif [ -e "$(CURDIR)/ignore-term" ]; then trap "" TERM; fi; "$(CURDIR)/slow" 300 & "$(CURDIR)/slow" 301; wait\n',
    );
    symlinkSync(execFileSync('sh', ['-c', 'command -v sleep']).toString().trim(), path.join(proj, 'slow'));
    copyFileSync(buildBaremetal(), path.join(proj, 'baremetal.elf'));
  }, 240_000);

  /** After each test, passed or failed: nothing of it left to confuse the next (processes, temp folders). */
  const clear = async () => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const p of ours()) {
      try {
        process.kill(Number(p.split(':')[0]), 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    await noneLeft().catch(() => undefined);
    for (const d of readdirSync(tmp)) rmSync(path.join(tmp, d), { recursive: true, force: true });
  };
  afterEach(clear);
  afterAll(async () => {
    await clear();
    rmSync(work, { recursive: true, force: true });
  });

  it('the supervisor: a tool keeps its stdio, exit code and signal; its overhead per start', async () => {
    const echo = spawnSupervised('sh', ['-c', 'read line; echo "got $line"; echo err >&2; exit 7'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    echo.stdout!.on('data', (d) => (out += d));
    echo.stderr!.on('data', (d) => (err += d));
    echo.stdin!.end('ping\n');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => echo.on('close', (c, s) => r([c, s])));
    expect({ out, err, code, signal }).toEqual({ out: 'got ping\n', err: 'err\n', code: 7, signal: null });

    const killed = spawnSupervised('sleep', ['30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await sleep(100);
    process.kill(killed.pid!, 'SIGUSR1');
    expect(await new Promise((r) => killed.on('close', (c, s) => r([c, s])))).toEqual([null, 'SIGUSR1']);

    // A command that cannot run is Node's own error, as with spawn.
    const missing = spawnSupervised(`no-such-tool-${tag}`, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await new Promise((r) => missing.on('error', (e: NodeJS.ErrnoException) => r(e.code)))).toBe('ENOENT');

    // Overhead: the time from spawn to 'close' of /bin/true, plain and supervised; the watchdog's memory.
    const timeOf = async (start: () => ChildProcess) => {
      const ts: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        await new Promise((r) => start().on('close', r));
        ts.push(performance.now() - t0);
      }
      return ts.sort((a, b) => a - b)[7]!;
    };
    const plain = await timeOf(() => spawn('/bin/true', [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
    const supervised = await timeOf(() => spawnSupervised('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const long = spawnSupervised(path.join(proj, 'slow'), ['30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const watchdog = await until('the watchdog', () => ours().some((p) => p.endsWith(':slow')) && ours().find((p) => p.endsWith(':sh'))?.split(':')[0]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${watchdog}/status`, 'utf8'))![1]);
    expect(readFileSync(`/proc/${watchdog}/cmdline`, 'utf8')).toContain(WATCHDOG_NAME);
    process.kill(-long.pid!, 'SIGTERM');
    await new Promise((r) => long.on('close', r));
    await noneLeft();
    console.log(`supervisor overhead: ${(supervised - plain).toFixed(1)} ms per start (median spawn→close of /bin/true: ${plain.toFixed(1)} ms plain, ${supervised.toFixed(1)} ms supervised); watchdog RSS ${(rssKb / 1024).toFixed(1)} MiB`);
    expect(supervised - plain).toBeLessThan(50);
    expect(rssKb).toBeLessThan(8 * 1024);
  });

  it(
    `${scale(5, 50)} QEMU and build start/stop cycles leave nothing running and no temp folder`,
    async () => {
      const h = await startHost();
      track(h.proc);
      await h.call('project.open', { dir: proj });
      for (let i = 0; i < scale(5, 50); i++) {
        const id = await bootQemu(h);
        await h.call('qemu.control', { id, action: 'stop' });
        const buildId = await buildRunning(h);
        const done = until('build.done', () => h.events.find((e) => e.event === 'build.done' && e.payload.buildId === buildId));
        await h.call('build.cancel', { buildId });
        expect((await done).payload.record.result).toBe('cancelled');
        await noneLeft([h.proc.pid]);
        expect(qemuDirs()).toEqual([]);
      }
      h.close();
      h.proc.kill('SIGTERM');
      await exited(h.proc);
      await noneLeft();
    },
    budget(60_000, 900_000),
  );

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('the host ended by %s: nothing it started outlives it, no QMP folder left', async (signal) => {
    const h = await startHost();
    track(h.proc);
    await h.call('project.open', { dir: proj });
    await bootQemu(h);
    await buildRunning(h);
    h.proc.kill(signal);
    await exited(h.proc);
    await noneLeft();
    expect(qemuDirs()).toEqual([]);
  });

  it('the host SIGKILLed with QEMU and a make that ignores SIGTERM running: all gone after the grace; the next start sweeps the QMP folder, not a live one', async () => {
    const h = await startHost();
    track(h.proc);
    await h.call('project.open', { dir: proj });
    await bootQemu(h);
    writeFileSync(path.join(proj, 'ignore-term'), '');
    try {
      await buildRunning(h);
    } finally {
      rmSync(path.join(proj, 'ignore-term'));
    }
    // A live CLI QEMU of this run: its folder must survive the sweeps below.
    const live = track(cli(['qemu', '--kernel', path.join(proj, 'baremetal.elf')]));
    await until('the CLI QEMU', () => ours([h.proc.pid, live.pid]).filter((p) => p.includes(':qemu')).length === 2);
    expect(qemuDirs()).toHaveLength(2);
    const liveDirs = () => qemuDirs().filter((d) => readFileSync(path.join(tmp, d, 'owner'), 'utf8').includes(`"pid":${live.pid},`));
    expect(liveDirs()).toHaveLength(1);

    const keep = cliTree(live.pid!);
    h.proc.kill('SIGKILL');
    const ms = await noneLeft(keep);
    console.log(`host SIGKILL: its QEMU and its make tree (ignoring SIGTERM) gone in ${ms} ms`);
    // The killed host could not remove its QMP folder; the live CLI's is there too.
    expect(qemuDirs()).toHaveLength(2);

    const next = await startHost();
    track(next.proc);
    await until('the sweep', () => qemuDirs().length === 1);
    expect(qemuDirs()).toEqual(liveDirs());
    next.close();
    next.proc.kill('SIGTERM');
    await exited(next.proc);

    // The CLI SIGKILLed with its QEMU running: the QEMU goes; the next CLI start sweeps its folder.
    live.kill('SIGKILL');
    await noneLeft();
    expect(qemuDirs()).toHaveLength(1);
    const again = spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'qemu', '--kernel', path.join(proj, 'baremetal.elf'), '--expect', 'hello, world', '--timeout', '20'], { env, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(qemuDirs()).toEqual([]);
    await noneLeft();
  }, 30_000);

  it('the watchdog and then the host SIGKILLed: the parent-death signal still ends QEMU', async () => {
    if (!has('setpriv')) return;
    const h = await startHost();
    track(h.proc);
    await h.call('project.open', { dir: proj });
    await bootQemu(h);
    const watchdogs = ours([h.proc.pid]).filter((p) => p.endsWith(':sh'));
    expect(watchdogs).toHaveLength(1);
    process.kill(Number(watchdogs[0]!.split(':')[0]), 'SIGKILL');
    await sleep(100);
    expect(ours([h.proc.pid]).filter((p) => p.endsWith(':qemu-system-aar'))).toHaveLength(1);
    h.proc.kill('SIGKILL');
    await noneLeft();
  });

  it('the CLI build SIGKILLed: make and its recipe go; the next CLI start sweeps its folder; SIGTERM, errors and success leave none', async () => {
    const b = track(cli(['build', '--project', proj, '--sdk', sdk]));
    await until('the long make recipe', () => ours().filter((p) => p.endsWith(':slow')).length === 2);
    expect(cliDirs()).toHaveLength(1);
    b.kill('SIGKILL');
    await noneLeft();
    expect(cliDirs()).toHaveLength(1);

    // SIGTERM: the build is cancelled, the CLI exits 1 and removes its folder; the stale one went at its start.
    const t = track(cli(['build', '--project', proj, '--sdk', sdk]));
    await until('the long make recipe', () => ours().filter((p) => p.endsWith(':slow')).length === 2);
    expect(cliDirs()).toHaveLength(1);
    t.kill('SIGTERM');
    await exited(t);
    expect(t.exitCode).toBe(1);
    await noneLeft();
    expect(cliDirs()).toEqual([]);

    // An error (no SDK there) and a success (`new`) remove theirs too.
    const bad = spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'build', '--project', proj, '--sdk', path.join(work, 'nope')], { env, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    const made = spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'new', path.join(work, 'second'), '--template', 'hello'], { env, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(cliDirs()).toEqual([]);
  }, 20_000);

  it('the npm start wrapper SIGKILLed: the server it started exits, and with it its QEMU', async () => {
    const wrapper = track(spawn(process.execPath, [path.join(root, 'scripts/start.mjs'), '--browser', '--no-open', '--port', '0', '--project', proj], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
    const h = await connect(wrapper);
    await h.call('project.open', { dir: proj });
    await bootQemu(h);
    const server = ours([wrapper.pid]).filter((p) => p.endsWith(':node'));
    expect(server).toHaveLength(1);
    wrapper.kill('SIGKILL');
    const ms = await noneLeft();
    console.log(`npm start wrapper SIGKILL: the server and its QEMU gone in ${ms} ms`);
    // The server exited cleanly (it removed its QMP folder).
    expect(qemuDirs()).toEqual([]);
  }, 20_000);
});

/** The CLI, its children (QEMU) and their process groups (QEMU's watchdog). */
function cliTree(pid: number): number[] {
  const pgrep = (...args: string[]) => {
    try {
      return execFileSync('pgrep', args).toString().trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const children = pgrep('-P', String(pid));
  return [pid, ...children, ...children.flatMap((c) => pgrep('-g', String(c)))];
}
