#!/usr/bin/env node
// `npm start [-- --browser] [--port N] [--no-open] [--project DIR]`: builds what is stale, then runs Electron when
// its binary is installed, else the browser-mode host (which prints one line: its URL and the launch page to open).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

function electronBinary() {
  try {
    // The electron package exports the binary path, and throws when the binary was never downloaded.
    return createRequire(import.meta.url)('electron');
  } catch {
    return undefined;
  }
}

const electron = args.includes('--browser') ? undefined : electronBinary();
const child = electron
  ? spawn(electron, [path.join(root, 'dist/electron/main.cjs'), ...args], { stdio: 'inherit' })
  : spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
