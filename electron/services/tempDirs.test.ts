import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownedTempDir, processStart, sweepStaleTempDirs } from './tempDirs';

describe('stale temp folders: owner pid and start time', () => {
  let tmp: string;
  const saved = process.env.TMPDIR;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tempdirs-'));
    process.env.TMPDIR = tmp;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });
  const folder = (name: string, owner?: string, ageMs = 0) => {
    const dir = path.join(tmp, name);
    mkdirSync(dir);
    if (owner !== undefined) writeFileSync(path.join(dir, 'owner'), owner);
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(dir, t, t);
    return dir;
  };
  const left = () => readdirSync(tmp).sort();

  it('keeps a live owner\'s folder; removes a dead owner\'s and one whose pid now belongs to a later process', async () => {
    const mine = ownedTempDir('sel4studio-qemu-');
    expect(path.dirname(mine)).toBe(tmp);
    const dead = spawnSync('true').pid;
    folder('sel4studio-qemu-dead', JSON.stringify({ pid: dead, start: '1' }));
    // Our own pid, but a start time that is not ours: the pid was reused.
    folder('sel4-studio-cli-reused', JSON.stringify({ pid: process.pid, start: String(Number(processStart(process.pid) ?? 0) + 1) }));
    folder('sel4-studio-cli-live', JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));
    folder('sel4studio-qemu-half', '{"pid":');
    folder('other-prefix', JSON.stringify({ pid: dead }));
    const removed = await sweepStaleTempDirs(tmp);
    expect(removed.map((d) => path.basename(d)).sort()).toEqual(['sel4-studio-cli-reused', 'sel4studio-qemu-dead']);
    expect(left()).toEqual(['other-prefix', 'sel4-studio-cli-live', path.basename(mine), 'sel4studio-qemu-half'].sort());
  });

  it('an ownerless folder: left while young; a QEMU one goes when nothing listens on its socket; a CLI one after a day', async () => {
    folder('sel4studio-qemu-young');
    const listening = folder('sel4studio-qemu-listening', undefined, 120_000);
    const server = net.createServer().listen(path.join(listening, 'qmp.sock'));
    await new Promise((r) => server.once('listening', r));
    const refused = folder('sel4studio-qemu-refused', undefined, 120_000);
    // A listener SIGKILLed leaves its socket file behind, as a killed QEMU does: connecting is refused.
    const killed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path.join(refused, 'qmp.sock'))}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => killed.stdout.once('data', r));
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('exit', r));
    expect(existsSync(path.join(refused, 'qmp.sock'))).toBe(true);
    folder('sel4studio-qemu-nosocket', undefined, 120_000);
    folder('sel4-studio-cli-hour', undefined, 3600_000);
    folder('sel4-studio-cli-old', undefined, 25 * 3600_000);
    for (const d of ['sel4studio-qemu-listening', 'sel4studio-qemu-refused']) utimesSync(path.join(tmp, d), (Date.now() - 120_000) / 1000, (Date.now() - 120_000) / 1000);
    try {
      await sweepStaleTempDirs(tmp);
      expect(left()).toEqual(['sel4-studio-cli-hour', 'sel4studio-qemu-listening', 'sel4studio-qemu-young']);
    } finally {
      server.close();
    }
  });

  it('removeOnExit: gone after a normal exit and after SIGINT/SIGTERM, with the signal still the exit status', () => {
    const script = path.join(tmp, 'owner.cjs');
    buildSync({
      stdin: {
        contents: `import { ownedTempDir } from './tempDirs';\nconsole.log(ownedTempDir('sel4-studio-cli-', { removeOnExit: true }));\nif (process.argv[2] === 'wait') setInterval(() => undefined, 1000);\n`,
        resolveDir: import.meta.dirname,
        loader: 'ts',
      },
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'warning',
    });
    const normal = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
    expect(normal.status).toBe(0);
    expect(existsSync(normal.stdout.trim())).toBe(false);
    return Promise.all(
      (['SIGINT', 'SIGTERM'] as const).map(async (sig) => {
        const p = spawn(process.execPath, [script, 'wait'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'] });
        const dir = await new Promise<string>((r) => p.stdout.once('data', (d) => r(String(d).trim())));
        expect(existsSync(dir)).toBe(true);
        p.kill(sig);
        const [code, signal] = await new Promise<[number | null, string | null]>((r) => p.once('exit', (c, s) => r([c, s])));
        expect({ code, signal, there: existsSync(dir) }).toEqual({ code: null, signal: sig, there: false });
      }),
    );
  });
});
