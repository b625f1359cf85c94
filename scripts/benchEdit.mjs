#!/usr/bin/env node
// Lossless editing (`npm run bench -- --only edit`, or `node scripts/benchEdit.mjs`), in one Node process:
//  - one attribute edit on the largest corpus file: edit -> text patch -> checks, p50/p95/max (target p95 <= 16 ms),
//    against the SDK's one-PD hello in the same run;
//  - byte identity over the corpus: a save without an edit and after a layout-only edit (target 100 %), and how many
//    one-attribute edits fall back to a canonical rewrite (target 0).
// The TypeScript entry (tests/bench/edit.ts) is bundled with esbuild, as the other benchmarks are.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_P95_MS = 16;

export async function runEditBench({ iterations = Number(process.env.BENCH_EDIT_ITERATIONS ?? 300) } = {}) {
  const out = path.join(root, 'dist', 'bench', 'edit.mjs');
  await esbuild({ entryPoints: [path.join(root, 'tests/bench/edit.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  // The bundle is rewritten on every run: a query string makes a second import in one process load the new one.
  const { benchEdit } = await import(`${pathToFileURL(out).href}?t=${Date.now()}`);
  const r = benchEdit(path.join(root, 'tests/fixtures/microkit-corpus'), iterations);
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results', 'edit.json'), JSON.stringify(r, null, 2));
  return printEdit(r);
}

const ms = (x) => x.toFixed(2).padStart(6);
const met = (ok) => (ok ? 'met' : 'MISSED');

/** Prints the table; returns false when a correctness target (byte identity, no lossy edit) is missed. */
export function printEdit(r) {
  const { large, baseline, corpus } = r;
  console.log(`lossless editing: one attribute edit (a PD's priority), ${large.iterations} iterations after warm-up, checks against ${r.config}`);
  console.log(`  ${'file'.padEnd(70)} ${'bytes'.padStart(6)} PDs | patch p50    p95 | checks p50    p95 | total p50    p95    max | cpu p50    p95`);
  for (const t of [large, baseline]) {
    console.log(`  ${t.file.padEnd(70)} ${String(t.bytes).padStart(6)} ${String(t.pds).padStart(3)} |    ${ms(t.patch.p50)} ${ms(t.patch.p95)} |     ${ms(t.checks.p50)} ${ms(t.checks.p95)} |    ${ms(t.total.p50)} ${ms(t.total.p95)} ${ms(t.total.max)} |  ${ms(t.totalCpu.p50)} ${ms(t.totalCpu.p95)}`);
  }
  const ratio = large.total.p95 / baseline.total.p95;
  console.log(`  largest / one-PD (total p95): ratio ${ratio.toFixed(2)}; edit -> text patch -> checks p95 ${large.total.p95.toFixed(2)} ms (target <= ${TARGET_P95_MS} ms: ${met(large.total.p95 <= TARGET_P95_MS)})`);
  const pct = (n) => `${((100 * n) / corpus.files).toFixed(1)} %`;
  const identical = corpus.unchanged === corpus.files && corpus.afterMove === corpus.files;
  console.log(`  byte identity over the corpus: save without an edit ${corpus.unchanged}/${corpus.files} (${pct(corpus.unchanged)}), after a layout-only edit ${corpus.afterMove}/${corpus.files} (${pct(corpus.afterMove)}) (target 100 %: ${met(identical)})`);
  if (corpus.changedFiles.length) console.log(`    bytes changed: ${corpus.changedFiles.join(', ')}`);
  console.log(`  one-attribute edit written as a canonical rewrite (lossy): ${corpus.lossy.length}/${corpus.attributeEdited} files with an editable PD (target 0: ${met(corpus.lossy.length === 0)})`);
  if (corpus.lossy.length) console.log(`    lossy: ${corpus.lossy.join(', ')}`);
  return identical && corpus.lossy.length === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!(await runEditBench())) process.exitCode = 1;
}
