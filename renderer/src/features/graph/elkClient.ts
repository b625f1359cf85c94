import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { ElkNodeJson } from '../../../../shared/model/elkLayout';

/**
 * ELK in a Web Worker: elk's own worker script (served from the app's origin, so the page's CSP `worker-src 'self'`
 * allows it), started on the first automatic layout and kept for the next ones. The main thread only builds the
 * graph and reads the answer (shared/model/elkLayout.ts).
 */
let elk: InstanceType<typeof ELK> | undefined;

export async function layoutInWorker(graph: ElkNodeJson): Promise<{ laid: ElkNodeJson; ms: number }> {
  elk ??= new ELK({ workerUrl: elkWorkerUrl, workerFactory: (url?: string) => new Worker(url ?? elkWorkerUrl) });
  const t0 = performance.now();
  const laid = (await elk.layout(graph as Parameters<typeof elk.layout>[0])) as unknown as ElkNodeJson;
  return { laid, ms: performance.now() - t0 };
}
