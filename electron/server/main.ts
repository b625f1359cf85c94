import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDir, onStarterGone, parseStartArgs, STUDIO_VERSION } from '../services/startArgs';
import { startServer } from './server';
import { defaultBoardsDir } from '../services/paths';

/** Browser mode entry: `node dist/server/main.mjs [--port N] [--no-open] [--project DIR]`. */
async function main() {
  let args;
  try {
    args = parseStartArgs(process.argv.slice(2).filter((a) => a !== '--browser'));
  } catch (err) {
    console.error(`sel4-studio: ${(err as Error).message}`);
    process.exit(2);
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  const server = await startServer({
    port: args.port,
    staticDir: process.env.SEL4_STUDIO_STATIC_DIR ?? path.resolve(here, '../renderer'),
    configDir: configDir(),
    version: STUDIO_VERSION,
    initialProject: args.project,
    boardsDir: defaultBoardsDir(here),
  });
  console.log(`seL4 Studio ready at ${server.url}`);
  if (args.open && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'darwin')) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    const child = spawn(opener, [server.url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  }
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // Under `npm start`: the wrapper gone (even SIGKILLed) ends the host as SIGTERM would.
  onStarterGone(() => void stop());
  // Whatever ends the host, nothing it started outlives it.
  process.on('exit', () => server.killProcesses());
}

main().catch((err) => {
  console.error(`sel4-studio: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
