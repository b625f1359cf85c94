import type { StoreApi } from 'zustand/vanilla';
import type { StudioClient } from '../../../shared/api/rpc';
import { StudioError } from '../../../shared/api/errors';
import type { HostActions, HostState } from './hostSlice';
import type { ProjectActions, ProjectState } from './projectSlice';
import type { DocumentActions, DocumentState } from './documentSlice';
import type { SelectionActions, SelectionState } from './selectionSlice';
import type { RunsActions, RunsState } from './runsSlice';
import type { BuildActions, BuildSliceState } from './buildSlice';
import type { ConsolesActions, ConsolesState } from './consolesSlice';
import type { QemuActions, QemuState } from './qemuSlice';
import type { SerialActions, SerialState } from './serialSlice';
import type { TimelineActions, TimelineState } from './timelineSlice';
import type { SourceActions, SourceState } from './sourceSlice';
import type { UiActions, UiState } from './uiSlice';
import type { GraphViewActions, GraphViewState } from './graphViewSlice';
import type { FilesActions, FilesState } from './filesSlice';
import type { WorkspaceActions, WorkspaceState } from './workspaceSlice';
import type { WizardActions, WizardState } from './wizardSlice';
import type { ProgramsActions, ProgramsState } from './programsSlice';
import type { BoardRunActions, BoardRunState } from './boardRunSlice';
import type { LiveActions, LiveState } from './liveSlice';
import type { BoardWizardActions, BoardWizardState } from './boardWizardSlice';

/** The app's state: every slice's fields, flat (components select `s.doc`, `s.build`, … as they always have). */
export type StudioState = HostState &
  ProjectState &
  DocumentState &
  SelectionState &
  RunsState &
  BuildSliceState &
  ConsolesState &
  QemuState &
  SerialState &
  TimelineState &
  SourceState &
  UiState &
  GraphViewState &
  FilesState &
  WorkspaceState &
  WizardState &
  ProgramsState &
  BoardRunState &
  LiveState &
  BoardWizardState;

/** Every slice's actions in one flat object (`useActions().save()`). */
export type StudioActions = HostActions &
  ProjectActions &
  DocumentActions &
  SelectionActions &
  RunsActions &
  BuildActions &
  ConsolesActions &
  QemuActions &
  SerialActions &
  TimelineActions &
  SourceActions &
  UiActions &
  GraphViewActions &
  FilesActions &
  WorkspaceActions &
  WizardActions &
  ProgramsActions &
  BoardRunActions &
  LiveActions &
  BoardWizardActions;

export type SetState = StoreApi<StudioState>['setState'];
export type GetState = StoreApi<StudioState>['getState'];

/**
 * Every field of a slice's state, optional ones too (as `undefined`): the initial state names all of them, so the
 * root can check that no two slices claim the same field.
 */
export type Complete<S> = { [K in keyof Required<S>]: S[K] };

/** What a slice factory returns: its initial state, its actions, and the release of every subscription it made. */
export interface Slice<S, A> {
  state: Complete<S>;
  actions: A;
  dispose(): void;
}

/**
 * A slice factory. `actions` is the root's flat actions object, filled once every slice exists: a slice reaches
 * another only through it and `get()`, never through shared variables.
 */
export type SliceFactory<S, A> = (client: StudioClient, set: SetState, get: GetState, actions: StudioActions) => Slice<S, A>;

/** The state change that reports a failed host call: a notice, and the problems it carries (with their places). */
export function failure(err: unknown): Partial<StudioState> {
  const e = err instanceof StudioError ? err : new StudioError('internal', String(err instanceof Error ? err.message : err));
  // The host found the folder untrusted (trust revoked elsewhere, say): the window follows, restricted mode shows.
  if (e.code === 'untrusted') return { notice: { kind: 'error', message: e.message }, trusted: false };
  return e.diagnostics?.length
    ? { notice: { kind: 'error', message: e.message }, loadDiagnostics: e.diagnostics, panel: 'problems' }
    : { notice: { kind: 'error', message: e.message } };
}

/** Subscriptions a slice makes, released together by its dispose(). */
export function subscriptions() {
  const offs: (() => void)[] = [];
  return {
    add(off: () => void) {
      offs.push(off);
    },
    dispose() {
      for (const off of offs.splice(0)) off();
    },
  };
}
