import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export const hasTools = () => ['cmake', 'ninja', 'aarch64-linux-gnu-gcc', 'qemu-system-aarch64'].every((t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0);

/** Build the bare-metal fixture with real CMake and Debian's cross compiler; returns the ELF. */
export function buildBaremetal(): string {
  const out = process.env.SEL4_STUDIO_BAREMETAL_BUILD ?? mkdtempSync(path.join(os.tmpdir(), 'baremetal-'));
  const src = path.join(root, 'tests/fixtures/baremetal');
  if (!existsSync(path.join(out, 'build.ninja'))) {
    execFileSync('cmake', ['-S', src, '-B', out, '-G', 'Ninja', `-DCMAKE_TOOLCHAIN_FILE=${path.join(src, 'toolchain.cmake')}`], { stdio: 'pipe' });
  }
  execFileSync('cmake', ['--build', out], { stdio: 'pipe' });
  return path.join(out, 'baremetal.elf');
}
