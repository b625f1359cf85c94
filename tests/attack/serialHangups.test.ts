import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialService, type SerialStatus } from '../../electron/services/serial';
import { budget, scale } from './scale';

const hasSocat = spawnSync('sh', ['-c', 'command -v socat']).status === 0;
if (!hasSocat && process.env.CI === 'true') throw new Error('socat is required in CI');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (pred: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'serial-hangups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A board on a pty pair that socat relays: the IDE opens `ide` (the same link name every time, as a USB serial
 * adapter re-enumerates under one udev name), the test writes into `board`. Killing socat is the hang-up.
 */
async function board(cycle: number) {
  const ide = path.join(dir, 'ttyBOARD');
  const boardSide = path.join(dir, `board-${cycle}`);
  const proc: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${ide}`, `pty,raw,echo=0,link=${boardSide}`], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  // A SIGKILLed socat leaves its link behind, pointing at a pty that is gone (or, later, at someone else's): wait
  // for the new pair's links, not the stale one.
  await until(() => existsSync(boardSide), 5000, 'socat');
  await until(() => existsSync(ide), 5000, 'socat link');
  const port = new SerialPort({ path: boardSide, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => undefined);
  return { proc, port, exited };
}

describe.runIf(hasSocat || process.env.CI === 'true')('serial hang-ups while data flows (real ptys, socat)', () => {
  const cycles = scale(25, 200);
  it(
    `${cycles} hang-ups: every one noticed, reconnected, and the log holds exactly the bytes received`,
    async () => {
      const statuses: { status: SerialStatus; at: number }[] = [];
      let received = 0;
      const seen: Buffer[] = [];
      const svc = new SerialService({
        data: (_id, d) => {
          received += d.length;
          seen.push(Buffer.from(d));
        },
        status: (_id, status) => statuses.push({ status, at: performance.now() }),
      });
      const log = path.join(dir, 'console.log');
      let b = await board(0);
      const id = await svc.open(path.join(dir, 'ttyBOARD'), { baudRate: 115200, logFile: log, reconnectMs: 50 });
      let sent = 0;
      const reconnectMs: number[] = [];
      const lostAtHangup: number[] = [];
      for (let cycle = 1; cycle <= cycles; cycle++) {
        // Data flows: a line-numbered stream written as fast as the pty takes it. All of it must arrive, which also
        // proves the last reconnect found the live device, not a stale link.
        const line = Buffer.from(`cycle ${String(cycle).padStart(4, '0')} ${'x'.repeat(100)}\n`);
        const t0 = Date.now();
        const flowMs = 20 + ((cycle * 37) % 80);
        while (Date.now() - t0 < flowMs) {
          b.port.write(line);
          sent += line.length;
          await sleep(1);
        }
        await until(() => received >= sent, 5000, `cycle ${cycle}'s bytes`);
        expect(received).toBe(sent);
        // Half the hang-ups come in the middle of a burst: what socat had not passed on when it died is lost there,
        // in the kernel and in socat, and counted; everything that reached the port is in the log.
        const midFlow = cycle % 2 === 1;
        if (midFlow) {
          for (let i = 0; i < 64; i++) {
            b.port.write(line);
            sent += line.length;
          }
          // Written into the pty, not queued in this process: the hang-up catches the burst between socat and us.
          await new Promise<void>((r) => b.port.drain(() => r()));
        }
        const disconnects = statuses.filter((s) => s.status === 'disconnected').length;
        // SIGKILL leaves a stale link pointing at a dead pty (the nasty case), SIGTERM removes it.
        b.proc.kill(cycle % 4 < 2 ? 'SIGKILL' : 'SIGTERM');
        await b.exited;
        const hungUp = performance.now();
        await until(() => statuses.filter((s) => s.status === 'disconnected').length > disconnects, 5000, `hang-up ${cycle} to be noticed`);
        if (b.port.isOpen) b.port.close();
        await sleep(20);
        if (midFlow) {
          lostAtHangup.push(sent - received);
          sent = received;
        }
        b = await board(cycle);
        await until(() => svc.status(id) === 'open' && statuses.at(-1)!.at > hungUp, 5000, `reconnect ${cycle}`);
        reconnectMs.push(performance.now() - hungUp);
      }
      // The last board's bytes must all arrive.
      const last = Buffer.from('the end\n');
      b.port.write(last);
      sent += last.length;
      await until(() => received >= sent, 5000, 'the last bytes');
      await svc.close(id);
      b.proc.kill('SIGKILL');
      const all = Buffer.concat(seen);
      expect(readFileSync(log).equals(all)).toBe(true);
      expect(statuses.filter((s) => s.status === 'disconnected').length).toBe(cycles);
      reconnectMs.sort((x, y) => x - y);
      const lost = lostAtHangup.reduce((x, y) => x + y, 0);
      console.log(
        `serial hang-ups: ${cycles} noticed of ${cycles}; reconnect median ${reconnectMs[reconnectMs.length >> 1]!.toFixed(0)} ms, max ${reconnectMs.at(-1)!.toFixed(0)} ms; ` +
          `${all.length} bytes logged = bytes received; every byte sent between hang-ups arrived; mid-burst hang-ups (${lostAtHangup.length}) lost ${lost} bytes in flight (max ${Math.max(...lostAtHangup)} of a ${64 * 112}-byte burst)`,
      );
    },
    budget(60_000, 900_000),
  );
});
