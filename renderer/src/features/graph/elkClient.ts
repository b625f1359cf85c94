import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { ElkNodeJson } from '../../../../shared/model/elkLayout';

/**
 * ELK in a Web Worker: elk's own worker script (served from the app's origin, so the page's CSP `worker-src 'self'`
 * allows it), started on the first automatic layout and kept for the next ones. The main thread only builds the
 * graph and reads the answer (shared/model/elkLayout.ts).
 */
let elk: InstanceType<typeof ELK> | undefined;
/** Layouts the worker has run (warm-ups included), and whether one runs now. */
let runs = 0;
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
    runs++;
  }
}

/** Nodes a system needs for its opening to warm the worker (a small one teaches ELK's compiler little). */
export const WARM_UP_NODES = 20;
let warmed = false;

/**
 * Warm the worker while the page is idle: the first system of the session with WARM_UP_NODES nodes or more is laid
 * out in the worker once and the answer dropped, so that the user's Auto layout finds ELK started and its code
 * compiled (a cold worker took 2–5 times as long for its first layouts). Once a session, and only if no layout has
 * run yet: a warm-up still running would hold up the user's layout behind it.
 */
export function warmLayoutWorker(graph: () => ElkNodeJson): () => void {
  if (warmed || runs || busy) return () => undefined;
  const idle = globalThis.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 1000) as unknown as number);
  const cancelIdle = globalThis.cancelIdleCallback ?? ((id: number) => clearTimeout(id));
  const id = idle(() => {
    if (warmed || runs || busy) return;
    const g = graph();
    if ((g.children?.length ?? 0) < WARM_UP_NODES) return;
    warmed = true;
    layoutInWorker(g).catch(() => undefined);
  }, { timeout: 5000 });
  return () => cancelIdle(id);
}
