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

const COOKIE = 'sel4studio_token';

/**
 * Browser mode: the built renderer over HTTP and the contract over one WebSocket, on 127.0.0.1 only.
 * Every request needs the per-run token (query on first load, then an HttpOnly SameSite=Strict cookie);
 * the Host header must name this server (DNS rebinding) and a foreign Origin is refused.
 * It listens first and loads the contract's side (hostSession.ts: ws, schemas, services) right after, so the page is
 * served while that compiles (npm run bench -- --only startup); a WebSocket that comes sooner waits for it.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let session: HostSession | undefined;
  let loading: Promise<HostSession> | undefined;
  const hostSession = () =>
    (loading ??= import('./hostSession').then((m) => (session = m.createHostSession(opts))));
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
      .find(([k]) => k === COOKIE)?.[1];
  /** Why a request is refused, or undefined when it may proceed. */
  const refuse = (req: http.IncomingMessage, url: URL): [number, string] | undefined => {
    if (!hosts().includes(req.headers.host ?? '')) return [403, 'wrong Host'];
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().includes(origin)) return [403, 'foreign Origin'];
    if (!tokenOk(url.searchParams.get('token') ?? undefined) && !tokenOk(cookieToken(req))) return [401, 'token required'];
    return undefined;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const denied = refuse(req, url);
    const common = { 'Content-Security-Policy': csp(), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if (denied) {
      res.writeHead(denied[0], { ...common, 'Content-Type': 'text/plain' }).end(`${denied[1]}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end();
      return;
    }
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
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
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const denied = url.pathname === '/ws' ? refuse(req, url) : ([404, 'not found'] as [number, string]);
    // A WebSocket must come from our own page: a missing Origin (non-browser client) still needs the token.
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
