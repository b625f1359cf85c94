import type { EdgeRoute } from '../../../shared/model/elkLayout';
import type { GraphView } from '../features/graph/graphModel';
import type { SliceFactory } from './slice';

/** The last automatic layout as the canvas shows it (view state, never history or the project file). */
export interface GraphViewState {
  /** Edge routes and label places from the last automatic layout: drawn while the edge's nodes stay where they were. */
  edgeRoutes: Record<string, EdgeRoute>;
  /** The automatic layout: running, how long the last one took in the worker (ms), or why it failed; `runs` counts
   * the finished ones (two layouts may take the same whole number of ms). */
  autoLayout: { running: boolean; ms?: number; error?: string; runs?: number };
  /** Kinds hidden, focus mode. */
  graphView: GraphView;
}

export interface GraphViewActions {
  layoutStarted(): void;
  /** A layout came back: its routes replace the last ones. */
  layoutDone(routes: Record<string, EdgeRoute>, ms: number): void;
  layoutFailed(error: string): void;
  setGraphView(change: Partial<GraphView>): void;
}

export const createGraphViewSlice: SliceFactory<GraphViewState, GraphViewActions> = (_client, set, get) => ({
  state: { edgeRoutes: {}, autoLayout: { running: false }, graphView: {} },
  actions: {
    layoutStarted() {
      set({ autoLayout: { ...get().autoLayout, running: true, error: undefined } });
    },
    layoutDone(routes, ms) {
      set({ edgeRoutes: routes, autoLayout: { running: false, ms, runs: (get().autoLayout.runs ?? 0) + 1 } });
    },
    layoutFailed(error) {
      set({ autoLayout: { running: false, error, runs: (get().autoLayout.runs ?? 0) + 1 } });
    },
    setGraphView(change) {
      set({ graphView: { ...get().graphView, ...change } });
    },
  },
  dispose() {},
});
