import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openHostSocket, startBrowserHost } from './support/browserHost';

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
    const tag = `studio-orphan-${signal}-${process.pid}`;
    const running = await startBrowserHost();
    const host = running.process;
    const ws = await openHostSocket(running.port, running.key);
    ws.send(JSON.stringify({ t: 'call', id: 1, method: 'process.start', params: { tool: 'qemu-system-aarch64', args: ['-machine', 'virt', '-nographic', '-S', '-monitor', 'none', '-serial', 'none', '-name', tag] } }));
    const reply = await new Promise<any>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    expect(reply.envelope).toMatchObject({ ok: true });
    for (let i = 0; i < 100 && pgrep(tag).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pgrep(tag)).toHaveLength(1);
    host.kill(signal);
    await new Promise((r) => host.on('exit', r));
    for (let i = 0; i < 100 && pgrep(tag).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pgrep(tag)).toEqual([]);
  });
});
