import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { startPtyPair } from './ptyPair';

/**
 * A lab host on loopback, built from the real parts a lab runs: a TFTP server (tftpd-hpa's in.tftpd) serving the
 * deploy folder, ser2net (RFC 2217) in front of a socat pty pair as the board's console, and — the only double, since
 * there is no smart plug here — an HTTP server implementing Home Assistant's switch service endpoints. "Power on"
 * makes the board's side of the pty replay the recorded Microkit boot log.
 */

export const RECORDED_BOOT = path.join(import.meta.dirname, '..', 'fixtures', 'recorded', 'qemu-boot-hello-2.0.1.log');

export const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

export interface HaCall {
  service: string;
  entityId: string | undefined;
  auth: string | undefined;
  status: number;
}

export interface Lab {
  haUrl: string;
  token: string;
  entityId: string;
  consolePort: number;
  tftpPort: number;
  tftpRoot: string;
  calls: HaCall[];
  /** Every process the lab started (all gone after stop). */
  pids: number[];
  stop(): Promise<void>;
}

async function until(pred: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether something listens on 127.0.0.1:port (TCP), read from /proc without connecting (ser2net opens the device per connection). */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => {
    try {
      return readFileSync(f, 'utf8').split('\n').some((l) => {
        const cols = l.trim().split(/\s+/);
        return cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A';
      });
    } catch {
      return false;
    }
  });
}

const freePort = () => 20000 + Math.floor(Math.random() * 30000);

export async function startLab(dir: string, opts: { token?: string; entityId?: string; replayDelayMs?: number } = {}): Promise<Lab> {
  const procs: ChildProcess[] = [];
  const token = opts.token ?? 'lab-token-0123456789';
  const entityId = opts.entityId ?? 'switch.board_plug';
  const tftpRoot = path.join(dir, 'tftp');
  mkdirSync(tftpRoot, { recursive: true });
  // in.tftpd drops to its own user when started as root: the folder must be readable by others.
  chmodSync(dir, 0o755);
  chmodSync(tftpRoot, 0o755);

  // The console: a pty pair, ser2net serving one end over RFC 2217, the "board" holding the other.
  const pair = await startPtyPair(dir, 'console');
  procs.push(pair.proc);
  const { a, b } = pair;
  const consolePort = freePort();
  const conf = path.join(dir, 'ser2net.yaml');
  writeFileSync(conf, `connection: &board\n    accepter: telnet(rfc2217),tcp,127.0.0.1,${consolePort}\n    connector: serialdev,${a},115200n81,local\n`);
  procs.push(spawn('ser2net', ['-n', '-d', '-c', conf], { stdio: 'ignore' }));
  await until(() => listening(consolePort), 5000, 'ser2net');
  const board = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => board.open((e) => (e ? rej(e) : res())));

  const tftpPort = freePort();
  procs.push(spawn('in.tftpd', ['-L', '-s', '-a', `127.0.0.1:${tftpPort}`, tftpRoot], { stdio: 'ignore' }));

  const calls: HaCall[] = [];
  let replay: NodeJS.Timeout | undefined;
  // A UART sends CR LF for each newline (seL4's and the loader's putchar do); the recording holds the text with LF.
  const bootLines = readFileSync(RECORDED_BOOT, 'utf8').split(/(?<=\n)/).map((l) => l.replace(/\n$/, '\r\n'));
  const powerOn = () => {
    clearTimeout(replay);
    let i = 0;
    const next = () => {
      if (i >= bootLines.length) return;
      board.write(bootLines[i++]!);
      replay = setTimeout(next, 5);
    };
    replay = setTimeout(next, opts.replayDelayMs ?? 100);
  };
  const body = (req: IncomingMessage) => new Promise<string>((r) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => r(s));
  });
  const server: Server = createServer((req, res) => {
    void body(req).then((text) => {
      const m = /^\/api\/services\/switch\/(turn_on|turn_off)$/.exec(req.url ?? '');
      let entity: string | undefined;
      try {
        entity = (JSON.parse(text) as { entity_id?: string }).entity_id;
      } catch {
        entity = undefined;
      }
      const auth = req.headers.authorization;
      const call: HaCall = { service: m?.[1] ?? `${req.method} ${req.url}`, entityId: entity, auth, status: 0 };
      calls.push(call);
      const answer = (status: number, json: unknown) => {
        call.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      };
      if (auth !== `Bearer ${token}`) return answer(401, { message: '401: Unauthorized' });
      if (req.method !== 'POST' || !m) return answer(404, { message: 'Not found' });
      if (req.headers['content-type'] !== 'application/json' || entity !== entityId) return answer(400, { message: 'Entity not found or not JSON.' });
      if (m[1] === 'turn_on') powerOn();
      else clearTimeout(replay);
      // Home Assistant answers a service call with the states it changed.
      answer(200, [{ entity_id: entityId, state: m[1] === 'turn_on' ? 'on' : 'off', attributes: {}, last_changed: new Date().toISOString() }]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const haUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    haUrl,
    token,
    entityId,
    consolePort,
    tftpPort,
    tftpRoot,
    calls,
    pids: procs.map((p) => p.pid!).filter(Boolean),
    async stop() {
      clearTimeout(replay);
      server.closeAllConnections();
      server.close();
      await new Promise<void>((r) => (board.isOpen ? board.close(() => r()) : r()));
      for (const p of procs) p.kill('SIGKILL');
      await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    },
  };
}

/** Fetch a file from a TFTP server with the real client (tftp-hpa), binary mode. */
export function tftpGet(port: number, remote: string, local: string): { ok: boolean; output: string } {
  const r = spawnSync('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', remote, local], { encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0 && existsSync(local), output: `${r.stdout}${r.stderr}` };
}

/**
 * A folder this process cannot write into: mode 0555, and for root (who ignores modes) the immutable flag. Returns
 * the undo, or undefined when the folder stays writable here (then the test cannot be made).
 */
export function makeUnwritable(folder: string): (() => void) | undefined {
  chmodSync(folder, 0o555);
  const root = process.getuid?.() === 0;
  if (root) spawnSync('chattr', ['+i', folder]);
  const undo = () => {
    if (root) spawnSync('chattr', ['-i', folder]);
    chmodSync(folder, 0o755);
  };
  try {
    writeFileSync(path.join(folder, '.probe'), '');
    spawnSync('rm', ['-f', path.join(folder, '.probe')]);
    undo();
    return undefined;
  } catch {
    return undo;
  }
}
