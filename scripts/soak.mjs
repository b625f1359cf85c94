#!/usr/bin/env node
// `npm run soak`: the long form of the attack and proof suites (tests/attack, SOAK=1: more attempts, more cycles,
// bigger inputs), then the structure-aware device-tree fuzzer. Loopback only; every part is bounded in count and time.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, SOAK: '1' };
const steps = [
  ['attack and proof suites (long form)', bin('vitest'), ['run', 'tests/attack', '--testTimeout=1800000', '--hookTimeout=600000']],
  // New seeds each run (the seed is printed; a failure says how to replay it).
  ['structure-aware device-tree fuzzer (150 s)', process.execPath, [path.join(root, 'scripts/fuzz.mjs'), '--target', 'dtstruct', '--seconds', '150']],
];
let failed = 0;
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
