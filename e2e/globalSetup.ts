import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { standinSdk } from '../tests/support/standinSdk';

export default function globalSetup() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`E2E needs Debian's Chromium at ${chromium} (apt-get install chromium); it is never downloaded.`);
  }
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  // The bare-metal AArch64 program the QEMU specs boot, built with the real CMake and cross compiler when present.
  const have = ['cmake', 'ninja', 'aarch64-linux-gnu-gcc'].every((t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0);
  if (have) {
    const src = path.resolve(import.meta.dirname, '../tests/fixtures/baremetal');
    const out = path.resolve(import.meta.dirname, '../test-results/baremetal-build');
    execFileSync('cmake', ['-S', src, '-B', out, '-G', 'Ninja', `-DCMAKE_TOOLCHAIN_FILE=${path.join(src, 'toolchain.cmake')}`], { stdio: 'pipe' });
    execFileSync('cmake', ['--build', out], { stdio: 'pipe' });
    process.env.SEL4_STUDIO_BAREMETAL_ELF = path.join(out, 'baremetal.elf');
    // The Microkit SDK stand-in for the build specs (tests/fixtures/standin-sdk): its images are this program.
    process.env.SEL4_STUDIO_STANDIN_SDK = standinSdk(path.resolve(import.meta.dirname, '../test-results/standin-sdk'));
    process.env.MICROKIT_STANDIN_IMAGE = path.join(out, 'loader.img');
  }
}
