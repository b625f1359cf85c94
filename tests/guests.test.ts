import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardPack } from '../shared/model/board';
import { loadBoards } from '../electron/services/boards';
import { ImageChoices } from '../electron/services/images';
import { QemuService } from '../electron/services/qemu';
import { MilestoneTracker } from '../shared/logs/milestones';
import { GUEST_PROMPT, GUEST_READY } from '../shared/guest/initrd';
import { parseQemuOptionText } from '../shared/qemu/optionsText';
import { guestKernelForTests } from './support/guestKernel';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-aarch64']).status === 0;
if (!hasQemu && process.env.CI === 'true') throw new Error('qemu-system-aarch64 is required in CI');
const guest = guestKernelForTests();

describe.runIf(hasQemu && guest)("a Linux guest: Debian's arm64 kernel and a busybox initrd, booted directly", () => {
  let board: BoardPack;
  let out = '';
  const svc = new QemuService({ output: (_id, d) => (out += d), status: () => undefined });
  const waitFor = async (pred: () => boolean, what: string, ms: number) => {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`${what} did not come within ${ms} ms; output so far:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
    board = (await loadBoards(path.join(root, 'boards'))).boards.find((b) => b.name === 'qemu_virt_aarch64')!;
  });
  afterAll(() => svc.killAll());

  it('boots to the shell prompt on the board recipe with typed options; the timeline has the Linux milestones; a typed command answers', async () => {
    const { options, refused } = parseQemuOptionText(`-smp 1 -m 512 -device virtio-rng-device -netdev user,hostfwd=tcp::${20000 + (process.pid % 20000)}-:22 -initrd ${guest!.initrd} -append console=ttyAMA0`);
    expect(refused).toEqual([]);
    const t0 = Date.now();
    const { id, command, format } = await svc.start(board, { kernel: guest!.kernel }, { options });
    expect(format).toBe('linux-image');
    expect(command).toEqual(expect.arrayContaining(['-initrd', guest!.initrd, '-append', 'console=ttyAMA0', '-device', 'virtio-rng-device']));
    await waitFor(() => out.includes(GUEST_PROMPT), 'the shell prompt', 60_000);
    const bootMs = Date.now() - t0;
    expect(out).toContain(GUEST_READY);
    const tr = new MilestoneTracker();
    tr.feed(out, 0);
    expect(tr.milestones.map((m) => m.label)).toEqual(['Linux booting', `Linux ${guest!.version}`, 'Kernel init done', 'Run /init', 'Shell prompt']);
    const seen = out.length;
    svc.input(id, 'echo $((6*7))\n');
    await waitFor(() => /\r\n42\r\n/.test(out.slice(seen)), 'the answer 42', 20_000);
    // The virtio devices asked for are on the machine's MMIO bus.
    const qtree = await svc.monitor(id, 'info qtree');
    expect(qtree).toMatch(/dev: virtio-rng-device/);
    expect(qtree).toMatch(/dev: virtio-net-device/);
    await svc.stop(id);
    console.log(`Debian kernel → shell prompt through QemuService: ${bootMs} ms`);
  }, 90_000);

  it('sel4-studio qemu --smp --mem --netdev --initrd --append --expect exits 0 at the prompt', () => {
    const r = spawnSync(process.execPath, [bin, 'qemu', '--kernel', guest!.kernel, '--initrd', guest!.initrd, '--append', 'console=ttyAMA0', '--smp', '2', '--mem', '512M', '--netdev', 'user', '--expect', GUEST_PROMPT, '--timeout', '90'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/smp: Brought up 1 node, 2 CPUs/);
    expect(r.stdout).toContain(GUEST_READY);
  }, 130_000);

  it('the command line refuses what the panel refuses, with the reason', () => {
    const r = spawnSync(process.execPath, [bin, 'qemu', '--kernel', guest!.kernel, '--netdev', 'tap,id=t0', '--device', 'e1000'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/only user-mode networking .*; e1000 is not on the device list/);
  });
});

describe('images picked anywhere', () => {
  it('a page names a file outside the project only if it is on the list; links are compared resolved', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sel4studio-images-'));
    const project = path.join(dir, 'p');
    execFileSync('mkdir', ['-p', path.join(project, 'build'), path.join(dir, 'cfg')]);
    writeFileSync(path.join(project, 'build', 'loader.img'), 'x');
    const kernel = path.join(dir, 'Image');
    writeFileSync(kernel, 'k');
    symlinkSync(kernel, path.join(dir, 'link'));
    const choices = new ImageChoices(path.join(dir, 'cfg'));
    expect(await choices.resolve(project, 'build/loader.img')).toBe(path.join(project, 'build', 'loader.img'));
    await expect(choices.resolve(project, '../Image')).rejects.toThrow(/leaves the project/);
    await expect(choices.resolve(project, kernel)).rejects.toThrow(/not one of your picked images: .*sel4-studio image add PATH/);
    expect(await choices.add(path.join(dir, 'link'))).toBe(kernel);
    expect(await choices.resolve(project, kernel)).toBe(kernel);
    expect(await choices.resolve(project, path.join(dir, 'link'))).toBe(kernel);
    expect(await choices.list()).toEqual([{ path: kernel, size: 1 }]);
    await choices.remove(kernel);
    await expect(choices.resolve(project, kernel)).rejects.toThrow(/not one of your picked images/);
  });
});
