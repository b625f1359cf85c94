import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { authFor, openHostSocket } from '../../tests/support/browserHost';
import { startServer, type RunningServer } from './server';

// Inputs an attacker or a broken client sends to the browser host (issue 13). Each must get an answer (or a closed
// connection with the right WebSocket close code) and leave the host serving the next, authenticated, client.

let server: RunningServer;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), 'studio-hostile-'));
  const staticDir = path.join(base, 'static');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startServer({
    port: 0,
    staticDir,
    configDir: path.join(base, 'config'),
    version: 'test',
    boardsDir: path.resolve(import.meta.dirname, '../../boards'),
    log: (line: string) => logged.push(line),
  });
});
afterAll(() => server.close());

/** Writes raw bytes on a fresh TCP connection and collects everything until the server closes it (bounded). */
function raw(bytes: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let got = '';
    const done = () => (clearTimeout(timer), socket.destroy(), resolve(got));
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes);
  });
}
const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
const request = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${extra}Connection: close\r\n\r\n`;
/** A raw upgrade request; `protocol`: a subprotocol proving the key (authFor), else none. */
const upgrade = (target: string, protocol?: string) =>
  request(
    target,
    `Origin: http://127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}`,
  ).replace('Connection: close\r\n', '');

/** The host still serves the page and answers a contract call on a new WebSocket. */
async function expectAlive() {
  expect(statusOf(await raw(request('/')))).toBe(200);
  const ws: WebSocket = await openHostSocket(server.port, server.token);
  const answer = new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
  ws.send(JSON.stringify({ t: 'call', id: 1, method: 'host.info', params: {} }));
  expect(await answer).toMatchObject({ t: 'result', id: 1, envelope: { ok: true } });
  ws.close();
}

describe('browser host: request targets never crash it', () => {
  const targets = ['//[', '//a:b:c', '/%E0%A4%A', '/%', '/a%zz'];
  for (const target of targets) {
    it(`GET ${target}: 400`, async () => {
      expect(statusOf(await raw(request(target)))).toBe(400);
      expect(statusOf(await raw(request(`${target}?c=x`)))).toBe(400);
      await expectAlive();
    });
    it(`WebSocket upgrade to ${target}: 400 with or without a proof of the key`, async () => {
      expect(statusOf(await raw(upgrade(target)))).toBe(400);
      expect(statusOf(await raw(upgrade(target, await authFor(server.port, server.token))))).toBe(400);
      await expectAlive();
    });
  }

  it('answers 401 to an upgrade of /ws without a proof, and 404 to an upgrade elsewhere', async () => {
    expect(statusOf(await raw(upgrade('/ws')))).toBe(401);
    expect(statusOf(await raw(upgrade('/ws', 'sel4studio.garbage')))).toBe(401);
    expect(statusOf(await raw(upgrade('/ws', `sel4studio.${'A'.repeat(22)}.${'B'.repeat(43)}`)))).toBe(401);
    expect(statusOf(await raw(upgrade('/', await authFor(server.port, server.token))))).toBe(404);
    await expectAlive();
  });

  it('reads no request body: a POST, even a huge one, is answered 405 and the connection closed', async () => {
    const huge = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: ${2 ** 40}\r\n\r\n${'x'.repeat(65536)}`;
    expect(statusOf(await raw(huge))).toBe(405);
    const chunked = `POST /auth HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n${'y'.repeat(65536)}`;
    expect(statusOf(await raw(chunked))).toBe(405);
    // Headers past Node's limit (16 KiB) are refused before anything is buffered for them.
    expect(statusOf(await raw(request('/', `X-Big: ${'z'.repeat(64 * 1024)}\r\n`)))).toBe(431);
    await expectAlive();
  });

  it('answers 400 to bad request lines', async () => {
    for (const line of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9\r\n\r\n', '\x00\x01\x02\r\n\r\n']) {
      expect(statusOf(await raw(line)), JSON.stringify(line)).toBe(400);
    }
    // An absolute-form or asterisk target is not something the page asks for (and `new URL` threw on this one).
    expect(statusOf(await raw(request('http://[/')))).toBe(400);
    expect(statusOf(await raw(request(`http://127.0.0.1:${server.port}/`)))).toBe(400);
    expect(statusOf(await raw(request('*')))).toBe(400);
    await expectAlive();
  });

  it('survives a client that resets the connection in the middle of an upgrade', async () => {
    for (let i = 0; i < 20; i++) {
      const protocol = i % 2 ? undefined : await authFor(server.port, server.token);
      const socket = net.connect(server.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      // Refused (the answer is written to a reset socket) and accepted (ws takes over a reset socket) alike.
      socket.write(upgrade('/ws', protocol));
      socket.resetAndDestroy();
    }
    await expectAlive();
  });

  it('sets no cookie: the key never travels to other servers of 127.0.0.1', async () => {
    for (const target of ['/', '/index.html', '/auth?c=AAAAAAAAAAAAAAAAAAAAAA']) expect(await raw(request(target))).not.toMatch(/Set-Cookie/i);
  });
});

/** A client frame built by hand: fin, rsv1, opcode, an optional mask, and a length field that may lie. */
function frame(o: { fin?: boolean; rsv1?: boolean; opcode: number; payload?: Buffer; masked?: boolean; claimLength?: bigint }): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const masked = o.masked ?? true;
  const length = o.claimLength ?? BigInt(payload.length);
  const head = [((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | o.opcode];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126n) {
    head.push(maskBit | Number(length));
  } else if (length < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(length);
  }
  const key = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ key[i % 4]! : b)));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** Opens an authenticated WebSocket by hand, sends the frames, and returns the close code the host sent back. */
async function closeCodeFor(frames: Buffer[]): Promise<number | undefined> {
  const protocol = await authFor(server.port, server.token);
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let upgraded = false;
    const finish = (code: number | undefined) => (clearTimeout(timer), socket.destroy(), resolve(code));
    const timer = setTimeout(() => finish(undefined), 3000);
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (!upgraded) {
        const end = got.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (statusOf(got.toString('latin1')) !== 101) return finish(-statusOf(got.toString('latin1')));
        upgraded = true;
        got = got.subarray(end + 4);
        for (const f of frames) socket.write(f);
      }
      // Server frames are unmasked; a close frame is 0x88, its payload starts with the 2-byte code.
      if (got.length >= 4 && got[0] === 0x88) finish(got.readUInt16BE(2));
    });
    socket.write(upgrade('/ws', protocol));
  });
}

describe('browser host: a malformed WebSocket frame closes that connection only', () => {
  const text = (s: string) => Buffer.from(s);
  const cases: [string, Buffer[], number][] = [
    ['an unmasked client frame', [frame({ opcode: 1, payload: text('hi'), masked: false })], 1002],
    ['RSV1 set without an extension', [frame({ opcode: 1, rsv1: true, payload: text('hi') })], 1002],
    ['opcode 3 (reserved)', [frame({ opcode: 3, payload: text('hi') })], 1002],
    ['invalid UTF-8 in a text frame', [frame({ opcode: 1, payload: Buffer.from([0xc3, 0x28, 0xff]) })], 1007],
    ['a 2^40-byte length', [frame({ opcode: 2, claimLength: 1n << 40n })], 1009],
    ['an 81 MiB message', [frame({ opcode: 1, claimLength: 81n * 1024n * 1024n })], 1009],
    ['a fragmented ping', [frame({ opcode: 9, fin: false, payload: text('p') })], 1002],
    ['close code 999', [frame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) })], 1002],
    ['a lone continuation frame', [frame({ opcode: 0, payload: text('x') })], 1002],
  ];
  for (const [name, frames, code] of cases) {
    it(`${name}: close code ${code}, a log line, the host alive`, async () => {
      const before = logged.length;
      expect(await closeCodeFor(frames)).toBe(code);
      await expectAlive();
      expect(logged.slice(before).join('\n')).toMatch(/WebSocket/);
    });
  }
});

describe('browser host: every call is answered with its id', () => {
  it('answers a call whose params are omitted, and one whose params are the wrong shape', async () => {
    const ws = await openHostSocket(server.port, server.token);
    const answers = new Map<number, any>();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.t === 'result') answers.set(m.id, m.envelope);
    });
    ws.send(JSON.stringify({ t: 'call', id: 7, method: 'fs.readText' }));
    ws.send(JSON.stringify({ t: 'call', id: 8, method: 'host.info' }));
    ws.send(JSON.stringify({ t: 'call', id: 9, method: 42, params: {} }));
    for (let i = 0; i < 300 && answers.size < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(answers.get(7)).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(answers.get(8)).toMatchObject({ ok: true, result: { mode: 'browser' } });
    expect(answers.get(9)).toMatchObject({ ok: false });
    ws.close();
  });
});
