import type { EdgeRoute } from '../../../shared/model/elkLayout';
import { setGroupCollapsed } from '../../../shared/model/edits';
import { nodesOfKey } from '../../../shared/model/graphKeys';
import { recogniseGroups } from '../../../shared/model/groups';
import { drawnPositions } from '../../../shared/model/layout';
import type { GraphView } from '../features/graph/graphModel';
import type { SliceFactory } from './slice';

/** The last automatic layout as the canvas shows it (view state, never history or the project file). */
export interface GraphViewState {
  /** Edge routes and label places from the last automatic layout: drawn while the edge's nodes stay where they were. */
  edgeRoutes: Record<string, EdgeRoute>;
  /** The automatic layout: running, how long the last one took in the worker (ms), or why it failed; `runs` counts
   * the finished ones (two layouts may take the same whole number of ms). */
  autoLayout: { running: boolean; ms?: number; error?: string; runs?: number };
  /** Kinds hidden, focus mode, the path highlighted. */
  graphView: GraphView;
}

export interface GraphViewActions {
  layoutStarted(): void;
  /** A layout came back: its routes replace the last ones. */
  layoutDone(routes: Record<string, EdgeRoute>, ms: number): void;
  layoutFailed(error: string): void;
  setGraphView(change: Partial<GraphView>): void;
  /**
   * Collapse a group (shared/model/groups.ts) to one node, or expand it: kept with the layout (per system file, saved
   * with it), one undo step.
   */
  setGroupCollapsed(id: string, collapsed: boolean): void;
  /**
   * Select a node (or an edge or a PD's part), opening the collapsed groups around what it is drawn on first (a problem, the memory map, Find or a group's summary
   * pointing into a group: its members are not on the canvas while it is collapsed). True when a group was opened.
   */
  showNode(key: string): boolean;
  /** Highlight the shortest path between two PDs (the selection's two, when not given); cleared in the View menu. */
  highlightPath(ends?: [string, string]): void;
}

export const createGraphViewSlice: SliceFactory<GraphViewState, GraphViewActions> = (_client, set, get, actions) => ({
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
    setGroupCollapsed(id, collapsed) {
      const group = recogniseGroups(get().doc.system).find((g) => g.id === id);
      if (!group || (get().doc.layout.collapsed ?? []).includes(id) === collapsed) return;
      const drawn = drawnPositions(get().doc);
      const members = Object.fromEntries(group.members.filter((k) => drawn[k]).map((k) => [k, drawn[k]!]));
      actions.edit(setGroupCollapsed(id, collapsed, group.label, members));
      // A collapsed group's members cannot be selected on the canvas: the group is, instead.
      if (collapsed && get().selection.some((k) => group.members.includes(k))) actions.select([id]);
    },
    showNode(key) {
      const doc = get().doc;
      const collapsed = new Set(doc.layout.collapsed ?? []);
      const nodes = nodesOfKey(doc.system, key);
      const around = collapsed.size ? recogniseGroups(doc.system).filter((g) => collapsed.has(g.id) && nodes.some((n) => g.members.includes(n))) : [];
      for (const g of around) actions.setGroupCollapsed(g.id, false);
      actions.select([key]);
      return around.length > 0;
    },
    highlightPath(ends) {
      const pair = ends ?? get().selection.filter((k) => k.startsWith('pd:'));
      if (pair.length !== 2) return actions.notify({ kind: 'error', message: 'Highlight path: select two protection domains first (Ctrl+click the second)' });
      set({ graphView: { ...get().graphView, path: [pair[0]!, pair[1]!] } });
    },
  },
  dispose() {},
});
