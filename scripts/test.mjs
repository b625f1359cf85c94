#!/usr/bin/env node
// `npm test`: lint, type checks (the whole tree, and shared/ without DOM or Node types to prove it pure), unit and
// service tests (Vitest), then E2E in Debian Chromium (Playwright). Ends with one line "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
mkdirSync(path.join(root, 'reports'), { recursive: true });

const required = ['qemu-system-aarch64', 'make', process.env.CHROMIUM_PATH ?? 'chromium'];
const missing = required.filter((t) => spawnSync('sh', ['-c', `command -v "$1"`, 'sh', t]).status !== 0);
if (missing.length) {
  const msg = `missing system tools: ${missing.join(', ')} (install the Debian packages listed in README.md)`;
  if (process.env.CI === 'true') {
    console.error(`error: ${msg}`);
    console.log('tests: 0 passed, 1 failed');
    process.exit(1);
  }
  console.warn(`warning: ${msg}; tests that need them will be skipped`);
}

const steps = [
  ['lint', bin('eslint'), ['.']],
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['typecheck shared (pure)', bin('tsc'), ['-p', 'tsconfig.shared.json', '--noEmit']],
  ['unit and service tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile=reports/unit.json']],
  ['e2e (Chromium)', bin('playwright'), ['test']],
];
const failedSteps = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const read = (f) => (existsSync(path.join(root, f)) ? JSON.parse(readFileSync(path.join(root, f), 'utf8')) : undefined);
const unit = read('reports/unit.json');
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
}
const e2e = read('reports/e2e.json');
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
}
// A step that failed without failing a test (lint, types) still counts as a failure.
const stepFailures = failedSteps.filter((s) => !s.startsWith('unit') && !s.startsWith('e2e')).length;
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed + stepFailures} failed, ${skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
