import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCrashReporter, installCrashHandlers } from '../services/crashReport';
import { configDir, onStarterGone, parseStartArgs, STUDIO_VERSION } from '../services/startArgs';
import { ensurePrivateDir, runtimeDir } from '../services/userDirs';
import { deadInstances, newToken, recordInstance } from './instance';
import { startServer, type RunningServer } from './server';
import { defaultBoardsDir } from '../services/paths';

/** How long a stop may take before the host exits regardless. */
const STOP_DEADLINE_MS = 3000;

/** Browser mode entry: `node dist/server/main.mjs [--port N] [--no-open] [--project DIR]`. */
async function main() {
  let args;
  try {
    args = parseStartArgs(process.argv.slice(2).filter((a) => a !== '--browser'));
  } catch (err) {
    console.error(`sel4-studio: ${(err as Error).message}`);
    process.exit(2);
  }
  let token: string | undefined;
  const reporter = createCrashReporter({ host: 'browser', version: STUDIO_VERSION, secrets: () => (token ? [token] : []) });
  installCrashHandlers(reporter);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const runDir = ensurePrivateDir(runtimeDir());
  // Where a tab may still be open: the port of an instance that died (the one asked for, else the newest), with its
  // key, so that tab reconnects. A live instance's port is busy and its key stays its own.
  const candidates = args.port !== 0 ? [{ port: args.port, token: deadInstances(runDir, args.port)[0]?.token }] : [...deadInstances(runDir).slice(0, 1), { port: 0, token: undefined }];
  let server: RunningServer | undefined;
  for (const c of candidates) {
    token = c.token ?? newToken();
    try {
      server = await startServer({
        port: c.port,
        token,
        staticDir: process.env.SEL4_STUDIO_STATIC_DIR ?? path.resolve(here, '../renderer'),
        configDir: configDir(),
        version: STUDIO_VERSION,
        initialProject: args.project,
        boardsDir: defaultBoardsDir(here),
        onCall: (method) => reporter.noteCall(method),
      });
      break;
    } catch (err) {
      // An earlier instance's port now taken by something else: any free port, with a new key.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || c.port === args.port) throw err;
    }
  }
  if (!server) throw new Error('no port to listen on');
  const launch = recordInstance(runDir, server.port, server.token);
  // The key is in the launch page only (0600): the address printed and the opener's argument carry none.
  console.log(`seL4 Studio ready at ${server.url} (open ${pathToFileURL(launch).href} to sign in)`);
  if (args.open && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'darwin')) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    const child = spawn(opener, [launch], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  }
  let closing = false;
  const running = server;
  const stop = async () => {
    if (closing) return;
    closing = true;
    // Closing ends every connection; should anything still hold on, the host ends anyway (its children with it).
    setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // Under `npm start`: the wrapper gone (even SIGKILLed) ends the host as SIGTERM would.
  onStarterGone(() => void stop());
  // Whatever ends the host, nothing it started outlives it.
  process.on('exit', () => running.killProcesses());
}

main().catch((err) => {
  console.error(`sel4-studio: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
