import { pageBuildSettings } from './buildSlice';
import type { EventPayload } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import type { RunPlan, RunStepId } from '../../../shared/boardrun/plan';
import type { BoardTarget } from '../../../shared/boardrun/target';
import { failure, subscriptions, type SliceFactory } from './slice';

export type BoardStepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface BoardRunStep {
  id: RunStepId;
  label: string;
  /** What the step does (the plan's words: argv and URLs in full), then what it reported. */
  detail: string;
  status: BoardStepStatus;
  result?: string;
  output: string;
  argv?: string[];
}

export interface BoardRunSession {
  runId: string;
  plan: RunPlan;
  steps: BoardRunStep[];
  /** The console's serial session, once open (its bytes are in the console store under this id). */
  consoleId?: string;
  result?: 'booted' | 'failed' | 'cancelled';
  failedStep?: RunStepId;
  error?: string;
  /** The run log, relative to the folder. */
  log: string;
  /** The console was closed (Stop after a boot, a failure, a cancel). */
  ended?: boolean;
}

/** Run on board: the dialog, the chosen target, the run on screen. Targets themselves live in the folder settings. */
export interface BoardRunState {
  boardRunOpen: boolean;
  boardRunTarget: string | undefined;
  boardRun: BoardRunSession | undefined;
  /** The proxy-DHCP process the user started (its output is in the Output tab). */
  pxeRunId: string | undefined;
}

export interface BoardRunActions {
  openBoardRun(): void;
  closeBoardRun(): void;
  selectBoardTarget(name: string): void;
  /** Add, replace (or with `undefined`, remove) a target in the folder settings; written at once. */
  saveBoardTarget(name: string, target: BoardTarget | undefined): Promise<boolean>;
  /** Build if stale → deploy → power-cycle → console → boot, for the chosen target. */
  startBoardRun(build?: boolean): Promise<void>;
  /** Stop the run (or a booted run's console); `powerOff` switches the board off too. */
  stopBoardRun(powerOff: boolean): Promise<void>;
  setPowerToken(baseUrl: string, token: string): Promise<boolean>;
  powerTokenStored(baseUrl: string): Promise<boolean>;
  pxeInterfaces(): Promise<{ name: string; address: string; netmask: string }[]>;
  /** Start proxy-DHCP (dnsmasq) for the chosen target on `iface`; its output goes to the Output tab. */
  startPxe(iface: string): Promise<void>;
  stopPxe(): Promise<void>;
}

const fromBase64 = (data: string) => Uint8Array.from(atob(data), (c) => c.charCodeAt(0));

export const createBoardRunSlice: SliceFactory<BoardRunState, BoardRunActions> = (client, set, get, actions) => {
  const fail = (err: unknown) => set(failure(err));
  const subs = subscriptions();
  /** Events of a run whose start has not answered yet (the host starts streaming before its answer arrives). */
  let early: { kind: 'step' | 'output' | 'done'; e: EventPayload<'boardRun.step'> | EventPayload<'boardRun.output'> | EventPayload<'boardRun.done'> }[] = [];
  const decoder = new TextDecoder();

  const patchRun = (runId: string, patch: (r: BoardRunSession) => Partial<BoardRunSession>) => {
    const r = get().boardRun;
    if (!r || r.runId !== runId) return false;
    set({ boardRun: { ...r, ...patch(r) } });
    return true;
  };
  const onStep = (e: EventPayload<'boardRun.step'>) => {
    if (e.step === 'power-on' && e.status === 'running') actions.resetTimeline();
    return patchRun(e.runId, (r) => ({
      steps: r.steps.map((s) => (s.id === e.step ? { ...s, status: e.status, ...(e.detail && e.status !== 'running' ? { result: e.detail } : {}) } : s)),
      ...(e.consoleId ? { consoleId: e.consoleId } : {}),
    }));
  };
  const onOutput = (e: EventPayload<'boardRun.output'>) => patchRun(e.runId, (r) => ({ steps: r.steps.map((s) => (s.id === e.step ? { ...s, output: (s.output + e.data).slice(-200_000) } : s)) }));
  const onDone = (e: EventPayload<'boardRun.done'>) =>
    patchRun(e.runId, () => ({
      result: e.result,
      ...(e.failedStep ? { failedStep: e.failedStep } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.result !== 'booted' ? { ended: true } : {}),
    }));
  const handle = (kind: 'step' | 'output' | 'done', e: (typeof early)[number]['e']) => {
    const ok = kind === 'step' ? onStep(e as EventPayload<'boardRun.step'>) : kind === 'output' ? onOutput(e as EventPayload<'boardRun.output'>) : onDone(e as EventPayload<'boardRun.done'>);
    if (!ok && starting) early.push({ kind, e });
  };
  let starting = false;
  subs.add(client.on('boardRun.step', (e) => handle('step', e)));
  subs.add(client.on('boardRun.output', (e) => handle('output', e)));
  subs.add(client.on('boardRun.done', (e) => handle('done', e)));
  // The board's console feeds the boot timeline, as QEMU's does.
  subs.add(
    client.on('serial.data', (e) => {
      const r = get().boardRun;
      if (r?.consoleId === e.id) actions.feedTimeline(decoder.decode(fromBase64(e.data), { stream: true }));
    }),
  );

  const targets = () => get().folderSettings?.boardTargets ?? {};

  return {
    state: { boardRunOpen: false, boardRunTarget: undefined, boardRun: undefined, pxeRunId: undefined },
    actions: {
      openBoardRun() {
        const names = Object.keys(targets());
        const current = get().boardRunTarget;
        set({ boardRunOpen: true, boardRunTarget: current !== undefined && names.includes(current) ? current : names[0] });
      },
      closeBoardRun() {
        set({ boardRunOpen: false });
      },
      selectBoardTarget(name) {
        set({ boardRunTarget: name });
      },
      async saveBoardTarget(name, target) {
        const current = get().folderSettings;
        if (!current) return fail(new StudioError('no-project', 'open a folder first')), false;
        const next = { ...targets() };
        if (target) next[name] = target;
        else delete next[name];
        const { boardTargets: _old, ...rest } = current;
        const settings = Object.keys(next).length ? { ...rest, boardTargets: next } : rest;
        const ok = await actions.saveFolderSettings(settings);
        if (!ok) fail(new StudioError('internal', get().workspaceError ?? 'the settings could not be saved'));
        else set({ boardRunTarget: target ? name : Object.keys(next)[0] });
        return ok;
      },
      async startBoardRun(build = true) {
        const name = get().boardRunTarget;
        if (!get().project) return fail(new StudioError('no-project', 'open a folder first'));
        if (get().trusted === false) return fail(new StudioError('untrusted', 'Restricted mode: this folder is not trusted, so it is not run on a board (Trust this folder first)'));
        // No target yet: the dialog opens on its form (that is what Run on board needs first).
        if (!name || !targets()[name]) return set({ boardRunOpen: true });
        const r = get().boardRun;
        if (r && (!r.result || (r.result === 'booted' && !r.ended))) return fail(new StudioError('conflict', 'a board run is in progress: stop it first'));
        // The build reads the files on disk: unsaved edits (the system, the build settings) are saved first, through
        // the same conflict check as Ctrl+S, so the board gets what the page shows.
        if (build) {
          actions.flushXml();
          const unsaved = get().xmlText !== undefined || get().doc.text !== get().savedDoc?.text || get().doc.settings !== get().savedDoc?.settings;
          if (unsaved && !(await actions.save())) return;
        }
        starting = true;
        early = [];
        try {
          const docPath = get().docPath;
          const started = await client.call('boardRun.start', {
            target: name,
            build,
            ...(docPath && get().project?.kind === 'folder' ? { system: docPath } : {}),
            ...(build ? pageBuildSettings(get()) : {}),
          });
          set({
            boardRunOpen: true,
            boardRun: {
              runId: started.runId,
              plan: started.plan,
              log: started.log,
              steps: started.plan.steps.map((s) => ({ id: s.id, label: s.label, detail: s.detail, status: 'pending', output: '', ...(s.argv ? { argv: s.argv } : {}) })),
            },
          });
          // A new boot: the timeline starts over (the board's first byte comes after power-on).
          actions.resetTimeline();
          const replay = early.filter((x) => x.e.runId === started.runId);
          early = [];
          starting = false;
          for (const x of replay) handle(x.kind, x.e);
        } catch (err) {
          fail(err);
        } finally {
          starting = false;
          early = [];
        }
      },
      async stopBoardRun(powerOff) {
        const r = get().boardRun;
        if (!r) return;
        try {
          await client.call('boardRun.stop', { runId: r.runId, powerOff });
          patchRun(r.runId, () => ({ ended: true }));
        } catch (err) {
          fail(err);
        }
      },
      async setPowerToken(baseUrl, token) {
        try {
          await client.call('boardRun.setToken', { baseUrl, token });
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      async pxeInterfaces() {
        try {
          return (await client.call('pxe.interfaces', {})).interfaces;
        } catch (err) {
          fail(err);
          return [];
        }
      },
      async startPxe(iface) {
        const name = get().boardRunTarget;
        if (!name) return fail(new StudioError('not-found', 'choose a board target first'));
        try {
          const { runId, command } = await client.call('pxe.start', { target: name, iface });
          set((s) => ({ pxeRunId: runId, runs: [...s.runs, { runId, label: `proxy-DHCP for ${name} on ${iface}`, command, text: '' }] }));
        } catch (err) {
          fail(err);
        }
      },
      async stopPxe() {
        const id = get().pxeRunId;
        if (id) await actions.cancelRun(id);
        set({ pxeRunId: undefined });
      },
      async powerTokenStored(baseUrl) {
        try {
          return (await client.call('boardRun.tokenStored', { baseUrl })).stored;
        } catch {
          return false;
        }
      },
    },
    dispose: subs.dispose,
  };
};
