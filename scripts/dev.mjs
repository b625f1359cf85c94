#!/usr/bin/env node
// `npm run dev`: the renderer with hot reload (Vite) in front of a browser-mode host (built once at start: restart
// it after changing electron/ or shared/ code the host uses).
// The host serves the contract; Vite serves the UI at its own port and forwards /ws to the host.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hostPort = 17300;
const build = spawn(process.execPath, [path.join(root, 'scripts/build.mjs'), '--only', 'node'], { stdio: 'inherit' });
await new Promise((r) => build.on('exit', r));
const host = spawn(process.execPath, [path.join(root, 'dist/server/main.mjs'), '--port', String(hostPort), '--no-open', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const line = await new Promise((resolve) => host.stdout.once('data', (d) => resolve(String(d))));
// The host names its launch page (0600, in the user's runtime folder); its key goes into a launch page for Vite's
// port beside it, so the key is never printed. The page proves the key through /auth and /ws, both forwarded.
const launch = fileURLToPath(/\(open (file:\/\/\S+) to sign in\)/.exec(line)[1]);
const key = /#token=([\w-]+)/.exec(readFileSync(launch, 'utf8'))[1];
const toHost = { origin: `http://127.0.0.1:${hostPort}`, host: `127.0.0.1:${hostPort}` };
const vite = await createServer({
  configFile: path.join(root, 'vite.config.ts'),
  server: {
    host: '127.0.0.1',
    proxy: {
      '/ws': { target: `ws://127.0.0.1:${hostPort}`, ws: true, headers: toHost },
      '/auth': { target: `http://127.0.0.1:${hostPort}`, headers: toHost },
    },
  },
});
await vite.listen();
const port = vite.config.server.port;
const target = `http://127.0.0.1:${port}/#token=${key}`;
const devLaunch = path.join(path.dirname(launch), `launch-dev-${port}.html`);
writeFileSync(devLaunch, `<!doctype html><meta charset="utf-8"><title>seL4 Studio (dev)</title><script>location.replace(${JSON.stringify(target)})</script>\n`, { mode: 0o600 });
console.log(`seL4 Studio (dev, hot reload) at http://127.0.0.1:${port}/ (open ${pathToFileURL(devLaunch).href} to sign in)`);
const stop = () => {
  host.kill('SIGTERM');
  void vite.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
