import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyOf, parseReady } from './support/browserHost';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
}, 120_000);

describe('sel4-studio CLI', () => {
  it('--help lists the commands', () => {
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sel4-studio doctor \[--json\]/);
  });

  it('doctor --json lists every tool with a version or an install hint, and finds real ones', () => {
    const r = spawnSync(process.execPath, [bin, 'doctor', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const tools = JSON.parse(r.stdout) as { id: string; found: boolean; version?: string; hint?: string }[];
    expect(tools.map((t) => t.id)).toContain('qemu-system-aarch64');
    for (const t of tools) expect(t.found ? t.version : t.hint, t.id).toBeTruthy();
    // make is on every machine that can run npm ci (node-gyp needs it).
    expect(tools.find((t) => t.id === 'make')).toMatchObject({ found: true });
  });

  it('doctor prints a table; unknown commands and options exit 2', () => {
    const r = spawnSync(process.execPath, [bin, 'doctor'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.stdout).toMatch(/^seL4 Studio doctor: 0 of 9 tools found/);
    expect(r.stdout).toMatch(/missing\s+QEMU \(AArch64\)\s+apt-get install qemu-system-arm/);
    expect(spawnSync(process.execPath, [bin, 'frobnicate']).status).toBe(2);
    expect(spawnSync(process.execPath, [bin, 'doctor', '--yaml']).status).toBe(2);
  });
});

describe('npm start (browser mode)', () => {
  it('prints exactly one ready line with a loopback URL and its launch page (no key), and serves the UI there', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'studio-start-'));
    const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs'), '--browser', '--port', '0', '--no-open'], {
      env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(home, 'config'), XDG_RUNTIME_DIR: home, DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      for (let i = 0; i < 300 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      expect(out).toMatch(/^seL4 Studio ready at http:\/\/127\.0\.0\.1:\d+\/ \(open file:\/\/\S+\/sel4-studio\/launch-\d+\.html to sign in\)\n$/);
      const ready = parseReady(out);
      expect(path.dirname(ready.launchFile)).toBe(path.join(home, 'sel4-studio'));
      expect(statSync(ready.launchFile).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(ready.launchFile)).mode & 0o777).toBe(0o700);
      expect(out).not.toContain(keyOf(ready.launchFile));
      const res = await fetch(ready.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  });

  it('rejects a bad flag with a clear message', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'dist/server/main.mjs'), '--port', 'abc'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port must be 0–65535/);
  });
});
