import type { ProjectSnapshot } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import { emptyHistory, pushHistory, type History } from '../../../shared/model/edits';
import { analyzeText } from '../../../shared/sdf/document';
import { emptySystem } from '../../../shared/model/system';
import type { StudioDoc } from './documentSlice';
import { isDirty } from './documentSlice';
import { failure, subscriptions, type SliceFactory, type StudioState } from './slice';

/** A system description open in a tab that is not the active one. */
interface ParkedDoc {
  doc: StudioDoc;
  history: History<StudioDoc>;
  savedDoc?: StudioDoc;
  hash?: string;
}

/** The open system file changed on disk while it had unsaved edits, or a save was refused because it had. */
export interface DiskConflict {
  path: string;
  /** What is on disk now (absent: the file was deleted). */
  diskText?: string;
  diskHash?: string;
}

/**
 * The system files open in tabs. The active one is the document (documentSlice); the others are parked here with
 * their history. Each remembers the hash of the bytes it was read from: disk is the truth (DESIGN.md §3.11).
 */
export interface FilesState {
  /** The active system file, relative to the folder (undefined: none open). */
  docPath?: string;
  /** The content hash of the active file as last read or saved. */
  docHash?: string;
  parked: Record<string, ParkedDoc>;
  diskConflict?: DiskConflict;
  /** The centre shows the disk's text against the editor's (Compare). */
  comparing: boolean;
}

export interface FilesActions {
  /** Open a system file of the folder in a tab (or switch to it). */
  openSystemFile(path: string): Promise<void>;
  closeSystemFile(path: string): void;
  /** Tell the host which files to watch: every open system file and the source editor's. */
  watchOpenFiles(): void;
  /** The bar's choices for a file changed on disk: take the disk's text, keep mine (the next save overwrites), compare. */
  reloadFromDisk(): Promise<void>;
  keepMine(): void;
  setComparing(on: boolean): void;
}

/** Where the document's layout comes from: the folder settings' layouts per file, or studio.json's. */
const layoutFor = (s: StudioState, path: string) => s.folderSettings?.layouts[path] ?? (s.project?.kind === 'studio-project' ? s.project.studio.layout : { nodes: {} });

/** The file state of a freshly opened project. */
export function filesFromSnapshot(snap: ProjectSnapshot): Partial<StudioState> {
  return { docPath: snap.systemPath ?? undefined, docHash: snap.systemHash, parked: {}, diskConflict: undefined, comparing: false };
}

export const createFilesSlice: SliceFactory<FilesState, FilesActions> = (client, set, get, actions) => {
  const subs = subscriptions();
  /** A document read from disk, as the editor opens it. */
  const fresh = (s: StudioState, path: string, text: string): StudioDoc => ({
    text,
    system: analyzeText(text, path).model ?? emptySystem(),
    layout: layoutFor(s, path),
    settings: s.doc.settings,
  });
  const reload = (path: string, text: string, hash: string) => {
    const s = get();
    const doc: StudioDoc = { ...s.doc, text, system: analyzeText(text, path).model ?? s.doc.system };
    // One undo step: undo brings back what the editor had before the file changed under it.
    const r = pushHistory(s.doc, s.history, doc, `Reload ${path} from disk`);
    set({ doc: r.doc, history: r.history, savedDoc: r.doc, docHash: hash, diskConflict: undefined, comparing: false, xmlText: undefined });
  };

  subs.add(
    client.on('fs.changed', ({ path, hash, deleted }) => {
      const s = get();
      if (path === s.source?.path) {
        // The source editor: reloaded in place when it has no edits of its own, else the user chooses.
        if (s.source.text === s.source.saved && !deleted) void actions.reloadSource();
        else if (hash !== s.source.hash) set({ sourceConflict: path });
        return;
      }
      if (path !== s.docPath || hash === s.docHash) return;
      if (deleted) return set({ diskConflict: { path } });
      void client.call('fs.read', { path }).then(
        ({ text, hash: h }) => {
          const now = get();
          if (now.docPath !== path || h === now.docHash) return;
          if (text === now.doc.text) return set({ docHash: h, savedDoc: now.doc });
          // No local edits: reload in place (selection and viewport stay). Local edits: ask.
          if (!isDirty(now) && now.xmlText === undefined) reload(path, text, h);
          else set({ diskConflict: { path, diskText: text, diskHash: h } });
        },
        () => undefined,
      );
    }),
  );

  return {
    state: { docPath: undefined, docHash: undefined, parked: {}, diskConflict: undefined, comparing: false },
    actions: {
      async openSystemFile(path: string) {
        const s = get();
        if (!s.project || path === s.docPath) return;
        actions.flushXml();
        try {
          const parked: ParkedDoc | undefined = get().parked[path];
          let entry: ParkedDoc;
          if (parked) entry = parked;
          else {
            const { text, hash } = await client.call('fs.read', { path });
            entry = { doc: fresh(get(), path, text), history: emptyHistory<StudioDoc>(), hash };
          }
          const cur = get();
          const keep = cur.docPath ? { [cur.docPath]: { doc: cur.doc, history: cur.history, savedDoc: cur.savedDoc, hash: cur.docHash } } : {};
          const rest = { ...cur.parked, ...keep };
          delete rest[path];
          const doc = { ...entry.doc, settings: cur.doc.settings };
          set({
            parked: rest,
            docPath: path,
            docHash: entry.hash,
            doc,
            history: entry.history,
            savedDoc: parked ? entry.savedDoc : doc,
            selection: [],
            xmlText: undefined,
            diskConflict: undefined,
            comparing: false,
            centerView: 'graph',
            project: { ...cur.project!, studio: { ...cur.project!.studio, systemFile: path } },
            opened: cur.opened + 1,
          });
          actions.watchOpenFiles();
        } catch (err) {
          set(failure(err));
        }
      },
      closeSystemFile(path: string) {
        const s = get();
        if (path !== s.docPath) {
          const rest = { ...s.parked };
          delete rest[path];
          set({ parked: rest });
        } else {
          const next = Object.keys(s.parked)[0];
          if (!next) return;
          void actions.openSystemFile(next).then(() => actions.closeSystemFile(path));
        }
        actions.watchOpenFiles();
      },
      watchOpenFiles() {
        const s = get();
        if (!s.project) return;
        const paths = [s.docPath, ...Object.keys(s.parked), s.source?.path].filter((p): p is string => Boolean(p));
        void actions.watchFiles(paths);
      },
      async reloadFromDisk() {
        const c = get().diskConflict;
        if (!c) return;
        try {
          const { text, hash } = await client.call('fs.read', { path: c.path });
          reload(c.path, text, hash);
        } catch (err) {
          set(failure(err instanceof StudioError ? err : new StudioError('not-found', `${c.path} is gone from disk: keep yours and save to write it again`)));
        }
      },
      keepMine() {
        const c = get().diskConflict;
        if (!c) return;
        // The user saw the disk's version and chose theirs: the next save may replace it (its hash is the expected one).
        set({ docHash: c.diskHash, diskConflict: undefined, comparing: false });
      },
      setComparing(on: boolean) {
        set({ comparing: on });
      },
    },
    dispose: subs.dispose,
  };
};
