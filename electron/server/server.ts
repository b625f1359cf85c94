import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { StudioHostOptions } from '../services/studioHost';
import { isInside } from '../services/paths';
import type { HostSession } from './hostSession';

export interface ServerOptions extends Omit<StudioHostOptions, 'emit' | 'mode'> {
  port: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  token?: string;
  /** Where the host tells what it refused or closed (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
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

/**
 * Browser mode: the built renderer over HTTP and the contract over one WebSocket, on 127.0.0.1 only.
 * Every request needs the per-run token (query on first load, then an HttpOnly SameSite=Strict cookie);
 * the Host header must name this server (DNS rebinding) and a foreign Origin is refused.
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
  // Browsers send a cookie to every port of 127.0.0.1: one name per port keeps two instances from overwriting (and
  // handing each other) their tokens.
  const cookieName = () => `sel4studio_${port}_token`;
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

  const tokenOk = (candidate: string | undefined) => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const cookieToken = (req: http.IncomingMessage) =>
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === cookieName())?.[1];
  /**
   * The decoded path of a request that may proceed, or why it is refused: Host, Origin and the token first (headers
   * and a plain split of the target only), and only then is the path looked at.
   */
  const admit = (req: http.IncomingMessage): { path: string } | { refused: [number, string] } => {
    if (!hosts().includes(req.headers.host ?? '')) return { refused: [403, 'wrong Host'] };
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().includes(origin)) return { refused: [403, 'foreign Origin'] };
    const { rawPath, query } = splitTarget(req.url ?? '');
    if (!tokenOk(query.get('token') ?? undefined) && !tokenOk(cookieToken(req))) return { refused: [401, 'token required'] };
    const decoded = decodePath(rawPath);
    return decoded === undefined ? { refused: [400, 'bad request target'] } : { path: decoded };
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const admitted = admit(req);
    const common = { 'Content-Security-Policy': csp(), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if ('refused' in admitted) {
      res.writeHead(admitted.refused[0], { ...common, 'Content-Type': 'text/plain' }).end(`${admitted.refused[1]}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end();
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
      res.writeHead(200, {
        ...common,
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
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

  server.on('upgrade', (req, socket, head) => {
    // Node drops its own error listener from an upgraded socket: a reset while the host answers a refusal (or before
    // ws takes the socket over) would otherwise be an uncaught error.
    socket.on('error', () => socket.destroy());
    const admitted = admit(req);
    // A WebSocket must come from our own page: a missing Origin (non-browser client) still needs the token.
    const denied = 'refused' in admitted ? admitted.refused : admitted.path === '/ws' ? undefined : ([404, 'not found'] as [number, string]);
    if (denied) {
      socket.end(`HTTP/1.1 ${denied[0]} ${denied[1]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    hostSession()
      .then((s) => s.accept(req, socket, head))
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
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    killProcesses: () => session?.killProcesses(),
    async close() {
      (await loading?.catch(() => undefined))?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
