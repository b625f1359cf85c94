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
/** The user has not touched the page for this long: a warm-up run may start (ms). */
export const WARM_UP_QUIET_MS = 1000;
/** Warm-up runs not done yet (for the session, whichever systems they lay out). */
let warmRunsLeft = WARM_UP_RUNS;
/** Layouts the user asked for (warm-ups not counted). */
let asked = 0;
/** The open system's graph for a warm-up (undefined: none to warm with). */
let warmWith: (() => ElkNodeJson) | undefined;
let warmTimer: ReturnType<typeof setTimeout> | undefined;
/** A warm-up run is in the worker now. */
let warming = false;
let lastInput = -Infinity;
let listening = false;

/** A layout the user asked for: no warm-up run starts after it. */
export function userLayout(graph: ElkNodeJson): Promise<{ laid: ElkNodeJson; ms: number }> {
  asked++;
  return layoutInWorker(graph);
}

/**
 * Warm the worker while the user leaves the page alone: a system with WARM_UP_NODES nodes or more is laid out in the
 * worker and the answers dropped, WARM_UP_RUNS runs a session in all, so that the user's Auto layout finds ELK
 * started and its code compiled (a cold worker took 2–5 times as long for its first layouts). A run starts only after
 * WARM_UP_QUIET_MS without input, and input during a run stops it (the worker is ended; the next layout starts a new
 * one): on a machine with few cores a warm-up would otherwise slow the drag the user just began (npm run bench --
 * --only live: a drag right after opening the 250-node system, p95 15.7 ms of work a move without the warm-up, 45-48
 * with it running). None starts once the user has asked for a layout.
 */
export function warmLayoutWorker(graph: () => ElkNodeJson): () => void {
  if (!warmRunsLeft || asked) return () => undefined;
  listen();
  let g: ElkNodeJson | undefined;
  const mine = () => (g ??= graph());
  warmWith = mine;
  scheduleWarm(WARM_UP_QUIET_MS);
  return () => {
    // Another system opened (or the view closed): not this one's graph any more.
    if (warmWith === mine) warmWith = undefined;
  };
}

function scheduleWarm(ms: number) {
  clearTimeout(warmTimer);
  warmTimer = setTimeout(tryWarm, ms);
}

function tryWarm() {
  warmTimer = undefined;
  if (!warmWith || !warmRunsLeft || asked) return;
  const quiet = performance.now() - lastInput;
  if (busy || quiet < WARM_UP_QUIET_MS) return scheduleWarm(Math.max(100, WARM_UP_QUIET_MS - quiet));
  const g = warmWith();
  if ((g.children?.length ?? 0) < WARM_UP_NODES) return;
  warmRunsLeft--;
  warming = true;
  layoutInWorker(g).then(
    () => {
      warming = false;
      scheduleWarm(0);
    },
    () => (warming = false),
  );
}

/** Input: a warm-up run in the worker is stopped (the worker ended with it), and tried again after a quiet moment. */
function onInput() {
  lastInput = performance.now();
  if (!warming || busy !== 1) return;
  warming = false;
  elk?.terminateWorker();
  elk = undefined;
  // The stopped run's promise never settles: it is no longer running.
  busy = 0;
  warmRunsLeft++;
  scheduleWarm(WARM_UP_QUIET_MS);
}

function listen() {
  if (listening || typeof window === 'undefined') return;
  listening = true;
  for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel']) window.addEventListener(type, onInput, { capture: true, passive: true });
}
