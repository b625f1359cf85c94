import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the scripts folder (no types); runFuzz is documented there.
import { runFuzz } from '../../scripts/fuzzRun.mjs';
import { budget, scale, soak } from './scale';

/**
 * The structure-aware device-tree fuzzer (tests/properties/dtStructTarget.ts) in npm test: a fixed seed and a fixed
 * count, in a worker with a heap cap and a per-input time budget, as `npm run fuzz -- --target dtstruct` runs it.
 * A failure names its seed: `npm run fuzz -- --target dtstruct --seed S --count 1` replays it.
 */
interface FuzzResult {
  inputs: number;
  seconds: number;
  perSecond: number;
  firstSeed: number;
  outcomes: Record<string, number>;
  failure?: { kind: 'crash' | 'hang' | 'oom'; seed: number; message: string };
}
const fuzz = runFuzz as (opts: { target: string; count?: number; seconds?: number; firstSeed?: number; budgetMs?: number; heapMb?: number }) => Promise<FuzzResult>;

describe('structure-aware device-tree fuzzer', () => {
  it('the runner catches a hang and running out of memory, each with its seed', async () => {
    const hang = await fuzz({ target: 'selftest-hang', count: 10, firstSeed: 100, budgetMs: 500 });
    expect(hang.failure).toMatchObject({ kind: 'hang', seed: 103 });
    expect(hang.inputs).toBe(3);
    const oom = await fuzz({ target: 'selftest-oom', count: 10, firstSeed: 200, heapMb: 64 });
    expect(oom.failure).toMatchObject({ kind: 'oom', seed: 203 });
  }, 60_000);

  // 1,500 keeps the short form near 7 s on a quiet machine (about 210 inputs/s); the long form and `npm run soak` go further.
  const count = scale(1500, 10_000);
  it(
    `${count} generated trees from seed 1: every input ends in a result or an error with a place, none hangs or runs out of memory`,
    async () => {
      const r = await fuzz({ target: 'dtstruct', count, firstSeed: 1, seconds: 3600, budgetMs: 3000, heapMb: 512 });
      const dir = path.resolve(import.meta.dirname, '../../reports');
      mkdirSync(dir, { recursive: true });
      const rows = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]);
      writeFileSync(
        path.join(dir, 'dt-fuzz.md'),
        [
          `# Structure-aware DT fuzzer (${soak ? 'long' : 'short'} form)`,
          '',
          `${r.inputs} inputs from seed ${r.firstSeed} in ${r.seconds.toFixed(1)} s (${r.perSecond} inputs/s, worker with a 512 MB heap, 3 s per input)${r.failure ? `; ${r.failure.kind} at seed ${r.failure.seed}` : '; no crash, hang or out-of-memory'}.`,
          '',
          '| inputs | ended with |',
          '|---|---|',
          ...rows.map(([what, n]) => `| ${n} | ${what.replace(/\|/g, '\\|')} |`),
          '',
        ].join('\n'),
      );
      expect(r.failure, r.failure && `${r.failure.kind} at seed ${r.failure.seed}: ${r.failure.message}`).toBeUndefined();
      expect(r.inputs).toBe(count);
      // The inputs reach every stage: trees that parse (then every query, print, write and read) and errors.
      const parsed = rows.filter(([k]) => k.startsWith('parsed')).reduce((a, [, n]) => a + n, 0);
      expect(parsed).toBeGreaterThan(count / 4);
      expect(rows.filter(([k]) => k.startsWith('dts error')).length).toBeGreaterThan(5);
    },
    budget(60_000, 600_000),
  );
});
