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
// The host's stdin is a pipe only this wrapper holds (never written): when the wrapper goes, SIGKILL included, the
// host sees its end and exits with everything it started (SEL4_STUDIO_EXIT_WITH_STDIN, electron/services/startArgs.ts).
const options = { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, SEL4_STUDIO_EXIT_WITH_STDIN: '1' } };
const child = electron
  ? spawn(electron, [path.join(root, 'dist/electron/main.cjs'), ...args], options)
  : spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), ...args], options);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
