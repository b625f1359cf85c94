import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { ElkNodeJson } from '../../../../shared/model/elkLayout';

/**
 * ELK in a Web Worker: elk's own worker script (served from the app's origin, so the page's CSP `worker-src 'self'`
 * allows it), started on the first automatic layout and kept for the next ones. The main thread only builds the
 * graph and reads the answer (shared/model/elkLayout.ts).
 */
let elk: InstanceType<typeof ELK> | undefined;
/** Layouts running in the worker now. */
let busy = 0;
const worker = () => (elk ??= new ELK({ workerUrl: elkWorkerUrl, workerFactory: (url?: string) => new Worker(url ?? elkWorkerUrl) }));

export async function layoutInWorker(graph: ElkNodeJson): Promise<{ laid: ElkNodeJson; ms: number }> {
  const e = worker();
  const t0 = performance.now();
  busy++;
  try {
    const laid = (await e.layout(graph as Parameters<typeof e.layout>[0])) as unknown as ElkNodeJson;
    return { laid, ms: performance.now() - t0 };
  } finally {
    busy--;
  }
}

/** Nodes a system needs for its opening to warm the worker (a small one teaches ELK's compiler little). */
export const WARM_UP_NODES = 20;
/** Layouts of the warm-up: one leaves ELK's code half compiled (the next layout of another system still took 3x). */
export const WARM_UP_RUNS = 3;
/** Warm-up runs not done yet (for the session, whichever systems they lay out). */
let warmRunsLeft = WARM_UP_RUNS;
/** Layouts the user asked for (warm-ups not counted). */
let asked = 0;

/** A layout the user asked for: a warm-up still going stops before its next run. */
export function userLayout(graph: ElkNodeJson): Promise<{ laid: ElkNodeJson; ms: number }> {
  asked++;
  return layoutInWorker(graph);
}

/**
 * Warm the worker while the page is idle: a system with WARM_UP_NODES nodes or more is laid out in the worker, one
 * run per idle moment, and the answers dropped, WARM_UP_RUNS runs a session in all, so that the user's Auto layout
 * finds ELK started and its code compiled (a cold worker took 2–5 times as long for its first layouts). Only until the
 * user asks for a layout: a warm-up run still going would hold the user's layout up behind it, so none starts after.
 */
export function warmLayoutWorker(graph: () => ElkNodeJson): () => void {
  if (!warmRunsLeft || asked) return () => undefined;
  const idle = globalThis.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 1000) as unknown as number);
  const cancelIdle = globalThis.cancelIdleCallback ?? ((id: number) => clearTimeout(id));
  let id: number | undefined;
  let cancelled = false;
  let g: ElkNodeJson | undefined;
  const run = () => {
    id = idle(() => {
      id = undefined;
      if (cancelled || asked || !warmRunsLeft) return;
      if (busy) return run();
      g ??= graph();
      if ((g.children?.length ?? 0) < WARM_UP_NODES) return;
      warmRunsLeft--;
      layoutInWorker(g)
        .catch(() => undefined)
        .then(() => run());
    }, { timeout: 5000 });
  };
  run();
  return () => {
    // Another system opened (or the view closed): this system's warm-up stops; a run under way finishes.
    cancelled = true;
    if (id !== undefined) cancelIdle(id);
  };
}
