import { Background, Controls, EdgeLabelRenderer, MiniMap, ReactFlow, ViewportPortal, useReactFlow, useStore, type Connection, type Edge, type EdgeChange, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { addChannel, addMap, moveNodes } from '../../../../shared/model/edits';
import { PALETTE_MIME, usePaletteDrop, type PaletteKind } from './paletteItems';
import { NoProject } from './NoProject';
import type { NodePosition } from '../../../../shared/model/project';
import { useActions, useStudio } from '../../stores/context';
import { useAnalysis, useProblems } from '../problems/useProblems';
import { problemsByKey } from '../../../../shared/model/graphKeys';
import { applyGroups, applyView, groupFrames, stabilize, toFlow, type StudioNode } from './graphModel';
import { GroupFrames, GroupTitles, nodeTypes } from './nodes';
import { drawnAs, recogniseGroups } from '../../../../shared/model/groups';
import { shortestPath } from '../../../../shared/model/graphPath';
import { edgeTypes } from './SpreadEdge';
import { hex } from '../../../../shared/format/hex';
import { guestRamFacts } from '../../../../shared/model/board';
import { commandTitle } from '../../commands/registry';
import { LiveLegend } from './liveOverlay';
import { fitAll } from './fit';

/** Below this zoom edge labels are hidden (too small to read); hovering or selecting an edge shows its label. */
const LABEL_MIN_ZOOM = 0.4;

const MULTI_KEYS = ['Control', 'Meta', 'Shift'];
const FIT = { maxZoom: 1.2 };
const PRO = { hideAttribution: true };
const miniColor = (n: { type?: string }) => (n.type === 'pd' ? '#5b8ff0' : n.type === 'group' ? '#9a7ad8' : '#48b87a');
/** PD → region (a map; from the VM's handle, into the VM) or PD → PD (a channel; not from the VM's handle). */
const isValidConnection = (c: { source: string; target: string; sourceHandle?: string | null }) =>
  c.source.startsWith('pd:') && c.source !== c.target && (c.target.startsWith('mr:') || (c.target.startsWith('pd:') && c.sourceHandle !== 'vm'));

function CanvasInner() {
  const doc = useStudio((s) => s.doc);
  const selection = useStudio((s) => s.selection);
  const hasProject = useStudio((s) => Boolean(s.project));
  const theme = useStudio((s) => s.theme);
  const actions = useActions();
  const { counts } = useProblems();
  const { diagnostics, sources } = useAnalysis();
  // The checker's diagnostics per node and edge: a channel breaking a rule is drawn red from these.
  const keyProblems = useMemo(() => problemsByKey(diagnostics, sources), [diagnostics, sources]);
  const flow = useReactFlow();
  // A VM's RAM is mapped at the board's guest RAM base.
  const board = useStudio((s) => s.boards.find((b) => b.name === s.project?.studio.board));
  // Drawing an edge: PD → region maps it (from the VM's handle: into the VM), PD → PD makes a channel. The new edge
  // is selected (its inspector opens); one undo step takes it away.
  const onConnect = useCallback(
    (c: Connection) => {
      const pd = c.source.slice(3);
      if (c.target.startsWith('mr:')) actions.addAndSelect(addMap(pd, c.target.slice(3), c.sourceHandle === 'vm' ? 'vm' : 'pd', guestRamFacts(board)));
      else if (c.target.startsWith('pd:')) actions.addAndSelect(addChannel(pd, c.target.slice(3)));
    },
    [actions, board],
  );
  // A project just opened: show all of it.
  const opened = useStudio((s) => s.opened);
  const projectDir = useStudio((s) => s.project?.dir);
  /** How many nodes the document has (set below, read by the fit-on-open loop). */
  const nodeCount = useRef(0);
  useEffect(() => {
    if (!projectDir) return;
    // Once the nodes are in React Flow's store (a large system takes a few frames), fit them all.
    let frame = 0;
    let tries = 0;
    const fit = () => {
      if (flow.getNodes().length >= nodeCount.current || tries++ > 60) void fitAll(flow);
      else frame = requestAnimationFrame(fit);
    };
    const t = setTimeout(() => (frame = requestAnimationFrame(fit)), 60);
    return () => {
      clearTimeout(t);
      cancelAnimationFrame(frame);
    };
  }, [projectDir, opened, flow]);
  // Positions while a drag is in progress: shown live, committed as one edit when the drag ends.
  const [dragging, setDragging] = useState<Record<string, NodePosition>>({});
  // Sizes React Flow measured: view state (the minimap and fit-view need them), never part of the document.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});

  // Nodes and edges keep their identity while their content is unchanged, so React Flow re-renders only what an
  // edit or a drag touched (a 250-node system stays fluid: npm run bench).
  const cache = useRef({ nodes: new Map<string, StudioNode>(), edges: new Map<string, Edge>() });
  const routes = useStudio((s) => s.edgeRoutes);
  const view = useStudio((s) => s.graphView);
  const labelsHidden = useStore((s) => s.transform[2] < LABEL_MIN_ZOOM);
  // Groups (sDDF subsystems, VMMs with their VMs, parents with their children): frames, or one node when collapsed.
  const groups = useMemo(() => recogniseGroups(doc.system), [doc.system]);
  const collapsedList = doc.layout.collapsed;
  const collapsed = useMemo(() => new Set(collapsedList ?? []), [collapsedList]);
  // The path highlighted: the View menu's (Highlight path between…), or in focus mode a selection of two PDs
  // (Shift-click the second). Its nodes as drawn: a member of a collapsed group is the group's node.
  const path = useMemo(() => {
    const pds = selection.filter((k) => k.startsWith('pd:'));
    const ends = view.path ?? (view.focus && pds.length === 2 && selection.length === 2 ? [pds[0]!, pds[1]!] : undefined);
    const p = ends && shortestPath(doc.system, ends[0], ends[1]);
    if (!p) return undefined;
    const as = drawnAs(groups, collapsed);
    return { nodes: p.nodes.map(as), edges: p.edges };
  }, [view.path, view.focus, selection, doc.system, groups, collapsed]);
  const base = useMemo(() => {
    const f = applyView(applyGroups(toFlow(doc, selection, counts, keyProblems, routes), groups, collapsed, doc.layout.nodes, selection), view, selection, path);
    const nodes = stabilize(cache.current.nodes, f.nodes);
    const edges = stabilize(cache.current.edges, f.edges);
    cache.current = { nodes: new Map(nodes.map((n) => [n.id, n])), edges: new Map(edges.map((e) => [e.id, e])) };
    return { nodes, edges };
  }, [doc, selection, counts, keyProblems, routes, view, groups, collapsed, path]);
  const sized = useMemo(() => base.nodes.map((n) => (measured[n.id] ? { ...n, measured: measured[n.id] } : n)), [base, measured]);
  const nodes = useMemo(() => (Object.keys(dragging).length ? sized.map((n) => (dragging[n.id] ? { ...n, position: dragging[n.id]! } : n)) : sized) as StudioNode[], [sized, dragging]);
  const edges = base.edges;
  nodeCount.current = nodes.length;
  const frames = useMemo(() => groupFrames(nodes, groups, collapsed), [nodes, groups, collapsed]);

  // The change handler reads the latest drag and selection through refs, so it stays the same function during a drag.
  const live = useRef({ dragging, selection });
  live.current = { dragging, selection };
  // Every prop handed to React Flow keeps its identity across renders: a new function there makes React Flow
  // re-render every edge on each drag move.
  const onPaneClick = useCallback(() => actions.select([]), [actions]);
  const onEdgeClick = useCallback(
    (ev: MouseEvent, e: Edge) => {
      const { selection } = live.current;
      actions.select(ev.ctrlKey || ev.metaKey || ev.shiftKey ? [...selection.filter((k) => k !== e.id), e.id] : [e.id]);
    },
    [actions],
  );
  const onNodesChange = useCallback(
    (changes: NodeChange<StudioNode>[]) => {
      const { dragging, selection } = live.current;
      const moving: Record<string, NodePosition> = {};
      const done: Record<string, NodePosition> = {};
      let selectionChanged = false;
      const selected = new Set(selection);
      const sizes: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
        if (c.type === 'position') {
          if (c.dragging && c.position) moving[c.id] = c.position;
          else if (!c.dragging) {
            const pos = c.position ?? dragging[c.id];
            if (pos) done[c.id] = pos;
          }
        } else if (c.type === 'select') {
          selectionChanged = true;
          if (c.selected) selected.add(c.id);
          else selected.delete(c.id);
        }
        // 'remove' changes are not taken: deleting goes through the store (the Delete command), which first shows
        // what goes with it.
      }
      if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
      if (Object.keys(moving).length) setDragging((d) => ({ ...d, ...moving }));
      if (Object.keys(done).length) {
        actions.edit(moveNodes(done));
        setDragging((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !(k in done))));
      }
      if (selectionChanged) {
        // React Flow may send the edges' half of the same click next (onEdgesChange): it must see this selection.
        live.current.selection = [...selected];
        actions.select(live.current.selection);
      }
    },
    [actions],
  );
  // A click on a node unselects the edges through here (and the nodes through onNodesChange): only 'select' is taken.
  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      const selected = new Set(live.current.selection);
      let changed = false;
      for (const c of changes) {
        if (c.type !== 'select' || selected.has(c.id) === c.selected) continue;
        changed = true;
        if (c.selected) selected.add(c.id);
        else selected.delete(c.id);
      }
      if (!changed) return;
      live.current.selection = [...selected];
      actions.select(live.current.selection);
    },
    [actions],
  );

  // A device region's context menu: pass the device behind it through to a VM (the passthrough wizard). A PD's: make
  // its program (stub, generated header, build-file line).
  const [menu, setMenu] = useState<{ x: number; y: number; name: string; physAddr?: number; pd?: boolean } | undefined>();
  const onNodeContextMenu = useCallback((ev: MouseEvent, n: StudioNode) => {
    if (n.type === 'pd') {
      ev.preventDefault();
      setMenu({ x: ev.clientX, y: ev.clientY, name: n.data.name, pd: true });
      return;
    }
    if (n.type !== 'mr' || n.data.physAddr === undefined) return;
    ev.preventDefault();
    setMenu({ x: ev.clientX, y: ev.clientY, name: n.data.name, physAddr: n.data.physAddr });
  }, []);
  useEffect(() => {
    if (!menu) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e.target instanceof Element && e.target.closest('.context-menu')) return;
      setMenu(undefined);
    };
    window.addEventListener('pointerdown', close, true);
    window.addEventListener('keydown', close, true);
    window.addEventListener('wheel', close, true);
    return () => {
      window.removeEventListener('pointerdown', close, true);
      window.removeEventListener('keydown', close, true);
      window.removeEventListener('wheel', close, true);
    };
  }, [menu]);

  const drop = usePaletteDrop();
  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(PALETTE_MIME) as PaletteKind;
      if (!kind) return;
      e.preventDefault();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // The PD node under the pointer (a VM, IRQ or child PD goes into it).
      const under = document.elementsFromPoint(e.clientX, e.clientY).map((el) => el.closest('.react-flow__node')).find(Boolean);
      const id = under?.getAttribute('data-id') ?? '';
      drop(kind, at, id.startsWith('pd:') ? id.slice(3) : undefined);
    },
    [drop, flow],
  );

  if (!hasProject) return <NoProject />;
  return (
    <div className={`canvas${labelsHidden ? ' labels-hidden' : ''}`} data-testid="canvas" onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = 'copy'))} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onPaneClick={onPaneClick}
        onConnect={onConnect}
        onEdgeClick={onEdgeClick}
        onNodeContextMenu={onNodeContextMenu}
        isValidConnection={isValidConnection}
        // A large system mounts only what is on screen: every mounted node and edge re-runs a store selector on each
        // drag move (npm run bench -- --only graph); nodes carry an initial size for what is not mounted.
        onlyRenderVisibleElements={nodes.length > 100}
        // React Flow's default (0.5) cannot fit a 60-PD system on screen; the laid-out 250-node system needs 0.035.
        minZoom={0.02}
        deleteKeyCode={null}
        multiSelectionKeyCode={MULTI_KEYS}
        colorMode={theme}
        fitView
        fitViewOptions={FIT}
        proOptions={PRO}
      >
        <Background gap={20} />
        <ViewportPortal>
          <GroupFrames frames={frames} />
        </ViewportPortal>
        <EdgeLabelRenderer>
          <GroupTitles frames={frames} />
        </EdgeLabelRenderer>
        <MiniMap pannable zoomable nodeColor={miniColor} nodeStrokeWidth={2} />
        <Controls />
        <LiveLegend />
      </ReactFlow>
      {menu && (
        <ul className="context-menu" role="menu" style={{ left: menu.x, top: menu.y }} data-testid="node-context-menu">
          {menu.pd && (
            <li>
              <button
                role="menuitem"
                data-testid="ctx-create-program"
                title={commandTitle('createProgram')}
                onClick={() => {
                  setMenu(undefined);
                  void actions.createPrograms([menu.name]);
                }}
              >
                Create program for {menu.name}
              </button>
            </li>
          )}
          {menu.physAddr !== undefined && (
            <li>
              <button
                role="menuitem"
                data-testid="ctx-passthrough"
                onClick={() => {
                  setMenu(undefined);
                  actions.openWizard({ physAddr: menu.physAddr });
                }}
              >
                Pass the device at {hex(menu.physAddr)} through to a VM…
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}

/** The graph canvas; the React Flow provider is the caller's (Center), so the tools beside it share the view. */
export function Canvas() {
  return <CanvasInner />;
}
