import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createDispatcher, WireToHost } from '../../shared/api/rpc';
import { createStudioHost, type StudioHostOptions } from '../services/studioHost';

/**
 * The largest message a page may send. The contract's largest values are 64 MiB strings (fs.writeText, project.save);
 * JSON quoting of the XML in them adds some. A longer message closes its connection with 1009 (the length is in the
 * frame header, so nothing of it is buffered); it is no longer what ends the host (an unhandled ws error was).
 */
const MAX_MESSAGE = 80 * 1024 * 1024;

/** The id of a call that failed the wire schema, when it has a usable one: its caller waits for that id. */
function idOf(msg: unknown): number | undefined {
  const id = typeof msg === 'object' && msg !== null ? (msg as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}

/**
 * What every page asks before its first screen is usable (the store's init). They only read, so the host answers them
 * as soon as it has loaded, while the browser is still fetching and compiling the page, and the first page to ask
 * takes these answers (npm run bench -- --only startup: boards.list alone took ~100 ms of the wait, competing with the
 * browser for the CPU). Any other call, or AHEAD_FOR_MS passing, drops them: later asks are answered afresh.
 */
const FIRST_SCREEN_CALLS = ['host.info', 'project.recent', 'boards.list'];
const AHEAD_FOR_MS = 10_000;

/** The contract over WebSockets: every connected page gets the events, each call is answered on its own socket. */
export interface HostSession {
  /** Take over an upgrade request the server has already authorised. */
  accept(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Synchronous, for process exit: kill every process group the host started. */
  killProcesses(): void;
  close(): void;
}

/**
 * The heavy half of the browser host (ws, the contract's schemas, every service). server.ts loads it with a dynamic
 * import once it listens, so the page and its scripts are served while this is still being compiled.
 */
export function createHostSession(opts: Omit<StudioHostOptions, 'emit' | 'mode'>, log: (line: string) => void): HostSession {
  const clients = new Set<WebSocket>();
  const studio = createStudioHost({
    ...opts,
    mode: 'browser',
    emit: (event, payload) => {
      const msg = JSON.stringify({ t: 'event', event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(msg);
    },
  });
  const dispatch = createDispatcher(studio.handlers);
  const ahead = new Map(FIRST_SCREEN_CALLS.map((method) => [method, dispatch(method, {})]));
  setTimeout(() => ahead.clear(), AHEAD_FOR_MS).unref();
  const answer = (method: string, params: unknown) => {
    const early = ahead.get(method);
    const plain = params === undefined || (typeof params === 'object' && params !== null && Object.keys(params).length === 0);
    if (early && plain) {
      ahead.delete(method);
      return early;
    }
    ahead.clear();
    return dispatch(method, params);
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  wss.on('error', (err) => log(`sel4-studio: WebSocket server error: ${err.message}`));
  const onMessage = async (ws: WebSocket, data: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      ws.send(JSON.stringify({ t: 'error', message: 'malformed message' }));
      return;
    }
    const call = WireToHost.safeParse(msg);
    if (!call.success) {
      const id = idOf(msg);
      const error = { code: 'invalid-params', message: 'malformed call (needs t: "call", an integer id, a method name)' };
      ws.send(JSON.stringify(id === undefined ? { t: 'error', message: 'malformed message' } : { t: 'result', id, envelope: { ok: false, error } }));
      return;
    }
    const envelope = await answer(call.data.method, call.data.params);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id: call.data.id, envelope }));
  };
  return {
    accept(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('close', () => clients.delete(ws));
        // A protocol error (bad frame, bad UTF-8, too long) has already closed this connection with its code; without
        // a listener the error would end the host.
        ws.on('error', (err: Error & { code?: string }) => log(`sel4-studio: WebSocket closed on ${err.code ?? 'an error'}: ${err.message}`));
        ws.on('message', (data) => {
          onMessage(ws, data.toString()).catch((err: unknown) => log(`sel4-studio: a WebSocket message failed: ${err instanceof Error ? err.message : String(err)}`));
        });
      });
    },
    killProcesses: () => studio.dispose(),
    close() {
      studio.dispose();
      for (const ws of clients) ws.terminate();
      wss.close();
    },
  };
}
