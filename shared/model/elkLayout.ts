import type { NodePosition } from './project';
import { LAYOUT_ORIGIN } from './layout';
import { allProtectionDomains, pdKey, type Channel, type ProtectionDomain, type SystemModel } from './system';

/**
 * The automatic layout's input and output, as data: the graph the canvas draws → an ELK graph (layered, left to right,
 * one port per edge end, orthogonal routes, edge labels placed by ELK) → node positions and edge routes. Pure: the
 * renderer runs ELK itself in a worker (features/graph/layout.worker.ts); tests run it in Node.
 *
 * Data flow, left to right. Every edge is given a direction for the layering (the drawing keeps its own):
 *  - a channel runs from the PD upstream to the one downstream. Upstream is decided, in this order, by
 *    1. role, from names and hardware: a driver (name with `driver`/`drv`, or a PD with IRQs or a device region
 *       mapped) before a virtualiser (`virt`, `mux`) before anything else (clients, VMMs: a PD with a VM is a client);
 *    2. a protected procedure call: the end that may call (`pp`) is the client, the callee upstream of it;
 *    3. priority: Microkit servers run above their clients, so the higher priority is upstream;
 *    4. file order.
 *  - a region: its most upstream user maps it towards the region, every other user comes after it, so a queue shared
 *    by a virtualiser and a client sits between them and a private region beside (right of) its PD. A device region
 *    (phys_addr) comes before its users: the hardware is left of its driver.
 *  - a child PD comes after its parent.
 *
 * A region's edge to a user far from the region's most upstream user (more than LONG_EDGE_HOPS channels or child
 * links between the two PDs) is left out of ELK's graph: the layering could not put the region between them anyway,
 * and such an edge crossing the drawing is split by ELK into one dummy node per layer it passes (on the 250-node
 * system, 50 such edges were 70 % of the layout's time). The canvas draws it from its nodes' handles.
 */

export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
/** A node the canvas draws: `pd:NAME` or `mr:NAME`, with the size it is drawn at. */
export interface LayoutNodeIn extends Size {
  id: string;
}
/** An edge the canvas draws, source to target as drawn, with its label. */
export interface LayoutEdgeIn {
  id: string;
  source: string;
  target: string;
  label?: string;
}
/** A group drawn as a frame (shared/model/groups.ts): laid out as an ELK compound node, its members inside it. */
export interface LayoutGroupIn {
  id: string;
  /** The request's nodes directly inside (not inside a group within this one). */
  children: string[];
  /** The group this one sits in. */
  parent?: string;
}
export interface LayoutRequest {
  system: SystemModel;
  nodes: LayoutNodeIn[];
  edges: LayoutEdgeIn[];
  /** Groups to keep together, each one ELK compound node (hierarchy handling INCLUDE_CHILDREN: one layering across them). */
  groups?: LayoutGroupIn[];
  /** Edge label size as the canvas draws it. */
  labelSize: (text: string) => Size;
}

/** The subset of ELK's JSON graph used here (elkjs's own types are the renderer's; shared stays free of them). */
export interface ElkLabelJson extends Partial<Point>, Partial<Size> {
  text?: string;
}
export interface ElkPortJson extends Partial<Point>, Partial<Size> {
  id: string;
  layoutOptions?: Record<string, string>;
}
export interface ElkSectionJson {
  startPoint: Point;
  endPoint: Point;
  bendPoints?: Point[];
}
export interface ElkEdgeJson {
  id: string;
  sources: string[];
  targets: string[];
  labels?: ElkLabelJson[];
  sections?: ElkSectionJson[];
}
export interface ElkNodeJson extends Partial<Point>, Partial<Size> {
  id: string;
  layoutOptions?: Record<string, string>;
  ports?: ElkPortJson[];
  children?: ElkNodeJson[];
  edges?: ElkEdgeJson[];
  labels?: ElkLabelJson[];
}

/** An edge as ELK routed it, in the drawing's direction (source → target), valid while its ends stay at `ends`. */
export interface EdgeRoute {
  points: Point[];
  /** The label's box (top-left corner and size), where ELK put it. */
  label?: Point & Size;
  /** Where the source and target nodes were when routed: the route is drawn only while they are still there. */
  ends: [Point, Point];
}

export interface LayoutResult {
  /** Every node's new position, keys in the order of the request's nodes; the pinned ones as they were. */
  positions: Record<string, NodePosition>;
  /** Routes for the edges whose ends ELK placed (an edge to a pinned or pushed node is drawn by the canvas). */
  routes: Record<string, EdgeRoute>;
}

/** Room inside a group's frame around its members (the top holds the frame's title); the canvas draws frames with it. */
export const GROUP_PAD = { top: 34, left: 16, bottom: 16, right: 16 };

/** Room between nodes, and between a node and an edge, in the layering. */
const GAP = 36;

export const ELK_ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.spacing.nodeNode': String(GAP),
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeNode': '16',
  'elk.spacing.edgeLabel': '3',
  'elk.spacing.labelLabel': '4',
  'elk.spacing.componentComponent': String(GAP * 2),
  'elk.layered.spacing.nodeNodeBetweenLayers': '44',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  // Measured on the profiler (66 nodes) and the 250-node system: network-simplex placement and model-order
  // tie-breaking cost 3–4× the time for a drawing about as good; thoroughness 2 (of 7) halves the crossing sweeps.
  'elk.layered.thoroughness': '2',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.cycleBreaking.strategy': 'GREEDY',
  'elk.separateConnectedComponents': 'true',
  // About the canvas's shape, so fit zoom keeps labels readable.
  'elk.aspectRatio': '1.6',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

/** 0 driver, 1 virtualiser, 2 the rest (clients, VMMs). */
export function pdRole(pd: ProtectionDomain, deviceRegions: ReadonlySet<string>): 0 | 1 | 2 {
  const n = pd.name.toLowerCase();
  if (pd.virtualMachine) return 2;
  if (/driver|drv/.test(n) || pd.irqs.length || pd.maps.some((m) => deviceRegions.has(m.mr))) return 0;
  if (/virt(?!io|ual)|mux/.test(n)) return 1;
  return 2;
}

interface PdFacts {
  role: number;
  priority: number;
  index: number;
}

/** Whether `a` is upstream of `b` (see the header): role, then who calls whom, then priority, then file order. */
function upstream(a: PdFacts, b: PdFacts, aCalls = false, bCalls = false): boolean {
  if (a.role !== b.role) return a.role < b.role;
  if (aCalls !== bCalls) return bCalls;
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.index < b.index;
}

/** For each drawn edge: whether the layering takes it reversed (target before source). */
export function flowDirections(system: SystemModel, edges: readonly LayoutEdgeIn[]): Map<string, boolean> {
  const devices = new Set(system.memoryRegions.filter((m) => m.physAddr !== undefined).map((m) => m.name));
  const facts = new Map<string, PdFacts>();
  allProtectionDomains(system).forEach((pd, index) => facts.set(pdKey(pd.name), { role: pdRole(pd, devices), priority: pd.priority ?? 0, index }));
  const fact = (id: string) => facts.get(id) ?? { role: 2, priority: 0, index: Number.MAX_SAFE_INTEGER };
  // Each region's most upstream user.
  const users = new Map<string, string[]>();
  for (const e of edges) if (e.target.startsWith('mr:') && e.source.startsWith('pd:')) users.set(e.target, [...(users.get(e.target) ?? []), e.source]);
  const owner = new Map<string, string>();
  for (const [mr, us] of users) owner.set(mr, us.reduce((best, u) => (upstream(fact(u), fact(best)) ? u : best)));
  const chEnds = new Map<string, Channel['ends']>(system.channels.map((ch, i) => [`ch:${i}`, ch.ends]));
  const out = new Map<string, boolean>();
  for (const e of edges) {
    let reversed = false;
    if (e.target.startsWith('mr:')) reversed = devices.has(e.target.slice(3)) || owner.get(e.target) !== e.source;
    else if (e.source.startsWith('pd:') && e.target.startsWith('pd:') && !e.id.startsWith('child:')) {
      const ends = chEnds.get(e.id);
      const [sCalls, tCalls] = ends && pdKey(ends[0].pd) === e.source ? [ends[0].pp, ends[1].pp] : [ends?.[1].pp, ends?.[0].pp];
      reversed = upstream(fact(e.target), fact(e.source), Boolean(tCalls), Boolean(sCalls));
    }
    out.set(e.id, reversed);
  }
  return out;
}

/** Channel or child links between two PDs beyond which a shared region's edge to the farther one is left to the canvas. */
export const LONG_EDGE_HOPS = 3;

/** The edges ELK is not given (see the header): a region's edges to users far from its most upstream user. */
export function longEdges(edges: readonly LayoutEdgeIn[], reversed: ReadonlyMap<string, boolean>): Set<string> {
  const links = new Map<string, string[]>();
  const link = (a: string, b: string) => links.set(a, [...(links.get(a) ?? []), b]);
  // The region's most upstream user: the one whose edge the layering keeps as drawn.
  const owner = new Map<string, string>();
  for (const e of edges) {
    if (e.source.startsWith('pd:') && e.target.startsWith('pd:')) {
      link(e.source, e.target);
      link(e.target, e.source);
    } else if (e.target.startsWith('mr:') && !reversed.get(e.id)) owner.set(e.target, e.source);
  }
  const hops = new Map<string, Map<string, number>>();
  /** PDs within LONG_EDGE_HOPS of `from`, by distance. */
  const near = (from: string) => {
    let d = hops.get(from);
    if (d) return d;
    d = new Map([[from, 0]]);
    for (let frontier = [from], n = 1; frontier.length && n <= LONG_EDGE_HOPS; n++) {
      const next: string[] = [];
      for (const p of frontier)
        for (const q of links.get(p) ?? []) {
          if (d.has(q)) continue;
          d.set(q, n);
          next.push(q);
        }
      frontier = next;
    }
    hops.set(from, d);
    return d;
  };
  /** Whether two PDs are linked at all (a farther user in another part of the system is no long edge). */
  const part = new Map<string, number>();
  let parts = 0;
  for (const p of links.keys()) {
    if (part.has(p)) continue;
    const stack = [p];
    part.set(p, ++parts);
    while (stack.length)
      for (const q of links.get(stack.pop()!) ?? []) {
        if (part.has(q)) continue;
        part.set(q, parts);
        stack.push(q);
      }
  }
  const out = new Set<string>();
  for (const e of edges) {
    const o = owner.get(e.target);
    if (!o || o === e.source || !e.source.startsWith('pd:') || !reversed.get(e.id)) continue;
    if (part.get(o) !== undefined && part.get(o) === part.get(e.source) && !near(o).has(e.source)) out.add(e.id);
  }
  return out;
}

const portOut = (edge: string) => `${edge}>out`;
const portIn = (edge: string) => `${edge}>in`;

/** The ELK graph for a request: one port per edge end (out on the east side, in on the west), labels sized. */
export function toElkGraph(req: LayoutRequest): ElkNodeJson {
  const reversed = flowDirections(req.system, req.edges);
  const long = longEdges(req.edges, reversed);
  const ids = new Set(req.nodes.map((n) => n.id));
  const ports = new Map<string, ElkPortJson[]>(req.nodes.map((n) => [n.id, []]));
  const edges: ElkEdgeJson[] = [];
  for (const e of req.edges) {
    if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target || long.has(e.id)) continue;
    const [from, to] = reversed.get(e.id) ? [e.target, e.source] : [e.source, e.target];
    ports.get(from)!.push({ id: portOut(e.id), width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST' } });
    ports.get(to)!.push({ id: portIn(e.id), width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST' } });
    const edge: ElkEdgeJson = { id: e.id, sources: [portOut(e.id)], targets: [portIn(e.id)] };
    if (e.label) edge.labels = [{ text: e.label, ...req.labelSize(e.label) }];
    edges.push(edge);
  }
  const leaf = (n: LayoutNodeIn): ElkNodeJson => ({ id: n.id, width: n.width, height: n.height, ports: ports.get(n.id)!, layoutOptions: { 'elk.portConstraints': 'FIXED_SIDE' } });
  const groups = (req.groups ?? []).filter((g) => g.children.some((c) => ids.has(c)) || (req.groups ?? []).some((o) => o.parent === g.id));
  if (!groups.length) return { id: 'root', layoutOptions: ELK_ROOT_OPTIONS, children: req.nodes.map(leaf), edges };
  // Groups as compound nodes: each node under its group, each group under its parent; edges stay at the root and ELK
  // lays out across the hierarchy (INCLUDE_CHILDREN), with its coordinates for edges given in the root's frame.
  const byNode = new Map<string, string>();
  for (const g of groups) for (const c of g.children) byNode.set(c, g.id);
  const known = new Set(groups.map((g) => g.id));
  const compound = new Map<string, ElkNodeJson>(
    groups.map((g) => [g.id, { id: g.id, children: [], layoutOptions: { 'elk.padding': `[top=${GROUP_PAD.top},left=${GROUP_PAD.left},bottom=${GROUP_PAD.bottom},right=${GROUP_PAD.right}]` } }]),
  );
  const top: ElkNodeJson[] = [];
  for (const n of req.nodes) (byNode.has(n.id) ? compound.get(byNode.get(n.id)!)!.children! : top).push(leaf(n));
  for (const g of groups) (g.parent && known.has(g.parent) ? compound.get(g.parent)!.children! : top).push(compound.get(g.id)!);
  return { id: 'root', layoutOptions: { ...ELK_ROOT_OPTIONS, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.json.edgeCoords': 'ROOT' }, children: top, edges };
}

/** Every laid-out node's top-left in the root's frame (a group's children are placed relative to the group). */
function absolutePlaces(laid: ElkNodeJson): Map<string, Point & Partial<Size>> {
  const out = new Map<string, Point & Partial<Size>>();
  const walk = (n: ElkNodeJson, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      out.set(c.id, { x, y, width: c.width, height: c.height });
      walk(c, x, y);
    }
  };
  walk(laid, 0, 0);
  return out;
}

interface Rect extends Point, Size {}
const overlaps = (a: Rect, b: Rect, gap: number) => a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * ELK's answer as positions and routes. `pinned`: positions the user placed by hand; they stay, the laid-out nodes are
 * moved as a block so the pinned ones sit about where ELK put them, and a laid-out node that would then overlap one
 * is pushed down until it does not.
 */
export function fromElkGraph(req: LayoutRequest, laid: ElkNodeJson, pinned: Readonly<Record<string, NodePosition>> = {}): LayoutResult {
  const nodeIds = new Set(req.nodes.map((n) => n.id));
  const at = new Map([...absolutePlaces(laid)].filter(([id]) => nodeIds.has(id)));
  const pins = req.nodes.filter((n) => pinned[n.id] && at.has(n.id));
  // The block's offset: the drawing's origin, or where the pinned nodes say ELK's frame sits.
  const dx = pins.length ? median(pins.map((n) => pinned[n.id]!.x - at.get(n.id)!.x)) : LAYOUT_ORIGIN.x;
  const dy = pins.length ? median(pins.map((n) => pinned[n.id]!.y - at.get(n.id)!.y)) : LAYOUT_ORIGIN.y;
  const placed: Rect[] = pins.map((n) => ({ ...pinned[n.id]!, width: n.width, height: n.height }));
  const positions: Record<string, NodePosition> = {};
  const moved = new Set<string>(pins.map((n) => n.id));
  const free = req.nodes.filter((n) => !pinned[n.id] && at.has(n.id)).map((n) => ({ n, r: { x: at.get(n.id)!.x + dx, y: at.get(n.id)!.y + dy, width: n.width, height: n.height } }));
  free.sort((a, b) => a.r.y - b.r.y || a.r.x - b.r.x);
  for (const { n, r } of free) {
    for (let hit = placed.find((p) => overlaps(p, r, GAP / 2)); hit; hit = placed.find((p) => overlaps(p, r, GAP / 2))) {
      r.y = hit.y + hit.height + GAP / 2 + 1;
      moved.add(n.id);
    }
    placed.push(r);
    positions[n.id] = { x: Math.round(r.x), y: Math.round(r.y) };
  }
  const out: Record<string, NodePosition> = {};
  for (const n of req.nodes) {
    if (pinned[n.id]) out[n.id] = { ...pinned[n.id]! };
    else if (positions[n.id]) out[n.id] = positions[n.id]!;
  }
  // Routes, moved with their block; ELK's coordinates are the root's, like the nodes'.
  const reversed = flowDirections(req.system, req.edges);
  const drawn = new Map(req.edges.map((e) => [e.id, e]));
  const routes: Record<string, EdgeRoute> = {};
  const shift = (p: Point) => ({ x: p.x + dx, y: p.y + dy });
  for (const e of laid.edges ?? []) {
    const d = drawn.get(e.id);
    const s = e.sections?.[0];
    if (!d || !s || (e.sections?.length ?? 0) > 1 || moved.has(d.source) || moved.has(d.target) || !out[d.source] || !out[d.target]) continue;
    let points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map(shift);
    if (reversed.get(e.id)) points = points.reverse();
    const route: EdgeRoute = { points, ends: [{ x: out[d.source]!.x, y: out[d.source]!.y }, { x: out[d.target]!.x, y: out[d.target]!.y }] };
    const l = e.labels?.[0];
    if (l && l.x !== undefined && l.y !== undefined) route.label = { ...shift({ x: l.x, y: l.y }), width: l.width ?? 0, height: l.height ?? 0 };
    routes[e.id] = route;
  }
  Object.assign(routes, farRoutes(req, out, longEdges(req.edges, reversed)));
  return { positions: out, routes };
}

/** Room between a far edge's lane and the nodes above it, and between two lanes. */
const LANE_GAP = 24;
const LANE_STEP = 6;

/**
 * Routes for the far edges ELK was not given (see the header): orthogonal, like ELK's, so they cross the drawing
 * at right angles instead of as long curves. Each leaves its PD to the east, turns to a lane of its own over or under
 * every node between its two ends (whichever is nearer), runs along it and turns to the region's west side. Lanes are stacked LANE_STEP apart in
 * the order of their span (the shortest nearest the nodes), so no two far edges share a segment.
 */
export function farRoutes(req: LayoutRequest, at: Readonly<Record<string, NodePosition>>, far: ReadonlySet<string>): Record<string, EdgeRoute> {
  const size = new Map(req.nodes.map((n) => [n.id, n]));
  const box = (id: string) => {
    const p = at[id];
    const n = size.get(id);
    return p && n ? { x: p.x, y: p.y, width: n.width, height: n.height } : undefined;
  };
  const boxes = req.nodes.map((n) => box(n.id)).filter((b): b is Rect => Boolean(b));
  const edges = req.edges
    .filter((e) => far.has(e.id))
    .map((e) => ({ e, s: box(e.source), t: box(e.target) }))
    .filter((x): x is { e: LayoutEdgeIn; s: Rect; t: Rect } => Boolean(x.s && x.t))
    .map((x) => {
      const from = { x: x.s.x + x.s.width, y: x.s.y + x.s.height / 2 };
      const to = { x: x.t.x, y: x.t.y + x.t.height / 2 };
      const left = Math.min(from.x, to.x) - LANE_GAP;
      const right = Math.max(from.x, to.x) + LANE_GAP;
      const under = boxes.filter((b) => b.x < right && b.x + b.width > left);
      const floor = Math.max(from.y, to.y, ...under.map((b) => b.y + b.height));
      const ceiling = Math.min(from.y, to.y, ...under.map((b) => b.y));
      // Over the drawing or under it, whichever is nearer (shorter drops cross fewer edges).
      const above = from.y - ceiling + (to.y - ceiling) < floor - from.y + (floor - to.y);
      return { ...x, from, to, floor, ceiling, above, span: right - left };
    })
    .sort((a, b) => a.span - b.span || a.e.id.localeCompare(b.e.id));
  const out: Record<string, EdgeRoute> = {};
  // Lanes stack under the same floor: the k-th edge over a stretch runs k steps lower.
  const lanes: { left: number; right: number; y: number }[] = [];
  edges.forEach(({ e, s, t, from, to, floor, ceiling, above }, i) => {
    const left = Math.min(from.x, to.x) - LANE_GAP;
    const right = Math.max(from.x, to.x) + LANE_GAP;
    const step = above ? -LANE_STEP : LANE_STEP;
    let y = above ? ceiling - LANE_GAP : floor + LANE_GAP;
    while (lanes.some((l) => l.left < right && l.right > left && Math.abs(l.y - y) < LANE_STEP)) y += step;
    lanes.push({ left, right, y });
    const outX = from.x + LANE_GAP / 2 + (i % 4) * 3;
    const inX = to.x - LANE_GAP / 2 - (i % 4) * 3;
    const points = [from, { x: outX, y: from.y }, { x: outX, y }, { x: inX, y }, { x: inX, y: to.y }, to];
    const route: EdgeRoute = { points, ends: [{ x: s.x, y: s.y }, { x: t.x, y: t.y }] };
    if (e.label) {
      const l = req.labelSize(e.label);
      // Beside the PD, under the edge's first stretch.
      route.label = { x: from.x + 4, y: from.y + 3, width: l.width, height: l.height };
    }
    out[e.id] = route;
  });
  return out;
}

/** The positions the user placed by hand (dragged), from the layout's stored nodes. */
export function pinnedPositions(nodes: Readonly<Record<string, NodePosition>>): Record<string, NodePosition> {
  return Object.fromEntries(Object.entries(nodes).filter(([, p]) => p.pinned));
}

