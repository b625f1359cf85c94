#!/usr/bin/env node
// `npm run dev`: the renderer with hot reload (Vite) in front of a browser-mode host (built once at start: restart
// it after changing electron/ or shared/ code the host uses).
// The host serves the contract; Vite serves the UI at its own port and forwards /ws to the host.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hostPort = 17300;
const build = spawn(process.execPath, [path.join(root, 'scripts/build.mjs'), '--only', 'node'], { stdio: 'inherit' });
await new Promise((r) => build.on('exit', r));
const host = spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), '--port', String(hostPort), '--no-open', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const line = await new Promise((resolve) => host.stdout.once('data', (d) => resolve(String(d))));
const token = /token=([\w-]+)/.exec(line)?.[1];
const vite = await createServer({
  configFile: path.join(root, 'vite.config.ts'),
  server: {
    host: '127.0.0.1',
    proxy: { '/ws': { target: `ws://127.0.0.1:${hostPort}`, ws: true, headers: { cookie: `sel4studio_${hostPort}_token=${token}`, origin: `http://127.0.0.1:${hostPort}`, host: `127.0.0.1:${hostPort}` } } },
  },
});
await vite.listen();
console.log(`seL4 Studio (dev, hot reload) at http://127.0.0.1:${vite.config.server.port}/`);
const stop = () => {
  host.kill('SIGTERM');
  void vite.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
