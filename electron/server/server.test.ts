import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from './server';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), 'studio-server-'));
  const staticDir = path.join(base, 'static');
  (await import('node:fs')).mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(base, 'outside.txt'), 'secret');
  server = await startServer({ port: 0, staticDir, configDir: path.join(base, 'config'), version: 'test', boardsDir: path.resolve(import.meta.dirname, '../../boards') });
});
afterAll(() => server.close());

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openWs(opts: { token?: string; origin?: string; cookie?: string } = {}): Promise<WebSocket> {
  const q = opts.token !== undefined ? `?token=${opts.token}` : '';
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${q}`, { origin: opts.origin ?? `http://127.0.0.1:${server.port}`, headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket) {
  let id = 0;
  const events: { event: string; payload: unknown }[] = [];
  const pending = new Map<number, (v: unknown) => void>();
  const raw: unknown[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    raw.push(m);
    if (m.t === 'result') pending.get(m.id)?.(m.envelope);
    if (m.t === 'event') events.push(m);
  });
  return {
    events,
    raw,
    call: (method: string, params: unknown) =>
      new Promise<any>((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ t: 'call', id: n, method, params }));
      }),
  };
}

describe('browser host: HTTP', () => {
  it('binds to loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('answers 401 without the token and serves the page with it, setting the cookie and a strict CSP', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const ok = await get(`/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>t</title>');
    expect(ok.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    expect(ok.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    expect((await get('/index.html', { cookie: `sel4studio_${server.port}_token=${server.token}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    expect((await get(`/?token=${server.token}`, { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('serves only the built bundle: no traversal, no dotfiles', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/.env']) {
      expect((await get(`${p}?token=${server.token}`)).status, p).toBe(404);
    }
  });
});

describe('browser host: WebSocket contract', () => {
  it('refuses a connection without the token, with a wrong one, or from a foreign Origin', async () => {
    await expect(openWs()).rejects.toThrow(/refused 401/);
    await expect(openWs({ token: 'nope' })).rejects.toThrow(/refused 401/);
    await expect(openWs({ token: server.token, origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
  });

  it('lists the board packs', async () => {
    const ws = await openWs({ token: server.token });
    const r = await rpc(ws).call('boards.list', {});
    expect(r.ok).toBe(true);
    expect(r.result.problems).toEqual([]);
    expect(r.result.boards.map((b: { name: string }) => b.name)).toEqual(expect.arrayContaining(['qemu_virt_aarch64', 'qemu_virt_riscv64', 'odroidc4', 'maaxboard', 'zcu102', 'imx8mm_evk', 'tx2', 'orin_agx']));
    expect(r.result.boards.find((b: { name: string }) => b.name === 'orin_agx')).toMatchObject({ experimental: true, arch: 'aarch64' });
    ws.close();
  });

  it('accepts the cookie the page was served with', async () => {
    const ws = await openWs({ cookie: `sel4studio_${server.port}_token=${server.token}` });
    const info = await rpc(ws).call('host.info', {});
    expect(info).toMatchObject({ ok: true, result: { mode: 'browser', capabilities: { nativeDialogs: false } } });
    ws.close();
  });

  it('answers schema-invalid and unknown calls with errors and keeps running', async () => {
    const ws = await openWs({ token: server.token });
    const c = rpc(ws);
    expect(await c.call('fs.readText', { path: 5 })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await c.call('process.start', { tool: 'sh', args: ['-c', 'id'] })).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await c.call('tool.version', { tool: 'sh' })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await c.call('constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    ws.send('{not json');
    ws.send(JSON.stringify({ t: 'call', id: 'x' }));
    expect(await c.call('host.info', {})).toMatchObject({ ok: true });
    expect(c.raw.filter((m: any) => m.t === 'error')).toHaveLength(2);
    ws.close();
  });

  it('confines file access to the open project', async () => {
    const ws = await openWs({ token: server.token });
    const c = rpc(ws);
    expect(await c.call('fs.readText', { path: 'studio.json' })).toMatchObject({ ok: false, error: { code: 'no-project' } });
    const dir = path.join(base, 'proj');
    expect(await c.call('project.create', { dir, name: 'proj' })).toMatchObject({ ok: true });
    expect(await c.call('fs.readText', { path: 'studio.json' })).toMatchObject({ ok: true });
    expect(await c.call('fs.readText', { path: '../outside.txt' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await c.call('fs.writeText', { path: '../../pwned.txt', text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await c.call('fs.writeText', { path: 'src/main.c', text: 'int x;\n' })).toMatchObject({ ok: true });
    expect(await c.call('fs.readText', { path: 'src/main.c' })).toEqual({ ok: true, result: { text: 'int x;\n' } });
    ws.close();
  });

  it('streams a supervised process to every client as events', async () => {
    const ws = await openWs({ token: server.token });
    const c = rpc(ws);
    const started = await c.call('tool.version', { tool: 'make' });
    expect(started).toMatchObject({ ok: true, result: { runId: expect.stringMatching(/^run-\d+$/), command: [expect.stringMatching(/\/make$/), '--version'] } });
    const runId = started.result.runId;
    for (let i = 0; i < 200 && !c.events.some((e) => e.event === 'process.exit'); i++) await new Promise((r) => setTimeout(r, 10));
    const out = c.events.filter((e: any) => e.event === 'process.output' && e.payload.runId === runId).map((e: any) => e.payload.data).join('');
    expect(out).toMatch(/GNU Make/);
    expect(c.events.find((e) => e.event === 'process.exit')?.payload).toMatchObject({ runId, code: 0 });
    ws.close();
  });
});

describe('browser host: the first screen answered ahead', () => {
  it('answers the first screen from start-up, and afresh once anything has changed', async () => {
    const staticDir = path.join(base, 'static');
    const fresh = await startServer({ port: 0, staticDir, configDir: path.join(base, 'ahead-config'), version: 'test', boardsDir: path.resolve(import.meta.dirname, '../../boards') });
    const ws = new WebSocket(`ws://127.0.0.1:${fresh.port}/ws?token=${fresh.token}`, { origin: `http://127.0.0.1:${fresh.port}` });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    try {
      const c = rpc(ws);
      expect(await c.call('host.info', {})).toMatchObject({ ok: true, result: { mode: 'browser', version: 'test' } });
      expect((await c.call('boards.list', {})).result.boards.length).toBeGreaterThan(5);
      // The host read recent.json at start (none yet); creating a project changes it, so that answer must not be used.
      const dir = path.join(base, 'ahead-proj');
      expect(await c.call('project.create', { dir, name: 'ahead' })).toMatchObject({ ok: true });
      expect(await c.call('project.recent', {})).toMatchObject({ ok: true, result: { projects: [{ dir, name: 'ahead' }] } });
    } finally {
      ws.close();
      await fresh.close();
    }
  });
});
