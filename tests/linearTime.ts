/**
 * Does the time of a computation grow in proportion to its input? Run it at several sizes (n, 2n, 4n, 8n…), each
 * input made before the clock starts, take the median of a few runs per size (robust on a loaded machine), and
 * compare the time per unit of size at the largest size with that at the smallest: a linear computation keeps the
 * ratio near 1 (caches and the collector push it up a little), a quadratic one doubles it with each doubling of n.
 */

export interface Timing {
  /** The size the input was made with. */
  n: number;
  /** Median wall time of one run (ms). */
  ms: number;
  /** What a run ended with: `result`, or `error: <message>` (its first line). */
  outcome: string;
}

export interface LinearMeasure {
  timings: Timing[];
  /** (ms per unit at the largest size) / (ms per unit at the smallest). */
  ratio: number;
}

/** Below this a time is mostly the clock's and the scheduler's noise: per-unit times are taken from at least it. */
const FLOOR_MS = 0.5;

/** One run: its wall time and how it ended. */
function once<T>(run: (input: T) => unknown, input: T): { ms: number; outcome: string } {
  const t0 = performance.now();
  let outcome = 'result';
  try {
    run(input);
  } catch (e) {
    outcome = `error: ${String((e as Error).message ?? e).split('\n')[0]}`;
  }
  return { ms: performance.now() - t0, outcome };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Time `run(make(n))` for each n of `sizes` (ascending). One warm-up run at the smallest size first (the JIT), then
 * `repeats` runs per size (more, up to 9, while a size has taken under 30 ms in all), the median kept.
 */
export function timeSizes<T>(sizes: number[], make: (n: number) => T, run: (input: T) => unknown, repeats = 3): LinearMeasure {
  const timings: Timing[] = [];
  once(run, make(sizes[0]!));
  for (const n of sizes) {
    const input = make(n);
    const runs: number[] = [];
    let outcome = 'result';
    let spent = 0;
    while (runs.length < repeats || (spent < 30 && runs.length < 9)) {
      const r = once(run, input);
      runs.push(r.ms);
      spent += r.ms;
      outcome = r.outcome;
    }
    timings.push({ n, ms: median(runs), outcome });
  }
  return { timings, ratio: perUnitRatio(timings) };
}

/** Per-unit time at the largest size over that at the smallest (times under {@link FLOOR_MS} count as it). */
export function perUnitRatio(timings: Timing[]): number {
  const first = timings[0]!;
  const last = timings[timings.length - 1]!;
  return Math.max(last.ms, FLOOR_MS) / last.n / (Math.max(first.ms, FLOOR_MS) / first.n);
}

/** The default bound on {@link LinearMeasure.ratio}: linear work stays under it at 8n, quadratic work reaches 8. */
export const LINEAR_RATIO = 4;

/**
 * Measure at n, 2n, 4n, 8n (or `factors`) and throw, with the table, when the per-unit time grew by
 * {@link LINEAR_RATIO} or more. Returns the measure for reports.
 */
export function expectLinear<T>(name: string, n: number, make: (n: number) => T, run: (input: T) => unknown, opts: { factors?: number[]; ratio?: number; repeats?: number } = {}): LinearMeasure {
  const sizes = (opts.factors ?? [1, 2, 4, 8]).map((f) => Math.round(n * f));
  const m = timeSizes(sizes, make, run, opts.repeats);
  if (!(m.ratio < (opts.ratio ?? LINEAR_RATIO))) {
    throw new Error(`${name}: time per unit grew ${m.ratio.toFixed(2)}x from n=${sizes[0]} to n=${sizes[sizes.length - 1]} (${m.timings.map((t) => `${t.n}: ${t.ms.toFixed(1)} ms`).join(', ')})`);
  }
  return m;
}
