import type { ProjectSnapshot } from '../../../shared/api/contract';
import type { StudioFile } from '../../../shared/model/project';
import { buildSettingsOf } from './buildSlice';
import { documentFromSnapshot, isDirty, savePayload } from './documentSlice';
import { failure, type SliceFactory } from './slice';

/** The open project: its folder and studio.json; opening, saving, autosave. */
export interface ProjectState {
  project?: { dir: string; studio: StudioFile };
  /** Counts project loads (opening the same folder again counts too): the canvas fits the system on each. */
  opened: number;
}

export interface ProjectActions {
  newProject(dir: string, name: string, board?: string, template?: string): Promise<void>;
  openProject(dir: string): Promise<void>;
  save(): Promise<boolean>;
  saveAs(dir: string): Promise<void>;
  /** A recovery file of unsaved changes (never the project files themselves). */
  autosave(): Promise<void>;
  pickDirectory(title: string, mode: 'open' | 'create'): Promise<string | null>;
  /** The project's board (an undoable change, saved with the project); the checks and the build follow it. */
  setBoard(board: string): void;
}

export const createProjectSlice: SliceFactory<ProjectState, ProjectActions> = (client, set, get, actions) => {
  /** A project's load replaces, in one update, everything that described the previous one. */
  const load = (snap: ProjectSnapshot) => {
    set((s) => ({
      ...documentFromSnapshot(snap),
      opened: s.opened + 1,
      project: { dir: snap.dir, studio: snap.studio },
      build: undefined,
      buildReport: undefined,
      buildSettings: buildSettingsOf(snap.studio),
      source: undefined,
      centerView: 'graph',
      dialog: undefined,
      notice: snap.migrated.length
        ? { kind: 'info', message: `Project file migrated: ${snap.migrated.join('; ')}. Save to keep the new format.` }
        : { kind: 'info', message: `Opened ${snap.studio.name}` },
    }));
    void actions.refreshRecent();
    void actions.loadBuildHistory();
    void actions.loadBuildReport();
    void actions.loadTimelinePatterns();
  };

  return {
    state: { project: undefined, opened: 0 },
    actions: {
      async newProject(dir: string, name: string, board?: string, template?: string) {
        try {
          load(await client.call('project.create', { dir, name, ...(board ? { board } : {}), ...(template ? { template } : {}) }));
        } catch (err) {
          set(failure(err));
        }
      },
      async openProject(dir: string) {
        try {
          load(await client.call('project.open', { dir }));
        } catch (err) {
          set(failure(err));
        }
      },
      async save() {
        try {
          actions.flushXml();
          const p = savePayload(get());
          const doc = get().doc;
          await client.call('project.save', p);
          set((s) => ({ savedDoc: doc, recovery: undefined, project: s.project && { ...s.project, studio: p.studio }, notice: { kind: 'info', message: `Saved ${p.studio.systemFile} and studio.json` } }));
          return true;
        } catch (err) {
          set(failure(err));
          return false;
        }
      },
      async saveAs(dir: string) {
        try {
          actions.flushXml();
          const p = savePayload(get());
          const doc = get().doc;
          const snap = await client.call('project.saveAs', { dir, ...p });
          set({ project: { dir: snap.dir, studio: snap.studio }, savedDoc: doc, dialog: undefined, notice: { kind: 'info', message: `Saved as ${snap.dir}` } });
          void actions.refreshRecent();
        } catch (err) {
          set(failure(err));
        }
      },
      async autosave() {
        if (!isDirty(get()) && get().xmlText === undefined) return;
        try {
          actions.flushXml();
          await client.call('project.autosave', savePayload(get(), true));
        } catch {
          // Autosave is best effort; the next edit tries again and Save reports real errors.
        }
      },
      async pickDirectory(title: string, mode: 'open' | 'create') {
        try {
          return (await client.call('project.pickDirectory', { title, mode })).dir;
        } catch (err) {
          set(failure(err));
          return null;
        }
      },
      setBoard(board: string) {
        actions.setSettings({ board }, `Board: ${board}`);
      },
    },
    dispose() {},
  };
};
