import { failure, type SliceFactory } from './slice';

/** The source editor: one project file (a PD's program, a Makefile, a device tree) open as text. */
export interface SourceState {
  /** A project file open in the source editor (from a build problem, or opened by name). */
  source?: { path: string; text: string; saved: string; line?: number; seq: number };
}

export interface SourceActions {
  /** The project's source files (programs, build files, device trees); none when the host cannot list them. */
  listSources(): Promise<string[]>;
  /** Open a project file in the source editor, at a line (the same file again keeps its unsaved text). */
  openSource(file: string, line?: number): Promise<void>;
  editSource(text: string): void;
  saveSource(): Promise<boolean>;
}

export const createSourceSlice: SliceFactory<SourceState, SourceActions> = (client, set, get) => ({
  state: { source: undefined },
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
        const text = cur && cur.path === file ? cur.text : (await client.call('fs.readText', { path: file })).text;
        const saved = cur && cur.path === file ? cur.saved : text;
        set({ source: { path: file, text, saved, ...(line ? { line } : {}), seq: (cur?.seq ?? 0) + 1 }, centerView: 'source' });
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
        await client.call('fs.writeText', { path: cur.path, text: cur.text });
        set((s) => ({ source: s.source && { ...s.source, saved: cur.text }, notice: { kind: 'info', message: `Saved ${cur.path}` } }));
        return true;
      } catch (err) {
        set(failure(err));
        return false;
      }
    },
  },
  dispose() {},
});
