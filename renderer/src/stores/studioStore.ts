import { createStore } from 'zustand/vanilla';
import type { Diagnostic } from '../../../shared/api/diagnostics';
import type { BuildRecord, HostInfo, ProjectSnapshot, RecentProject, ToolStatus } from '../../../shared/api/contract';
import type { StudioClient } from '../../../shared/api/rpc';
import { StudioError } from '../../../shared/api/errors';
import { applyEdit as apply, emptyHistory, redo as redoDoc, replaceSystem, undo as undoDoc, type Edit, type EditorDoc, type History } from '../../../shared/model/edits';
import type { StudioFile } from '../../../shared/model/project';
import type { BoardPack } from '../../../shared/model/board';
import type { TemplateInfo } from '../../../shared/model/templates';
import { allProtectionDomains, emptySystem } from '../../../shared/model/system';
import { sourceKeysOf } from '../../../shared/model/graphKeys';
import type { StepId } from '../../../shared/build/plan';
import { parseReport, type BuildReport } from '../../../shared/build/report';
import { toFlow } from '../features/graph/graphModel';
import { copyFragment, deleteKeys, deletePreview, pasteFragment, type Fragment } from '../../../shared/model/clipboard';
import { exportSystem } from '../../../shared/sdf/export';
import { importSystem } from '../../../shared/sdf/import';
import { DEFAULT_PATTERNS, MilestoneTracker, parseUserPatterns, type Milestone } from '../../../shared/logs/milestones';
import { bootReportHtml } from '../../../shared/logs/report';
import { trimChunks, type ConsoleChunk } from '../../../shared/terminal/render';
import { afterStartup } from '../afterStartup';

type ConsoleEntry = ConsoleChunk & { seq: number };

export interface ConsoleViewState {
  timestamps: boolean;
  hex: boolean;
  echo: boolean;
}
export const TIMELINE_PATTERNS_FILE = 'timeline-patterns.txt';

export interface SerialOpenOptions {
  baudRate: number;
  framing: string;
  flowControl: 'none' | 'rtscts' | 'xonxoff';
  enter: 'cr' | 'lf' | 'crlf';
  tcu: boolean;
  log: boolean;
}
export const defaultConsoleView: ConsoleViewState = { timestamps: false, hex: false, echo: false };
export const SCROLLBACK_CHOICES = [1_000, 10_000, 100_000] as const;

export type PanelTab = 'problems' | 'build' | 'output' | 'terminal' | 'doctor';

export type BuildStepState = { id: StepId; label: string; command: string[]; status: 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled'; durationMs?: number; detail?: string };
export interface BuildState {
  buildId: string;
  steps: BuildStepState[];
  /** Output per step, the newest 256 KiB of each (all of it is in build/sel4-studio-<step>.log). */
  output: Partial<Record<StepId, string>>;
  /** Lines each step has printed in all. */
  outputLines: Partial<Record<StepId, number>>;
  progress?: { step: StepId; done: number; total: number };
  problems: (Diagnostic & { tool: string })[];
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
export type DialogKind = 'new' | 'open' | 'saveAs';

export interface OutputRun {
  runId: string;
  label: string;
  command: string[];
  text: string;
  exit?: { code: number | null; signal: string | null; durationMs: number; error?: string };
}

export interface Notice {
  kind: 'error' | 'info';
  message: string;
}

export interface StudioState {
  host?: HostInfo;
  connected: boolean;
  doctor?: ToolStatus[];
  boards: BoardPack[];
  /** Starting points for New Project (resources/templates). */
  templates: TemplateInfo[];
  recent: RecentProject[];

  project?: { dir: string; studio: StudioFile };
  /** Counts project loads (opening the same folder again counts too): the canvas fits the system on each. */
  opened: number;
  doc: EditorDoc;
  history: History;
  savedDoc?: EditorDoc;
  /** Problems found when the .system was loaded (before any edit). */
  loadDiagnostics: Diagnostic[];
  recovery?: ProjectSnapshot['recovery'];
  selection: string[];
  /** What Copy took (PDs with their maps, children and internal channels; regions), for Paste. */
  clipboard?: Fragment;
  /** A delete waiting for the user to confirm what goes with it. */
  pendingDelete?: { keys: string[]; also: string[] };
  /**
   * The XML pane's text while the user edits it (undefined: the pane shows the model's export). It is imported into
   * the model after a pause in typing; while it does not parse, the graph keeps the last good model.
   */
  xmlText?: string;
  /** Last XML line to reveal in the preview (from a clicked problem). */
  reveal?: { line: number; column: number; seq: number };

  runs: OutputRun[];
  /** The QEMU session of the Terminal tab. */
  qemu?: { id: string; status: 'starting' | 'running' | 'paused' | 'exited'; command: string[]; exit?: string };
  milestones: Milestone[];
  /** The project's own timeline patterns (`label = /regex/` lines, timeline-patterns.txt) and their errors. */
  timelinePatterns: string;
  patternErrors: { line: number; message: string }[];
  monitorText: string;
  /** Serial consoles open in the Terminal tab. */
  serials: { id: string; target: string; status: 'connecting' | 'open' | 'disconnected' | 'closed'; detail?: string; tcu: boolean }[];
  /** Which console the Terminal tab shows: 'qemu' or a serial session id. */
  activeConsole: string;
  /** Per console: stamps, hex dump, local echo (view options; the bytes are kept as received). */
  consoleViews: Record<string, ConsoleViewState>;
  /** Lines each terminal keeps for scrolling back. */
  scrollback: number;
  /** Demo view: the console and the timeline fill the window. */
  presentation: boolean;
  /** What the Terminal tab boots (kept across views). */
  qemuTarget: { kind: 'image' | 'kernel'; file: string };
  panel: PanelTab;
  build?: BuildState;
  buildHistory: BuildRecord[];
  buildSettings: BuildSettingsState;
  /** The report of the last successful build (build/report.txt). */
  buildReport?: BuildReport;
  /** A project file open in the source editor (from a build problem, or opened by name). */
  source?: { path: string; text: string; saved: string; line?: number; seq: number };
  /** What the centre shows: the graph or the memory map (view state, not history). */
  centerView: 'graph' | 'memory' | 'source';
  theme: 'light' | 'dark';
  dialog?: DialogKind;
  notice?: Notice;
}

const blankDoc = (): EditorDoc => ({ system: emptySystem(), layout: { nodes: {} } });

/** Where the canvas draws each node, placed or not (the fallback layout of graphModel). */
function drawnPositions(doc: EditorDoc): Record<string, { x: number; y: number }> {
  return Object.fromEntries(toFlow(doc, [], new Map()).nodes.map((n) => [n.id, n.position]));
}

/** The selected keys that still name something in the document (after undo, redo or an XML edit). */
function stillSelected(doc: EditorDoc, selection: string[]): string[] {
  if (!selection.length) return selection;
  const sources = [...importSystem(exportSystem(doc.system)).sources.keys()];
  const kept = selection.filter((k) => sourceKeysOf(sources, k).length > 0);
  return kept.length === selection.length ? selection : kept;
}

export function isDirty(s: Pick<StudioState, 'doc' | 'savedDoc' | 'project'>): boolean {
  return Boolean(s.project) && s.doc !== s.savedDoc;
}

/**
 * The app's state and actions, created per client (a factory, so tests and Storybook-like harnesses get their own:
 * DESIGN.md §3.4). Derived data (XML, problems) is not stored: components compute it from `doc` with shared/.
 */
export function createStudioStore(client: StudioClient, initialTheme: 'light' | 'dark' = 'dark') {
  const store = createStore<StudioState>()(() => ({
    connected: true,
    opened: 0,
    boards: [],
    templates: [],
    recent: [],
    doc: blankDoc(),
    history: emptyHistory(),
    loadDiagnostics: [],
    selection: [],
    runs: [],
    milestones: [],
    timelinePatterns: '',
    patternErrors: [],
    monitorText: '',
    serials: [],
    activeConsole: 'qemu',
    consoleViews: {},
    scrollback: 10_000,
    presentation: false,
    qemuTarget: { kind: 'image', file: 'build/loader.img' },
    panel: 'problems',
    centerView: 'graph',
    buildHistory: [],
    buildSettings: { sdk: '', config: 'debug', toolchain: '' },
    theme: initialTheme,
  }));
  const set = store.setState;
  const get = store.getState;
  let tracker = new MilestoneTracker();
  /** The console chunk after which the current boot's timeline starts (a start or a reset). */
  let trackerFrom = 0;
  const resetTracker = () => {
    tracker.reset();
    trackerFrom = seq;
  };
  const CONSOLE_LIMIT = 4 * 1024 * 1024;
  /** Every console's received bytes, time-stamped from its first byte (trimmed to CONSOLE_LIMIT from the front). */
  const consoles = new Map<string, { start: number; total: number; chunks: ConsoleEntry[]; clearedAt: number }>();
  const consoleListeners = new Map<string, Set<(chunk: ConsoleChunk) => void>>();
  let seq = 0;
  let starting = false;
  const received = (id: string, data: Uint8Array) => {
    const now = performance.now();
    let c = consoles.get(id);
    if (!c) consoles.set(id, (c = { start: now, total: 0, chunks: [], clearedAt: 0 }));
    const chunk = { seq: ++seq, t: now - c.start, data };
    c.chunks.push(chunk);
    c.total = trimChunks(c.chunks, c.total + data.length, CONSOLE_LIMIT);
    for (const l of consoleListeners.get(id) ?? []) l(chunk);
  };
  const consoleText = (id: string) => {
    const dec = new TextDecoder();
    return (consoles.get(id)?.chunks ?? []).map((c) => dec.decode(c.data, { stream: true })).join('') + dec.decode();
  };

  let pendingOutput: { buildId: string; step: StepId; data: string }[] = [];
  let pendingProblems: { buildId: string; problem: Diagnostic & { tool: string } }[] = [];
  let pendingProgress: { buildId: string; step: StepId; done: number; total: number } | undefined;
  let flushScheduled = false;
  const flushBuild = () => {
    flushScheduled = false;
    const b = get().build;
    const outs = pendingOutput;
    const probs = pendingProblems;
    pendingOutput = [];
    pendingProblems = [];
    if (!b) return;
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

  const fail = (err: unknown) => {
    const e = err instanceof StudioError ? err : new StudioError('internal', String(err instanceof Error ? err.message : err));
    set({ notice: { kind: 'error', message: e.message } });
    if (e.diagnostics?.length) set({ loadDiagnostics: e.diagnostics, panel: 'problems' });
  };

  const load = (snap: ProjectSnapshot) => {
    const imported = importSystem(snap.systemXml, snap.studio.systemFile);
    const doc: EditorDoc = { system: imported.model ?? emptySystem(), layout: snap.studio.layout };
    set((s) => ({
      opened: s.opened + 1,
      project: { dir: snap.dir, studio: snap.studio },
      doc,
      savedDoc: doc,
      history: emptyHistory(),
      loadDiagnostics: imported.diagnostics,
      recovery: snap.recovery,
      selection: [],
      xmlText: undefined,
      build: undefined,
      buildReport: undefined,
      source: undefined,
      centerView: 'graph',
      buildSettings: { sdk: snap.studio.build.sdkPath ?? '', config: snap.studio.build.config, toolchain: (snap.studio.build.toolchain as BuildSettingsState['toolchain'] | undefined) ?? '' },
      dialog: undefined,
      notice: snap.migrated.length
        ? { kind: 'info', message: `Project file migrated: ${snap.migrated.join('; ')}. Save to keep the new format.` }
        : { kind: 'info', message: `Opened ${snap.studio.name}` },
    }));
    void actions.refreshRecent();
    void actions.loadBuildHistory();
    void client
      .call('fs.readText', { path: 'build/report.txt' })
      .then(({ text }) => set({ buildReport: parseReport(text) }))
      .catch(() => undefined);
    void client
      .call('fs.readText', { path: TIMELINE_PATTERNS_FILE })
      .then(({ text }) => actions.setTimelinePatterns(text, false))
      .catch(() => actions.setTimelinePatterns('', false));
  };

  const payload = (draftAllowed = false) => {
    const { project, doc } = get();
    if (!project) throw new StudioError('no-project', 'no project is open');
    flushXml();
    const { xmlText } = get();
    if (xmlText !== undefined) {
      const imported = importSystem(xmlText, project.studio.systemFile);
      // A recovery file keeps the draft as typed; a save never writes XML that does not parse.
      if (draftAllowed) return { studio: { ...project.studio, layout: doc.layout }, systemXml: xmlText };
      if (!imported.model) {
        const d = imported.diagnostics[0]!;
        throw new StudioError('corrupt', `${d.file}:${d.line}:${d.column}: the XML pane does not parse (${d.message}); fix it or undo, then save`);
      }
    }
    return { studio: { ...project.studio, layout: doc.layout }, systemXml: exportSystem(doc.system) };
  };

  /** The XML pane's draft into the model: one undoable edit, unless it does not parse (then markers say why). */
  let xmlTimer: ReturnType<typeof setTimeout> | undefined;
  let xmlPending = false;
  const flushXml = () => {
    if (xmlTimer !== undefined) clearTimeout(xmlTimer);
    xmlTimer = undefined;
    if (!xmlPending) return;
    xmlPending = false;
    const { xmlText, project, doc, history } = get();
    if (xmlText === undefined || !project) return;
    const imported = importSystem(xmlText, project.studio.systemFile);
    if (!imported.model) return;
    const next = apply(doc, history, replaceSystem('Edit XML', imported.model));
    set({ doc: next.doc, history: next.history, loadDiagnostics: imported.diagnostics, selection: stillSelected(next.doc, get().selection) });
  };

  const actions = {
    async init() {
      try {
        const [host, recent, boards] = await Promise.all([client.call('host.info', {}), client.call('project.recent', {}), client.call('boards.list', {})]);
        set({ host, recent: recent.projects, boards: boards.boards });
        // Templates are an offer, not a requirement: without them New Project still makes a one-PD project.
        void client.call('templates.list', {}).then(({ templates }) => set({ templates }), () => undefined);
        if (host.initialProject) await actions.openProject(host.initialProject);
      } catch (err) {
        fail(err);
      }
      afterStartup(() => void actions.refreshDoctor());
      client.on('process.output', (e) =>
        set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, text: r.text + e.data } : r)) })),
      );
      client.on('process.exit', (e) =>
        set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, exit: e } : r)) })),
      );
      client.on('serial.data', (e) => {
        received(e.id, Uint8Array.from(atob(e.data), (c) => c.charCodeAt(0)));
      });
      client.on('serial.status', (e) =>
        set((s) => ({ serials: s.serials.map((x) => (x.id === e.id ? { ...x, status: e.status, ...(e.detail ? { detail: e.detail } : {}) } : x)) })),
      );
      client.on('qemu.output', (e) => {
        // Output can arrive before qemu.start has answered: keep every byte for the console and the timeline.
        received(e.id, new TextEncoder().encode(e.data));
        if (e.id !== get().qemu?.id && !starting) return;
        const found = tracker.feed(e.data, performance.now());
        if (found.length) set((s) => ({ milestones: [...s.milestones, ...found] }));
      });
      client.on('build.step', (e) => {
        const b = get().build;
        if (!b || b.buildId !== e.buildId) return;
        set({ build: { ...b, steps: b.steps.map((st) => (st.id === e.step ? { ...st, status: e.status, ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}), ...(e.detail ? { detail: e.detail } : {}) } : st)) } });
      });
      // Output and problems arrive in many small events: they are gathered and applied once per frame, so a 10 MB
      // build log streams without re-rendering the panel per chunk (npm run bench).
      client.on('build.output', (e) => {
        pendingOutput.push(e);
        scheduleBuildFlush();
      });
      client.on('build.progress', (e) => {
        pendingProgress = e;
        scheduleBuildFlush();
      });
      client.on('build.problem', (e) => {
        pendingProblems.push(e);
        scheduleBuildFlush();
      });
      client.on('build.done', (e) => {
        flushBuild();
        const b = get().build;
        if (!b || b.buildId !== e.buildId) return;
        set((s) => ({ build: { ...b, record: e.record }, buildHistory: [e.record, ...s.buildHistory].slice(0, 50) }));
        if (e.record.result === 'ok') {
          void client
            .call('fs.readText', { path: 'build/report.txt' })
            .then(({ text }) => set({ buildReport: parseReport(text) }))
            .catch(() => undefined);
          if (b.thenRun && get().project?.studio.board.startsWith('qemu_')) void actions.startQemu({ image: 'build/loader.img' });
        } else set({ panel: 'problems' });
      });
      client.on('qemu.status', (e) => {
        const q = get().qemu;
        if (!q || q.id !== e.id) return;
        const exit = e.status === 'exited' ? (e.code ? `exited with status ${e.code}${e.stderr ? `: ${e.stderr}` : ''}` : e.signal ? `stopped (${e.signal})` : 'stopped') : undefined;
        set({ qemu: { ...q, status: e.status, ...(exit ? { exit } : {}) } });
      });
    },
    async refreshDoctor() {
      try {
        set({ doctor: (await client.call('doctor.check', {})).tools });
      } catch (err) {
        fail(err);
      }
    },
    async refreshRecent() {
      try {
        set({ recent: (await client.call('project.recent', {})).projects });
      } catch {
        // The recent list is a convenience; failing to read it is not worth a notice.
      }
    },
    async newProject(dir: string, name: string, board?: string, template?: string) {
      try {
        load(await client.call('project.create', { dir, name, ...(board ? { board } : {}), ...(template ? { template } : {}) }));
      } catch (err) {
        fail(err);
      }
    },
    async openProject(dir: string) {
      try {
        load(await client.call('project.open', { dir }));
      } catch (err) {
        fail(err);
      }
    },
    async save(): Promise<boolean> {
      try {
        const p = payload();
        const doc = get().doc;
        await client.call('project.save', p);
        set((s) => ({ savedDoc: doc, recovery: undefined, project: s.project && { ...s.project, studio: p.studio }, notice: { kind: 'info', message: `Saved ${p.studio.systemFile} and studio.json` } }));
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    async saveAs(dir: string) {
      try {
        const doc = get().doc;
        const snap = await client.call('project.saveAs', { dir, ...payload() });
        set({ project: { dir: snap.dir, studio: snap.studio }, savedDoc: doc, dialog: undefined, notice: { kind: 'info', message: `Saved as ${snap.dir}` } });
        void actions.refreshRecent();
      } catch (err) {
        fail(err);
      }
    },
    async autosave() {
      if (!isDirty(get()) && get().xmlText === undefined) return;
      try {
        await client.call('project.autosave', payload(true));
      } catch {
        // Autosave is best effort; the next edit tries again and Save reports real errors.
      }
    },
    restoreRecovery() {
      const rec = get().recovery;
      if (!rec) return;
      const imported = importSystem(rec.systemXml, rec.studio.systemFile);
      if (!imported.model) {
        // The autosave caught the XML pane mid-edit: give the text back to the pane, where its errors are marked.
        set({ xmlText: rec.systemXml, recovery: undefined, notice: { kind: 'info', message: 'Recovered XML that does not parse yet: it is in the XML pane with its errors marked' } });
        return;
      }
      const system = imported.model;
      actions.edit({ label: 'Restore autosaved changes', apply: () => ({ system, layout: rec.studio.layout }) });
      set({ recovery: undefined });
    },
    async discardRecovery() {
      set({ recovery: undefined });
      await client.call('project.discardRecovery', {}).catch(fail);
    },
    /** Apply a quick fix: its text is the exported system with the fix made; the edit is undoable. */
    applyFix(fix: { label: string; text: string }) {
      const file = get().project?.studio.systemFile;
      const imported = importSystem(fix.text, file);
      if (!imported.model) return fail(new StudioError('internal', `quick fix "${fix.label}" produced a file that does not parse`));
      actions.edit(replaceSystem(`Quick fix: ${fix.label}`, imported.model));
      // What the importer said of the loaded file no longer describes the document.
      set({ loadDiagnostics: imported.diagnostics });
    },
    edit(edit: Edit) {
      if (!get().project) return;
      flushXml();
      const { doc, history } = apply(get().doc, get().history, edit);
      // A graph edit rewrites the XML from the model; the pane's own text gives way.
      set({ doc, history, xmlText: undefined });
    },
    undo() {
      flushXml();
      const { doc, history } = undoDoc(get().doc, get().history);
      set({ doc, history, xmlText: undefined, selection: stillSelected(doc, get().selection) });
    },
    redo() {
      flushXml();
      const { doc, history } = redoDoc(get().doc, get().history);
      set({ doc, history, xmlText: undefined, selection: stillSelected(doc, get().selection) });
    },
    /** The user typed in the XML pane: shown at once, imported after `delayMs` without typing. */
    editXml(text: string, delayMs = 300) {
      if (!get().project) return;
      set({ xmlText: text });
      xmlPending = true;
      if (xmlTimer !== undefined) clearTimeout(xmlTimer);
      xmlTimer = setTimeout(flushXml, delayMs);
    },
    /** Import the XML pane's text now (before a save, a build, or a test's assertion). */
    flushXml,
    /** Throw away the XML pane's text that does not parse: the pane shows the model again. */
    revertXml() {
      if (xmlTimer !== undefined) clearTimeout(xmlTimer);
      xmlTimer = undefined;
      xmlPending = false;
      set({ xmlText: undefined });
    },
    /** Copy the selected PDs (with children, maps, VM) and regions. */
    copy() {
      const frag = copyFragment(get().doc, get().selection, drawnPositions(get().doc));
      if (frag) set({ clipboard: frag, notice: { kind: 'info', message: `Copied ${[...frag.pds, ...frag.mrs].map((x) => x.name).join(', ')} (Ctrl+V pastes)` } });
      return Boolean(frag);
    },
    /** Paste the clipboard under fresh names, offset from the originals; the pasted items become the selection. */
    paste() {
      const frag = get().clipboard;
      if (!frag || !get().project) return;
      const edit = pasteFragment(frag);
      const names = edit.names(get().doc);
      actions.edit(edit);
      set({ selection: names });
    },
    duplicate() {
      const frag = copyFragment(get().doc, get().selection, drawnPositions(get().doc));
      if (!frag) return;
      const edit = pasteFragment(frag, undefined, 'Duplicate');
      const names = edit.names(get().doc);
      actions.edit(edit);
      set({ selection: names });
    },
    /** Delete the selection; when more goes with it (channels, maps, children), ask first and say what. */
    requestDelete(keys: string[] = get().selection) {
      if (!keys.length || !get().project) return;
      const also = deletePreview(get().doc, keys);
      if (also.length) return set({ pendingDelete: { keys, also } });
      actions.edit(deleteKeys(keys));
      set({ selection: [] });
    },
    confirmDelete() {
      const p = get().pendingDelete;
      if (!p) return;
      actions.edit(deleteKeys(p.keys));
      set({ pendingDelete: undefined, selection: [] });
    },
    cancelDelete() {
      set({ pendingDelete: undefined });
    },
    /** Every PD and region node. */
    selectAll() {
      const d = get().doc;
      set({ selection: [...allProtectionDomains(d.system).map((p) => `pd:${p.name}`), ...d.system.memoryRegions.map((m) => `mr:${m.name}`)] });
    },
    select(keys: string[]) {
      const cur = get().selection;
      if (cur.length !== keys.length || cur.some((k, i) => k !== keys[i])) set({ selection: keys });
    },
    revealInXml(line: number, column: number) {
      set((s) => ({ reveal: { line, column, seq: (s.reveal?.seq ?? 0) + 1 } }));
    },
    async runTool(tool: string, args: string[], label?: string) {
      set({ panel: 'output' });
      try {
        const { runId, command } = await client.call('process.start', { tool, args });
        set((s) => ({ runs: [...s.runs, { runId, label: label ?? command.join(' '), command, text: '' }] }));
        return runId;
      } catch (err) {
        fail(err);
        return undefined;
      }
    },
    async cancelRun(runId: string) {
      await client.call('process.cancel', { runId }).catch(fail);
    },
    async startQemu(target: { image?: string; kernel?: string }, extraArgs: string[] = []) {
      const project = get().project;
      if (!project) return fail(new StudioError('no-project', 'open a project first: QEMU boots its build output'));
      if (get().qemu && get().qemu!.status !== 'exited') return fail(new StudioError('conflict', 'a QEMU is already running in this tab: stop it first'));
      resetTracker();
      set({ milestones: [], monitorText: '', panel: 'terminal', qemuTarget: target.image !== undefined ? { kind: 'image', file: target.image } : { kind: 'kernel', file: target.kernel ?? '' } });
      starting = true;
      try {
        const params = { board: project.studio.board, ...target, ...(extraArgs.length ? { extraArgs } : {}) };
        const { id, command } = await client.call('qemu.start', params as never);
        set({ qemu: { id, status: 'running', command } });
      } catch (err) {
        fail(err);
      } finally {
        starting = false;
      }
    },
    async controlQemu(action: 'pause' | 'resume' | 'reset' | 'stop') {
      const q = get().qemu;
      if (!q) return;
      if (action === 'reset') {
        resetTracker();
        set({ milestones: [] });
      }
      try {
        const { status } = await client.call('qemu.control', { id: q.id, action });
        set((s) => ({ qemu: s.qemu && { ...s.qemu, status: s.qemu.status === 'exited' ? 'exited' : status } }));
      } catch (err) {
        fail(err);
      }
    },
    async monitorQemu(command: string) {
      const q = get().qemu;
      if (!q) return;
      try {
        const { text } = await client.call('qemu.monitor', { id: q.id, command });
        set((s) => ({ monitorText: `${s.monitorText}(qemu) ${command}\n${text}` }));
      } catch (err) {
        fail(err);
      }
    },
    /** Everything the console has received since it was last cleared, then each new chunk; returns the detach function. */
    attachConsole(id: string, onChunk: (chunk: ConsoleChunk) => void): () => void {
      const c = consoles.get(id);
      for (const chunk of c?.chunks ?? []) if (chunk.seq > c!.clearedAt) onChunk(chunk);
      const set = consoleListeners.get(id) ?? new Set();
      consoleListeners.set(id, set);
      set.add(onChunk);
      return () => set.delete(onChunk);
    },
    /** Clears the screen; the bytes stay in the log file and the boot report. */
    clearConsole(id: string) {
      const c = consoles.get(id);
      if (c) c.clearedAt = seq;
    },
    /** Everything the console received, as text (for copying or a report). */
    consoleText,
    async listSerialPorts(): Promise<{ path: string; name: string; tcu?: boolean }[]> {
      try {
        return (await client.call('serial.list', {})).ports;
      } catch (err) {
        fail(err);
        return [];
      }
    },
    async openSerial(target: string, o: SerialOpenOptions) {
      try {
        const logFile = o.log ? `logs/${target.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+/, '')}.log` : undefined;
        const { id } = await client.call('serial.open', {
          target,
          baudRate: o.baudRate,
          tcu: o.tcu,
          enter: o.enter,
          framing: o.framing,
          flowControl: o.flowControl,
          ...(logFile ? { log: logFile } : {}),
        });
        set((s) => ({ serials: [...s.serials, { id, target, status: 'open', tcu: o.tcu }], activeConsole: id, panel: 'terminal' }));
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    sendSerial(id: string, data: string) {
      const bytes = new TextEncoder().encode(data);
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      void client.call('serial.send', { id, data: btoa(bin) }).catch(fail);
    },
    async closeSerial(id: string) {
      await client.call('serial.close', { id }).catch(fail);
      set((s) => ({ serials: s.serials.filter((x) => x.id !== id), activeConsole: s.activeConsole === id ? 'qemu' : s.activeConsole }));
    },
    async breakSerial(id: string) {
      await client.call('serial.break', { id }).catch(fail);
    },
    /**
     * The project's milestone patterns: checked, used ahead of the built-in ones, re-applied to the boot on screen,
     * and (when `save`) written to timeline-patterns.txt in the project.
     */
    async setTimelinePatterns(text: string, save = true) {
      const { patterns, errors } = parseUserPatterns(text);
      set({ timelinePatterns: text, patternErrors: errors });
      if (errors.length) return false;
      tracker = new MilestoneTracker([...patterns, ...DEFAULT_PATTERNS]);
      const q = get().qemu;
      const c = q && consoles.get(q.id);
      const again: Milestone[] = [];
      if (c) {
        const dec = new TextDecoder();
        for (const chunk of c.chunks) if (chunk.seq > trackerFrom) again.push(...tracker.feed(dec.decode(chunk.data, { stream: true }), c.start + chunk.t));
      }
      set({ milestones: again });
      if (save && get().project) {
        try {
          await client.call('fs.writeText', { path: TIMELINE_PATTERNS_FILE, text });
        } catch (err) {
          fail(err);
          return false;
        }
      }
      return true;
    },
    setConsoleView(id: string, patch: Partial<ConsoleViewState>) {
      set((s) => ({ consoleViews: { ...s.consoleViews, [id]: { ...defaultConsoleView, ...s.consoleViews[id], ...patch } } }));
    },
    setScrollback(lines: number) {
      if (Number.isInteger(lines) && lines >= 0 && lines <= 1_000_000) set({ scrollback: lines });
    },
    setPresentation(on: boolean) {
      set({ presentation: on });
    },
    /** The boot as a standalone HTML page (timeline + console) in the project's reports/ folder. */
    async exportBootReport(): Promise<string | undefined> {
      const { qemu, project, milestones } = get();
      if (!qemu || !project) return undefined;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
      const file = `reports/boot-${stamp}.html`;
      const html = bootReportHtml({
        title: `${project.studio.name}: boot on ${project.studio.board}`,
        subtitle: `${new Date().toLocaleString()} · ${qemu.command.join(' ')}`,
        log: consoleText(qemu.id),
        milestones,
      });
      try {
        await client.call('fs.writeText', { path: file, text: html });
        set({ notice: { kind: 'info', message: `Boot report written to ${file}` } });
        return file;
      } catch (err) {
        fail(err);
        return undefined;
      }
    },
    showConsole(id: string) {
      set({ activeConsole: id });
    },
    sendToQemu(data: string) {
      const q = get().qemu;
      if (q && q.status !== 'exited') void client.call('qemu.input', { id: q.id, data }).catch(() => undefined);
    },
    setPanel(panel: PanelTab) {
      set({ panel });
    },
    /** Build the project (Ctrl+Shift+B); with `run`, boot the image in QEMU when it succeeds (F5). */
    async startBuild(run = false) {
      const { project, build, buildSettings } = get();
      if (!project) return fail(new StudioError('no-project', 'open a project first'));
      if (build && !build.record) return fail(new StudioError('conflict', 'a build is already running: cancel it first'));
      flushXml();
      try {
        const p = payload();
        const { buildId, steps } = await client.call('build.start', {
          systemXml: p.systemXml,
          board: project.studio.board,
          config: buildSettings.config,
          ...(buildSettings.sdk ? { sdk: buildSettings.sdk } : {}),
          ...(buildSettings.toolchain ? { toolchain: buildSettings.toolchain } : {}),
        });
        set({ panel: 'build', build: { buildId, steps: steps.map((st) => ({ ...st, status: 'pending' })), output: {}, outputLines: {}, problems: [], thenRun: run } });
      } catch (err) {
        set({ panel: 'build' });
        fail(err);
      }
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
    /** Build settings: used by the next build, and kept in studio.json on the next save. */
    setBuildSettings(patch: Partial<BuildSettingsState>) {
      set((s) => {
        const buildSettings = { ...s.buildSettings, ...patch };
        const build = { config: buildSettings.config, ...(buildSettings.sdk ? { sdkPath: buildSettings.sdk } : {}), ...(buildSettings.toolchain ? { toolchain: buildSettings.toolchain } : {}) };
        return { buildSettings, project: s.project && { ...s.project, studio: { ...s.project.studio, build } } };
      });
    },
    /** Open a project file in the source editor, at a line. */
    async openSource(file: string, line?: number) {
      try {
        const cur = get().source;
        const text = cur && cur.path === file ? cur.text : (await client.call('fs.readText', { path: file })).text;
        const saved = cur && cur.path === file ? cur.saved : text;
        set({ source: { path: file, text, saved, ...(line ? { line } : {}), seq: (cur?.seq ?? 0) + 1 }, centerView: 'source' });
      } catch (err) {
        fail(err);
      }
    },
    editSource(text: string) {
      const cur = get().source;
      if (cur) set({ source: { ...cur, text } });
    },
    async saveSource() {
      const cur = get().source;
      if (!cur) return false;
      try {
        await client.call('fs.writeText', { path: cur.path, text: cur.text });
        set((s) => ({ source: s.source && { ...s.source, saved: cur.text }, notice: { kind: 'info', message: `Saved ${cur.path}` } }));
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    /** The project's board (kept in studio.json on the next save); the checks and the build follow it. */
    setBoard(board: string) {
      set((s) => ({ project: s.project && { ...s.project, studio: { ...s.project.studio, board } } }));
    },
    setCenterView(centerView: 'graph' | 'memory' | 'source') {
      set({ centerView });
    },
    setTheme(theme: 'light' | 'dark') {
      set({ theme });
    },
    async pickDirectory(title: string, mode: 'open' | 'create'): Promise<string | null> {
      try {
        return (await client.call('project.pickDirectory', { title, mode })).dir;
      } catch (err) {
        fail(err);
        return null;
      }
    },
    openDialog(dialog: DialogKind | undefined) {
      set({ dialog });
    },
    dismissNotice() {
      set({ notice: undefined });
    },
    notify(notice: Notice) {
      set({ notice });
    },
  };
  return Object.assign(store, { actions });
}

export type StudioStore = ReturnType<typeof createStudioStore>;
