import { events, methodNames, type EventName, type EventPayload, type MethodName, type Params, type Result } from '../../../../shared/api/contract';
import { StudioError } from '../../../../shared/api/errors';
import { createClient, createDispatcher, type Handlers, type StudioClient } from '../../../../shared/api/rpc';

type Answer<M extends MethodName> = Result<M> | ((params: Params<M>) => Result<M> | Promise<Result<M>>);

/**
 * An in-memory host for store tests. Calls go through the real client and the real dispatcher (so arguments and
 * results are checked against the contract's schemas, and errors travel as they do over the wire) to canned answers;
 * a method without an answer fails as a host would ("internal"). Events are checked against their schema and
 * delivered to whoever listens now.
 */
export interface FakeClient extends StudioClient {
  /** Every call made, in order. */
  readonly calls: { method: MethodName; params: unknown }[];
  /** The parameters of each call to `method`, in order. */
  callsOf<M extends MethodName>(method: M): Params<M>[];
  /** What the host answers to `method` from now on: a value, or a function of the call's parameters. */
  answer<M extends MethodName>(method: M, answer: Answer<M>): void;
  /** `method` fails with this error from now on. */
  refuse(method: MethodName, error: StudioError): void;
  /** The host sends an event. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** How many listeners are registered (on one event, or on all). */
  listenerCount(event?: EventName): number;
}

export function createFakeClient(): FakeClient {
  const calls: { method: MethodName; params: unknown }[] = [];
  const answers = new Map<MethodName, (params: unknown) => unknown>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const handlers = Object.fromEntries(
    methodNames.map((method) => [
      method,
      async (params: unknown) => {
        const answer = answers.get(method);
        if (!answer) throw new StudioError('internal', `the fake host has no answer for ${method}`);
        return answer(params);
      },
    ]),
  ) as unknown as Handlers;
  const dispatch = createDispatcher(handlers);
  const client = createClient({
    call(method, params) {
      calls.push({ method: method as MethodName, params });
      return dispatch(method, params);
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  });
  return {
    ...client,
    calls,
    callsOf<M extends MethodName>(method: M) {
      return calls.filter((c) => c.method === method).map((c) => c.params as Params<M>);
    },
    answer<M extends MethodName>(method: M, answer: Answer<M>) {
      answers.set(method, typeof answer === 'function' ? (answer as (p: unknown) => unknown) : () => answer);
    },
    refuse(method, error) {
      answers.set(method, () => {
        throw error;
      });
    },
    emit(event, payload) {
      // A malformed event in a test is the test's bug: say so instead of letting the client drop it.
      const checked = events[event].parse(payload);
      for (const l of [...(listeners.get(event) ?? [])]) l(checked);
    },
    listenerCount(event) {
      if (event) return listeners.get(event)?.size ?? 0;
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
}

/** Let the fake host's answers (promise callbacks) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
