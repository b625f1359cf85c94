import type { EditorDoc } from './edits';
import type { NodePosition } from './project';
import { mrKey, pdKey, type ProtectionDomain, type SystemModel } from './system';

/**
 * Where the canvas draws each node: its stored position, or, when the layout has none, the fallback layout below.
 * Pure, so the graph, copy/paste (which keeps relative placement) and auto-layout all see the same places.
 */

/** Where the first unplaced PD goes; PDs stack below it, MRs fill columns to its right. */
export const LAYOUT_ORIGIN: NodePosition = { x: 80, y: 60 };
/** Width of a column of PDs (the widest PD node plus room for child indentation and edge labels). */
const PD_COL_W = 300;
/** How far a child PD is indented per level of nesting. */
const CHILD_INDENT = 40;

/** A PD in drawing order (parents before their children), with how deep it is nested and its parent. */
export interface DrawnPd {
  pd: ProtectionDomain;
  depth: number;
  parent?: ProtectionDomain;
}

/** Every PD, children right after their parent: child PDs are nodes of their own (channels reach them). */
export function pdsInDrawOrder(system: SystemModel): DrawnPd[] {
  const out: DrawnPd[] = [];
  const walk = (pd: ProtectionDomain, depth: number, parent?: ProtectionDomain) => {
    out.push(parent ? { pd, depth, parent } : { pd, depth });
    for (const c of pd.children ?? []) walk(c, depth + 1, pd);
  };
  for (const pd of system.protectionDomains) walk(pd, 0);
  return out;
}

/** Roughly how tall the canvas draws a PD (title, meta, IRQ chips wrapping three to a row, the VM box). */
export function estimatedPdHeight(pd: ProtectionDomain): number {
  return 70 + Math.ceil(pd.irqs.length / 3) * 20 + (pd.virtualMachine ? 80 : 0);
}

/** Each node's drawn position by key (`pd:NAME`, `mr:NAME`): the stored one where the layout has it. */
export function drawnPositions(doc: EditorDoc): Record<string, NodePosition> {
  const stored = doc.layout.nodes;
  const out: Record<string, NodePosition> = {};
  const pds = pdsInDrawOrder(doc.system);
  // Unplaced PDs stack down columns by their drawn height (a VMM with its VM is taller), so none overlap; a large
  // system wraps into several columns of at most `pdRows` PDs instead of one very tall one.
  const pdRows = Math.max(10, Math.ceil(Math.sqrt(pds.length * 2)));
  const pdCols = Math.ceil(pds.length / pdRows);
  let nextY = LAYOUT_ORIGIN.y;
  pds.forEach(({ pd, depth }, k) => {
    if (k % pdRows === 0) nextY = LAYOUT_ORIGIN.y;
    const fallback = { x: LAYOUT_ORIGIN.x + Math.floor(k / pdRows) * PD_COL_W + depth * CHILD_INDENT, y: nextY };
    nextY += estimatedPdHeight(pd) + 40;
    out[pdKey(pd.name)] = stored[pdKey(pd.name)] ?? fallback;
  });
  // Unplaced MRs: ordered by where the PDs that map them are drawn (so maps run roughly level), then wrapped into
  // columns of at most `rows`, so a 25-region system stays a block you can read, not a ribbon.
  const users = new Map<string, number[]>();
  for (const { pd } of pds) {
    const y = out[pdKey(pd.name)]!.y;
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) users.set(m.mr, [...(users.get(m.mr) ?? []), y]);
  }
  const mean = (ys: number[] | undefined) => (ys?.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.POSITIVE_INFINITY);
  const order = doc.system.memoryRegions.map((mr, i) => ({ name: mr.name, i, y: mean(users.get(mr.name)) })).sort((a, b) => a.y - b.y || a.i - b.i);
  const rows = Math.max(8, Math.ceil(Math.sqrt(order.length * 2)));
  // Columns as wide as the longest name draws (about 8 px a character at the node title's size), plus a gap.
  const colW = Math.max(260, 70 + 8 * Math.max(0, ...order.map((o) => o.name.length)));
  const mrLeft = LAYOUT_ORIGIN.x + (pdCols - 1) * PD_COL_W + 320;
  const spot = new Map(order.map((o, k) => [o.name, { x: mrLeft + Math.floor(k / rows) * colW, y: LAYOUT_ORIGIN.y + (k % rows) * 100 }]));
  // Keys in model order: auto-layout stores this record, and studio.json should not reorder with the drawing.
  for (const mr of doc.system.memoryRegions) out[mrKey(mr.name)] = stored[mrKey(mr.name)] ?? spot.get(mr.name)!;
  return out;
}

/** The fallback layout of every node, stored positions ignored (the auto-layout command). */
export function fallbackLayout(system: SystemModel): Record<string, NodePosition> {
  return drawnPositions({ system, layout: { nodes: {} } });
}

/** About how tall the canvas draws a region node. */
const MR_H = 70;
/** Regions an added row holds before it wraps. */
const MR_PER_ROW = 6;

/**
 * `after` with a place for every node an edit added without one (the passthrough's VMM and regions, the Path B PDs):
 * a row of PDs, then rows of their regions, below everything the canvas drew before. The nodes that were there keep
 * where they were drawn (stored, so the fallback layout does not move them for the newcomers).
 */
export function placeAdded(before: EditorDoc, after: EditorDoc): EditorDoc {
  const was = drawnPositions(before);
  const now = drawnPositions(after);
  const added = Object.keys(now).filter((k) => !(k in was) && !(k in after.layout.nodes));
  if (!added.length) return after;
  const pds = new Map(pdsInDrawOrder(before.system).map(({ pd }) => [pdKey(pd.name), pd]));
  const heights = Object.entries(was).map(([k, p]) => p.y + (pds.has(k) ? estimatedPdHeight(pds.get(k)!) : MR_H));
  const left = Math.min(LAYOUT_ORIGIN.x, ...Object.values(was).map((p) => p.x));
  let y = Math.max(LAYOUT_ORIGIN.y - 80, ...heights) + 80;
  const nodes: Record<string, NodePosition> = { ...Object.fromEntries(Object.entries(was).filter(([k]) => k in now)), ...after.layout.nodes };
  const newPds = pdsInDrawOrder(after.system).filter(({ pd }) => added.includes(pdKey(pd.name)));
  newPds.forEach(({ pd }, i) => (nodes[pdKey(pd.name)] = { x: left + i * PD_COL_W, y }));
  if (newPds.length) y += Math.max(...newPds.map(({ pd }) => estimatedPdHeight(pd))) + 60;
  const newMrs = after.system.memoryRegions.filter((m) => added.includes(mrKey(m.name)));
  const colW = Math.max(260, 70 + 8 * Math.max(0, ...newMrs.map((m) => m.name.length)));
  newMrs.forEach((m, i) => (nodes[mrKey(m.name)] = { x: left + (i % MR_PER_ROW) * colW, y: y + Math.floor(i / MR_PER_ROW) * (MR_H + 30) }));
  return { ...after, layout: { ...after.layout, nodes } };
}
