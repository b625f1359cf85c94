// The real CLI in real pipes: every byte reaches the reader before the process exits, and a reader that stops early
// (`| head`) ends it quietly.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBaremetal, hasTools } from './support/baremetal';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const corpus = path.join(root, 'tests/fixtures/microkit-corpus');
const systems = readdirSync(corpus, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.system'))
  .map((f) => path.join(corpus, f))
  .sort();

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
}, 120_000);

/** bash runs `node bin/sel4-studio.cjs validate --json FILES | READER`; node's own exit status goes to stderr last. */
const pipeline = (reader: string) =>
  spawnSync('bash', ['-c', `"$0" "$1" validate --json "\${@:2}" | ${reader}; echo "node exited $\{PIPESTATUS[0]}" >&2`, process.execPath, bin, ...systems], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });

describe('sel4-studio in pipes', () => {
  it('validate --json over the whole corpus through `| cat`: the JSON arrives whole (far past 64 KiB) and parses', () => {
    expect(systems.length).toBeGreaterThan(100);
    const r = pipeline('cat');
    expect(r.stdout.length).toBeGreaterThan(4 * 65536);
    const report = JSON.parse(r.stdout) as unknown;
    const files = JSON.stringify(report);
    // Every file named on the command line is in the report, the last one too.
    expect(files).toContain(JSON.stringify(systems[0]!).slice(1, -1));
    expect(files).toContain(JSON.stringify(systems[systems.length - 1]!).slice(1, -1));
    expect(r.stderr.trim()).toMatch(/^node exited [01]$/);
  });

  it('`| head -c 10`: ten bytes, then a quiet exit (no EPIPE, no stack trace)', () => {
    const r = pipeline('head -c 10');
    expect(r.stdout).toHaveLength(10);
    expect(r.stderr.trim()).toMatch(/^node exited [01]$/);
  });
});

describe.runIf(hasTools())('a streaming command in a pipe that closes', () => {
  it('`sel4-studio qemu | head -c 10`: the console output hits the closed pipe mid-run; quiet exit, no QEMU left', () => {
    const elf = buildBaremetal();
    const r = spawnSync('bash', ['-c', `"$0" "$1" qemu --kernel "$2" --timeout 20 | head -c 10; echo "node exited $\{PIPESTATUS[0]}" >&2`, process.execPath, bin, elf], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('seL4 Studi');
    expect(r.stderr.trim()).toBe('node exited 0');
    const left = spawnSync('pgrep', ['-f', elf], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  }, 120_000);
});
