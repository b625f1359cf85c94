import { PdActivityTracker, type PdFault, type PdPhase, type PdTransition } from '../../../shared/logs/pdActivity';
import { pdsInDrawOrder } from '../../../shared/model/layout';
import type { SystemModel } from '../../../shared/model/system';
import { EMULATOR_CONSOLE } from './consolesSlice';
import { subscriptions, type SliceFactory } from './slice';
import type { StudioState } from './slice';

/** The machine the boot timeline follows (QEMU, or a board run's console): one live source. */
export const BOOT_SOURCE = 'boot';
/** A PD counts as printing (the node pulses) for this long after its last line. */
export const RECENT_MS = 1500;
/**
 * Console text is read in animation frames, at most this long per frame (a fast console's backlog waits for the next
 * frame rather than stretching this one); what arrives meanwhile only queues.
 */
const FRAME_BUDGET_MS = 2;
/** No frame for this long (a hidden tab gets none): the queued text is read from a timer instead. */
const NO_FRAME_MS = 250;

/** One PD as the graph shows it: what the console says it is doing. */
export interface LivePd {
  phase: PdPhase;
  /** It printed within the last RECENT_MS. */
  recent: boolean;
  lastLine?: string;
  /** ms since the console's first byte. */
  lastAt?: number;
  startedAt?: number;
  firstOutputAt?: number;
  lines: number;
  fault?: PdFault;
}

export interface LiveSourceState {
  pds: Record<string, LivePd>;
  /** Lines after the system started that no PD could be named for. */
  unattributed: number;
}

/**
 * The live system view: per console source (BOOT_SOURCE, or a serial session id), what each PD of the open system
 * is doing. Console text is read as it arrives (shared/logs/pdActivity.ts); the state changes once per animation
 * frame at most, and only for the PDs whose activity changed (each node selects its own PD: livePhase below).
 */
export interface LiveState {
  live: Record<string, LiveSourceState>;
}

export interface LiveActions {
  /** Text a console received: read in the next frames (a few ms of it per frame), shown once read. */
  feedLive(source: string, text: string): void;
  /** A serial console's bytes, as the serial slice decoded them from the wire once for every reader. */
  feedLiveBytes(source: string, bytes: Uint8Array): void;
  /** A new boot on this source: every PD is not started again. */
  resetLive(source: string): void;
  /** Read everything queued and publish it now (tests; frames do it otherwise). */
  flushLive(): void;
  /** The order in which the source's PDs changed phase (oldest first). */
  liveTransitions(source: string): readonly PdTransition[];
}

/** The source the graph shows: the console shown in the Terminal tab (QEMU's, a board run's, or a serial port's). */
export function liveSourceOf(s: StudioState): string {
  return s.activeConsole === EMULATOR_CONSOLE || s.activeConsole === s.boardRun?.consoleId ? BOOT_SOURCE : s.activeConsole;
}

/** Whether a console feeding that source runs now: the overlay is off otherwise. */
export function liveRunning(s: StudioState, source = liveSourceOf(s)): boolean {
  if (source === BOOT_SOURCE) return Boolean((s.qemu && s.qemu.status !== 'exited') || (s.boardRun?.consoleId && !s.boardRun.ended));
  return s.serials.some((x) => x.id === source && x.status !== 'closed');
}

/** What one PD's node shows: 'off' (no console runs), or its phase, with ' recent' while it prints. */
export function livePhase(s: StudioState, pd: string): string {
  if (!liveRunning(s)) return 'off';
  const p = s.live[liveSourceOf(s)]?.pds[pd];
  if (!p) return 'not-started';
  return p.recent && p.phase === 'printing' ? 'printing recent' : p.phase;
}

/** The PD's fault while the overlay is on (the same object until the fault changes). */
export function liveFault(s: StudioState, pd: string): PdFault | undefined {
  return liveRunning(s) ? s.live[liveSourceOf(s)]?.pds[pd]?.fault : undefined;
}

const namesOf = (system: SystemModel) => pdsInDrawOrder(system).map((d) => d.pd.name);

export const createLiveSlice: SliceFactory<LiveState, LiveActions> = (client, set, get, actions) => {
  interface Source {
    tracker: PdActivityTracker;
    names: string;
    decoder: TextDecoder;
    changed: Set<string>;
    /** Text received and not read yet, with its arrival time (performance.now()). */
    queue: { text: string; at: number }[];
    /** performance.now() of each PD's last line (for `recent`), and how many lines it had then. */
    lastWall: Map<string, number>;
    lineCount: Map<string, number>;
    /** The console chunk after which this source's boot starts (replayed when the system's PDs change). */
    from: number;
  }
  const sources = new Map<string, Source>();
  let system: SystemModel | undefined;
  let names: string[] = [];
  let joined = '';
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFrameAt = 0;
  let recentTimer: ReturnType<typeof setTimeout> | undefined;
  const raf: (cb: () => void) => number = globalThis.requestAnimationFrame?.bind(globalThis) ?? ((cb) => setTimeout(cb, 16) as unknown as number);
  const caf: (id: number) => void = globalThis.cancelAnimationFrame?.bind(globalThis) ?? ((id) => clearTimeout(id as unknown as ReturnType<typeof setTimeout>));

  /** The open system's PD names (recomputed only when the system changes). */
  const currentNames = () => {
    const sys = get().doc?.system;
    if (sys && sys !== system) {
      system = sys;
      names = namesOf(sys);
      joined = names.join('\n');
    }
    return names;
  };
  /** The console whose kept bytes are this source's (to read them again for a changed system). */
  const consoleOf = (source: string) => (source === BOOT_SOURCE ? (get().qemu?.id ?? get().boardRun?.consoleId) : source);

  const fresh = (from: number): Source => {
    const n = currentNames();
    return { tracker: new PdActivityTracker(n), names: joined, decoder: new TextDecoder(), changed: new Set(n), queue: [], lastWall: new Map(), lineCount: new Map(), from };
  };
  /** The source's tracker for the system open now; a system with other PDs reads the source's kept console again. */
  const sourceFor = (source: string): Source => {
    let src = sources.get(source);
    currentNames();
    if (src && src.names === joined) return src;
    const from = src?.from ?? 0;
    const queued = src?.queue ?? [];
    src = fresh(from);
    sources.set(source, src);
    const id = consoleOf(source);
    const tracker = src.tracker;
    if (!(id && actions.readConsole(id, from, (text, at) => tracker.feed(text, at)))) src.queue = queued;
    schedule();
    return src;
  };

  /** Feed the tracker from the queue; false when `until` (performance.now()) came first. */
  const read = (src: Source, until: number) => {
    while (src.queue.length) {
      if (performance.now() >= until) return false;
      const { text, at } = src.queue.shift()!;
      for (const n of src.tracker.feed(text, at)) {
        src.changed.add(n);
        const lines = src.tracker.get(n)?.lines ?? 0;
        if (lines > (src.lineCount.get(n) ?? 0)) {
          src.lineCount.set(n, lines);
          src.lastWall.set(n, at);
        }
      }
    }
    return true;
  };
  const schedule = () => {
    if (frame === undefined) frame = raf(onFrame);
    // A hidden tab gets no frames: a timer reads the queue then, unless frames came meanwhile.
    timer ??= setTimeout(function check() {
      timer = undefined;
      if (frame === undefined) return;
      if (performance.now() - lastFrameAt < NO_FRAME_MS) timer = setTimeout(check, NO_FRAME_MS);
      else flush();
    }, NO_FRAME_MS);
  };
  const onFrame = () => {
    frame = undefined;
    lastFrameAt = performance.now();
    flush(lastFrameAt + FRAME_BUDGET_MS);
  };
  /** Read the queues (until `until`, or all of them) and publish the PDs that changed. */
  const flush = (until = Infinity) => {
    if (frame !== undefined) caf(frame);
    frame = undefined;
    let done = true;
    for (const src of sources.values()) done = read(src, until) && done;
    if (!done) schedule();
    const now = performance.now();
    const patch: Record<string, LiveSourceState> = {};
    for (const [key, src] of sources) {
      if (!src.changed.size) continue;
      const before = get().live[key];
      const pds: Record<string, LivePd> = before && before.pds ? { ...before.pds } : {};
      // A system with other PDs: drop the ones it no longer has.
      if (before) for (const n of Object.keys(pds)) if (!src.tracker.get(n)) delete pds[n];
      for (const n of src.changed) {
        const a = src.tracker.get(n);
        if (!a) continue;
        const wall = src.lastWall.get(n);
        pds[n] = {
          phase: a.phase,
          recent: wall !== undefined && now - wall < RECENT_MS,
          lines: a.lines,
          ...(a.lastLine !== undefined ? { lastLine: a.lastLine, lastAt: a.lastAt } : {}),
          ...(a.startedAt !== undefined ? { startedAt: a.startedAt } : {}),
          ...(a.firstOutputAt !== undefined ? { firstOutputAt: a.firstOutputAt } : {}),
          ...(a.fault ? { fault: a.fault } : {}),
        };
      }
      src.changed.clear();
      patch[key] = { pds, unattributed: src.tracker.unattributed };
    }
    if (Object.keys(patch).length) set((s) => ({ live: { ...s.live, ...patch } }));
    watchRecent();
  };
  /** PDs that stopped printing RECENT_MS ago stop pulsing (one timer while any pulses). */
  const watchRecent = () => {
    if (recentTimer !== undefined) return;
    const live = get().live;
    if (!Object.values(live).some((x) => Object.values(x.pds).some((p) => p.recent))) return;
    recentTimer = setTimeout(() => {
      recentTimer = undefined;
      const now = performance.now();
      const patch: Record<string, LiveSourceState> = {};
      for (const [key, state] of Object.entries(get().live)) {
        const src = sources.get(key);
        let pds: Record<string, LivePd> | undefined;
        for (const [n, p] of Object.entries(state.pds)) {
          if (!p.recent || (src && now - (src.lastWall.get(n) ?? 0) < RECENT_MS)) continue;
          pds ??= { ...state.pds };
          pds[n] = { ...p, recent: false };
        }
        if (pds) patch[key] = { ...state, pds };
      }
      if (Object.keys(patch).length) set((s) => ({ live: { ...s.live, ...patch } }));
      watchRecent();
    }, RECENT_MS / 3);
  };

  const subs = subscriptions();
  subs.add(() => {
    if (frame !== undefined) caf(frame);
    clearTimeout(recentTimer);
    clearTimeout(timer);
  });

  return {
    state: { live: {} },
    actions: {
      feedLive(source: string, text: string) {
        if (!text) return;
        sourceFor(source).queue.push({ text, at: performance.now() });
        schedule();
      },
      feedLiveBytes(source: string, bytes: Uint8Array) {
        // Serial consoles feed their own source; a board run's console feeds the boot's, through the timeline.
        if (get().boardRun?.consoleId === source) return;
        actions.feedLive(source, sourceFor(source).decoder.decode(bytes, { stream: true }));
      },
      resetLive(source: string) {
        const src = fresh(actions.consoleSeq());
        sources.set(source, src);
        schedule();
      },
      flushLive() {
        flush();
      },
      liveTransitions(source: string) {
        return sources.get(source)?.tracker.transitions ?? [];
      },
    },
    dispose: subs.dispose,
  };
};
