import { createStore } from 'zustand/vanilla';
import type { StudioClient } from '../../../shared/api/rpc';
import { createHostSlice } from './hostSlice';
import { createProjectSlice } from './projectSlice';
import { createDocumentSlice } from './documentSlice';
import { createSelectionSlice } from './selectionSlice';
import { createRunsSlice } from './runsSlice';
import { createBuildSlice } from './buildSlice';
import { createConsolesSlice } from './consolesSlice';
import { createQemuSlice } from './qemuSlice';
import { createSerialSlice } from './serialSlice';
import { createTimelineSlice } from './timelineSlice';
import { createSourceSlice } from './sourceSlice';
import { createUiSlice } from './uiSlice';
import { createGraphViewSlice } from './graphViewSlice';
import { createFilesSlice } from './filesSlice';
import { createWorkspaceSlice } from './workspaceSlice';
import { createWizardSlice } from './wizardSlice';
import { createBoardWizardSlice } from './boardWizardSlice';
import { createProgramsSlice } from './programsSlice';
import { createBoardRunSlice } from './boardRunSlice';
import { createLiveSlice } from './liveSlice';
import type { Slice, SliceFactory, StudioActions, StudioState } from './slice';

// What components import from here; each name is defined by the slice that owns it.
export type { StudioActions, StudioState } from './slice';
export { isDirty } from './documentSlice';
export type { BuildSettingsState, BuildState, BuildStepState } from './buildSlice';
export { defaultConsoleView, EMULATOR_CONSOLE, SCROLLBACK_CHOICES, type ConsoleViewState } from './consolesSlice';
export type { SerialOpenOptions } from './serialSlice';
export { TIMELINE_PATTERNS_FILE } from './timelineSlice';
export { BOOT_SOURCE, liveFault, livePhase, liveRunning, liveSourceOf, type LivePd } from './liveSlice';
export type { OutputRun } from './runsSlice';
export type { CenterView, DialogKind, Notice, PanelTab } from './uiSlice';
export { BOARD_WIZARD_STEPS, type BoardTreeSource, type BoardWizardSession, type BoardWizardStep, type BoardWizardView } from './boardWizardSlice';
export { WIZARD_STEPS, type LoadedTree, type TreeSource, type WizardSession, type WizardStep } from './wizardSlice';

/** Every slice of the store, one per concern (DESIGN.md §3.12). */
export const sliceFactories = {
  host: createHostSlice,
  project: createProjectSlice,
  document: createDocumentSlice,
  selection: createSelectionSlice,
  runs: createRunsSlice,
  build: createBuildSlice,
  consoles: createConsolesSlice,
  qemu: createQemuSlice,
  serial: createSerialSlice,
  timeline: createTimelineSlice,
  source: createSourceSlice,
  ui: createUiSlice,
  graphView: createGraphViewSlice,
  files: createFilesSlice,
  workspace: (client, set, get) => createWorkspaceSlice(client, set, get),
  wizard: createWizardSlice,
  programs: createProgramsSlice,
  boardRun: createBoardRunSlice,
  live: createLiveSlice,
  boardWizard: createBoardWizardSlice,
} satisfies Record<string, SliceFactory<object, object>>;

/**
 * The app's state and actions, created per client (a factory, so tests get their own: DESIGN.md §3.4), composed of
 * the slices above: the state and the actions are each one flat object. Derived data (XML, problems) is not stored:
 * components compute it from `doc` with shared/. `dispose()` releases every host subscription the slices made.
 */
export function createStudioStore(client: StudioClient, initialTheme: 'light' | 'dark' = 'dark') {
  const store = createStore<StudioState>()(() => ({}) as StudioState);
  const actions = {} as StudioActions;
  const slices: Slice<object, object>[] = Object.values(sliceFactories).map((create) => create(client, store.setState, store.getState, actions));
  Object.assign(actions, ...slices.map((s) => s.actions));
  store.setState({ ...Object.assign({}, ...slices.map((s) => s.state)), theme: initialTheme }, true);
  const dispose = () => {
    for (const s of slices) s.dispose();
  };
  return Object.assign(store, { actions, dispose });
}

export type StudioStore = ReturnType<typeof createStudioStore>;
