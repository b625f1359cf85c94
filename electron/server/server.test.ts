import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { authProtocol, hostMessage, pageMessage } from '../../shared/api/browserWire';
import { authFor, openHostSocket } from '../../tests/support/browserHost';
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

/** A WebSocket upgrade with these subprotocols (and Origin, default ours); resolves open or rejects `refused NNN`. */
function openWs(opts: { protocols?: string[]; origin?: string; query?: string; cookie?: string } = {}): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${opts.query ?? ''}`, opts.protocols ?? [], { origin: opts.origin ?? `http://127.0.0.1:${server.port}`, headers });
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
  it('binds to loopback only, and its address carries no key', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.url).not.toContain(server.token);
  });

  it('serves the page (no secret in it) with a strict CSP and no cookie', async () => {
    const ok = await get('/');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>t</title>');
    expect(ok.headers['set-cookie']).toBeUndefined();
    expect(ok.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    expect(ok.headers['cache-control']).toBe('no-store');
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin and requests other sites make', async () => {
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    // Another port of 127.0.0.1 is another site: its fetches, scripts and images get nothing...
    for (const site of ['same-site', 'cross-site']) {
      expect((await get('/index.html', { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' })).status, site).toBe(403);
      expect((await get('/auth?c=AAAAAAAAAAAAAAAAAAAAAA', { 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' })).status, site).toBe(403);
    }
    // ...but a link to the page (the launch page is a file: cross-site) opens it.
    expect((await get('/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status).toBe(200);
    expect((await get('/', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).status).toBe(200);
  });

  it('serves only the built bundle: no traversal, no dotfiles', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/.env']) {
      expect((await get(p)).status, p).toBe(404);
    }
  });

  it('/auth proves the host holds the key, for a well-formed page nonce only', async () => {
    const c = randomBytes(16).toString('base64url');
    const r = await get(`/auth?c=${c}`);
    expect(r.status).toBe(200);
    const { s, proof } = JSON.parse(r.body);
    expect(proof).toBe(createHmac('sha256', server.token).update(hostMessage(c, s)).digest('base64url'));
    expect(r.body).not.toContain(server.token);
    for (const bad of ['', 'short', `${c}x`, 'A'.repeat(21) + '=']) expect((await get(`/auth?c=${encodeURIComponent(bad)}`)).status, bad).toBe(400);
  });
});

describe('browser host: WebSocket contract', () => {
  it('opens only for a proof of the key: not without one, not a wrong or reused one, not the key itself', async () => {
    await expect(openWs()).rejects.toThrow(/refused 401/);
    // The old ways of presenting the key itself open nothing.
    await expect(openWs({ query: `?token=${server.token}` })).rejects.toThrow(/refused 401/);
    await expect(openWs({ cookie: `sel4studio_${server.port}_token=${server.token}` })).rejects.toThrow(/refused 401/);
    await expect(openWs({ protocols: [`sel4studio.${server.token}`] })).rejects.toThrow(/refused 401/);
    // A proof made with another key, or for a nonce the host never gave out.
    await expect(openWs({ protocols: [authProtocol(randomBytes(16).toString('base64url'), 'A'.repeat(43))] })).rejects.toThrow(/refused 401/);
    const c = randomBytes(16).toString('base64url');
    const { s } = JSON.parse((await get(`/auth?c=${c}`)).body);
    const wrong = authProtocol(s, createHmac('sha256', 'another key entirely, 32 chars..').update(pageMessage(c, s)).digest('base64url'));
    await expect(openWs({ protocols: [wrong] })).rejects.toThrow(/refused 401/);
    // A right proof opens once; the same nonce again does not (it was used up, even by the failed try above).
    const c2 = randomBytes(16).toString('base64url');
    const { s: s2 } = JSON.parse((await get(`/auth?c=${c2}`)).body);
    const right = authProtocol(s2, createHmac('sha256', server.token).update(pageMessage(c2, s2)).digest('base64url'));
    const ws = await openWs({ protocols: [right] });
    expect(ws.protocol).toBe(right);
    ws.close();
    await expect(openWs({ protocols: [right] })).rejects.toThrow(/refused 401/);
    await expect(openWs({ protocols: [authProtocol(s, createHmac('sha256', server.token).update(pageMessage(c, s)).digest('base64url'))] })).rejects.toThrow(/refused 401/);
  });

  it('refuses a foreign Origin even with a right proof', async () => {
    const protocol = await authFor(server.port, server.token);
    await expect(openWs({ protocols: [protocol], origin: 'http://evil.example' })).rejects.toThrow(/refused 403/);
    await expect(openWs({ protocols: [protocol], origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow(/refused 403/);
  });

  it('lists the board packs', async () => {
    const ws = await openHostSocket(server.port, server.token);
    const r = await rpc(ws).call('boards.list', {});
    expect(r.ok).toBe(true);
    expect(r.result.problems).toEqual([]);
    expect(r.result.boards.map((b: { name: string }) => b.name)).toEqual(expect.arrayContaining(['qemu_virt_aarch64', 'qemu_virt_riscv64', 'odroidc4', 'maaxboard', 'zcu102', 'imx8mm_evk', 'tx2', 'orin_agx']));
    expect(r.result.boards.find((b: { name: string }) => b.name === 'orin_agx')).toMatchObject({ experimental: true, arch: 'aarch64' });
    ws.close();
  });

  it('answers host.info over a proven connection', async () => {
    const ws = await openHostSocket(server.port, server.token);
    const info = await rpc(ws).call('host.info', {});
    expect(info).toMatchObject({ ok: true, result: { mode: 'browser', capabilities: { nativeDialogs: false } } });
    ws.close();
  });

  it('answers schema-invalid and unknown calls with errors and keeps running', async () => {
    const ws = await openHostSocket(server.port, server.token);
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
    const ws = await openHostSocket(server.port, server.token);
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
    const ws = await openHostSocket(server.port, server.token);
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
    const ws = await openHostSocket(fresh.port, fresh.token);
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
