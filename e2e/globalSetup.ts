import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function globalSetup() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`E2E needs Debian's Chromium at ${chromium} (apt-get install chromium); it is never downloaded.`);
  }
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
}
