import { test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** A spec that needs a system tool: skipped on a developer machine without it, a failure in CI (CI=true). */
export function requireTool(command: string, debianPackage: string) {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command]).status === 0;
  if (found) return;
  const why = `${command} is not installed (apt-get install ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(why);
  test.skip(true, why);
}

/**
 * The bare-metal program globalSetup built, as the raw `loader.img` QEMU boots (it prints the recorded Microkit boot):
 * needs QEMU and the cross-compiler.
 */
export function baremetalLoaderImage(): string {
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  const elf = process.env.SEL4_STUDIO_BAREMETAL_ELF;
  if (!elf) throw new Error('globalSetup builds the bare-metal fixture (SEL4_STUDIO_BAREMETAL_ELF is not set)');
  return path.join(path.dirname(elf), 'loader.img');
}
