import type { Diagnostic } from '../../../shared/api/diagnostics';
import type { ProjectSnapshot } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import { emptyHistory, pushHistory, redo as redoDoc, undo as undoDoc, type Edit, type History } from '../../../shared/model/edits';
import { followLayout } from '../../../shared/model/follow';
import type { StudioFile } from '../../../shared/model/project';
import { emptySystem } from '../../../shared/model/system';
import { sourceKeysOf } from '../../../shared/model/graphKeys';
import { analyzeText, editSystemDoc, UneditableText, type SystemDoc } from '../../../shared/sdf/document';
import { formatSystemText } from '../../../shared/sdf/format';
import { placeOf, type CompositeSource } from '../../../shared/sdf/composite';
import { editComposite } from '../../../shared/sdf/compositeEdit';
import { editSystemDocEdits } from '../../../shared/sdf/document';
import { buildSettingsOf } from './buildSlice';
import { failure, type GetState, type SliceFactory, type StudioState } from './slice';

/** What of the project an edit can change besides the file: its board and build settings (undoable, saved with it). */
export interface ProjectSettings {
  board: string;
  build: StudioFile['build'];
}

/**
 * The open system description: the file's text (saved byte for byte), the model read from it, the layout and the
 * project settings. Every change is one undo step recording the whole document, so undo gives back the exact bytes.
 */
export type StudioDoc = SystemDoc & {
  settings: ProjectSettings;
  /**
   * When the text is made of several files (a preprocessed cpp template, a system with XIncludes): where each part
   * comes from, and every file's text as edited. Edits map into those files; the text itself is never written.
   */
  composite?: CompositeSource;
};

export interface DocumentState {
  doc: StudioDoc;
  history: History<StudioDoc>;
  savedDoc?: StudioDoc;
  /** Problems the host reported with an error (a corrupt studio.json, a refused save); the text's own come from its analysis. */
  loadDiagnostics: Diagnostic[];
  recovery?: ProjectSnapshot['recovery'];
  /**
   * The XML pane's text while the user types (undefined: the pane shows the document's text). It becomes the
   * document's text after a pause in typing, as typed; while it does not parse, the graph keeps the last good model.
   */
  xmlText?: string;
  /** Last XML line to reveal in the preview (from a clicked problem). */
  reveal?: { line: number; column: number; seq: number };
}

export interface DocumentActions {
  edit(edit: Edit): void;
  undo(): void;
  redo(): void;
  /** The user typed in the XML pane: shown at once, made the document's text after `delayMs` without typing. */
  editXml(text: string, delayMs?: number): void;
  /** Take the XML pane's text now (before a save, a build, or a test's assertion). */
  flushXml(): void;
  /** Throw away the XML pane's text that does not parse: the pane shows the document again. */
  revertXml(): void;
  /** Apply a quick fix: its text is the document's text with the fix made; the edit is undoable. */
  applyFix(fix: { label: string; text: string }): void;
  /** Re-indent the file (comments, blank-line groups and values kept): one undo step. */
  formatDocument(): void;
  /** The project's board and build settings: undoable, and they mark the project changed. */
  setSettings(patch: Partial<ProjectSettings>, label: string): void;
  restoreRecovery(): void;
  discardRecovery(): Promise<void>;
  revealInXml(line: number, column: number): void;
}

const blankDoc = (): StudioDoc => ({ text: '', system: emptySystem(), layout: { nodes: {} }, settings: { board: '', build: { config: 'debug' } } });

/** The name the document's problems and places use (the project's system file). */
export const docFile = (s: Pick<StudioState, 'project' | 'docPath'>) => s.docPath ?? s.project?.studio.systemFile ?? 'system.system';

/** The selected keys that still name something in the document (after undo, redo or an XML edit). */
export function stillSelected(doc: SystemDoc, selection: string[], file: string): string[] {
  if (!selection.length) return selection;
  const sources = [...analyzeText(doc.text, file).sources.keys()];
  const kept = selection.filter((k) => sourceKeysOf(sources, k).length > 0);
  return kept.length === selection.length ? selection : kept;
}

export function isDirty(s: Pick<StudioState, 'doc' | 'savedDoc' | 'project'>): boolean {
  return Boolean(s.project) && s.doc !== s.savedDoc;
}

/** The document state of a freshly loaded project (nothing selected, no draft, no history). */
export function documentFromSnapshot(snap: ProjectSnapshot): Partial<StudioState> {
  const file = snap.studio.systemFile;
  const doc: StudioDoc = {
    text: snap.systemXml,
    system: analyzeText(snap.systemXml, file).model ?? emptySystem(),
    layout: snap.studio.layout,
    settings: { board: snap.studio.board, build: snap.studio.build },
  };
  return { doc, savedDoc: doc, history: emptyHistory(), loadDiagnostics: [], recovery: snap.recovery, selection: [], xmlText: undefined };
}

/**
 * What Save, Save As, autosave and the build write: studio.json and the .system text exactly as the document holds
 * it. Call `flushXml()` first so a draft typed a moment ago is in the document. `draftAllowed`: a recovery file
 * keeps a draft that does not parse; a save never writes one.
 */
export function savePayload(s: Pick<StudioState, 'project' | 'doc' | 'xmlText'>, draftAllowed = false): { studio: StudioFile; systemXml: string } {
  const { project, doc, xmlText } = s;
  if (!project) throw new StudioError('no-project', 'no project is open');
  const studio: StudioFile = { ...project.studio, layout: doc.layout, board: doc.settings.board, build: doc.settings.build };
  if (xmlText !== undefined && xmlText !== doc.text) {
    if (draftAllowed) return { studio, systemXml: xmlText };
    const d = analyzeText(xmlText, project.studio.systemFile).diagnostics[0];
    throw new StudioError('corrupt', `${d?.file}:${d?.line}:${d?.column}: the XML pane does not parse (${d?.message}); fix it or undo, then save`);
  }
  return { studio, systemXml: doc.text };
}

type StepListener = (dir: 'undo' | 'redo', before: StudioDoc, after: StudioDoc) => void;
const stepListeners = new WeakMap<GetState, StepListener[]>();
/**
 * Hear every undo and redo of a store (by its `get`): an edit that also changed files (a PD rename moving its program)
 * changes them back when its step is undone and again when it is redone.
 */
export function onHistoryStep(get: GetState, listener: StepListener): void {
  stepListeners.set(get, [...(stepListeners.get(get) ?? []), listener]);
}

export const createDocumentSlice: SliceFactory<DocumentState, DocumentActions> = (client, set, get, actions) => {
  /** Make `doc` current: the project's settings and the build settings follow the document's (undo included). */
  const commit = (doc: StudioDoc, history: History<StudioDoc>, extra: Partial<StudioState> = {}) =>
    set((s) => {
      const project = s.project && (s.project.studio.board === doc.settings.board && s.project.studio.build === doc.settings.build ? s.project : { ...s.project, studio: { ...s.project.studio, board: doc.settings.board, build: doc.settings.build } });
      return { doc, history, ...(project !== s.project ? { project, buildSettings: buildSettingsOf(project!.studio) } : {}), ...extra };
    });
  /** A new text for the document as one undo step (XML typed, a quick fix, Format, a recovery). */
  const replaceText = (label: string, text: string): boolean => {
    const { doc, history } = get();
    const model = analyzeText(text, docFile(get())).model;
    if (!model) return false;
    // Typed renames keep their node's place (and a collapsed group stays collapsed): shared/model/follow.ts.
    const next = pushHistory(doc, history, { ...doc, text, system: model, layout: followLayout(doc.system, model, doc.layout) }, label);
    commit(next.doc, next.history, { selection: stillSelected(next.doc, get().selection, docFile(get())) });
    return true;
  };

  /** An edit of a document made of several files: it goes into the files whose text it touches, or is refused. */
  const editComposed = (doc: StudioDoc, history: History<StudioDoc>, edit: Edit) => {
    const c = doc.composite!;
    const r = editSystemDocEdits(doc, edit, docFile(get()));
    if (r.doc.system === doc.system) {
      if (r.doc.layout === doc.layout) return;
      const moved = pushHistory(doc, history, { ...doc, layout: r.doc.layout }, edit.label);
      return commit(moved.doc, moved.history);
    }
    const out = r.edits ? editComposite(c, r.edits) : undefined;
    const outside = out && !('unmapped' in out) && out.fileEdits.find((f) => f.file.startsWith('..'));
    if (!out || 'unmapped' in out || outside) {
      // The change touches text the preprocessor generated (a macro's expansion) or a file outside the folder: the
      // user makes it in the source, shown at the place.
      const at = placeOf(c, out && 'unmapped' in out ? out.unmapped.start : 0);
      set({ notice: { kind: 'error', message: `${edit.label}: that text comes from ${at.file}:${at.line} through the preprocessor; change it there (opened in the editor)` } });
      if (!at.file.startsWith('..')) void actions.openSource(at.file, at.line);
      return;
    }
    const next = pushHistory(doc, history, { ...r.doc, settings: doc.settings, composite: out.composite }, edit.label);
    commit(next.doc, next.history, { xmlText: undefined });
  };
  /** What cannot be done on a composed text (typing in it, a whole-text fix, Format): say where to do it instead. */
  const refuseComposed = (what: string): boolean => {
    const c = get().doc.composite;
    if (!c) return false;
    set({ notice: { kind: 'error', message: `${what}: this is ${c.main} as the tools read it (preprocessed or with its includes); edit the files it is made of in the source editor` } });
    void actions.openSource(c.main);
    return true;
  };

  let xmlTimer: ReturnType<typeof setTimeout> | undefined;
  let xmlPending = false;
  /** The XML pane's draft becomes the document's text as typed, unless it does not parse (then markers say why). */
  const flushXml = () => {
    if (xmlTimer !== undefined) clearTimeout(xmlTimer);
    xmlTimer = undefined;
    if (!xmlPending) return;
    xmlPending = false;
    const { xmlText, project, doc } = get();
    if (xmlText === undefined || !project) return;
    if (xmlText === doc.text) return set({ xmlText: undefined });
    if (replaceText('Edit XML', xmlText)) set({ xmlText: undefined });
  };
  const step = (dir: 'undo' | 'redo') => {
    flushXml();
    const before = get().doc;
    const { doc, history } = (dir === 'undo' ? undoDoc : redoDoc)(before, get().history);
    commit(doc, history, { xmlText: undefined, selection: stillSelected(doc, get().selection, docFile(get())) });
    if (doc !== before) for (const listener of stepListeners.get(get) ?? []) listener(dir, before, doc);
  };
  return {
    state: { doc: blankDoc(), history: emptyHistory(), savedDoc: undefined, loadDiagnostics: [], recovery: undefined, xmlText: undefined, reveal: undefined },
    actions: {
      edit(edit: Edit) {
        if (!get().project) return;
        flushXml();
        const { doc, history } = get();
        try {
          if (doc.composite) return editComposed(doc, history, edit);
          const next = editSystemDoc(doc, edit, docFile(get()));
          if (next === doc) return;
          const { lossy, ...rest } = next;
          const r = pushHistory(doc, history, { ...rest, settings: doc.settings }, edit.label);
          // A graph edit changes the text in place; the pane's draft (if any) gives way.
          commit(r.doc, r.history, { xmlText: undefined, ...(lossy ? { notice: { kind: 'info', message: `${edit.label}: the file could not be changed in place and was written in canonical form (undo restores it)` } } : {}) });
        } catch (err) {
          if (err instanceof UneditableText) return set(failure(new StudioError('corrupt', err.message)));
          throw err;
        }
      },
      undo: () => step('undo'),
      redo: () => step('redo'),
      editXml(text: string, delayMs = 300) {
        if (!get().project) return;
        if (get().doc.composite) {
          if (text !== get().doc.text) refuseComposed('Typing here');
          return;
        }
        set({ xmlText: text });
        xmlPending = true;
        if (xmlTimer !== undefined) clearTimeout(xmlTimer);
        xmlTimer = setTimeout(flushXml, delayMs);
      },
      flushXml,
      revertXml() {
        if (xmlTimer !== undefined) clearTimeout(xmlTimer);
        xmlTimer = undefined;
        xmlPending = false;
        set({ xmlText: undefined });
      },
      applyFix(fix: { label: string; text: string }) {
        if (refuseComposed(`Quick fix "${fix.label}"`)) return;
        flushXml();
        if (!replaceText(`Quick fix: ${fix.label}`, fix.text)) set(failure(new StudioError('internal', `quick fix "${fix.label}" produced a file that does not parse`)));
      },
      formatDocument() {
        if (!get().project || refuseComposed('Format')) return;
        flushXml();
        try {
          const text = formatSystemText(get().doc.text);
          if (text !== get().doc.text) replaceText('Format', text);
        } catch {
          set(failure(new StudioError('corrupt', `${docFile(get())} does not parse: fix it before formatting`)));
        }
      },
      setSettings(patch: Partial<ProjectSettings>, label: string) {
        if (!get().project) return;
        const { doc, history } = get();
        const settings = { ...doc.settings, ...patch };
        if (settings.board === doc.settings.board && JSON.stringify(settings.build) === JSON.stringify(doc.settings.build)) return;
        const r = pushHistory(doc, history, { ...doc, settings }, label);
        commit(r.doc, r.history);
      },
      restoreRecovery() {
        const rec = get().recovery;
        if (!rec) return;
        set({ recovery: undefined });
        if (!analyzeText(rec.systemXml, docFile(get())).model) {
          // The autosave caught the XML pane mid-edit: give the text back to the pane, where its errors are marked.
          set({ xmlText: rec.systemXml, notice: { kind: 'info', message: 'Recovered XML that does not parse yet: it is in the XML pane with its errors marked' } });
          return;
        }
        const { doc, history } = get();
        const system = analyzeText(rec.systemXml, docFile(get())).model!;
        const r = pushHistory(doc, history, { ...doc, text: rec.systemXml, system, layout: rec.studio.layout, settings: { board: rec.studio.board, build: rec.studio.build } }, 'Restore autosaved changes');
        commit(r.doc, r.history);
      },
      async discardRecovery() {
        set({ recovery: undefined });
        await client.call('project.discardRecovery', {}).catch((err: unknown) => set(failure(err)));
      },
      revealInXml(line: number, column: number) {
        set((s) => ({ reveal: { line, column, seq: (s.reveal?.seq ?? 0) + 1 } }));
      },
    },
    dispose() {
      // A pending import of the XML pane must not fire into a store that is gone.
      if (xmlTimer !== undefined) clearTimeout(xmlTimer);
      xmlTimer = undefined;
    },
  };
};
