// The Microkit stand-in reproduces the real tool's recorded behaviour (tests/fixtures/recorded-microkit/errors).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standinSdk } from '../support/standinSdk';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = has('aarch64-linux-gnu-gcc');
if (!ok && process.env.CI === 'true') throw new Error('aarch64-linux-gnu-gcc is required in CI');
const rec = path.join(import.meta.dirname, '../fixtures/recorded-microkit/errors');

describe.runIf(ok)('Microkit stand-in', () => {
  const sdk = standinSdk();
  const work = mkdtempSync(path.join(os.tmpdir(), 'standin-'));
  for (const f of ['bad.system', 'bad2.system', 'missing.system']) copyFileSync(path.join(rec, f), path.join(work, f));
  mkdirSync(path.join(work, 'build'), { recursive: true });
  /** Run the recorded command line; compare what it prints and its exit status with the recording. */
  const replay = (recording: string) => {
    const lines = readFileSync(path.join(rec, recording), 'utf8').trim().split('\n');
    const argv = lines[0]!.replace(/^\$ microkit /, '').split(' ');
    const r = spawnSync(path.join(sdk, 'bin', 'microkit'), argv, { cwd: work, encoding: 'utf8' });
    const want = lines.slice(1, -1).join('\n').replaceAll('$MICROKIT_SDK', sdk);
    return { got: r.stderr.trim(), want, status: r.status, wantStatus: Number(/exit status: (\d+)/.exec(lines[lines.length - 1]!)![1]), stdout: r.stdout };
  };
  for (const recording of ['bad.microkit-2.3.0.txt', 'bad2.microkit-2.3.0.txt', 'missing.microkit-2.3.0.txt', 'unknown-board.microkit-2.0.1.txt']) {
    it(`prints what the tool printed, with its exit status: ${recording}`, () => {
      const r = replay(recording);
      expect(r.got).toBe(r.want);
      expect(r.status).toBe(r.wantStatus);
    });
  }
  it('on success: BUILT lines, the image and the report written, exit 0', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'standin-ok-'));
    mkdirSync(path.join(dir, 'build'));
    copyFileSync(path.join(rec, 'missing.system'), path.join(dir, 'hello.system'));
    const image = readFileSync(path.join(dir, 'hello.system'), 'utf8').match(/path="([^"]+)"/)![1]!;
    copyFileSync(path.join(sdk, 'bin', 'microkit'), path.join(dir, 'build', image));
    const r = spawnSync(path.join(sdk, 'bin', 'microkit'), ['hello.system', '--search-path', 'build', '--board', 'qemu_virt_aarch64', '--config', 'debug', '-o', 'build/loader.img', '-r', 'build/report.txt'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^BUILT: system_cnode_size=2 /m);
    expect(existsSync(path.join(dir, 'build/loader.img'))).toBe(true);
    expect(readFileSync(path.join(dir, 'build/report.txt'), 'utf8')).toContain('# Kernel Objects Details');
  });
});
