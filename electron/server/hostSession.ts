import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AUTH_PROTOCOL_PREFIX, MAX_WIRE_MESSAGE } from '../../shared/api/browserWire';
import { createDispatcher, WireToHost } from '../../shared/api/rpc';
import { createStudioHost, type StudioHostOptions } from '../services/studioHost';

/**
 * Calls in progress hold their message (a 64 Mi-character write peaks at ~420 MiB resident, five times its size): past
 * this many bytes of calls in progress, or of answers a page has not read yet, the host stops reading from its pages
 * until some finish. Pages wait instead of the host running out of memory.
 */
const INFLIGHT_BUDGET = 256 * 1024 * 1024;
/** Calls one page may have in progress before the host stops reading from it. */
const MAX_CALLS_PER_PAGE = 64;

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
  /** Take over an upgrade request the server has already authorised (`protocol`: the subprotocol that proved the key). */
  accept(req: http.IncomingMessage, socket: Duplex, head: Buffer, protocol: string): void;
  /** Synchronous, for process exit: kill every process group the host started. */
  killProcesses(): void;
  close(): void;
}

/**
 * The heavy half of the browser host (ws, the contract's schemas, every service). server.ts loads it with a dynamic
 * import once it listens, so the page and its scripts are served while this is still being compiled.
 */
export interface HostSessionOptions extends Omit<StudioHostOptions, 'emit' | 'mode'> {
  onCall?: (method: unknown) => void;
  maxMessage?: number;
  inflightBudget?: number;
}

export function createHostSession(opts: HostSessionOptions, log: (line: string) => void): HostSession {
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
  const budget = opts.inflightBudget ?? INFLIGHT_BUDGET;
  // Only the subprotocol that proved the key is answered (server.ts checked it before the upgrade).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxMessage ?? MAX_WIRE_MESSAGE,
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(AUTH_PROTOCOL_PREFIX)) ?? false,
  });
  /** Bytes of calls in progress, and per page its calls in progress; pages paused for either or for unread answers. */
  let inflight = 0;
  const calls = new Map<WebSocket, number>();
  const paused = new Set<WebSocket>();
  const overloaded = (ws: WebSocket) => inflight >= budget || (calls.get(ws) ?? 0) >= MAX_CALLS_PER_PAGE || ws.bufferedAmount >= budget;
  const throttle = (ws: WebSocket) => {
    if (ws.readyState === ws.OPEN && !paused.has(ws) && overloaded(ws)) {
      paused.add(ws);
      ws.pause();
    }
  };
  const release = () => {
    for (const ws of paused) {
      if (ws.readyState !== ws.OPEN) paused.delete(ws);
      else if (!overloaded(ws)) {
        paused.delete(ws);
        ws.resume();
      }
    }
  };
  /** Sends an answer; a page that does not read its answers is not read from until it does. */
  const reply = (ws: WebSocket, msg: string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(msg, () => release());
    throttle(ws);
  };
  wss.on('error', (err) => log(`sel4-studio: WebSocket server error: ${err.message}`));
  const onMessage = async (ws: WebSocket, data: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      reply(ws, JSON.stringify({ t: 'error', message: 'malformed message' }));
      return;
    }
    const call = WireToHost.safeParse(msg);
    if (!call.success) {
      const id = idOf(msg);
      const error = { code: 'invalid-params', message: 'malformed call (needs t: "call", an integer id, a method name)' };
      reply(ws, JSON.stringify(id === undefined ? { t: 'error', message: 'malformed message' } : { t: 'result', id, envelope: { ok: false, error } }));
      return;
    }
    opts.onCall?.(call.data.method);
    const envelope = await answer(call.data.method, call.data.params);
    reply(ws, JSON.stringify({ t: 'result', id: call.data.id, envelope }));
  };
  return {
    accept(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('close', () => {
          clients.delete(ws);
          calls.delete(ws);
          paused.delete(ws);
          release();
        });
        // A protocol error (bad frame, bad UTF-8, too long) has already closed this connection with its code; without
        // a listener the error would end the host.
        ws.on('error', (err: Error & { code?: string }) => log(`sel4-studio: WebSocket closed on ${err.code ?? 'an error'}: ${err.message}`));
        ws.on('message', (data: Buffer) => {
          const size = data.length;
          inflight += size;
          calls.set(ws, (calls.get(ws) ?? 0) + 1);
          throttle(ws);
          onMessage(ws, data.toString())
            .catch((err: unknown) => log(`sel4-studio: a WebSocket message failed: ${err instanceof Error ? err.message : String(err)}`))
            .finally(() => {
              inflight -= size;
              if (calls.has(ws)) calls.set(ws, calls.get(ws)! - 1);
              release();
            });
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
