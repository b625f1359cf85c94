import type { WorkspaceFile } from '../../../shared/api/contract';
import type { StudioClient } from '../../../shared/api/rpc';
import { StudioError } from '../../../shared/api/errors';
import type { FolderSettings } from '../../../shared/model/folderSettings';

/** A watched file that changed on disk and was not dealt with yet (the document reloads it or asks the user). */
export interface DiskChange {
  /** The new content's hash; absent when the file was deleted. */
  hash?: string;
  deleted: boolean;
  /** Counts changes, so a second change to the same file is seen as new. */
  seq: number;
}

/** The opened folder: the files the Explorer lists, the files watched on disk, the folder's settings. */
export interface WorkspaceState {
  /** Every file of the folder the Explorer shows (`workspace.files`), classified. */
  workspaceFiles: WorkspaceFile[];
  /** The folder held more files than the host lists. */
  workspaceFilesTruncated: boolean;
  workspaceFilesLoading: boolean;
  /** Why the last workspace call failed (the list keeps what it had). */
  workspaceError: string | undefined;
  /** The files the host watches: the open ones. */
  watchedFiles: string[];
  /** Watched files changed on disk, by path, until {@link WorkspaceActions.acknowledgeDiskChange}. */
  diskChanges: Record<string, DiskChange>;
  /** The folder settings in effect (from the project snapshot; replaced by a save of them). */
  folderSettings: FolderSettings | undefined;
  /**
   * Whether the user trusts the open folder (undefined: none open). Untrusted is restricted mode: view, edit, validate
   * and draw; build and run are off until the user trusts it (the host refuses them with `untrusted` either way).
   */
  trusted: boolean | undefined;
}

export interface WorkspaceActions {
  /** List the folder's files again (on open, after a build, when a watched file comes or goes). */
  refreshFiles(): Promise<void>;
  /** Watch exactly these files (the open documents); changes arrive in `diskChanges`. */
  watchFiles(paths: string[]): Promise<void>;
  /** The change to this file was handled (reloaded, kept, compared). */
  acknowledgeDiskChange(path: string): void;
  /** Write the folder settings: only ever called because the user changed one. */
  saveFolderSettings(settings: FolderSettings): Promise<boolean>;
  /**
   * Trust the open folder, or stop trusting it. The host may ask the user first (Electron's native dialog) and come back
   * untrusted when they decline. Resolves with the trust now in effect.
   */
  trustFolder(trusted: boolean): Promise<boolean>;
  /** A project opened (its settings, whether it is trusted) or closed (none): forget the previous folder's files, watches and changes. */
  resetWorkspace(settings: FolderSettings | undefined, trusted?: boolean): void;
}

type WorkspaceSetter = (partial: Partial<WorkspaceState> | ((s: WorkspaceState) => Partial<WorkspaceState>)) => void;

export function initialWorkspaceState(): WorkspaceState {
  return {
    workspaceFiles: [],
    workspaceFilesTruncated: false,
    workspaceFilesLoading: false,
    workspaceError: undefined,
    watchedFiles: [],
    diskChanges: {},
    folderSettings: undefined,
    trusted: undefined,
  };
}

/**
 * The workspace slice (DESIGN.md §3.12): a factory over the client and the root store's set/get, owning its one host
 * subscription (`fs.changed`), released by `dispose()`.
 */
export function createWorkspaceSlice(client: StudioClient, set: WorkspaceSetter, get: () => WorkspaceState): { state: WorkspaceState; actions: WorkspaceActions; dispose(): void } {
  // Only the latest listing lands: an older answer arriving late must not replace a newer one.
  let listing = 0;
  let changeSeq = 0;
  const message = (err: unknown) => (err instanceof StudioError || err instanceof Error ? err.message : String(err));

  const actions: WorkspaceActions = {
    async refreshFiles() {
      const mine = ++listing;
      set({ workspaceFilesLoading: true });
      try {
        const { files, truncated } = await client.call('workspace.files', {});
        if (mine === listing) set({ workspaceFiles: files, workspaceFilesTruncated: truncated, workspaceFilesLoading: false, workspaceError: undefined });
      } catch (err) {
        if (mine === listing) set({ workspaceFilesLoading: false, workspaceError: message(err) });
      }
    },
    async watchFiles(paths) {
      const wanted = [...new Set(paths)].sort();
      const current = get().watchedFiles;
      if (wanted.length === current.length && wanted.every((p, i) => p === current[i])) return;
      try {
        await client.call('fs.watch', { paths: wanted });
        set((s) => ({
          watchedFiles: wanted,
          // A change to a file no longer open is nobody's business.
          diskChanges: Object.fromEntries(Object.entries(s.diskChanges).filter(([p]) => wanted.includes(p))),
        }));
      } catch (err) {
        set({ workspaceError: message(err) });
      }
    },
    acknowledgeDiskChange(path) {
      set((s) => {
        if (!(path in s.diskChanges)) return {};
        const rest = { ...s.diskChanges };
        delete rest[path];
        return { diskChanges: rest };
      });
    },
    async saveFolderSettings(settings) {
      try {
        await client.call('workspace.saveSettings', { settings });
        set({ folderSettings: settings, workspaceError: undefined });
        return true;
      } catch (err) {
        set({ workspaceError: message(err) });
        return false;
      }
    },
    async trustFolder(trusted) {
      try {
        const now = (await client.call('workspace.trust', { trusted })).trusted;
        set({ trusted: now, workspaceError: undefined });
        return now;
      } catch (err) {
        set({ workspaceError: message(err) });
        return get().trusted === true;
      }
    },
    resetWorkspace(settings, trusted) {
      listing++;
      set({ ...initialWorkspaceState(), folderSettings: settings, trusted });
    },
  };

  const off = client.on('fs.changed', ({ path, hash, deleted }) => {
    const s = get();
    if (!s.watchedFiles.includes(path)) return;
    const wasDeleted = s.diskChanges[path]?.deleted === true;
    const change: DiskChange = { deleted: deleted === true, seq: ++changeSeq, ...(hash !== undefined ? { hash } : {}) };
    set((cur) => ({ diskChanges: { ...cur.diskChanges, [path]: change } }));
    // A file going or coming back changes what the Explorer lists.
    if (change.deleted || wasDeleted) void actions.refreshFiles();
  });

  return { state: initialWorkspaceState(), actions, dispose: off };
}
