import { createClient, type Envelope, type RawTransport, type StudioClient } from '../../shared/api/rpc';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    studio?: RawTransport;
  }
}

export interface Connection {
  client: StudioClient;
  onDisconnect(listener: () => void): void;
}

/**
 * Chosen once at start-up: the preload's IPC bridge in Electron, else one WebSocket to the loopback host (its
 * token travels in the HttpOnly cookie the host set with the page). Features only ever see the StudioClient.
 */
export async function connect(): Promise<Connection> {
  if (window.studio) return { client: createClient(window.studio), onDisconnect: () => undefined };
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('cannot reach the seL4 Studio host')), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (e: Envelope) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const disconnected = new Set<() => void>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { t: string; id?: number; envelope?: Envelope; event?: string; payload?: unknown };
    if (msg.t === 'result' && msg.id !== undefined) {
      pending.get(msg.id)?.(msg.envelope!);
      pending.delete(msg.id);
    } else if (msg.t === 'event' && msg.event) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    }
  });
  ws.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'the seL4 Studio host closed the connection' } });
    pending.clear();
    for (const l of disconnected) l();
  });
  const raw: RawTransport = {
    call(method, params) {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'not connected to the seL4 Studio host' } });
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ t: 'call', id, method, params }));
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return { client: createClient(raw), onDisconnect: (l) => disconnected.add(l) };
}
