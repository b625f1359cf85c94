// The fuzz runner shared by `npm run fuzz` (scripts/fuzz.mjs), `npm run soak` and the seeded run in npm test
// (tests/attack/dtFuzz.test.ts). The targets (tests/properties/*Target.ts) are bundled once with esbuild and run in a
// worker thread with a heap cap (resourceLimits): running out of memory ends the worker, not the runner. The main
// thread watches progress: one input running longer than the per-input budget is a hang, reported with its seed;
// the worker is terminated.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the worker runs for each target: `t` is the bundle, `seed` the input. */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const t = require(workerData.out);
const target = workerData.target;
// The self-test targets misbehave at their fourth input, so that the runner's own checks can be seen to work.
const selftest = (seed) => {
  if (seed !== workerData.firstSeed + 3) return 'ok';
  if (target === 'selftest-hang') for (;;);
  const hoard = [];
  for (;;) hoard.push(new Array(1e6).fill(seed));
};
const sdf = target === 'sdf' || target === 'all' ? t.loadCorpus(workerData.corpus) : undefined;
const dt = target === 'dt' || target === 'all' ? t.loadDtCorpus(workerData.dtCorpus) : undefined;
const p = new Int32Array(workerData.progress);
const until = Date.now() + workerData.seconds * 1000;
const outcomes = {};
let seed = workerData.firstSeed;
for (let i = 0; i < workerData.count && Date.now() < until; i++) {
  Atomics.store(p, 1, seed);
  let outcome;
  if (target === 'dtstruct') outcome = t.fuzzOneDtStruct(seed);
  else if (target.startsWith('selftest-')) outcome = selftest(seed);
  else if (sdf && (!dt || seed % 2 === 0)) { t.fuzzOne(sdf, seed); outcome = 'sdf'; }
  else { t.fuzzOneDt(dt, seed); outcome = 'dt'; }
  outcomes[outcome] = (outcomes[outcome] || 0) + 1;
  Atomics.add(p, 0, 1);
  seed = (seed + 1) | 0;
}
parentPort.postMessage({ outcomes });
`;

/**
 * Run a campaign. Resolves with { target, inputs, seconds, perSecond, firstSeed, outcomes, failure? }, where failure
 * is { kind: 'crash' | 'hang' | 'oom', seed, message } for the first input that failed.
 * @param {{ target: 'sdf' | 'dt' | 'all' | 'dtstruct' | 'selftest-hang' | 'selftest-oom', seconds?: number, count?: number, firstSeed?: number,
 *   budgetMs?: number, heapMb?: number }} opts
 */
export async function runFuzz(opts) {
  const target = opts.target;
  const seconds = opts.seconds ?? 60;
  const count = opts.count ?? Number.MAX_SAFE_INTEGER;
  const firstSeed = opts.firstSeed ?? Date.now() % 1e9;
  // Old targets: a stall of 5 s was the hang rule; the structure-aware target has small inputs and a tighter budget.
  const budgetMs = opts.budgetMs ?? (target === 'dtstruct' ? 3000 : 5000);
  const heapMb = opts.heapMb ?? 768;
  const dir = path.join(root, 'dist', 'fuzz');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `target-${process.pid}-${Date.now()}.cjs`);
  await build({
    stdin: {
      contents: "export * from './tests/properties/fuzzTarget'; export * from './tests/properties/dtFuzzTarget'; export * from './tests/properties/dtStructTarget';",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  const progress = new Int32Array(new SharedArrayBuffer(8)); // [inputs done, current seed]
  const t0 = Date.now();
  const worker = new Worker(WORKER, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64 },
    workerData: {
      out,
      target,
      corpus: path.join(root, 'tests/fixtures/microkit-corpus'),
      dtCorpus: path.join(root, 'tests/fixtures/dts-corpus'),
      progress: progress.buffer,
      seconds,
      count,
      firstSeed,
    },
  });
  let failure;
  let outcomes = {};
  let last = -1;
  let lastChange = Date.now();
  const timer = setInterval(() => {
    const done = Atomics.load(progress, 0);
    if (done !== last) {
      last = done;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > budgetMs && !failure) {
      failure = { kind: 'hang', seed: Atomics.load(progress, 1), message: `one input ran over ${budgetMs} ms` };
      void worker.terminate();
    }
  }, 100);
  await new Promise((resolve) => {
    worker.on('message', (m) => (outcomes = m.outcomes));
    worker.on('error', (e) => {
      if (!failure) {
        const oom = e && e.code === 'ERR_WORKER_OUT_OF_MEMORY';
        failure = { kind: oom ? 'oom' : 'crash', seed: Atomics.load(progress, 1), message: oom ? `the heap (${heapMb} MB) ran out` : String(e && e.stack ? e.stack : e) };
      }
    });
    worker.on('exit', resolve);
  });
  clearInterval(timer);
  rmSync(out, { force: true });
  const inputs = Atomics.load(progress, 0);
  const s = (Date.now() - t0) / 1000;
  return { target, inputs, seconds: s, perSecond: Math.round(inputs / s), firstSeed, outcomes, ...(failure ? { failure } : {}) };
}
