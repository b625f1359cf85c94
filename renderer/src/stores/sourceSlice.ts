import { StudioError } from '../../../shared/api/errors';
import { failure, type SliceFactory } from './slice';

/** The source editor: one project file (a PD's program, a Makefile, a device tree) open as text. */
export interface SourceState {
  /** A project file open in the source editor (from a build problem, or opened by name). */
  /** The open source file changed on disk while it had unsaved edits (or a save was refused for it). */
  sourceConflict?: string;
  source?: { path: string; text: string; saved: string; line?: number; seq: number; /** The content hash of what was read or last saved: a save never replaces other bytes. */ hash?: string };
}

export interface SourceActions {
  /** The source file changed on disk while it had unsaved edits: take the disk's text. */
  reloadSource(): Promise<void>;
  /** ...or keep the editor's: the next save overwrites the disk's (asked for, so allowed). */
  keepSource(): Promise<void>;
  /** The project's source files (programs, build files, device trees); none when the host cannot list them. */
  listSources(): Promise<string[]>;
  /** Open a project file in the source editor, at a line (the same file again keeps its unsaved text). */
  openSource(file: string, line?: number): Promise<void>;
  editSource(text: string): void;
  saveSource(): Promise<boolean>;
}

export const createSourceSlice: SliceFactory<SourceState, SourceActions> = (client, set, get, actions) => ({
  state: { source: undefined, sourceConflict: undefined },
  actions: {
    async listSources() {
      try {
        return (await client.call('fs.sources', {})).files;
      } catch {
        // Without a project (or a readable tree) the picker just offers nothing.
        return [];
      }
    },
    async openSource(file: string, line?: number) {
      try {
        const cur = get().source;
        const same = cur && cur.path === file;
        const read = same ? undefined : await client.call('fs.read', { path: file });
        const text = same ? cur.text : read!.text;
        const saved = same ? cur.saved : text;
        const hash = same ? cur.hash : read!.hash;
        set({ source: { path: file, text, saved, ...(hash ? { hash } : {}), ...(line ? { line } : {}), seq: (cur?.seq ?? 0) + 1 }, centerView: 'source' });
        actions.watchOpenFiles();
      } catch (err) {
        set(failure(err));
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
        // Only over the bytes that were read: a file changed on disk since is never replaced without asking.
        const { hash } = await client.call('fs.write', { path: cur.path, text: cur.text, ...(cur.hash ? { expectHash: cur.hash } : {}) });
        set((s) => ({ source: s.source && { ...s.source, saved: cur.text, hash }, notice: { kind: 'info', message: `Saved ${cur.path}` } }));
        return true;
      } catch (err) {
        if (err instanceof StudioError && err.code === 'conflict') {
          set({ notice: { kind: 'error', message: `${cur.path} changed on disk since it was opened: not saved. Reload it from the bar above the editor, or keep yours and save again to overwrite.` }, sourceConflict: cur.path });
          return false;
        }
        set(failure(err));
        return false;
      }
    },
    async reloadSource() {
      const cur = get().source;
      if (!cur) return;
      try {
        const { text, hash } = await client.call('fs.read', { path: cur.path });
        set((s) => ({ source: s.source && { ...s.source, text, saved: text, hash, seq: s.source.seq + 1 }, sourceConflict: undefined }));
      } catch (err) {
        set(failure(err));
      }
    },
    async keepSource() {
      // Keep mine: the next save replaces what is on disk now (the user saw the conflict and chose).
      const cur = get().source;
      if (!cur) return;
      try {
        const { hash } = await client.call('fs.read', { path: cur.path });
        set((s) => ({ source: s.source && { ...s.source, hash }, sourceConflict: undefined }));
      } catch {
        set((s) => ({ source: s.source && { ...s.source, hash: undefined }, sourceConflict: undefined }));
      }
    },
  },
  dispose() {},
});
