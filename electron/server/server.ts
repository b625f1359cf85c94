import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { hostMessage, NONCE_PATTERN, pageMessage, parseAuthProtocol } from '../../shared/api/browserWire';
import type { StudioHostOptions } from '../services/studioHost';
import { isInside } from '../services/paths';
import type { HostSession } from './hostSession';

export interface ServerOptions extends Omit<StudioHostOptions, 'emit' | 'mode'> {
  port: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** The per-run key (default: a new random one). Never printed, logged or sent: see shared/api/browserWire.ts. */
  token?: string;
  /** Where the host tells what it refused or closed (default: stderr). */
  log?: (line: string) => void;
  /** Told the method name of every contract call a page makes (the crash reporter keeps the last few). */
  onCall?: (method: unknown) => void;
  /** The largest WebSocket message a page may send (bytes; default MAX_WIRE_MESSAGE). */
  maxMessage?: number;
  /** How many bytes of calls may be in progress at once before the host stops reading from its pages (default 256 MiB). */
  inflightBudget?: number;
}

export interface RunningServer {
  /** The page's address, without the key (a browser gets the key from the launch page: instance.ts). */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
  /** Synchronous, for process exit: kill every process group the host started. */
  killProcesses(): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/**
 * A request target split without a URL parser, so nothing in it can throw before the token is checked (`new URL`
 * throws on `//[`, `decodeURIComponent` on `/%E0%A4%A`). URLSearchParams never throws: a bad escape stays as it is.
 */
function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  return { rawPath: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/** RFC 3986 path characters, no empty segment: the page only ever asks for `/`, `/ws` and its bundle's files. */
const ORIGIN_FORM_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)*\/?$/;

/** The decoded path of an origin-form target, or undefined when it is not one or its escapes do not decode (→ 400). */
function decodePath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/') || !ORIGIN_FORM_PATH.test(rawPath)) return undefined;
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
}

/** How long a host nonce from `/auth` may be used to open the WebSocket, and how many may wait at once. */
const CHALLENGE_MS = 30_000;
const MAX_CHALLENGES = 64;

/**
 * Browser mode: the built renderer over HTTP and the contract over one WebSocket, on 127.0.0.1 only.
 * The bundle holds no secret and is served to our own Host and Origin (DNS rebinding, other sites); the WebSocket
 * opens only for a page that proves it holds the per-run key, after the host proved it holds it too (`/auth`, see
 * shared/api/browserWire.ts): the key itself is never sent, so nothing else on the machine can learn it from a request.
 * It listens first and loads the contract's side (hostSession.ts: ws, schemas, services) right after, so the page is
 * served while that compiles (npm run bench -- --only startup); a WebSocket that comes sooner waits for it.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const log = opts.log ?? ((line: string) => console.error(line));
  let session: HostSession | undefined;
  let loading: Promise<HostSession> | undefined;
  const hostSession = () =>
    (loading ??= import('./hostSession').then((m) => (session = m.createHostSession(opts, log))));
  let port = 0;
  const origins = () => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const hosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "worker-src 'self' blob:",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  const mac = (message: string) => createHmac('sha256', token).update(message).digest('base64url');
  const sameMac = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  /** Host nonces handed out by /auth, with the page nonce each answered and when it expires. Oldest first. */
  const challenges = new Map<string, { pageNonce: string; expires: number }>();
  const challenge = (pageNonce: string) => {
    const now = Date.now();
    for (const [s, c] of challenges) if (c.expires < now || challenges.size >= MAX_CHALLENGES) challenges.delete(s);
    const hostNonce = randomBytes(16).toString('base64url');
    challenges.set(hostNonce, { pageNonce, expires: now + CHALLENGE_MS });
    return { s: hostNonce, proof: mac(hostMessage(pageNonce, hostNonce)) };
  };
  /** Whether an upgrade's subprotocol proves the key: a host nonce we gave out (used up here) and the page's MAC. */
  const provesKey = (protocolHeader: string | undefined) => {
    for (const value of (protocolHeader ?? '').split(',').map((p) => p.trim())) {
      const auth = parseAuthProtocol(value);
      const c = auth && challenges.get(auth.hostNonce);
      if (!auth || !c) continue;
      challenges.delete(auth.hostNonce);
      if (c.expires >= Date.now() && sameMac(auth.proof, mac(pageMessage(c.pageNonce, auth.hostNonce)))) return value;
    }
    return undefined;
  };

  /**
   * The decoded path of a request that may proceed, or why it is refused: Host and Origin first (headers and a plain
   * split of the target only), and only then is the path looked at. A browser's request made for another site (another
   * port of 127.0.0.1 is another site's page) gets nothing but a top-level navigation to the page itself.
   */
  const admit = (req: http.IncomingMessage): { path: string; query: URLSearchParams } | { refused: [number, string] } => {
    if (!hosts().includes(req.headers.host ?? '')) return { refused: [403, 'wrong Host'] };
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().includes(origin)) return { refused: [403, 'foreign Origin'] };
    const { rawPath, query } = splitTarget(req.url ?? '');
    const decoded = decodePath(rawPath);
    if (decoded === undefined) return { refused: [400, 'bad request target'] };
    const site = req.headers['sec-fetch-site'];
    const navigation = req.headers['sec-fetch-mode'] === 'navigate' && (decoded === '/' || decoded === '/index.html');
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) return { refused: [403, 'cross-site request'] };
    return { path: decoded, query };
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const admitted = admit(req);
    const common = { 'Content-Security-Policy': csp(), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if ('refused' in admitted) {
      res.writeHead(admitted.refused[0], { ...common, 'Content-Type': 'text/plain' }).end(`${admitted.refused[1]}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // A body is never read: the connection closes after this answer, so nothing of it is buffered.
      res.writeHead(405, { ...common, Allow: 'GET, HEAD', Connection: 'close' }).end();
      return;
    }
    if (admitted.path === '/auth') {
      const pageNonce = admitted.query.get('c') ?? '';
      if (!NONCE_PATTERN.test(pageNonce)) {
        res.writeHead(400, { ...common, 'Content-Type': 'text/plain' }).end('bad nonce\n');
        return;
      }
      res.writeHead(200, { ...common, 'Content-Type': 'application/json' }).end(JSON.stringify(challenge(pageNonce)));
      return;
    }
    const rel = admitted.path === '/' ? '/index.html' : admitted.path;
    const file = path.resolve(opts.staticDir, `.${rel}`);
    if (!isInside(path.resolve(opts.staticDir), file) || rel.split('/').some((s) => s.startsWith('.'))) {
      res.writeHead(404, common).end();
      return;
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { ...common, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain' }).end('not found\n');
    }
  };

  const server = http.createServer((req, res) => {
    // Nothing a request does may end the host: a failure is this request's 500 and a log line.
    serve(req, res).catch((err: unknown) => {
      log(`sel4-studio: ${req.method} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error\n');
    });
  });

  // Every socket, so that closing ends them all: an idle keep-alive, a browser's preconnect that never sent a request,
  // a half-sent request or an upgrade still being admitted would each keep server.close() waiting for ever.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req, socket, head) => {
    // Node drops its own error listener from an upgraded socket: a reset while the host answers a refusal (or before
    // ws takes the socket over) would otherwise be an uncaught error.
    socket.on('error', () => socket.destroy());
    const admitted = admit(req);
    // A WebSocket must come from our own page (a missing Origin is a non-browser client) and prove the key.
    const protocol = 'refused' in admitted ? undefined : provesKey(req.headers['sec-websocket-protocol']);
    const denied = 'refused' in admitted ? admitted.refused : admitted.path !== '/ws' ? ([404, 'not found'] as [number, string]) : protocol ? undefined : ([401, 'key required'] as [number, string]);
    if (denied) {
      socket.end(`HTTP/1.1 ${denied[0]} ${denied[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    hostSession()
      .then((s) => s.accept(req, socket, head, protocol!))
      .catch(() => socket.end('HTTP/1.1 500 host failed to start\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // Listening: now the slow part, while the browser fetches the page. A failure is told to the console and to every
  // WebSocket that asks (status 500); the static server keeps running.
  hostSession().catch((err: unknown) => console.error(`sel4-studio: the host failed to start: ${err instanceof Error ? err.message : String(err)}`));
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    killProcesses: () => session?.killProcesses(),
    async close() {
      (await loading?.catch(() => undefined))?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
