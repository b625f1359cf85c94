import os from 'node:os';
import path from 'node:path';

/** Flags shared by `npm start`, the browser host and the Electron shell. */
export interface StartArgs {
  browser: boolean;
  port: number;
  open: boolean;
  project?: string;
}

export function parseStartArgs(argv: string[]): StartArgs {
  const out: StartArgs = { browser: false, port: 0, open: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--browser') out.browser = true;
    else if (a === '--no-open') out.open = false;
    else if (a === '--port' || a.startsWith('--port=')) {
      const v = a.includes('=') ? a.slice(7) : value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0–65535, got ${v}`);
      out.port = n;
    } else if (a === '--project' || a.startsWith('--project=')) out.project = path.resolve(a.includes('=') ? a.slice(10) : value());
    else throw new Error(`unknown option ${a} (use --browser, --port N, --no-open, --project DIR)`);
  }
  return out;
}

/** Where recent projects and settings live: $SEL4_STUDIO_CONFIG_DIR, else the XDG config folder. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEL4_STUDIO_CONFIG_DIR) return env.SEL4_STUDIO_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'sel4-studio');
}

export const STUDIO_VERSION = '0.1.0';

/**
 * Set by `npm start` (scripts/start.mjs) for the host it runs: the host's stdin is a pipe only the wrapper holds, so
 * its end (EOF) means the wrapper is gone, SIGKILL included, and the host must not stay behind answering on its port.
 */
export const EXIT_WITH_STDIN = 'SEL4_STUDIO_EXIT_WITH_STDIN';

/** Call `gone` once when the process that started this host goes away (only under `npm start`; see EXIT_WITH_STDIN). */
export function onStarterGone(gone: () => void): void {
  if (process.env[EXIT_WITH_STDIN] !== '1') return;
  // The tools this host starts are not watching anything of ours.
  delete process.env[EXIT_WITH_STDIN];
  let fired = false;
  const once = () => {
    if (fired) return;
    fired = true;
    gone();
  };
  process.stdin.on('data', () => undefined);
  process.stdin.once('end', once);
  process.stdin.once('close', once);
  process.stdin.once('error', once);
}
