import { z } from 'zod';
import { RpcErrorSchema, StudioError, toRpcError, type RpcError } from './errors';
import {
  events,
  isEventName,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type MethodName,
  type Params,
  type Result,
} from './contract';

/** What a host implements: one async function per contract method. */
export type Handlers = { [M in MethodName]: (params: z.infer<(typeof methods)[M]['params']>) => Promise<Result<M>> };

export type Envelope = { ok: true; result: unknown } | { ok: false; error: RpcError };

/**
 * Both hosts call this with whatever arrived over their wire. Arguments are checked against the schema before a
 * handler sees them, results after, and nothing thrown escapes: the host keeps running.
 */
export function createDispatcher(handlers: Handlers) {
  return async function dispatch(method: unknown, params: unknown): Promise<Envelope> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `unknown method ${JSON.stringify(method)}` } };
    }
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid-params', message: `${method}: ${detail}` } };
    }
    try {
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await handler(parsed.data);
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        return { ok: false, error: { code: 'internal', message: `${method} returned a malformed result` } };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      return { ok: false, error: toRpcError(err) };
    }
  };
}

/** Validates an outgoing event against its schema; hosts emit only through this. */
export function checkEvent<E extends EventName>(event: E, payload: EventPayload<E>): EventPayload<E> {
  return events[event].parse(payload) as EventPayload<E>;
}

/** The raw surface both transports provide (`window.studio` in Electron, a WebSocket in browser mode). */
export interface RawTransport {
  call(method: string, params: unknown): Promise<Envelope>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** The typed client every feature uses. It never knows which host is behind it. */
export interface StudioClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createClient(raw: RawTransport): StudioClient {
  // Every listener of an event receives the same payload object: it is checked once, and the checked value shared (a
  // fast serial console sends thousands of events a second, each read by several slices).
  const checkedPayloads = new WeakMap<object, { event: EventName; success: boolean; data?: unknown }>();
  const check = (event: EventName, payload: unknown) => {
    if (typeof payload !== 'object' || payload === null) return events[event].safeParse(payload);
    let c = checkedPayloads.get(payload);
    if (c?.event !== event) checkedPayloads.set(payload, (c = { event, ...events[event].safeParse(payload) }));
    return c;
  };
  return {
    async call(method, params) {
      const envelope = await raw.call(method, params);
      if (envelope.ok) return envelope.result as never;
      const err = RpcErrorSchema.safeParse(envelope.error);
      throw err.success ? StudioError.fromValue(err.data) : new StudioError('internal', 'malformed error from host');
    },
    on(event, listener) {
      if (!isEventName(event)) throw new StudioError('invalid-params', `unknown event ${event}`);
      return raw.on(event, (payload) => {
        const checked = check(event, payload);
        if (checked.success) listener(checked.data as never);
      });
    },
  };
}

/** Browser-mode wire messages (one WebSocket). A call may omit its params: dispatch reads that as {}. */
export const WireToHost = z.object({ t: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown().optional() });
export const WireToClient = z.union([
  z.object({ t: z.literal('result'), id: z.number().int(), envelope: z.unknown() }),
  z.object({ t: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
