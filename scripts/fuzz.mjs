#!/usr/bin/env node
// `npm run fuzz [-- --seconds N] [--target sdf|dt|all|dtstruct] [--seed S] [--count N] [--budget-ms MS]`:
// a fuzz campaign. sdf, dt and all mutate the .system corpus (parser, checker, exporter, migration) and the
// device-tree corpus (DTS with and without cpp, DTB reader, queries, printer); dtstruct generates device trees from
// a grammar and runs the whole pipeline (tests/properties/dtStructTarget.ts). Prints inputs/s, the count and what
// the inputs ended with; exits 1 with the seed on a crash, a hang (one input over the budget) or the heap running
// out, so that a failure can be replayed with --seed S --count 1.
import { runFuzz } from './fuzzRun.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const target = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : 'all';
if (!['sdf', 'dt', 'all', 'dtstruct'].includes(target)) {
  console.error(`unknown target '${target}' (sdf, dt, all, dtstruct)`);
  process.exit(2);
}
const r = await runFuzz({
  target,
  seconds: arg('--seconds', 60),
  firstSeed: arg('--seed', Date.now() % 1e9),
  count: arg('--count', Number.MAX_SAFE_INTEGER),
  budgetMs: arg('--budget-ms', undefined),
});
const seeds = `seeds ${r.firstSeed}..${r.firstSeed + Math.max(0, r.inputs - 1)}`;
if (r.failure) {
  const what = { crash: 'CRASH', hang: 'HANG', oom: 'OUT OF MEMORY' }[r.failure.kind];
  console.error(`${what} at seed ${r.failure.seed} (replay: npm run fuzz -- --target ${target} --seed ${r.failure.seed} --count 1): ${r.failure.message}`);
  console.error(`fuzz (${target}): ${r.inputs} inputs before it in ${r.seconds.toFixed(1)} s, ${seeds}`);
  process.exit(1);
}
console.log(`fuzz (${target}): ${r.inputs} inputs in ${r.seconds.toFixed(1)} s (${r.perSecond} inputs/s), ${seeds}, 0 crashes, 0 hangs, 0 out of memory`);
const outcomes = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]);
for (const [what, n] of outcomes.slice(0, 25)) console.log(`  ${String(n).padStart(7)}  ${what}`);
if (outcomes.length > 25) console.log(`  (${outcomes.length - 25} more kinds of outcome)`);
