import type { SliceFactory } from './slice';

export type PanelTab = 'problems' | 'build' | 'output' | 'terminal' | 'doctor';
export type DialogKind = 'new' | 'open' | 'saveAs';
export type CenterView = 'graph' | 'memory' | 'source';

/** The board a new project starts on when no template says otherwise. */
export const DEFAULT_BOARD = 'qemu_virt_aarch64';

/** What the New / Open / Save As dialog holds while it is open; every opening starts from {@link blankProjectForm}. */
export interface ProjectForm {
  dir: string;
  name: string;
  board: string;
  /** A template id, or '' for the empty system. */
  template: string;
}
export const blankProjectForm = (): ProjectForm => ({ dir: '', name: '', board: DEFAULT_BOARD, template: '' });

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
  /** The open dialog's fields (a fresh choice each time it opens: nothing carries over from the last project made). */
  projectForm: ProjectForm;
  notice?: Notice;
  /** Demo view: the console and the timeline fill the window. */
  presentation: boolean;
}

export interface UiActions {
  setPanel(panel: PanelTab): void;
  setCenterView(centerView: CenterView): void;
  setTheme(theme: 'light' | 'dark'): void;
  /** Open a dialog with its fields blank (template: none, board: the default), or close it. */
  openDialog(dialog: DialogKind | undefined): void;
  /** Change the dialog's fields; choosing a template also chooses its board (its addresses and IRQs are that board's). */
  editProjectForm(patch: Partial<ProjectForm>): void;
  notify(notice: Notice): void;
  dismissNotice(): void;
  setPresentation(on: boolean): void;
}

export const createUiSlice: SliceFactory<UiState, UiActions> = (_client, set, get) => ({
  state: { panel: 'problems', centerView: 'graph', theme: 'dark', dialog: undefined, projectForm: blankProjectForm(), notice: undefined, presentation: false },
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
      set(dialog ? { dialog, projectForm: blankProjectForm() } : { dialog });
    },
    editProjectForm(patch: Partial<ProjectForm>) {
      const template = patch.template ? get().templates.find((t) => t.id === patch.template) : undefined;
      set({ projectForm: { ...get().projectForm, ...patch, ...(template ? { board: template.board } : {}) } });
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
