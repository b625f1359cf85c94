import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardPack } from '../../shared/model/board';
import { StudioError } from '../../shared/api/errors';
import { loadBoards } from '../../electron/services/boards';
import { QemuService } from '../../electron/services/qemu';
import { buildBaremetal, hasTools } from '../support/baremetal';
import { budget, scale } from './scale';

const root = path.resolve(import.meta.dirname, '../..');
const ok = hasTools();
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, aarch64-linux-gnu-gcc and qemu-system-aarch64 are required in CI');

const pgrep = (pattern: string) => {
  try {
    return execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

describe.runIf(ok)('typing into a console as QEMU exits (real QEMU killed under a stream of input)', () => {
  let elf: string;
  let board: BoardPack;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  const svc = new QemuService({ output: () => undefined, status: () => undefined });

  beforeAll(async () => {
    elf = buildBaremetal();
    board = (await loadBoards(path.join(root, 'boards'))).boards.find((b) => b.name === 'qemu_virt_aarch64')!;
    process.on('uncaughtException', onUncaught);
  }, 120_000);
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    svc.killAll();
  });

  const rounds = scale(20, 100);
  it(`${rounds} times: SIGKILL while a loop writes input; no error escapes, and writes after the exit are refused clearly`, async () => {
    const refusals = new Set<string>();
    for (let round = 0; round < rounds; round++) {
      const { id } = await svc.start(board, { kernel: elf });
      const [pid] = pgrep(elf);
      expect(pid).toBeGreaterThan(0);
      let refused = false;
      // Bounded in time: the kernel tears a killed QEMU down within milliseconds, even on a loaded machine.
      const until = Date.now() + 10_000;
      for (let i = 0; !refused && Date.now() < until; i++) {
        if (i === 20) process.kill(pid!, 'SIGKILL');
        try {
          svc.input(id, 'typed text\r'.repeat(40));
        } catch (e) {
          expect(e).toBeInstanceOf(StudioError);
          refusals.add((e as StudioError).message.replace(id, 'ID'));
          refused = true;
        }
        await new Promise((r) => setImmediate(r));
      }
      expect(refused).toBe(true);
      expect(() => svc.input(id, 'x')).toThrow(/QEMU qemu-\d+ (has exited|is not running)|no running QEMU/);
    }
    // Let any late pipe error surface before judging.
    await new Promise((r) => setTimeout(r, 200));
    expect(uncaught).toEqual([]);
    expect(pgrep(elf)).toEqual([]);
    for (const m of refusals) expect(m).toMatch(/QEMU ID|no running QEMU ID/);
  }, budget(180_000, 900_000));
});
