#!/usr/bin/env node
// `npm run fuzz [-- --seconds N] [--target sdf|dt|all]`: a long mutation campaign over the .system corpus (parser,
// checker, exporter, migration) and the device-tree corpus (DTS with and without cpp, DTB reader, queries, printer). Prints inputs/s and the count; exits 1 with the seed on a crash or a hang (no progress
// for 5 s), so a failure can be replayed with --seed.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const seconds = arg('--seconds', 60);
const firstSeed = arg('--seed', Date.now() % 1e9);
const targetArg = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : 'all';
const out = path.join(root, 'dist', 'fuzz', 'target.cjs');
await build({ stdin: { contents: "export * from './tests/properties/fuzzTarget'; export * from './tests/properties/dtFuzzTarget';", resolveDir: root, loader: 'ts' }, outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });

const progress = new Int32Array(new SharedArrayBuffer(8)); // [inputs done, current seed]
const worker = new Worker(
  `const { workerData } = require('node:worker_threads');
   const t = require(workerData.out);
   const sdf = workerData.target !== 'dt' ? t.loadCorpus(workerData.corpus) : undefined;
   const dt = workerData.target !== 'sdf' ? t.loadDtCorpus(workerData.dtCorpus) : undefined;
   const p = new Int32Array(workerData.progress);
   const until = Date.now() + workerData.seconds * 1000;
   let seed = workerData.firstSeed;
   while (Date.now() < until) {
     Atomics.store(p, 1, seed);
     if (sdf && (!dt || seed % 2 === 0)) t.fuzzOne(sdf, seed); else t.fuzzOneDt(dt, seed);
     Atomics.add(p, 0, 1);
     seed = (seed + 1) | 0;
   }`,
  { eval: true, workerData: { out, corpus: path.join(root, 'tests/fixtures/microkit-corpus'), dtCorpus: path.join(root, 'tests/fixtures/dts-corpus'), target: targetArg, progress: progress.buffer, seconds, firstSeed } },
);
const t0 = Date.now();
let last = -1;
let stalled = 0;
const timer = setInterval(() => {
  const done = Atomics.load(progress, 0);
  stalled = done === last ? stalled + 1 : 0;
  last = done;
  if (stalled >= 5) {
    console.error(`HANG: no progress for 5 s at seed ${Atomics.load(progress, 1)}`);
    process.exit(1);
  }
}, 1000);
worker.on('error', (e) => {
  console.error(`CRASH at seed ${Atomics.load(progress, 1)}: ${e.stack ?? e}`);
  process.exit(1);
});
worker.on('exit', () => {
  clearInterval(timer);
  const n = Atomics.load(progress, 0);
  const s = (Date.now() - t0) / 1000;
  console.log(`fuzz (${targetArg}): ${n} inputs in ${s.toFixed(1)} s (${Math.round(n / s)} inputs/s), seeds ${firstSeed}..${firstSeed + n - 1}, 0 crashes, 0 hangs`);
});
