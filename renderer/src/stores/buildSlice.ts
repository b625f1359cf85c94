import type { BuildRecord, ReportedBuildProblem, Result } from '../../../shared/api/contract';
import { makeVariableProblem } from '../../../shared/build/makefile';
import { StudioError } from '../../../shared/api/errors';
import type { StudioFile } from '../../../shared/model/project';
import type { StepId } from '../../../shared/build/plan';
import { parseReport, type BuildReport } from '../../../shared/build/report';
import { failure, subscriptions, type SliceFactory, type StudioState } from './slice';

/** What a build or run asked for in restricted mode is told (the host says the same, with the folder's path). */
export const RESTRICTED_BUILD = 'Restricted mode: this folder is not trusted, so build and run are off. Trust it (the banner\'s Trust button or the command "Trust this folder") if you trust its authors.';

export type BuildStepState = { id: StepId; label: string; command: string[]; status: 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled'; durationMs?: number; detail?: string };
export interface BuildState {
  buildId: string;
  steps: BuildStepState[];
  /** Output per step, the newest 256 KiB of each (all of it is in build/sel4-studio-<step>.log). */
  output: Partial<Record<StepId, string>>;
  /** Lines each step has printed in all. */
  outputLines: Partial<Record<StepId, number>>;
  progress?: { step: StepId; done: number; total: number };
  problems: ReportedBuildProblem[];
  record?: BuildRecord;
  /** Boot the image in QEMU when the build succeeds (Build & Run). */
  thenRun: boolean;
}
export interface BuildSettingsState {
  sdk: string;
  config: 'debug' | 'release' | 'benchmark';
  toolchain: '' | 'aarch64-none-elf' | 'aarch64-linux-gnu' | 'clang';
}
const OUTPUT_LIMIT = 256 * 1024;

/**
 * What the Build tab says about the SDK the next build would use: red (`bad`) when it cannot build with it (none
 * found, not chosen, no such board, restricted mode). Looked at again when the settings change, an SDK is chosen and
 * after every successful build, so a warning never outlives the problem it described.
 */
export interface SdkStatus {
  text: string;
  bad: boolean;
  /** An SDK found but not chosen by the user: the "Use this SDK" button offers it. */
  unchosen?: string;
  /** The boards the SDK builds for. */
  boards: string[];
}

/** The running or last build, past builds, the settings of the next one, and the last image's report. */
export interface BuildSliceState {
  build?: BuildState;
  buildHistory: BuildRecord[];
  buildSettings: BuildSettingsState;
  /** Build asked for while the .system has unsaved changes: the user chooses to save them or build the file on disk. */
  buildPrompt?: { run: boolean };
  /** The report of the last successful build (build/report.txt). */
  buildReport?: BuildReport;
  /** The folder's kind of build and its Makefile as read (a repository's own build offers its variables). */
  repoMakefile?: Result<'build.makefile'>;
  sdkStatus?: SdkStatus;
}

export interface BuildActions {
  /** Build the project (Ctrl+Shift+B); with `run`, boot the image in QEMU when it succeeds (F5). */
  startBuild(run?: boolean, choice?: 'save' | 'disk'): Promise<void>;
  cancelBuildPrompt(): void;
  cancelBuild(): Promise<void>;
  loadBuildHistory(): Promise<void>;
  /** Read build/report.txt (or the report beside a repository build's image) of the last successful build, if any. */
  loadBuildReport(file?: string): Promise<void>;
  /** Read the folder's Makefile (never run): what the Build tab offers for a repository's own build. */
  loadMakefile(): Promise<void>;
  /**
   * A make variable for the repository's build, kept in .sel4-studio/settings.json at once (empty: the Makefile's
   * default). A value make or the shell would read as more than text is refused here and by the host.
   */
  setMakeVariable(name: string, value: string): Promise<boolean>;
  /** The Run step of a repository build: a Makefile target (`qemu`), or '' for the board's QEMU recipe. */
  setRunTarget(target: string): Promise<void>;
  /** Run the chosen Makefile target (`make qemu` with the build's settings), its output in the Output tab. */
  runMakeTarget(): Promise<void>;
  /** Build settings: used by the next build, and kept in studio.json on the next save. */
  setBuildSettings(patch: Partial<BuildSettingsState>): void;
  /** What an SDK folder (default: the one the host would find) holds; a failed look is reported as a hint. */
  inspectSdk(path?: string): Promise<Result<'sdk.inspect'>>;
  /**
   * The user chooses an SDK for builds: `path` (typed) is confirmed in the host's own dialog, none opens the host's
   * folder dialog. On success it becomes the build setting. Returns the SDK, or undefined (cancelled or refused: said).
   */
  chooseSdk(path?: string): Promise<Result<'sdk.choose'>['sdk'] | undefined>;
  /** Look at the SDK the next build would use (the setting, else the one the host finds) and say what it is in `sdkStatus`. */
  refreshSdk(): Promise<void>;
}

/** The build settings a project's studio.json holds. */
export function buildSettingsOf(studio: StudioFile): BuildSettingsState {
  return { sdk: studio.build.sdkPath ?? '', config: studio.build.config, toolchain: (studio.build.toolchain as BuildSettingsState['toolchain'] | undefined) ?? '' };
}

/**
 * What a build started from the page builds with: the board, configuration, SDK and compiler the page shows (its
 * settings may not be saved yet). Build and Run on board both send these.
 */
export function pageBuildSettings(s: StudioState): { board?: string; config: BuildSettingsState['config']; sdk?: string; toolchain?: Exclude<BuildSettingsState['toolchain'], ''> } {
  const { buildSettings } = s;
  const board = s.doc.settings.board || s.project?.studio.board;
  return {
    ...(board ? { board } : {}),
    config: buildSettings.config,
    ...(buildSettings.sdk ? { sdk: buildSettings.sdk } : {}),
    ...(buildSettings.toolchain ? { toolchain: buildSettings.toolchain } : {}),
  };
}

export const createBuildSlice: SliceFactory<BuildSliceState, BuildActions> = (client, set, get, actions) => {
  const fail = (err: unknown) => set(failure(err));
  /** The error notice a refused build start showed ("no Microkit SDK", …): a build that starts or succeeds takes it away. */
  let startNotice: StudioState['notice'];
  const dropStartNotice = () => {
    if (startNotice && get().notice === startNotice) set({ notice: undefined });
    startNotice = undefined;
  };
  let sdkLook = 0;
  // Output and problems arrive in many small events: they are gathered and applied once per frame, so a 10 MB
  // build log streams without re-rendering the panel per chunk (npm run bench).
  let pendingOutput: { buildId: string; step: StepId; data: string }[] = [];
  let pendingProblems: { buildId: string; problem: ReportedBuildProblem }[] = [];
  let pendingProgress: { buildId: string; step: StepId; done: number; total: number } | undefined;
  let flushScheduled = false;
  let disposed = false;
  const flushBuild = () => {
    flushScheduled = false;
    const b = get().build;
    const outs = pendingOutput;
    const probs = pendingProblems;
    pendingOutput = [];
    pendingProblems = [];
    if (!b || disposed) return;
    const output = { ...b.output };
    const outputLines = { ...b.outputLines };
    for (const e of outs) {
      if (e.buildId !== b.buildId) continue;
      const text = (output[e.step] ?? '') + e.data;
      output[e.step] = text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text;
      let n = 0;
      for (let i = e.data.indexOf('\n'); i >= 0; i = e.data.indexOf('\n', i + 1)) n++;
      outputLines[e.step] = (outputLines[e.step] ?? 0) + n;
    }
    const mine = probs.filter((p) => p.buildId === b.buildId).map((p) => p.problem);
    const prog = pendingProgress && pendingProgress.buildId === b.buildId ? { step: pendingProgress.step, done: pendingProgress.done, total: pendingProgress.total } : b.progress;
    pendingProgress = undefined;
    set({ build: { ...b, output, outputLines, ...(prog ? { progress: prog } : {}), ...(mine.length ? { problems: [...b.problems, ...mine] } : {}) } });
  };
  const scheduleBuildFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flushBuild);
    else setTimeout(flushBuild, 16);
  };

  let settingsWrites: Promise<void> = Promise.resolve();
  const writeMakeVariable = async (name: string, value: string): Promise<boolean> => {
    const fs0 = get().folderSettings;
    const makefile = get().repoMakefile?.makefile;
    if (!fs0) return false;
    const v = value.trim();
    const problem = v ? makeVariableProblem(name, v, makefile ?? undefined) : undefined;
    if (problem) {
      set({ notice: { kind: 'error', message: problem } });
      return false;
    }
    const variables = { ...fs0.build.variables };
    if (v) variables[name] = v;
    else delete variables[name];
    if (JSON.stringify(variables) === JSON.stringify(fs0.build.variables)) return true;
    return actions.saveFolderSettings({ ...fs0, build: { ...fs0.build, variables } });
  };
  const writeRunTarget = async (target: string): Promise<void> => {
    const fs0 = get().folderSettings;
    if (!fs0) return;
    const build = { ...fs0.build, ...(target ? { runTarget: target } : {}) };
    if (!target) delete build.runTarget;
    await actions.saveFolderSettings({ ...fs0, build });
  };

  const subs = subscriptions();
  subs.add(
    client.on('build.step', (e) => {
      const b = get().build;
      if (!b || b.buildId !== e.buildId) return;
      set({ build: { ...b, steps: b.steps.map((st) => (st.id === e.step ? { ...st, status: e.status, ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}), ...(e.detail ? { detail: e.detail } : {}) } : st)) } });
    }),
  );
  subs.add(
    client.on('build.output', (e) => {
      pendingOutput.push(e);
      scheduleBuildFlush();
    }),
  );
  subs.add(
    client.on('build.progress', (e) => {
      pendingProgress = e;
      scheduleBuildFlush();
    }),
  );
  subs.add(
    client.on('build.problem', (e) => {
      pendingProblems.push(e);
      scheduleBuildFlush();
    }),
  );
  subs.add(
    client.on('build.done', (e) => {
      flushBuild();
      const b = get().build;
      if (!b || b.buildId !== e.buildId) return;
      set((s) => ({ build: { ...b, record: e.record }, buildHistory: [e.record, ...s.buildHistory].slice(0, 50) }));
      if (e.record.result === 'ok') {
        dropStartNotice();
        void actions.refreshSdk();
        // A repository build's report sits beside its image (the Makefile's -r), wherever its build folder is.
        const dir = e.record.image && !e.record.image.startsWith('/') && e.record.image.includes('/') ? e.record.image.slice(0, e.record.image.lastIndexOf('/')) : undefined;
        void actions.loadBuildReport(dir ? `${dir}/report.txt` : undefined);
        // A repository build's image is wherever its Makefile put it: the Run image from now on (inside the folder).
        const image = e.record.image;
        const inside = image !== undefined && !image.startsWith('/');
        if (inside) set({ qemuTarget: { kind: 'image', file: image } });
        else if (image) set({ notice: { kind: 'info', message: `The image is ${image}, outside the folder: Run boots images inside the folder only` } });
        if (b.thenRun && get().repoMakefile?.kind === 'repo' && get().folderSettings?.build.runTarget) void actions.runMakeTarget();
        else if (b.thenRun && get().project?.studio.board.startsWith('qemu_') && (inside || image === undefined)) void actions.startQemu({ image: inside ? image : 'build/loader.img' });
      } else set({ panel: 'problems' });
    }),
  );

  return {
    state: { build: undefined, buildHistory: [], buildSettings: { sdk: '', config: 'debug', toolchain: '' }, buildReport: undefined, buildPrompt: undefined, sdkStatus: undefined, repoMakefile: undefined },
    actions: {
      async startBuild(run = false, choice?: 'save' | 'disk') {
        const { project, build } = get();
        if (!project) return fail(new StudioError('no-project', 'open a project first'));
        if (build && !build.record) return fail(new StudioError('conflict', 'a build is already running: cancel it first'));
        if (get().trusted === false) return fail(new StudioError('untrusted', RESTRICTED_BUILD));
        actions.flushXml();
        // The build reads the .system on disk; the editor's text is written only when the user chooses to save it.
        const unsaved = get().xmlText !== undefined || get().doc.text !== get().savedDoc?.text;
        if (unsaved && !choice) return set({ buildPrompt: { run } });
        set({ buildPrompt: undefined });
        if (unsaved && choice === 'save' && !(await actions.save())) return;
        try {
          const docPath = get().docPath;
          const { buildId, steps } = await client.call('build.start', {
            ...(docPath && project.kind === 'folder' ? { system: docPath } : {}),
            ...pageBuildSettings(get()),
          });
          set({ panel: 'build', build: { buildId, steps: steps.map((st) => ({ ...st, status: 'pending' })), output: {}, outputLines: {}, problems: [], thenRun: run } });
          dropStartNotice();
        } catch (err) {
          set({ panel: 'build' });
          fail(err);
          startNotice = get().notice;
        }
      },
      cancelBuildPrompt() {
        set({ buildPrompt: undefined });
      },
      async cancelBuild() {
        const b = get().build;
        if (b && !b.record) await client.call('build.cancel', { buildId: b.buildId }).catch(fail);
      },
      async loadBuildHistory() {
        try {
          set({ buildHistory: (await client.call('build.history', {})).builds });
        } catch {
          // No history yet.
        }
      },
      async loadBuildReport(file = 'build/report.txt') {
        try {
          set({ buildReport: parseReport((await client.call('fs.readText', { path: file })).text) });
        } catch {
          // Not built yet: no report.
        }
      },
      async loadMakefile() {
        try {
          set({ repoMakefile: await client.call('build.makefile', {}) });
        } catch {
          set({ repoMakefile: undefined });
        }
      },
      setMakeVariable(name: string, value: string) {
        // One write at a time, each from the settings the last one left (two fields committed together both land).
        const next = settingsWrites.then(() => writeMakeVariable(name, value));
        settingsWrites = next.then(() => undefined);
        return next;
      },
      setRunTarget(target: string) {
        const next = settingsWrites.then(() => writeRunTarget(target));
        settingsWrites = next;
        return next;
      },
      async runMakeTarget() {
        if (get().trusted === false) return fail(new StudioError('untrusted', RESTRICTED_BUILD));
        set({ panel: 'output' });
        try {
          const { buildSettings, project } = get();
          const board = get().doc.settings.board || project?.studio.board;
          const { runId, command } = await client.call('build.runTarget', { config: buildSettings.config, ...(board ? { board } : {}), ...(buildSettings.sdk ? { sdk: buildSettings.sdk } : {}) });
          set((s) => ({ runs: [...s.runs, { runId, label: command.slice(0, 2).join(' '), command, text: '' }] }));
        } catch (err) {
          fail(err);
        }
      },
      setBuildSettings(patch: Partial<BuildSettingsState>) {
        // Part of the project: an undoable change that marks it changed (the document keeps the settings).
        const buildSettings = { ...get().buildSettings, ...patch };
        const build = { config: buildSettings.config, ...(buildSettings.sdk ? { sdkPath: buildSettings.sdk } : {}), ...(buildSettings.toolchain ? { toolchain: buildSettings.toolchain } : {}) };
        actions.setSettings({ build }, `Build settings: ${Object.entries(patch).map(([k, v]) => `${k} ${v || '(default)'}`).join(', ')}`);
      },
      async chooseSdk(path?: string) {
        try {
          const { sdk } = await client.call('sdk.choose', path ? { path } : {});
          if (!sdk) return undefined;
          if (sdk.path !== get().buildSettings.sdk) actions.setBuildSettings({ sdk: sdk.path });
          set({ notice: { kind: 'info', message: `Builds use the Microkit SDK at ${sdk.path} (${sdk.version})` } });
          void actions.refreshSdk();
          return sdk;
        } catch (err) {
          fail(err);
          return undefined;
        }
      },
      async inspectSdk(path?: string) {
        try {
          return await client.call('sdk.inspect', path ? { path } : {});
        } catch (err) {
          return { sdk: null, hint: err instanceof Error ? err.message : String(err) };
        }
      },
      async refreshSdk() {
        const look = ++sdkLook;
        const given = get().buildSettings.sdk;
        const board = get().project?.studio.board;
        // Restricted mode: the folder's SDK path is not looked at.
        if (get().trusted === false && given) {
          set({ sdkStatus: { text: `Restricted mode: this folder's SDK setting (${given}) is not used until you trust the folder`, bad: true, boards: [] } });
          return;
        }
        const { sdk, hint } = await actions.inspectSdk(given || undefined);
        // An older look answering late says nothing about the current settings.
        if (look !== sdkLook) return;
        const boards = sdk ? Object.keys(sdk.boards) : [];
        let sdkStatus: SdkStatus;
        if (!sdk) sdkStatus = { text: hint ?? 'no Microkit SDK', bad: true, boards };
        else if (!sdk.chosen) sdkStatus = { text: `Microkit ${sdk.version} at ${sdk.path} is not an SDK you chose: builds do not run its bin/microkit until you do`, bad: true, unchosen: sdk.path, boards };
        else if (board && !sdk.boards[board]) sdkStatus = { text: `Microkit ${sdk.version} at ${sdk.path} has no board ${board} (it has ${boards.join(', ')})`, bad: true, boards };
        else sdkStatus = { text: `Microkit ${sdk.version} at ${sdk.path}${board ? ` · ${board}: ${sdk.boards[board]!.join(', ')}` : ''}`, bad: false, boards };
        set({ sdkStatus });
      },
    },
    dispose() {
      disposed = true;
      subs.dispose();
    },
  };
};
