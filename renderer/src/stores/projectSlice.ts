import type { ProjectSnapshot } from '../../../shared/api/contract';
import type { StudioFile } from '../../../shared/model/project';
import { buildSettingsOf } from './buildSlice';
import { documentFromSnapshot, isDirty, savePayload } from './documentSlice';
import { failure, type SliceFactory } from './slice';
import { filesFromSnapshot } from './filesSlice';
import { StudioError } from '../../../shared/api/errors';
import { defaultFolderSettings, type FolderSettings } from '../../../shared/model/folderSettings';

/** The folder settings after a save: the project's board and build settings, this file's layout (only what changed is new). */
function folderSettingsOf(current: FolderSettings | undefined, studio: StudioFile, docPath: string | undefined): FolderSettings {
  const base = current ?? defaultFolderSettings();
  const build = { ...base.build, config: studio.build.config, ...(studio.build.toolchain ? { toolchain: studio.build.toolchain } : {}), ...(studio.build.sdkPath ? { sdkPath: studio.build.sdkPath } : {}) };
  if (!studio.build.toolchain) delete build.toolchain;
  if (!studio.build.sdkPath) delete build.sdkPath;
  const next: FolderSettings = { ...base, board: studio.board, build };
  if (docPath && (Object.keys(studio.layout.nodes).length || studio.layout.collapsed?.length)) next.layouts = { ...base.layouts, [docPath]: studio.layout };
  // Unchanged settings compare equal to the current ones, so nothing is written.
  if (base.board === undefined && studio.board === 'qemu_virt_aarch64') delete next.board;
  if (base.build.config === undefined && studio.build.config === 'debug') delete next.build.config;
  return next;
}

/** The open project: its folder and studio.json; opening, saving, autosave. */
export interface ProjectState {
  /** `kind`: a folder with studio.json (a seL4 Studio project) or any folder (a checkout; settings in .sel4-studio/). */
  project?: { dir: string; studio: StudioFile; kind: ProjectSnapshot['kind'] };
  /** Counts project loads (opening the same folder again counts too): the canvas fits the system on each. */
  opened: number;
}

export interface ProjectActions {
  newProject(dir: string, name: string, board?: string, template?: string): Promise<void>;
  /** `reopen`: the start-up reopen of the last project, which leaves a dialog the user opened meanwhile open. */
  openProject(dir: string, opts?: { reopen?: boolean }): Promise<void>;
  save(): Promise<boolean>;
  saveAs(dir: string): Promise<void>;
  /** A recovery file of unsaved changes (never the project files themselves). */
  autosave(): Promise<void>;
  pickDirectory(title: string, mode: 'open' | 'create'): Promise<string | null>;
  /** The project's board (an undoable change, saved with the project); the checks and the build follow it. */
  setBoard(board: string): void;
  /**
   * After the link to the host came back (the host may be a new process that knows nothing of this tab): reopen the
   * tab's folder there without replacing the tab's document, watch its files again, and hand over unsaved edits at
   * once (autosave), so what was typed while the host was away is not lost.
   */
  rejoinHost(): Promise<void>;
}

export const createProjectSlice: SliceFactory<ProjectState, ProjectActions> = (client, set, get, actions) => {
  /** A project's load replaces, in one update, everything that described the previous one. */
  const load = (snap: ProjectSnapshot, keepDialog = false) => {
    set((s) => ({
      ...documentFromSnapshot(snap),
      ...filesFromSnapshot(snap),
      opened: s.opened + 1,
      project: { dir: snap.dir, studio: snap.studio, kind: snap.kind },
      build: undefined,
      buildReport: undefined,
      buildSettings: buildSettingsOf(snap.studio),
      source: undefined,
      // A wizard session belongs to the project it was opened on.
      wizard: undefined,
      wizardOpen: false,
      centerView: 'graph',
      dialog: keepDialog ? s.dialog : undefined,
      notice: snap.migrated.length
        ? { kind: 'info', message: `Project file migrated: ${snap.migrated.join('; ')}. Save to keep the new format.` }
        : snap.settingsProblems?.length
          ? { kind: 'error', message: `${snap.settingsProblems[0]!.file}:${snap.settingsProblems[0]!.line}:${snap.settingsProblems[0]!.column}: ${snap.settingsProblems[0]!.message} (defaults are used; the file is left as it is)` }
          : { kind: 'info', message: snap.systemPath === null ? `Opened ${snap.dir}: no system description in it yet` : `Opened ${snap.kind === 'folder' ? snap.systemPath : snap.studio.name}` },
    }));
    actions.resetWorkspace(snap.settings, snap.trusted);
    void actions.refreshFiles();
    actions.watchOpenFiles();
    void actions.refreshRecent();
    void actions.loadBuildHistory();
    void actions.loadMakefile();
    void actions.loadBuildReport();
    void actions.loadTimelinePatterns();
  };

  /**
   * Opening, creating and Save As reach the host one after the other, in the order asked: a folder the user opens
   * while the last project is being reopened at start-up is the one both the page and the host end up with.
   */
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    const mine = turn.then(call, call);
    turn = mine.catch(() => undefined);
    return mine;
  };

  return {
    state: { project: undefined, opened: 0 },
    actions: {
      async newProject(dir: string, name: string, board?: string, template?: string) {
        try {
          load(await inTurn(() => client.call('project.create', { dir, name, ...(board ? { board } : {}), ...(template ? { template } : {}) })));
        } catch (err) {
          set(failure(err));
        }
      },
      async openProject(dir: string, opts?: { reopen?: boolean }) {
        try {
          load(await inTurn(() => client.call('project.open', { dir })), opts?.reopen);
        } catch (err) {
          set(failure(err));
        }
      },
      async save() {
        try {
          actions.flushXml();
          const p = savePayload(get());
          const { doc, docPath, docHash, project } = get();
          if (!project) return false;
          let saved = docPath ?? p.studio.systemFile;
          // The .system first, and only over the bytes it was read from: a file changed on disk is never replaced unasked.
          if (doc.composite) {
            // Made of several files (a cpp template, XIncludes): the ones the edits changed.
            const written = await actions.saveComposed();
            if (!written) return false;
            saved = written.length ? written.join(', ') : `nothing to write in ${docPath}`;
          } else if (docPath) {
            try {
              const { hash } = await client.call('fs.write', { path: docPath, text: p.systemXml, ...(docHash ? { expectHash: docHash } : {}) });
              set({ docHash: hash });
            } catch (err) {
              if (!(err instanceof StudioError && err.code === 'conflict')) throw err;
              const disk = await client.call('fs.read', { path: docPath }).catch(() => undefined);
              set({ diskConflict: { path: docPath, ...(disk ? { diskText: disk.text, diskHash: disk.hash } : {}) }, notice: { kind: 'error', message: `${docPath} changed on disk since it was read: not saved. Reload, keep yours (then save again) or compare.` } });
              return false;
            }
          }
          if (project.kind === 'studio-project' && !doc.composite) {
            await client.call('project.save', p);
            saved += ' and studio.json';
          } else {
            const fs0 = get().folderSettings;
            const next = folderSettingsOf(fs0, p.studio, docPath);
            if (JSON.stringify(next) !== JSON.stringify(fs0) && (await actions.saveFolderSettings(next))) saved += ' and .sel4-studio/settings.json';
          }
          set((s) => ({ savedDoc: doc, recovery: undefined, project: s.project && { ...s.project, studio: p.studio } }));
          // The PD programs' generated headers follow the saved system (only those whose text changed are written).
          let headers = '';
          try {
            const written = await actions.regenerateHeaders();
            if (written.length) headers = `; regenerated ${written.join(', ')}`;
          } catch (err) {
            headers = `; the generated headers were not updated: ${err instanceof Error ? err.message : String(err)}`;
          }
          set({ notice: { kind: 'info', message: `Saved ${saved}${headers}` } });
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
          const snap = await inTurn(() => client.call('project.saveAs', { dir, ...p }));
          set({ project: { dir: snap.dir, studio: snap.studio, kind: snap.kind }, trusted: snap.trusted, savedDoc: doc, ...filesFromSnapshot(snap), dialog: undefined, notice: { kind: 'info', message: `Saved as ${snap.dir}` } });
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
      async rejoinHost() {
        try {
          set({ host: await client.call('host.info', {}) });
          const project = get().project;
          if (!project) {
            void actions.refreshRecent();
            set({ notice: { kind: 'info', message: 'Reconnected to the seL4 Studio host' } });
            return;
          }
          const snap = await client.call('project.open', { dir: project.dir });
          const s = get();
          // The tab's document is newer than the recovery file: it stays. The disk may have changed meanwhile.
          if (!s.doc.composite && snap.systemPath !== null && snap.systemPath === s.docPath && snap.systemHash !== s.docHash) {
            set({ diskConflict: { path: snap.systemPath, diskText: snap.systemXml, ...(snap.systemHash ? { diskHash: snap.systemHash } : {}) } });
            if (!isDirty(s)) await actions.reloadFromDisk();
          }
          actions.watchOpenFiles();
          void actions.refreshFiles();
          void actions.refreshRecent();
          if (isDirty(get()) || get().xmlText !== undefined) {
            await actions.autosave();
            set({ notice: { kind: 'info', message: 'Reconnected to the seL4 Studio host. Your unsaved changes are kept in this tab and autosaved there; Save (Ctrl+S) writes them.' } });
          } else {
            set({ notice: { kind: 'info', message: 'Reconnected to the seL4 Studio host' } });
          }
        } catch (err) {
          set(failure(err));
        }
      },
    },
    dispose() {},
  };
};
