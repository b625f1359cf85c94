/* Benchmarks of the run-and-observe services, each against the plain tool in the same run. Prints one JSON line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { loadBoards } from '../../electron/services/boards';
import { QemuService } from '../../electron/services/qemu';
import { SerialService } from '../../electron/services/serial';
import { ConsoleRenderer } from '../../shared/terminal/render';
import { buildBaremetal } from '../support/baremetal';
import { defaultGuestDir, guestKernelIn, type GuestKernelFiles } from '../../electron/services/guestKernel';
import { GUEST_PROMPT } from '../../shared/guest/initrd';
import { MilestoneTracker } from '../../shared/logs/milestones';

const MiB = 1024 * 1024;
const procs: ChildProcess[] = [];

async function pair(dir: string, tag: string) {
  const a = path.join(dir, `${tag}-a`);
  const b = path.join(dir, `${tag}-b`);
  procs.push(spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' }));
  while (!(existsSync(a) && existsSync(b))) await new Promise((r) => setTimeout(r, 10));
  return { a, b };
}

async function pump(p: string, bytes: number) {
  const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const chunk = Buffer.alloc(65536, 0x55);
  for (let off = 0; off < bytes; off += chunk.length) if (!port.write(chunk)) await new Promise((r) => port.once('drain', r));
  return port;
}

async function serialThroughput(dir: string, via: 'service' | 'raw', bytes: number) {
  const { a, b } = await pair(dir, via + Math.random().toString(36).slice(2));
  let got = 0;
  let rendered = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let close: () => Promise<void>;
  if (via === 'service') {
    // Up to the terminal's write: the service, then the console renderer (time stamps on, its heaviest text path).
    const renderer = new ConsoleRenderer({ timestamps: true, hex: false }, new TextDecoder());
    const svc = new SerialService({
      data: (_id, d) => {
        rendered += renderer.feed({ t: 0, data: d }).length;
        if ((got += d.length) >= bytes) done();
      },
      status: () => undefined,
    });
    const id = await svc.open(a, { baudRate: 115200 });
    close = () => svc.close(id);
  } else {
    const port = new SerialPort({ path: a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    port.on('data', (d: Buffer) => ((got += d.length) >= bytes ? done() : undefined));
    close = () => new Promise((r) => port.close(() => r()));
  }
  const t0 = performance.now();
  const board = await pump(b, bytes);
  await finished;
  const ms = performance.now() - t0;
  board.close();
  await close();
  if (via === 'service' && rendered < got) throw new Error('the renderer dropped bytes');
  return { ms, lost: bytes - got, mibPerS: bytes / MiB / (ms / 1000) };
}

async function firstByte(elf: string, via: 'service' | 'direct') {
  const t0 = performance.now();
  if (via === 'direct') {
    const p = spawn('qemu-system-aarch64', ['-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-m', 'size=2G', '-kernel', elf], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => p.stdout!.once('data', r));
    const ms = performance.now() - t0;
    p.kill('SIGKILL');
    return ms;
  }
  const board = (await loadBoards(path.resolve(import.meta.dirname, '../../boards'))).boards.find((x) => x.name === 'qemu_virt_aarch64')!;
  let resolve!: (v: number) => void;
  const got = new Promise<number>((r) => (resolve = r));
  const svc = new QemuService({ output: () => resolve(performance.now() - t0), status: () => undefined });
  const { id } = await svc.start(board, { kernel: elf });
  const ms = await got;
  await svc.stop(id);
  return ms;
}

/**
 * Debian's arm64 kernel booted directly to the busybox shell prompt: through the service (paused start, QMP cont,
 * typed options) with every byte fed to the timeline as the IDE does, against QEMU launched with the same machine.
 */
async function linuxBoot(g: GuestKernelFiles, via: 'service' | 'direct') {
  const t0 = performance.now();
  const machine = ['-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-m', 'size=512M', '-smp', '1'];
  if (via === 'direct') {
    const p = spawn('qemu-system-aarch64', [...machine, '-kernel', g.kernel, '-initrd', g.initrd, '-append', 'console=ttyAMA0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    await new Promise<void>((r) => p.stdout!.on('data', (d: Buffer) => ((seen = (seen + d.toString()).slice(-256)).includes(GUEST_PROMPT) ? r() : undefined)));
    const ms = performance.now() - t0;
    p.kill('SIGKILL');
    return ms;
  }
  const board = (await loadBoards(path.resolve(import.meta.dirname, '../../boards'))).boards.find((x) => x.name === 'qemu_virt_aarch64')!;
  const timeline = new MilestoneTracker();
  let resolve!: (v: number) => void;
  const got = new Promise<number>((r) => (resolve = r));
  const svc = new QemuService({
    output: (_id, d) => {
      if (timeline.feed(d, performance.now()).some((m) => m.label === 'Shell prompt')) resolve(performance.now() - t0);
    },
    status: () => undefined,
  });
  const { id } = await svc.start(board, { kernel: g.kernel }, { options: { memoryMiB: 512, smp: 1, initrd: g.initrd, append: 'console=ttyAMA0' } });
  const ms = await got;
  await svc.stop(id);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-rt-'));
  const serial = { service: [] as number[], raw: [] as number[], lost: 0 };
  for (let i = 0; i < 3; i++) {
    const r = await serialThroughput(dir, 'raw', 10 * MiB);
    const s = await serialThroughput(dir, 'service', 10 * MiB);
    serial.raw.push(r.mibPerS);
    serial.service.push(s.mibPerS);
    serial.lost += s.lost;
  }
  const elf = buildBaremetal();
  const q = { service: [] as number[], direct: [] as number[] };
  for (let i = 0; i < 5; i++) {
    q.direct.push(await firstByte(elf, 'direct'));
    q.service.push(await firstByte(elf, 'service'));
  }
  const guest = guestKernelIn(defaultGuestDir());
  const lb = { service: [] as number[], direct: [] as number[] };
  for (let i = 0; guest && i < 4; i++) {
    // Taking turns at going first: the first of a pair reads the kernel and initrd into the page cache.
    for (const via of i % 2 ? (['service', 'direct'] as const) : (['direct', 'service'] as const)) lb[via].push(await linuxBoot(guest, via));
  }
  for (const p of procs) p.kill('SIGKILL');
  console.log(
    JSON.stringify({
      serial: { serviceMiBps: median(serial.service), rawMiBps: median(serial.raw), lostBytes: serial.lost },
      qemuFirstByte: { serviceMs: median(q.service), directMs: median(q.direct) },
      // null: no guest kernel here (sel4-studio guest-kernel fetches it).
      linuxBootToPrompt: guest ? { kernel: guest.version, serviceMs: median(lb.service), directMs: median(lb.direct) } : null,
    }),
  );
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
