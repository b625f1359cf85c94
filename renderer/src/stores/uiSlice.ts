import type { SliceFactory } from './slice';

export type PanelTab = 'problems' | 'build' | 'output' | 'terminal' | 'doctor';
export type DialogKind = 'new' | 'open' | 'saveAs';
export type CenterView = 'graph' | 'memory' | 'source';

export interface Notice {
  kind: 'error' | 'info';
  message: string;
}

/** What the window shows: the bottom panel's tab, the centre view, theme, an open dialog, a notice, presentation. */
export interface UiState {
  panel: PanelTab;
  /** What the centre shows: the graph, the memory map or the source editor (view state, not history). */
  centerView: CenterView;
  theme: 'light' | 'dark';
  dialog?: DialogKind;
  notice?: Notice;
  /** Demo view: the console and the timeline fill the window. */
  presentation: boolean;
}

export interface UiActions {
  setPanel(panel: PanelTab): void;
  setCenterView(centerView: CenterView): void;
  setTheme(theme: 'light' | 'dark'): void;
  openDialog(dialog: DialogKind | undefined): void;
  notify(notice: Notice): void;
  dismissNotice(): void;
  setPresentation(on: boolean): void;
}

export const createUiSlice: SliceFactory<UiState, UiActions> = (_client, set) => ({
  state: { panel: 'problems', centerView: 'graph', theme: 'dark', dialog: undefined, notice: undefined, presentation: false },
  actions: {
    setPanel(panel: PanelTab) {
      set({ panel });
    },
    setCenterView(centerView: CenterView) {
      set({ centerView });
    },
    setTheme(theme: 'light' | 'dark') {
      set({ theme });
    },
    openDialog(dialog: DialogKind | undefined) {
      set({ dialog });
    },
    notify(notice: Notice) {
      set({ notice });
    },
    dismissNotice() {
      set({ notice: undefined });
    },
    setPresentation(on: boolean) {
      set({ presentation: on });
    },
  },
  dispose() {},
});
