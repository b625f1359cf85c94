import type { Edge, Node } from '@xyflow/react';
import type { Diagnostic } from '../../../../shared/api/diagnostics';
import type { EditorDoc } from '../../../../shared/model/edits';
import type { EdgeRoute } from '../../../../shared/model/elkLayout';
import { drawnPositions, estimatedPdHeight, LAYOUT_ORIGIN, pdsInDrawOrder } from '../../../../shared/model/layout';
import { isArmIrq, mrKey, pdKey, type IrqEntry } from '../../../../shared/model/system';
import { graphEdges, type GraphEdgeKind } from '../../../../shared/model/graphEdges';

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
export type StudioNode = Node<PdNodeData, 'pd'> | Node<MrNodeData, 'mr'>;

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
}

/**
 * The drawing with a view applied. Hidden regions take their edges with them; hidden maps are the map, VM-map and
 * setvar edges; hidden IRQs empty the PDs' chips. Focus, with something selected: the selected nodes and edges, the
 * nodes one edge away and the edges between those stay; everything else gets the `faded` class.
 */
export function applyView(flow: { nodes: StudioNode[]; edges: Edge[] }, view: GraphView, selection: readonly string[]): { nodes: StudioNode[]; edges: Edge[] } {
  let { nodes, edges } = flow;
  if (view.hideRegions) nodes = nodes.filter((n) => n.type !== 'mr');
  if (view.hideIrqs) nodes = nodes.map((n) => (n.type === 'pd' && n.data.irqs.length ? { ...n, data: { ...n.data, irqs: [] }, initialHeight: (n.initialHeight ?? 70) - Math.ceil(n.data.irqs.length / 3) * 20 } : n));
  const shown = new Set(nodes.map((n) => n.id));
  edges = edges.filter((e) => shown.has(e.source) && shown.has(e.target) && !(view.hideMaps && /^(map|vmmap|setvar):/.test(e.id)));
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
