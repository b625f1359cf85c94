import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createDispatcher, WireToHost } from '../../shared/api/rpc';
import { createStudioHost, type StudioHostOptions } from '../services/studioHost';

const MAX_MESSAGE = 80 * 1024 * 1024;

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
export function createHostSession(opts: Omit<StudioHostOptions, 'emit' | 'mode'>): HostSession {
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  return {
    accept(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('close', () => clients.delete(ws));
        ws.on('message', async (data) => {
          let msg: unknown;
          try {
            msg = JSON.parse(data.toString());
          } catch {
            ws.send(JSON.stringify({ t: 'error', message: 'malformed message' }));
            return;
          }
          const call = WireToHost.safeParse(msg);
          if (!call.success) {
            ws.send(JSON.stringify({ t: 'error', message: 'malformed message' }));
            return;
          }
          const envelope = await dispatch(call.data.method, call.data.params);
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id: call.data.id, envelope }));
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
