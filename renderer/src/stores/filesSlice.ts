import type { ProjectSnapshot } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import { emptyHistory, pushHistory, type History } from '../../../shared/model/edits';
import { analyzeText } from '../../../shared/sdf/document';
import { cppSettingsFromArgs } from '../../../shared/sdf/template';
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
  base?: ComposedBase;
}

/** The files a composed document is made of, as last read or saved: their texts and hashes (what a save may replace). */
export interface ComposedBase {
  texts: Record<string, string>;
  hashes: Record<string, string>;
  /** A cpp template: the flags it was preprocessed with (from its Makefile, or set by the user). */
  cpp?: { defines: Record<string, string>; includeDirs: string[] };
}

/** The open system file changed on disk while it had unsaved edits, or a save was refused because it had. */
export interface DiskConflict {
  path: string;
  /** What is on disk now, when known (Compare shows it). */
  diskText?: string;
  deleted?: boolean;
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
  /** The active document is composed of several files (a cpp template, XIncludes): them as last read or saved. */
  docBase?: ComposedBase;
  diskConflict?: DiskConflict;
  /** The centre shows the disk's text against the editor's (Compare). */
  comparing: boolean;
}

export interface FilesActions {
  /** Open a system file of the folder in a tab (or switch to it); a cpp template or XInclude set is composed first. */
  openSystemFile(path: string): Promise<void>;
  /** Preprocess the open template again with these flags (`-DNAME[=V] -IDIR …`, as a Makefile writes them). */
  setTemplateFlags(flags: string): Promise<void>;
  /** Write the files of a composed document that its edits changed, each only over the bytes it was read from. */
  saveComposed(): Promise<string[] | undefined>;
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
  return { docPath: snap.systemPath ?? undefined, docHash: snap.systemHash, docBase: undefined, parked: {}, diskConflict: undefined, comparing: false };
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
  /** A cpp template or XInclude set as the tools read it (system.compose), opened as a document. */
  const compose = async (path: string, cpp?: ComposedBase['cpp']): Promise<ParkedDoc> => {
    const r = await client.call('system.compose', { path, ...(cpp ? { cpp } : {}) });
    if (!r.composite) {
      const d = r.diagnostics[0];
      throw new StudioError('corrupt', d ? `${d.file ?? path}:${d.line ?? 1}:${d.column ?? 1}: ${d.message}` : `${path} could not be composed`);
    }
    if (r.notes.length) set({ notice: { kind: 'info', message: `${path}: ${r.notes.join('; ')}` } });
    const doc = { ...fresh(get(), path, r.composite.text), composite: r.composite };
    return { doc, history: emptyHistory<StudioDoc>(), savedDoc: doc, base: { texts: r.composite.files, hashes: r.hashes, ...(r.cpp ? { cpp: r.cpp } : {}) } };
  };
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
      if (s.docBase && path in s.docBase.hashes) {
        if (hash === s.docBase.hashes[path]) return;
        // A part of a composed document changed: read it all again when there is nothing of ours, else ask.
        set({ diskConflict: { path, ...(deleted ? { deleted: true } : {}), ...(hash ? { diskHash: hash } : {}) } });
        if (!isDirty(s) && !deleted) void actions.reloadFromDisk();
        return;
      }
      if (path !== s.docPath || hash === s.docHash) return;
      if (deleted) return set({ diskConflict: { path, deleted: true } });
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
    state: { docPath: undefined, docHash: undefined, docBase: undefined, parked: {}, diskConflict: undefined, comparing: false },
    actions: {
      async openSystemFile(path: string) {
        const s = get();
        if (!s.project || path === s.docPath) return;
        actions.flushXml();
        try {
          const parked: ParkedDoc | undefined = get().parked[path];
          const kind = get().workspaceFiles.find((f) => f.path === path)?.kind;
          let entry: ParkedDoc;
          if (parked) entry = parked;
          else if (kind === 'system-template' || kind === 'system-xinclude') entry = await compose(path);
          else {
            const { text, hash } = await client.call('fs.read', { path });
            entry = { doc: fresh(get(), path, text), history: emptyHistory<StudioDoc>(), hash };
          }
          const cur = get();
          const keep = cur.docPath ? { [cur.docPath]: { doc: cur.doc, history: cur.history, savedDoc: cur.savedDoc, hash: cur.docHash, ...(cur.docBase ? { base: cur.docBase } : {}) } } : {};
          const rest = { ...cur.parked, ...keep };
          delete rest[path];
          const doc = { ...entry.doc, settings: cur.doc.settings };
          set({
            parked: rest,
            docPath: path,
            docHash: entry.hash,
            docBase: entry.base,
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
      async setTemplateFlags(flags: string) {
        const s0 = get();
        if (!s0.docPath || !s0.docBase?.cpp) return;
        if (isDirty(s0)) return set({ notice: { kind: 'error', message: 'Save or undo the changes first: new flags read the template again' } });
        const { settings, other } = cppSettingsFromArgs(flags.split(/\s+/).filter(Boolean));
        if (other.length) return set({ notice: { kind: 'error', message: `Only -D NAME[=VALUE], -U NAME and -I DIR are passed to cpp; not: ${other.join(' ')}` } });
        try {
          const entry = await compose(s0.docPath, settings);
          // Another reading of the files, not an edit of them: a fresh history.
          const doc = { ...entry.doc, layout: s0.doc.layout, settings: s0.doc.settings };
          set({ doc, history: emptyHistory<StudioDoc>(), savedDoc: doc, docBase: entry.base });
          actions.watchOpenFiles();
        } catch (err) {
          set(failure(err));
        }
      },
      async saveComposed() {
        const { doc, docBase } = get();
        if (!doc.composite || !docBase) return undefined;
        const written: string[] = [];
        const hashes = { ...docBase.hashes };
        const texts = { ...docBase.texts };
        for (const [file, text] of Object.entries(doc.composite.files)) {
          if (file.startsWith('..') || text === docBase.texts[file]) continue;
          try {
            const { hash } = await client.call('fs.write', { path: file, text, ...(hashes[file] ? { expectHash: hashes[file] } : {}) });
            hashes[file] = hash;
            texts[file] = text;
            written.push(file);
          } catch (err) {
            set({ docBase: { ...docBase, texts, hashes } });
            if (err instanceof StudioError && err.code === 'conflict') {
              set({ diskConflict: { path: file }, notice: { kind: 'error', message: `${file} changed on disk since it was read: not saved${written.length ? ` (saved: ${written.join(', ')})` : ''}. Reload, or keep yours and save again.` } });
              return undefined;
            }
            throw err;
          }
        }
        set({ docBase: { ...docBase, texts, hashes } });
        return written;
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
        const composedFiles = Object.keys(s.docBase?.texts ?? {}).filter((f) => !f.startsWith('..'));
        const paths = [s.docPath, ...composedFiles, ...Object.keys(s.parked), s.source?.path].filter((p): p is string => Boolean(p));
        void actions.watchFiles(paths);
      },
      async reloadFromDisk() {
        const c = get().diskConflict;
        if (!c) return;
        const s0 = get();
        if (s0.doc.composite && s0.docPath) {
          // Composed: read every part again through the preprocessor / the includes.
          try {
            const entry = await compose(s0.docPath, s0.docBase?.cpp);
            const r = pushHistory(s0.doc, s0.history, { ...entry.doc, layout: s0.doc.layout, settings: s0.doc.settings }, `Reload ${s0.docPath} from disk`);
            set({ doc: r.doc, history: r.history, savedDoc: r.doc, docBase: entry.base, diskConflict: undefined, comparing: false });
          } catch (err) {
            set(failure(err));
          }
          return;
        }
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
        const base = get().docBase;
        if (base && c.path in base.hashes) {
          // A part of a composed document: the next save may replace it (an absent hash lets it create the file).
          const hashes = { ...base.hashes };
          if (c.diskHash) hashes[c.path] = c.diskHash;
          else delete hashes[c.path];
          return set({ docBase: { ...base, hashes }, diskConflict: undefined, comparing: false });
        }
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
