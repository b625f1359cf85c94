import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { CFLAGS } from '../../shared/build/plan';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/standin-sdk');

/**
 * A Microkit SDK stand-in laid out as the real one (tests/fixtures/standin-sdk/README.md): `VERSION`, `bin/microkit`
 * and, per board and configuration, `include/microkit.h` and `lib/{libmicrokit.a,microkit.ld}` built with the real
 * cross compiler and the SDK's flags. Made once per directory.
 */
export function standinSdk(dir = mkdtempSync(path.join(os.tmpdir(), 'microkit-sdk-')), boards: Record<string, string[]> = { qemu_virt_aarch64: ['debug', 'release', 'benchmark'] }): string {
  if (existsSync(path.join(dir, 'bin', 'microkit'))) return dir;
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'VERSION'), '2.3.0\n');
  copyFileSync(path.join(fixture, 'microkit.cjs'), path.join(dir, 'bin', 'microkit'));
  // The script has no extension: inside a "type": "module" package Node would take it for ESM.
  writeFileSync(path.join(dir, 'bin', 'package.json'), '{ "type": "commonjs" }\n');
  chmodSync(path.join(dir, 'bin', 'microkit'), 0o755);
  copyFileSync(path.join(root, 'tests/fixtures/recorded-microkit/report-hello-2.3.0.txt'), path.join(dir, 'bin', 'report-hello-2.3.0.txt'));
  buildSync({
    entryPoints: [path.join(root, 'tests/support/standinChecker.ts')],
    outfile: path.join(dir, 'bin', 'checker.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    define: { BOARDS_DIR: JSON.stringify(path.join(root, 'boards')) },
    logLevel: 'warning',
  });
  const obj = path.join(dir, 'libmicrokit.o');
  execFileSync('aarch64-linux-gnu-gcc', ['-c', ...CFLAGS, '-I', fixture, path.join(fixture, 'libmicrokit.c'), '-o', obj]);
  for (const [board, configs] of Object.entries(boards)) {
    for (const config of configs) {
      const b = path.join(dir, 'board', board, config);
      mkdirSync(path.join(b, 'include'), { recursive: true });
      mkdirSync(path.join(b, 'lib'), { recursive: true });
      mkdirSync(path.join(b, 'elf'), { recursive: true });
      copyFileSync(path.join(fixture, 'microkit.h'), path.join(b, 'include', 'microkit.h'));
      copyFileSync(path.join(fixture, 'microkit.ld'), path.join(b, 'lib', 'microkit.ld'));
      execFileSync('aarch64-linux-gnu-ar', ['rcs', path.join(b, 'lib', 'libmicrokit.a'), obj]);
    }
  }
  return dir;
}
