// A serial log path that cannot be a file: a clear error from serial.open, never an uncaught stream error (which ends
// the host). The target is a real TCP server on 127.0.0.1 (port 0); the log paths are real folders and names.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SerialService } from '../electron/services/serial';

describe('serial.open with a log path that cannot be written', () => {
  let server: Server;
  let target: string;
  const boards: Socket[] = [];
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => escaped.push(e);
  const settle = () => new Promise((r) => setTimeout(r, 100));

  beforeAll(async () => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    server = createServer((sock) => {
      boards.push(sock);
      sock.on('error', () => undefined);
      sock.write('boot banner\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    target = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    escaped.length = 0;
  });
  afterAll(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    for (const b of boards) b.destroy();
    server.close();
  });

  it('a log path that is a folder: refused with a clear error naming it, nothing escapes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-log-'));
    const folder = path.join(dir, 'console.log');
    mkdirSync(folder);
    const svc = new SerialService({ data: () => undefined, status: () => undefined });
    await expect(svc.open(target, { baudRate: 115200, logFile: folder, reconnect: false })).rejects.toMatchObject({ code: 'invalid-params', message: `cannot write the serial log ${folder}: it is a folder (EISDIR)` });
    await settle();
    expect(escaped).toEqual([]);
  });

  it('a 256-character log name: refused with a clear error, nothing escapes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-log-'));
    const long = path.join(dir, `${'n'.repeat(252)}.log`);
    const svc = new SerialService({ data: () => undefined, status: () => undefined });
    await expect(svc.open(target, { baudRate: 115200, logFile: long, reconnect: false })).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/^cannot write the serial log .*: the name is too long \(ENAMETOOLONG\)$/) });
    const inLongFolder = path.join(dir, 'n'.repeat(256), 'console.log');
    await expect(svc.open(target, { baudRate: 115200, logFile: inLongFolder, reconnect: false })).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/ENAMETOOLONG/) });
    await settle();
    expect(escaped).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a writable log still gets every byte (the guard costs nothing on the good path)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-log-'));
    const log = path.join(dir, 'logs', 'console.log');
    let got = '';
    const svc = new SerialService({ data: (_id, d) => (got += Buffer.from(d).toString()), status: () => undefined });
    const id = await svc.open(target, { baudRate: 115200, logFile: log, reconnect: false });
    for (let i = 0; i < 500 && !got.includes('boot banner'); i++) await new Promise((r) => setTimeout(r, 10));
    await svc.close(id);
    expect(readFileSync(log, 'utf8')).toBe('boot banner\r\n');
    expect(escaped).toEqual([]);
  });
});
