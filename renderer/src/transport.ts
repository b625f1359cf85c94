import { authProtocol, hostMessage, MAX_WIRE_MESSAGE, nextBackoff, pageMessage, TOKEN_PATTERN } from '../../shared/api/browserWire';
import { createClient, type Envelope, type RawTransport, type StudioClient } from '../../shared/api/rpc';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    studio?: RawTransport;
  }
}

/** `connected`; `reconnecting` (the host went away: trying again with back-off); `refused` (something answers that is not our host, or has another key). */
export type LinkStatus = { state: 'connected' } | { state: 'reconnecting'; attempt: number; retryInMs: number } | { state: 'refused'; reason: string; retryInMs: number };

export interface Connection {
  client: StudioClient;
  /** Every change of the link to the host (browser mode only: Electron's IPC does not drop). */
  onStatus(listener: (status: LinkStatus) => void): void;
}

/** The key is per host instance, and an instance is a port: one sessionStorage entry per port. */
const storageKey = () => `sel4studio.key.${location.port}`;

/**
 * The launch page sends the browser here with the key in the fragment (never sent in a request): it is moved into this
 * tab's sessionStorage (kept on reload, gone with the tab) and out of the address bar and the history.
 */
export function takeKey(): string | undefined {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    history.replaceState(history.state, '', location.pathname + location.search);
    if (TOKEN_PATTERN.test(m[1]!)) sessionStorage.setItem(storageKey(), m[1]!);
  }
  return sessionStorage.getItem(storageKey()) ?? undefined;
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromB64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

class Refused extends Error {}

/**
 * One authenticated WebSocket: the host proves it holds the key first (/auth), then the page proves it in the
 * subprotocol (shared/api/browserWire.ts). Whatever else might answer on this port is never sent the key.
 */
async function open(key: string): Promise<WebSocket> {
  const mac = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const pageNonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const res = await fetch(`/auth?c=${pageNonce}`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Refused(`the server on port ${location.port} answered ${res.status} to the sign-in`);
  const { s, proof } = (await res.json().catch(() => ({}))) as { s?: unknown; proof?: unknown };
  if (typeof s !== 'string' || typeof proof !== 'string' || !(await crypto.subtle.verify('HMAC', mac, fromB64url(proof), new TextEncoder().encode(hostMessage(pageNonce, s))))) {
    throw new Refused(`the server on port ${location.port} does not hold this tab's key (another program, or a seL4 Studio started afresh)`);
  }
  const mine = b64url(await crypto.subtle.sign('HMAC', mac, new TextEncoder().encode(pageMessage(pageNonce, s))));
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, [authProtocol(s, mine)]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('cannot reach the seL4 Studio host')), { once: true });
  });
  return ws;
}

/** The UTF-8 length of a message, exactly only when it could be over the limit (3 bytes per UTF-16 unit at most). */
const wireBytes = (msg: string) => (msg.length * 3 <= MAX_WIRE_MESSAGE ? msg.length : new Blob([msg]).size);

/**
 * Chosen once at start-up: the preload's IPC bridge in Electron, else one WebSocket to the loopback host that is
 * opened again, with back-off, whenever it closes (a host restarted on the same port takes the same key). Features
 * only ever see the StudioClient; listeners and the client survive a reconnection.
 */
export async function connect(): Promise<Connection> {
  if (window.studio) return { client: createClient(window.studio), onStatus: () => undefined };
  const key = takeKey();
  if (!key) throw new Error('this tab has no key for the seL4 Studio host');
  let ws = await open(key);
  let nextId = 1;
  const pending = new Map<number, (e: Envelope) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(s: LinkStatus) => void>();
  const tell = (s: LinkStatus) => {
    for (const l of statusListeners) l(s);
  };
  const attach = (socket: WebSocket) => {
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { t: string; id?: number; envelope?: Envelope; event?: string; payload?: unknown };
      if (msg.t === 'result' && msg.id !== undefined) {
        pending.get(msg.id)?.(msg.envelope!);
        pending.delete(msg.id);
      } else if (msg.t === 'event' && msg.event) {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'the seL4 Studio host closed the connection' } });
      pending.clear();
      void reconnect();
    });
  };
  const reconnect = async () => {
    let wait = nextBackoff(undefined);
    tell({ state: 'reconnecting', attempt: 1, retryInMs: wait });
    for (let attempt = 1; ; attempt++) {
      await new Promise((r) => setTimeout(r, wait));
      try {
        ws = await open(key);
        attach(ws);
        tell({ state: 'connected' });
        return;
      } catch (err) {
        wait = nextBackoff(wait);
        tell(err instanceof Refused ? { state: 'refused', reason: err.message, retryInMs: wait } : { state: 'reconnecting', attempt: attempt + 1, retryInMs: wait });
      }
    }
  };
  attach(ws);
  const raw: RawTransport = {
    call(method, params) {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'not connected to the seL4 Studio host' } });
      const id = nextId++;
      const msg = JSON.stringify({ t: 'call', id, method, params });
      const bytes = wireBytes(msg);
      // The host would close the connection (1009) on a larger message: refused here, with the reason.
      if (bytes > MAX_WIRE_MESSAGE) {
        return Promise.resolve({ ok: false, error: { code: 'invalid-params', message: `${method}: ${(bytes / 2 ** 20).toFixed(1)} MiB is more than the ${MAX_WIRE_MESSAGE / 2 ** 20} MiB one message to the host may hold` } });
      }
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(msg);
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return { client: createClient(raw), onStatus: (l) => statusListeners.add(l) };
}
