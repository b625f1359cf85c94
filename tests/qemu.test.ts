import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardPack } from '../shared/model/board';
import { loadBoards } from '../electron/services/boards';
import { QemuService, type QemuStatus } from '../electron/services/qemu';
import { buildBaremetal, hasTools } from './support/baremetal';

const root = path.resolve(import.meta.dirname, '..');
const ok = hasTools();
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, aarch64-linux-gnu-gcc and qemu-system-aarch64 are required in CI');

const pgrep = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe.runIf(ok)('QEMU service (real QEMU, a real bare-metal AArch64 program)', () => {
  let elf: string;
  let board: BoardPack;
  let out = '';
  const statuses: QemuStatus[] = [];
  const svc = new QemuService({ output: (_id, d) => (out += d), status: (_id, s) => statuses.push(s) });
  const waitFor = async (pred: () => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timed out; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    elf = buildBaremetal();
    board = (await loadBoards(path.join(root, 'boards'))).boards.find((b) => b.name === 'qemu_virt_aarch64')!;
  }, 120_000);
  afterAll(() => svc.killAll());

  it('boots paused, resumes over QMP, and the first line reaches the stream whole', async () => {
    const { id, command } = await svc.start(board, { kernel: elf });
    expect(command).toEqual(expect.arrayContaining(['-S', '-serial', 'stdio']));
    await waitFor(() => out.includes('hello, world'));
    // Nothing was lost before the first byte: the stream starts with the program's first line.
    expect(out.startsWith('seL4 Studio bare-metal test: started\r\n')).toBe(true);
    expect(svc.status(id)).toBe('running');

    await svc.control(id, 'pause');
    expect(svc.status(id)).toBe('paused');
    const frozen = out.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(out.length).toBe(frozen);
    await svc.control(id, 'resume');
    await waitFor(() => out.length > frozen && out.slice(frozen).includes('heartbeat'));

    const before = out.split('seL4 Studio bare-metal test: started').length;
    await svc.control(id, 'reset');
    await waitFor(() => out.split('seL4 Studio bare-metal test: started').length > before);

    expect(await svc.monitor(id, 'info mtree')).toMatch(/pl011/);
    await svc.control(id, 'stop');
    expect(statuses[statuses.length - 1]).toBe('exited');
    expect(pgrep(elf)).toEqual([]);
  }, 60_000);

  it('a raw loader.img at 0x70000000 (the Microkit recipe: -device loader, cpu-num=0) boots, and boots again after reset', async () => {
    const image = path.join(path.dirname(elf), 'loader.img');
    out = '';
    const { id, command } = await svc.start(board, { image });
    expect(command).toEqual(expect.arrayContaining(['-device', `loader,file=${image},addr=0x70000000,cpu-num=0`]));
    expect(command.join(' ')).toContain('virtualization=on');
    await waitFor(() => out.includes('hello, world'));
    expect(out.startsWith('seL4 Studio bare-metal test: started\r\n')).toBe(true);
    await svc.control(id, 'reset');
    await waitFor(() => out.split('hello, world').length > 2);
    await svc.control(id, 'stop');
    expect(pgrep(image)).toEqual([]);
  }, 60_000);

  it('several instances at once, each with its own stream; stopping one leaves the other running', async () => {
    const outs = new Map<string, string>();
    const last = new Map<string, QemuStatus>();
    const two = new QemuService({ output: (id, d) => outs.set(id, (outs.get(id) ?? '') + d), status: (id, st) => last.set(id, st) });
    const a = await two.start(board, { kernel: elf });
    const b = await two.start(board, { image: path.join(path.dirname(elf), 'loader.img') });
    expect(a.id).not.toBe(b.id);
    await waitFor(() => ['hello, world', 'hello, world'].every((t, i) => (outs.get([a.id, b.id][i]!) ?? '').includes(t)));
    await two.control(a.id, 'stop');
    expect(last.get(a.id)).toBe('exited');
    const seen = (outs.get(b.id) ?? '').length;
    await waitFor(() => (outs.get(b.id) ?? '').length > seen);
    expect(two.status(b.id)).toBe('running');
    two.killAll();
  }, 60_000);

  it('a missing image is a clear error, and no QEMU is left', async () => {
    await expect(svc.start(board, { image: '/nonexistent/loader.img' })).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/image not found: \/nonexistent\/loader.img/) });
  });

  it('QEMU that cannot start reports its own error text', async () => {
    await expect(svc.start(board, { kernel: elf }, { extraArgs: ['-no-such-option'] })).rejects.toMatchObject({ message: expect.stringMatching(/QEMU did not start: .*no-such-option/) });
  });
});

describe.runIf(ok)('sel4-studio qemu (for CI)', () => {
  let elf: string;
  beforeAll(() => {
    elf = buildBaremetal();
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
  }, 120_000);
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'qemu', ...args], { encoding: 'utf8', timeout: 30_000 });

  it('--expect exits 0 as soon as the text appears, with the serial output on stdout', () => {
    const r = run('--board', 'qemu_virt_aarch64', '--kernel', elf, '--expect', 'hello, world', '--timeout', '20');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('MON|INFO: Microkit Bootstrap');
    expect(pgrep(elf)).toEqual([]);
  });

  it('--image boots a loader.img the way the Microkit manual does', () => {
    const image = path.join(path.dirname(elf), 'loader.img');
    const r = run('--board', 'qemu_virt_aarch64', '--image', image, '--expect', 'hello, world', '--timeout', '20');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('LDR|INFO: altloader for seL4 starting');
    expect(pgrep(image)).toEqual([]);
  });

  it('exits non-zero on timeout, on a missing image, on bad usage', () => {
    const t = run('--kernel', elf, '--expect', 'never printed', '--timeout', '2');
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/"never printed" did not appear after 2 s/);
    expect(run('--image', '/nonexistent/loader.img').stderr).toMatch(/image not found/);
    expect(run('--kernel', elf, '--image', 'x').status).toBe(2);
    const clash = run('--kernel', elf, '--', '-serial', 'pty');
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/-serial is set by seL4 Studio/);
    expect(pgrep(elf)).toEqual([]);
  });
});
