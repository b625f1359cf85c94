import type { Edge, Node } from '@xyflow/react';
import type { Diagnostic } from '../../../../shared/api/diagnostics';
import type { EditorDoc } from '../../../../shared/model/edits';
import type { EdgeRoute, LayoutRequest } from '../../../../shared/model/elkLayout';
import { drawnPositions, estimatedPdHeight, LAYOUT_ORIGIN, pdsInDrawOrder } from '../../../../shared/model/layout';
import { isArmIrq, mrKey, pdKey, type IrqEntry } from '../../../../shared/model/system';
import { graphEdges, type GraphEdgeKind } from '../../../../shared/model/graphEdges';
import { GROUP_PAD } from '../../../../shared/model/elkLayout';
import { drawnAs, framedGroups, recogniseGroups, type Group, type GroupKind } from '../../../../shared/model/groups';
import { edgeLabelSize, layoutSize } from './nodeSize';
import type { NodePosition } from '../../../../shared/model/project';

export type PdNodeData = {
  kind: 'pd';
  name: string;
  priority?: number;
  image: string;
  problems: number;
  /** The VM this PD runs as its VMM: drawn inside the PD, its maps leave from the VM's own handle. */
  vm?: { name: string; vcpus: number[] };
  /** Interrupts the PD receives, as `irq 33 → id 1`. */
  irqs: string[];
  /** Child PDs: the parent and the id it knows the child by. */
  parent?: { name: string; id?: number };
};
export type MrNodeData = { kind: 'mr'; name: string; size?: number; physAddr?: number; problems: number };
/** A collapsed group: one node standing for its members; its edges are theirs to the outside, aggregated. */
export type GroupNodeData = { kind: 'group'; name: string; groupKind: GroupKind; pds: number; mrs: number; links: number };
export type StudioNode = Node<PdNodeData, 'pd'> | Node<MrNodeData, 'mr'> | Node<GroupNodeData, 'group'>;

/**
 * The model as React Flow nodes and edges (maps PD→MR, channels PD↔PD). Pure: the canvas is controlled.
 * `keyProblems`: the checker's diagnostics by graph key (problemsByKey); a channel with an error is drawn red.
 * `routes`: the last automatic layout's edge routes; an edge follows its route while both its nodes are where the
 * layout put them (a moved node's edges are drawn from its handles again).
 */
export function toFlow(
  doc: EditorDoc,
  selection: string[],
  problemCounts: Map<string, number>,
  keyProblems: ReadonlyMap<string, readonly Diagnostic[]> = new Map(),
  routes: Readonly<Record<string, EdgeRoute>> = {},
): { nodes: StudioNode[]; edges: Edge[] } {
  const sel = new Set(selection);
  const nodes: StudioNode[] = [];
  const pds = pdsInDrawOrder(doc.system);
  const positions = drawnPositions(doc);
  for (const { pd, parent } of pds) {
    const id = pdKey(pd.name);
    const data: PdNodeData = { kind: 'pd', name: pd.name, priority: pd.priority, image: pd.programImage, problems: problemCounts.get(id) ?? 0, irqs: pd.irqs.map(irqLabel) };
    if (pd.virtualMachine) data.vm = { name: pd.virtualMachine.name, vcpus: pd.virtualMachine.vcpus.map((v) => v.id) };
    if (parent) data.parent = pd.id !== undefined ? { name: parent.name, id: pd.id } : { name: parent.name };
    nodes.push({
      id,
      type: 'pd',
      position: positions[id]!,
      selected: sel.has(id),
      // A size before React Flow measures it: off-screen nodes of a large system are not mounted (Canvas), and
      // fit-view and the minimap still need their extent.
      initialWidth: 200,
      initialHeight: estimatedPdHeight(pd),
      data,
    });
  }
  for (const mr of doc.system.memoryRegions) {
    const id = mrKey(mr.name);
    nodes.push({
      id,
      type: 'mr',
      position: positions[id]!,
      selected: sel.has(id),
      initialWidth: 200,
      initialHeight: 72,
      data: { kind: 'mr', name: mr.name, size: mr.size, physAddr: mr.physAddr, problems: problemCounts.get(id) ?? 0 },
    });
  }
  const edges: Edge[] = [];
  const placed = new Map(nodes.map((n) => [n.data.name, n.position]));
  const at = (name: string) => placed.get(name) ?? LAYOUT_ORIGIN;
  const className: Record<GraphEdgeKind, string> = { map: 'edge-map', 'vm-map': 'edge-vm-map', setvar: 'edge-setvar', child: 'edge-child', channel: 'edge-channel' };
  for (const g of graphEdges(doc.system)) {
    if (g.kind !== 'channel' && g.kind !== 'child') {
      edges.push({ id: g.id, source: g.source, sourceHandle: g.sourceHandle, target: g.target, targetHandle: 'in', label: g.label, className: className[g.kind] });
      continue;
    }
    const sides = channelSides(at(g.source.slice(3)), at(g.target.slice(3)));
    if (g.kind === 'child') {
      edges.push({ id: g.id, source: g.source, ...sides, target: g.target, label: g.label, className: className.child });
      continue;
    }
    // A rule the channel breaks (the PPC priority rule, an id out of range…), on the edge itself: red, with the
    // checker's message as the label's tooltip.
    const errors = (keyProblems.get(g.id) ?? []).filter((d) => d.severity === 'error');
    const bad = errors.length ? errors.map((d) => d.message).join('\n') : undefined;
    edges.push({
      id: g.id,
      source: g.source,
      ...sides,
      target: g.target,
      label: `${g.label}${bad ? ' ✗' : ''}`,
      className: `edge-channel${g.pp ? ' edge-pp' : ''}${bad ? ' edge-bad' : ''}`,
      ...(bad ? { data: { problem: bad } } : {}),
    });
  }
  // Edges between the same two nodes fan out (each keeps its own label and stays clickable).
  const groups = new Map<string, Edge[]>();
  for (const e of edges) {
    const k = [e.source, e.target].sort().join('|');
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  for (const group of groups.values()) {
    group.forEach((e, i) => {
      e.type = 'spread';
      // Offsets measured in the direction of the first edge, so reversed edges still fan apart.
      const flip = e.source === group[0]!.source ? 1 : -1;
      e.data = { ...e.data, offset: group.length === 1 ? 0 : flip * (i - (group.length - 1) / 2) * 46 };
    });
  }
  const byId = new Map(nodes.map((n) => [n.id, n.position]));
  const same = (a: { x: number; y: number } | undefined, b: { x: number; y: number }) => a !== undefined && a.x === b.x && a.y === b.y;
  for (const e of edges) {
    const r = routes[e.id];
    if (r && same(byId.get(e.source), r.ends[0]) && same(byId.get(e.target), r.ends[1])) e.data = { ...e.data, offset: 0, route: r };
  }
  for (const e of edges) if (sel.has(e.id)) e.selected = true;
  return { nodes, edges };
}

/**
 * The handles a PD-to-PD edge uses: the sides facing each other, so an edge between two stacked PDs runs straight
 * down instead of looping from one's right side round to the other's left.
 */
export function channelSides(from: { x: number; y: number }, to: { x: number; y: number }): { sourceHandle: string; targetHandle: string } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (Math.abs(dy) > Math.abs(dx) * 0.8) return dy > 0 ? { sourceHandle: 'out-bottom', targetHandle: 'in-top' } : { sourceHandle: 'out-top', targetHandle: 'in-bottom' };
  return dx >= 0 ? { sourceHandle: 'pd', targetHandle: 'in' } : { sourceHandle: 'out-left', targetHandle: 'in-right' };
}

function irqLabel(i: IrqEntry): string {
  if (isArmIrq(i)) return `irq ${i.irq} → id ${i.id}`;
  if ('pin' in i) return `ioapic pin ${i.pin} → id ${i.id}`;
  return `msi → id ${i.id}`;
}

/**
 * The previous object for every item whose content did not change (compared as JSON), the new one otherwise: React
 * Flow compares nodes and edges by identity, so this limits re-rendering to what changed.
 */
export function stabilize<T extends { id: string }>(previous: Map<string, T>, next: T[]): T[] {
  return next.map((item) => {
    const old = previous.get(item.id);
    return old && JSON.stringify(old) === JSON.stringify(item) ? old : item;
  });
}

/** What the canvas shows of the graph: kinds hidden, and focus (the selection and its neighbours; the rest faded). */
export interface GraphView {
  hideRegions?: boolean;
  hideMaps?: boolean;
  hideIrqs?: boolean;
  focus?: boolean;
  /** Two nodes whose shortest path (channels, shared regions) is highlighted, the rest faded. */
  path?: [string, string];
}

/**
 * The drawing with a view applied. Hidden regions take their edges with them; hidden maps are the map, VM-map and
 * setvar edges; hidden IRQs empty the PDs' chips. Focus, with something selected: the selected nodes and edges, the
 * nodes one edge away and the edges between those stay; everything else gets the `faded` class.
 */
export function applyView(
  flow: { nodes: StudioNode[]; edges: Edge[] },
  view: GraphView,
  selection: readonly string[],
  path?: { nodes: readonly string[]; edges: readonly string[] },
): { nodes: StudioNode[]; edges: Edge[] } {
  let { nodes, edges } = flow;
  if (view.hideRegions) nodes = nodes.filter((n) => n.type !== 'mr');
  if (view.hideIrqs) nodes = nodes.map((n) => (n.type === 'pd' && n.data.irqs.length ? { ...n, data: { ...n.data, irqs: [] }, initialHeight: (n.initialHeight ?? 70) - Math.ceil(n.data.irqs.length / 3) * 20 } : n));
  const shown = new Set(nodes.map((n) => n.id));
  edges = edges.filter((e) => shown.has(e.source) && shown.has(e.target) && !(view.hideMaps && /^(map|vmmap|setvar):/.test(e.id)));
  if (path) {
    // The path: its nodes (or the collapsed groups holding them) and edges (or the aggregated edges carrying them).
    const on = new Set(path.nodes);
    const via = new Set(path.edges);
    const mark = (cls: string | undefined, hit: boolean) => `${cls ? `${cls} ` : ''}${hit ? 'on-path' : 'faded'}`;
    nodes = nodes.map((n) => ({ ...n, className: mark(n.className, on.has(n.id)) }));
    edges = edges.map((e) => ({ ...e, className: mark(e.className, via.has(e.id) || ((e.data?.members as string[] | undefined) ?? []).some((m) => via.has(m))) }));
    return { nodes, edges };
  }
  if (view.focus && selection.length) {
    const sel = new Set(selection);
    const near = new Set(nodes.filter((n) => sel.has(n.id)).map((n) => n.id));
    for (const e of edges) {
      if (!(sel.has(e.id) || sel.has(e.source) || sel.has(e.target))) continue;
      near.add(e.source);
      near.add(e.target);
    }
    const fade = (cls: string | undefined) => `${cls ? `${cls} ` : ''}faded`;
    nodes = nodes.map((n) => (near.has(n.id) ? n : { ...n, className: fade(n.className) }));
    edges = edges.map((e) => (near.has(e.source) && near.has(e.target) ? e : { ...e, className: fade(e.className) }));
  }
  return { nodes, edges };
}

/**
 * The drawing with groups applied: a collapsed group (the outermost collapsed one) is one node where its members
 * were — at its stored place, else at its members' top-left corner — and every edge from a member to the outside
 * leaves from it, edges between the same two drawn nodes aggregated into one labelled with their count. Edges inside
 * a collapsed group are not drawn.
 */
export function applyGroups(
  flow: { nodes: StudioNode[]; edges: Edge[] },
  groups: readonly Group[],
  collapsed: ReadonlySet<string>,
  stored: Readonly<Record<string, NodePosition>>,
  selection: readonly string[] = [],
): { nodes: StudioNode[]; edges: Edge[] } {
  const live = groups.filter((g) => collapsed.has(g.id));
  if (!live.length) return flow;
  const as = drawnAs(groups, collapsed);
  const heads = new Set(flow.nodes.map((n) => as(n.id)).filter((id) => id.startsWith('group:')));
  if (!heads.size) return flow;
  const sel = new Set(selection);
  const nodes: StudioNode[] = flow.nodes.filter((n) => as(n.id) === n.id);
  const byId = new Map(groups.map((g) => [g.id, g]));
  const edges: Edge[] = [];
  const agg = new Map<string, Edge & { data: { members: string[] } }>();
  for (const e of flow.edges) {
    const [s, t] = [as(e.source), as(e.target)];
    if (s === e.source && t === e.target) {
      edges.push(e);
      continue;
    }
    if (s === t) continue;
    const key = [s, t].sort().join('|');
    const a = agg.get(key);
    if (a) a.data.members.push(e.id);
    else agg.set(key, { id: `agg:${key}`, source: s, sourceHandle: 'pd', target: t, targetHandle: 'in', type: 'spread', className: 'edge-group', data: { members: [e.id], offset: 0 } });
  }
  for (const e of agg.values()) {
    const n = e.data.members.length;
    e.label = n === 1 ? (flow.edges.find((x) => x.id === e.data.members[0])?.label as string) : `${n} edges`;
    if (sel.has(e.id)) e.selected = true;
    edges.push(e);
  }
  const links = new Map<string, number>();
  for (const e of agg.values()) for (const end of [e.source, e.target]) if (heads.has(end)) links.set(end, (links.get(end) ?? 0) + e.data.members.length);
  for (const id of heads) {
    const g = byId.get(id)!;
    const inside = flow.nodes.filter((n) => as(n.id) === id);
    const at = stored[id] ?? { x: Math.min(...inside.map((n) => n.position.x)), y: Math.min(...inside.map((n) => n.position.y)) };
    nodes.push({
      id,
      type: 'group',
      position: { x: at.x, y: at.y },
      selected: sel.has(id),
      initialWidth: 220,
      initialHeight: 84,
      data: { kind: 'group', name: g.label, groupKind: g.kind, pds: g.members.filter((k) => k.startsWith('pd:')).length, mrs: g.members.filter((k) => k.startsWith('mr:')).length, links: links.get(id) ?? 0 },
    });
  }
  return { nodes, edges };
}

/** A group drawn as a frame around its members (flow coordinates), outer frames first (drawn beneath). */
export interface GroupFrame {
  id: string;
  label: string;
  kind: GroupKind;
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
  /** The drawn nodes inside (nested frames' too). */
  members: string[];
}

const nodeRect = (n: StudioNode) => ({ x: n.position.x, y: n.position.y, width: n.measured?.width ?? n.width ?? n.initialWidth ?? 200, height: n.measured?.height ?? n.height ?? n.initialHeight ?? 72 });

/** The frames of the groups shown expanded, each around its drawn members and the frames inside it (GROUP_PAD). */
export function groupFrames(nodes: readonly StudioNode[], groups: readonly Group[], collapsed: ReadonlySet<string>): GroupFrame[] {
  if (!groups.length) return [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const shown = framedGroups(groups, collapsed, new Set(byId.keys()));
  const frames = new Map<string, GroupFrame>();
  const depth = (id: string): number => {
    const p = shown.find((g) => g.id === id)?.parent;
    return p ? 1 + depth(p) : 0;
  };
  // Innermost first, so an outer frame holds the inner ones.
  const order = [...shown].sort((a, b) => depth(b.id) - depth(a.id));
  for (const g of order) {
    const rects = g.children.filter((c) => byId.has(c)).map((c) => nodeRect(byId.get(c)!));
    const members = g.children.filter((c) => byId.has(c));
    for (const inner of shown.filter((o) => o.parent === g.id)) {
      const f = frames.get(inner.id);
      if (!f) continue;
      rects.push(f);
      members.push(...f.members);
    }
    if (!rects.length) continue;
    const x = Math.min(...rects.map((r) => r.x)) - GROUP_PAD.left;
    const y = Math.min(...rects.map((r) => r.y)) - GROUP_PAD.top;
    const width = Math.max(...rects.map((r) => r.x + r.width)) + GROUP_PAD.right - x;
    const height = Math.max(...rects.map((r) => r.y + r.height)) + GROUP_PAD.bottom - y;
    frames.set(g.id, { id: g.id, label: g.label, kind: g.kind, x, y, width, height, depth: depth(g.id), members });
  }
  return [...frames.values()].sort((a, b) => a.depth - b.depth);
}

/**
 * The automatic layout's request for a document, as the canvas draws it: at the sizes drawn (`measured`, estimated
 * until a node was measured); a collapsed group is one node with its members' outside edges; the groups drawn as
 * frames are ELK compound nodes, so their members are laid out together.
 */
export function layoutRequestOf(doc: EditorDoc, measured: (id: string) => { width?: number; height?: number } | undefined): LayoutRequest {
  const groups = recogniseGroups(doc.system);
  const collapsed = new Set(doc.layout.collapsed ?? []);
  const drawn = applyGroups(toFlow(doc, [], new Map()), groups, collapsed, doc.layout.nodes);
  const { nodes } = drawn;
  return {
    system: doc.system,
    nodes: nodes.map((n) => ({ id: n.id, ...layoutSize(n, measured(n.id)) })),
    edges: collapsed.size ? drawn.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: typeof e.label === 'string' ? e.label : undefined })) : graphEdges(doc.system),
    labelSize: edgeLabelSize,
    groups: framedGroups(groups, collapsed, new Set(nodes.map((n) => n.id))),
  };
}
