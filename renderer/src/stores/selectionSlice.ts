import { allProtectionDomains } from '../../../shared/model/system';
import { copyFragment, deleteKeys, deletePreview, pasteFragment, type Fragment } from '../../../shared/model/clipboard';
import { drawnPositions } from '../../../shared/model/layout';
import { addedKeys } from '../../../shared/model/graphKeys';
import type { Edit } from '../../../shared/model/edits';
import type { SliceFactory } from './slice';

/** What is selected on the canvas, what Copy took, and a delete waiting for confirmation (view state, not history). */
export interface SelectionState {
  selection: string[];
  /** What Copy took (PDs with their maps, children and internal channels; regions), for Paste. */
  clipboard?: Fragment;
  /** A delete waiting for the user to confirm what goes with it. */
  pendingDelete?: { keys: string[]; also: string[] };
}

export interface SelectionActions {
  select(keys: string[]): void;
  /**
   * Add something (a palette drop, a drawn map or channel): one undoable edit, after which what it added is the
   * selection, so its inspector opens. Nothing added (a refused edit): the selection stays.
   */
  addAndSelect(edit: Edit): void;
  /** Every PD and region node. */
  selectAll(): void;
  /** Copy the selected PDs (with children, maps, VM) and regions; false when nothing could be copied. */
  copy(): boolean;
  /** Paste the clipboard under fresh names, offset from the originals; the pasted items become the selection. */
  paste(): void;
  duplicate(): void;
  /** Delete the selection; when more goes with it (channels, maps, children), ask first and say what. */
  requestDelete(keys?: string[]): void;
  confirmDelete(): void;
  cancelDelete(): void;
}


export const createSelectionSlice: SliceFactory<SelectionState, SelectionActions> = (_client, set, get, actions) => ({
  state: { selection: [], clipboard: undefined, pendingDelete: undefined },
  actions: {
    select(keys: string[]) {
      const cur = get().selection;
      if (cur.length !== keys.length || cur.some((k, i) => k !== keys[i])) set({ selection: keys });
    },
    addAndSelect(edit: Edit) {
      const before = get().doc.system;
      actions.edit(edit);
      const added = addedKeys(before, get().doc.system);
      if (added.length) actions.select(added);
    },
    selectAll() {
      const d = get().doc;
      set({ selection: [...allProtectionDomains(d.system).map((p) => `pd:${p.name}`), ...d.system.memoryRegions.map((m) => `mr:${m.name}`)] });
    },
    copy() {
      const frag = copyFragment(get().doc, get().selection, drawnPositions(get().doc));
      if (frag) set({ clipboard: frag, notice: { kind: 'info', message: `Copied ${[...frag.pds, ...frag.mrs].map((x) => x.name).join(', ')} (Ctrl+V pastes)` } });
      return Boolean(frag);
    },
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
  },
  dispose() {},
});
