import { test } from '@playwright/test';
import { spawnSync } from 'node:child_process';

/** A spec that needs a system tool: skipped on a developer machine without it, a failure in CI (CI=true). */
export function requireTool(command: string, debianPackage: string) {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command]).status === 0;
  if (found) return;
  const why = `${command} is not installed (apt-get install ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(why);
  test.skip(true, why);
}
