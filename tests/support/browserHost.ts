import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { authProtocol, hostMessage, pageMessage } from '../../shared/api/browserWire';

// How tests reach a browser-mode host as a user's browser does: the ready line names the launch page, the launch
// page holds the key, and the key is proven (never sent) on /auth and the WebSocket's subprotocol.

const root = path.resolve(import.meta.dirname, '../..');

/** `seL4 Studio ready at http://127.0.0.1:PORT/ (open file:///…/launch-PORT.html to sign in)` */
export function parseReady(line: string): { url: string; port: number; launchFile: string } {
  const m = /^seL4 Studio ready at (http:\/\/127\.0\.0\.1:(\d+)\/) \(open (file:\/\/\S+) to sign in\)$/.exec(line.trim());
  if (!m) throw new Error(`not a ready line: ${JSON.stringify(line)}`);
  return { url: m[1]!, port: Number(m[2]), launchFile: fileURLToPath(m[3]!) };
}

/** The key a launch page sends the browser with (in the fragment of its target). */
export function keyOf(launchFile: string): string {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(readFileSync(launchFile, 'utf8'));
  if (!m) throw new Error(`${launchFile} holds no key`);
  return m[1]!;
}

/** The subprotocol that opens the WebSocket: the host's proof checked first, as the page does. */
export async function authFor(port: number, key: string): Promise<string> {
  const c = randomBytes(16).toString('base64url');
  const res = await fetch(`http://127.0.0.1:${port}/auth?c=${c}`);
  if (!res.ok) throw new Error(`/auth answered ${res.status}`);
  const { s, proof } = (await res.json()) as { s: string; proof: string };
  const mac = (m: string) => createHmac('sha256', key).update(m).digest('base64url');
  if (proof !== mac(hostMessage(c, s))) throw new Error('the host does not hold this key');
  return authProtocol(s, mac(pageMessage(c, s)));
}

/** An authenticated WebSocket to the host on `port` (rejects with `refused NNN` when the upgrade is refused). */
export async function openHostSocket(port: number, key: string, opts: { origin?: string; maxPayload?: number } = {}): Promise<WebSocket> {
  const protocol = await authFor(port, key);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, [protocol], { origin: opts.origin ?? `http://127.0.0.1:${port}`, maxPayload: opts.maxPayload ?? 0 });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** JSON from the wire as tests read it (they index into answers they assert on). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON, checked by the tests' expectations
type Wire = any;

/** Calls over a socket, matched by id; events collected. */
export function rpcOver(ws: WebSocket) {
  let id = 0;
  const events: { event: string; payload: Wire }[] = [];
  const pending = new Map<number, (v: Wire) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.t === 'result') pending.get(m.id)?.(m.envelope);
    if (m.t === 'event') events.push(m);
  });
  return {
    events,
    call: (method: string, params: unknown) =>
      new Promise<Wire>((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ t: 'call', id: n, method, params }));
      }),
  };
}

export interface BrowserHost {
  process: ChildProcess;
  port: number;
  url: string;
  launchFile: string;
  key: string;
  /** The folder holding its config, runtime and state folders (and a workspace for projects). */
  home: string;
  env: NodeJS.ProcessEnv;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM (or `signal`), resolved once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `node dist/server/main.mjs --port 0 --no-open` (`open`: without --no-open) with its own config, runtime and state folders under `home` (a new
 * temp folder unless given: a restarted host gets the same one). Build dist first (scripts/build.mjs).
 */
export async function startBrowserHost(opts: { home?: string; args?: string[]; env?: NodeJS.ProcessEnv; nodeArgs?: string[]; open?: boolean } = {}): Promise<BrowserHost> {
  const home = opts.home ?? mkdtempSync(path.join(os.tmpdir(), 'studio-host-'));
  for (const d of ['run', 'state', 'config']) mkdirSync(path.join(home, d), { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SEL4_STUDIO_CONFIG_DIR: path.join(home, 'config'),
    XDG_RUNTIME_DIR: path.join(home, 'run'),
    XDG_STATE_HOME: path.join(home, 'state'),
    DISPLAY: '',
    WAYLAND_DISPLAY: '',
    ...opts.env,
  };
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(root, 'dist/server/main.mjs'), '--port', '0', ...(opts.open ? [] : ['--no-open']), ...(opts.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${err}`)));
  });
  const ready = parseReady(line);
  return {
    process: child,
    ...ready,
    key: keyOf(ready.launchFile),
    home,
    env,
    stdout: () => out,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
