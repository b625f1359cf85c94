import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialService, type SerialStatus } from '../electron/services/serial';
import { openBoard as openBoardAt, startPtyPair } from './support/ptyPair';

const hasSocat = spawnSync('sh', ['-c', 'command -v socat']).status === 0;
if (!hasSocat && process.env.CI === 'true') throw new Error('socat is required in CI');

const procs: ChildProcess[] = [];
let server: Server | undefined;
afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  server?.close();
  server = undefined;
});

/** A real pty pair: `a` for the IDE, `b` for the "board". */
async function ptyPair(dir: string, tag = 'p') {
  const pair = await startPtyPair(dir, tag);
  procs.push(pair.proc);
  return pair;
}

const openBoard = async (p: string) => (await openBoardAt(p)).port;

const until = async (pred: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.runIf(hasSocat || process.env.CI === 'true')('serial service on real ptys (socat)', () => {
  it('bytes round-trip both ways; TCU padding at the byte level', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const { a, b } = await ptyPair(dir);
    const got: number[] = [];
    const svc = new SerialService({ data: (_id, d) => got.push(...d), status: () => undefined });
    const id = await svc.open(a, { baudRate: 115200, tcu: true });
    const board = await openBoard(b);
    const fromIde: number[] = [];
    board.on('data', (d: Buffer) => fromIde.push(...d));
    board.write('hello from the board\r\n');
    await until(() => Buffer.from(got).toString().includes('hello from the board'));
    svc.send(id, Buffer.from('ls\r'));
    await until(() => fromIde.length >= 8);
    expect(fromIde).toEqual([0x6c, 0x73, 0x0d, 0, 0, 0, 0, 0]);
    board.close();
    await svc.close(id);
  });

  it('10 MiB arrive complete and in order, and the log holds every byte', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const { a, b } = await ptyPair(dir);
    const chunks: Buffer[] = [];
    let n = 0;
    const svc = new SerialService({ data: (_id, d) => (chunks.push(Buffer.from(d)), (n += d.length)), status: () => undefined });
    const log = path.join(dir, 'console.log');
    const id = await svc.open(a, { baudRate: 115200, logFile: log });
    let reads = 0;
    svc.tap(id, () => reads++);
    const board = await openBoard(b);
    const payload = randomBytes(10 * 1024 * 1024);
    for (let off = 0; off < payload.length; off += 65536) {
      if (!board.write(payload.subarray(off, off + 65536))) await new Promise((r) => board.once('drain', r));
    }
    await until(() => n >= payload.length, 60_000);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(n).toBe(payload.length);
    expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
    // Reads close together go out as one event (each is a message the page parses): far fewer events than reads.
    console.log(`10 MiB: ${reads} reads, ${chunks.length} events`);
    expect(chunks.length).toBeLessThan(reads / 4);
    board.close();
    await svc.close(id);
    expect(sha(readFileSync(log))).toBe(sha(payload));
  }, 90_000);

  it('bytes received just before the console is closed are told before the status', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const pair = await ptyPair(dir, 'o');
    const told: string[] = [];
    const svc = new SerialService({ data: (_id, d) => told.push(`data ${Buffer.from(d).toString()}`), status: (_id, s) => told.push(s) });
    const id = await svc.open(pair.a, { baudRate: 115200, reconnect: false });
    const board = await openBoard(pair.b);
    // Closed the moment the bytes are read (they would wait a few ms for more before going out as an event).
    let closing: Promise<void> | undefined;
    svc.tap(id, () => void (closing ??= svc.close(id)));
    board.write('last words\n');
    await until(() => closing !== undefined);
    await closing;
    expect(told.join(' ')).toMatch(/^open data last words\n closed$/);
  });

  it('the peer going away and coming back: disconnected, reconnected, nothing lost from the log', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const first = await ptyPair(dir, 'r');
    const statuses: SerialStatus[] = [];
    const svc = new SerialService({ data: () => undefined, status: (_id, s) => statuses.push(s) });
    const log = path.join(dir, 'log.txt');
    const id = await svc.open(first.a, { baudRate: 115200, logFile: log, reconnectMs: 100 });
    let board = await openBoard(first.b);
    board.write('before\n');
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('before'));
    board.close();
    first.proc.kill('SIGKILL');
    await until(() => statuses.includes('disconnected'));
    const second = await ptyPair(dir, 'r');
    await until(() => svc.status(id) === 'open');
    board = await openBoard(second.b);
    board.write('after\n');
    await until(() => readFileSync(log, 'utf8').includes('after'));
    expect(readFileSync(log, 'utf8')).toBe('before\nafter\n');
    expect(statuses.filter((x, i) => x !== statuses[i - 1])).toEqual(['open', 'disconnected', 'open']);
    board.close();
    await svc.close(id);
  }, 30_000);

  it('a pty that hung up is not opened again through the link left behind (its number may be another program’s now)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const first = await ptyPair(dir, 'gone');
    const details: string[] = [];
    const svc = new SerialService({ data: () => undefined, status: (_id, _s, d) => details.push(d ?? '') });
    const id = await svc.open(first.a, { baudRate: 115200, reconnectMs: 50 });
    const pts = realpathSync(first.a);
    first.proc.kill('SIGKILL');
    await until(() => svc.status(id) === 'disconnected');
    // Another program's pty pair, made now, gets the freed numbers: the link left behind names one of them.
    const stranger = await ptyPair(dir, 'other');
    const taken = [realpathSync(stranger.a), realpathSync(stranger.b)];
    console.log(`stale link ${first.a} -> ${pts}; the stranger's ptys: ${taken.join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(svc.status(id)).toBe('disconnected');
    expect(details.at(-1)).toMatch(/still names the pty that hung up .*waiting for the link to be made again/);
    // The stranger's ptys were left alone: both ends open with their locks.
    const x = await openBoard(stranger.a);
    const y = await openBoard(stranger.b);
    x.close();
    y.close();
    // The link made again (the board's socat restarted): reconnected.
    await ptyPair(dir, 'gone');
    await until(() => svc.status(id) === 'open');
    await svc.close(id);
  }, 30_000);

  it('raw TCP by URL: every byte arrives exactly, both ways (a TCP serial server on port 0)', async () => {
    // The board's side is what ser2net's raw mode or `socat TCP-LISTEN` is: a TCP server passing bytes as they are.
    // Port 0: the kernel picks a free port and the server reports it, so nothing can take it first.
    let board: Socket | undefined;
    const fromIde: Buffer[] = [];
    const boardClosed = new Promise<void>((resolve) => {
      server = createServer((c) => {
        board = c;
        c.on('data', (d) => fromIde.push(d));
        c.on('close', () => resolve());
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server!.address() as AddressInfo).port;
    const got: number[] = [];
    const statuses: SerialStatus[] = [];
    const svc = new SerialService({ data: (_id, d) => got.push(...d), status: (_id, st) => statuses.push(st) });
    const id = await svc.open(`tcp://127.0.0.1:${port}`, { baudRate: 115200, enter: 'crlf', reconnect: false });
    await until(() => board !== undefined);
    // IDE -> board: Enter becomes the configured CR LF, nothing else is added.
    svc.send(id, Buffer.from('help\r'));
    await until(() => Buffer.concat(fromIde).length >= 6);
    // Board -> IDE: every byte value, 0xff (Telnet's IAC) included: raw TCP has no Telnet layer to eat it. The board
    // then hangs up; everything it sent is delivered before the service sees the connection close.
    const sent = Buffer.concat([Buffer.from('over tcp\r\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    board!.end(sent);
    await until(() => statuses.includes('disconnected'));
    await boardClosed;
    expect(Buffer.from(got)).toEqual(sent);
    expect(Buffer.concat(fromIde)).toEqual(Buffer.from('help\r\n'));
    await svc.close(id);
  });

  it('framing and flow control reach the port (termios as stty reads it)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const { a } = await ptyPair(dir, 'frame');
    const svc = new SerialService({ data: () => undefined, status: () => undefined });
    const id = await svc.open(a, { baudRate: 57600, dataBits: 7, parity: 'even', stopBits: 2, flowControl: 'rtscts' });
    const stty = spawnSync('stty', ['-F', a, '-a'], { encoding: 'utf8' }).stdout;
    expect(stty).toMatch(/speed 57600 baud/);
    // A pty keeps stop bits and flow control; Linux forces cs8 and no parity on ptys (pty_set_termios), so those two
    // are only visible on real UARTs.
    for (const flag of [' cstopb ', ' crtscts']) expect(stty).toContain(flag);
    await svc.close(id);
  });

  it('break: a local port takes it and keeps working; raw TCP has no break and says so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const { a, b } = await ptyPair(dir, 'brk');
    const got: number[] = [];
    const svc = new SerialService({ data: (_id, d) => got.push(...d), status: () => undefined });
    const id = await svc.open(a, { baudRate: 115200 });
    await svc.sendBreak(id);
    const board = await openBoard(b);
    board.write('still here');
    await until(() => Buffer.from(got).toString() === 'still here');
    board.close();
    await svc.close(id);
    const held: Socket[] = [];
    server = createServer((c) => void held.push(c));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const tcp = await svc.open(`tcp://127.0.0.1:${port}`, { baudRate: 115200, reconnect: false });
    expect(svc.status(tcp)).toBe('open');
    await expect(svc.sendBreak(tcp)).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/break is not available on tcp:/) });
    await svc.close(tcp);
    for (const c of held) c.destroy();
  });

  it('the log rotates at its size limit and the kept files hold the newest bytes, in order, without a gap', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    const { a, b } = await ptyPair(dir, 'rot');
    let n = 0;
    const svc = new SerialService({ data: (_id, d) => void (n += d.length), status: () => undefined });
    const log = path.join(dir, 'board.log');
    const id = await svc.open(a, { baudRate: 115200, logFile: log, logMaxBytes: 1000, logKeep: 2 });
    const board = await openBoard(b);
    const sent = Buffer.from(Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join(''));
    for (let off = 0; off < sent.length; off += 300) {
      board.write(sent.subarray(off, off + 300));
      await new Promise((r) => board.drain(r));
      await until(() => n >= Math.min(off + 300, sent.length));
    }
    await svc.close(id);
    board.close();
    expect(existsSync(`${log}.1`) && existsSync(`${log}.2`)).toBe(true);
    expect(existsSync(`${log}.3`)).toBe(false);
    const kept = Buffer.concat([readFileSync(`${log}.2`), readFileSync(`${log}.1`), readFileSync(log)]);
    expect(readFileSync(`${log}.1`).length).toBeGreaterThanOrEqual(1000);
    expect(kept.length).toBeGreaterThan(2000);
    expect(sent.subarray(sent.length - kept.length).equals(kept)).toBe(true);
  });

  it('a port that does not exist is a clear error', async () => {
    const svc = new SerialService({ data: () => undefined, status: () => undefined });
    await expect(svc.open('/dev/ttyNOPE0', { baudRate: 115200 })).rejects.toMatchObject({ message: expect.stringMatching(/cannot open \/dev\/ttyNOPE0/) });
  });
});

describe.runIf(hasSocat || process.env.CI === 'true')('sel4-studio serial', () => {
  it('prints what the board sends, sends stdin with TCU padding, logs, quits on Ctrl-]', async () => {
    const { execFileSync } = await import('node:child_process');
    const root = path.resolve(import.meta.dirname, '..');
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'serialcli-'));
    const { a, b } = await ptyPair(dir, 'cli');
    const board = await openBoard(b);
    const fromCli: number[] = [];
    board.on('data', (d: Buffer) => fromCli.push(...d));
    const log = path.join(dir, 'cli.log');
    const cli = spawn(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'serial', a, '--tcu', '--log', log], { stdio: ['pipe', 'pipe', 'pipe'] });
    procs.push(cli);
    let out = '';
    cli.stdout!.on('data', (d) => (out += d));
    let err = '';
    cli.stderr!.on('data', (d) => (err += d));
    await until(() => err.includes('connected to'));
    board.write('login: ');
    await until(() => out.includes('login: '));
    cli.stdin!.write('root\r');
    await until(() => fromCli.length >= 8);
    expect(fromCli).toEqual([...Buffer.from('root\r'), 0, 0, 0]);
    cli.stdin!.write(Buffer.from([0x1d]));
    const code = await new Promise((r) => cli.on('exit', r));
    expect(code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('login: ');
    board.close();
  }, 30_000);
});

const hasSer2net = spawnSync('sh', ['-c', 'command -v ser2net']).status === 0;
if (!hasSer2net && process.env.CI === 'true') throw new Error('ser2net is required in CI');

describe.runIf(hasSer2net || process.env.CI === 'true')('RFC 2217 against a real ser2net', () => {
  it('negotiates COM-PORT-OPTION, and bytes (0xff included) cross both ways unharmed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ser2net-'));
    const { a, b } = await ptyPair(dir, 's2n');
    const port = 21000 + Math.floor(Math.random() * 20000);
    const conf = path.join(dir, 'ser2net.yaml');
    writeFileSync(conf, `connection: &con0\n    accepter: telnet(rfc2217),tcp,127.0.0.1,${port}\n    connector: serialdev,${a},115200n81,local\n`);
    procs.push(spawn('ser2net', ['-n', '-d', '-c', conf], { stdio: 'ignore' }));
    const got: number[] = [];
    const svc = new SerialService({ data: (_id, d) => got.push(...d), status: () => undefined });
    // No probe connections: each one makes ser2net open and close the device.
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      id = await svc.open(`rfc2217://127.0.0.1:${port}`, { baudRate: 57600, dataBits: 8, parity: 'none', stopBits: 2, flowControl: 'rtscts', reconnect: false }).catch(async () => (await new Promise((r) => setTimeout(r, 50)), undefined));
    }
    expect(id).toBeDefined();
    const board = await openBoard(b);
    const fromIde: number[] = [];
    board.on('data', (d: Buffer) => fromIde.push(...d));
    board.write(Buffer.from([0x41, 0xff, 0x42, 0x0a]));
    await until(() => got.length >= 4);
    expect(got).toEqual([0x41, 0xff, 0x42, 0x0a]);
    svc.send(id!, Buffer.from([0x43, 0xff, 0x44]));
    await until(() => fromIde.length >= 3);
    expect(fromIde).toEqual([0x43, 0xff, 0x44]);
    // ser2net applied the line settings the IDE asked for over COM-PORT-OPTION to the real device.
    const stty = spawnSync('stty', ['-F', a, '-a'], { encoding: 'utf8' }).stdout;
    expect(stty).toMatch(/speed 57600 baud/);
    for (const flag of [' cstopb ', ' crtscts']) expect(stty).toContain(flag);
    // Break over COM-PORT-OPTION: ser2net takes it and the session stays up.
    await svc.sendBreak(id!);
    board.write('after break');
    await until(() => Buffer.from(got).toString().endsWith('after break'));
    board.close();
    await svc.close(id!);
  }, 30_000);
});
