import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = path.resolve(import.meta.dirname, '..');
const hasQemu = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v qemu-system-aarch64']);
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
}, 120_000);

const pgrep = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe.runIf(hasQemu || process.env.CI === 'true')('no orphans (real host, real QEMU)', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('a long-running tool dies with the host on %s', async (signal) => {
    const config = mkdtempSync(path.join(os.tmpdir(), 'orphan-'));
    // The QEMU command line names the image, whose folder is unique to this run: that is the tag pgrep looks for.
    const tag = path.join(config, `studio-orphan-${signal}-${process.pid}`);
    const host = spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), '--port', '0', '--no-open'], {
      env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: config, DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve) => host.stdout.on('data', (d) => /(http:\/\/\S+)/.test(String(d)) && resolve(/(http:\/\/\S+)/.exec(String(d))![1]!)));
    const u = new URL(url);
    const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
    await new Promise((r) => ws.once('open', r));
    let id = 0;
    const call = (method: string, params: unknown) =>
      new Promise<any>((resolve) => {
        const mine = ++id;
        const onMessage = (d: unknown) => {
          const msg = JSON.parse(String(d));
          if (msg.t !== 'result' || msg.id !== mine) return; // events (qemu.status) arrive on the same socket
          ws.off('message', onMessage);
          resolve(msg);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ t: 'call', id: mine, method, params }));
      });
    // A long-running tool the page can start: QEMU booting an image of the project (a few bytes of it, spinning).
    expect((await call('project.create', { dir: tag, name: 'orphan' })).envelope).toMatchObject({ ok: true });
    expect((await call('fs.writeText', { path: 'build/loader.img', text: '\0'.repeat(64) })).envelope).toMatchObject({ ok: true });
    const reply = await call('qemu.start', { board: 'qemu_virt_aarch64', image: 'build/loader.img' });
    expect(reply.envelope).toMatchObject({ ok: true });
    for (let i = 0; i < 100 && pgrep(tag).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pgrep(tag)).toHaveLength(1);
    host.kill(signal);
    await new Promise((r) => host.on('exit', r));
    for (let i = 0; i < 100 && pgrep(tag).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pgrep(tag)).toEqual([]);
  });
});
