import type { Diagnostic } from '../../../shared/api/diagnostics';
import type { ProjectSnapshot } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import { applyEdit as apply, emptyHistory, redo as redoDoc, replaceSystem, undo as undoDoc, type Edit, type EditorDoc, type History } from '../../../shared/model/edits';
import type { StudioFile } from '../../../shared/model/project';
import { emptySystem } from '../../../shared/model/system';
import { sourceKeysOf } from '../../../shared/model/graphKeys';
import { exportSystem } from '../../../shared/sdf/export';
import { importSystem } from '../../../shared/sdf/import';
import { failure, type SliceFactory, type StudioState } from './slice';

/** The open system description, its undo history, the XML pane's draft and the autosave on offer. */
export interface DocumentState {
  doc: EditorDoc;
  history: History;
  savedDoc?: EditorDoc;
  /** Problems found when the .system was loaded (before any edit). */
  loadDiagnostics: Diagnostic[];
  recovery?: ProjectSnapshot['recovery'];
  /**
   * The XML pane's text while the user edits it (undefined: the pane shows the model's export). It is imported into
   * the model after a pause in typing; while it does not parse, the graph keeps the last good model.
   */
  xmlText?: string;
  /** Last XML line to reveal in the preview (from a clicked problem). */
  reveal?: { line: number; column: number; seq: number };
}

export interface DocumentActions {
  edit(edit: Edit): void;
  undo(): void;
  redo(): void;
  /** The user typed in the XML pane: shown at once, imported after `delayMs` without typing. */
  editXml(text: string, delayMs?: number): void;
  /** Import the XML pane's text now (before a save, a build, or a test's assertion). */
  flushXml(): void;
  /** Throw away the XML pane's text that does not parse: the pane shows the model again. */
  revertXml(): void;
  /** Apply a quick fix: its text is the exported system with the fix made; the edit is undoable. */
  applyFix(fix: { label: string; text: string }): void;
  restoreRecovery(): void;
  discardRecovery(): Promise<void>;
  revealInXml(line: number, column: number): void;
}

const blankDoc = (): EditorDoc => ({ system: emptySystem(), layout: { nodes: {} } });

/** The selected keys that still name something in the document (after undo, redo or an XML edit). */
export function stillSelected(doc: EditorDoc, selection: string[]): string[] {
  if (!selection.length) return selection;
  const sources = [...importSystem(exportSystem(doc.system)).sources.keys()];
  const kept = selection.filter((k) => sourceKeysOf(sources, k).length > 0);
  return kept.length === selection.length ? selection : kept;
}

export function isDirty(s: Pick<StudioState, 'doc' | 'savedDoc' | 'project'>): boolean {
  return Boolean(s.project) && s.doc !== s.savedDoc;
}

/** The document state of a freshly loaded project (nothing selected, no draft, no history). */
export function documentFromSnapshot(snap: ProjectSnapshot): Partial<StudioState> {
  const imported = importSystem(snap.systemXml, snap.studio.systemFile);
  const doc: EditorDoc = { system: imported.model ?? emptySystem(), layout: snap.studio.layout };
  return { doc, savedDoc: doc, history: emptyHistory(), loadDiagnostics: imported.diagnostics, recovery: snap.recovery, selection: [], xmlText: undefined };
}

/**
 * What Save, Save As, autosave and the build write: studio.json and the .system text. Call `flushXml()` first so a
 * draft typed a moment ago is in the model. `draftAllowed`: a recovery file keeps a draft that does not parse.
 */
export function savePayload(s: Pick<StudioState, 'project' | 'doc' | 'xmlText'>, draftAllowed = false): { studio: StudioFile; systemXml: string } {
  const { project, doc, xmlText } = s;
  if (!project) throw new StudioError('no-project', 'no project is open');
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
}

export const createDocumentSlice: SliceFactory<DocumentState, DocumentActions> = (client, set, get, actions) => {
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
  return {
    state: { doc: blankDoc(), history: emptyHistory(), savedDoc: undefined, loadDiagnostics: [], recovery: undefined, xmlText: undefined, reveal: undefined },
    actions: {
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
      editXml(text: string, delayMs = 300) {
        if (!get().project) return;
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
        const file = get().project?.studio.systemFile;
        const imported = importSystem(fix.text, file);
        if (!imported.model) return set(failure(new StudioError('internal', `quick fix "${fix.label}" produced a file that does not parse`)));
        actions.edit(replaceSystem(`Quick fix: ${fix.label}`, imported.model));
        // What the importer said of the loaded file no longer describes the document.
        set({ loadDiagnostics: imported.diagnostics });
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
