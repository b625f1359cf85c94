import type { EditorDoc } from './edits';
import { recogniseGroups, type Group } from './groups';
import { allProtectionDomains, mrKey, pdKey, type SystemModel } from './system';

/**
 * The layout follows a changed system: what the user placed and collapsed stays with the things it was about.
 *
 * - A rename (one PD, or one region, gone and one of its kind new — whether the inspector renamed it or the user
 *   typed the new name in the XML pane) carries the node's position to the new name.
 * - A collapsed group stays collapsed when the change gives it another id (its VMM or parent renamed, the class of
 *   an sDDF subsystem renamed with its virtualisers): the group is found again as the one of its kind holding most
 *   of its members (renamed ones followed), at least half of the old and of the new together; its node's position
 *   goes with it. A collapsed group that is gone (its VMM deleted) is no longer listed, so a group of that id that
 *   appears later is not born collapsed.
 */
export function followLayout(before: SystemModel, after: SystemModel, layout: EditorDoc['layout']): EditorDoc['layout'] {
  if (before === after) return layout;
  const renames = inferRenames(before, after);
  let nodes = layout.nodes;
  for (const [from, to] of renames) {
    if (from in nodes && !(to in nodes)) {
      const { [from]: pos, ...rest } = nodes;
      nodes = { ...rest, [to]: pos! };
    }
  }
  const collapsed = layout.collapsed ?? [];
  if (!collapsed.length) return nodes === layout.nodes ? layout : { ...layout, nodes };
  const was = new Map(recogniseGroups(before).map((g) => [g.id, g]));
  const now = recogniseGroups(after);
  const next: string[] = [];
  for (const id of collapsed) {
    const g = was.get(id);
    const found = g ? sameGroup(g, now, renames) : now.find((n) => n.id === id);
    if (!found || next.includes(found.id)) continue;
    next.push(found.id);
    if (found.id !== id && id in nodes && !(found.id in nodes)) {
      const { [id]: pos, ...rest } = nodes;
      nodes = { ...rest, [found.id]: pos! };
    }
  }
  const { collapsed: _, ...rest } = layout;
  const changed = nodes !== layout.nodes || next.length !== collapsed.length || next.some((id, i) => id !== collapsed[i]);
  if (!changed) return layout;
  return next.length ? { ...rest, nodes, collapsed: next } : { ...rest, nodes };
}

/** Graph keys renamed between two systems: per kind, exactly one key gone and one new. */
export function inferRenames(before: SystemModel, after: SystemModel): Map<string, string> {
  const out = new Map<string, string>();
  const pair = (a: string[], b: string[]) => {
    const bs = new Set(b);
    const as = new Set(a);
    const gone = a.filter((k) => !bs.has(k));
    const added = b.filter((k) => !as.has(k));
    if (gone.length === 1 && added.length === 1) out.set(gone[0]!, added[0]!);
  };
  pair(allProtectionDomains(before).map((p) => pdKey(p.name)), allProtectionDomains(after).map((p) => pdKey(p.name)));
  pair(before.memoryRegions.map((m) => mrKey(m.name)), after.memoryRegions.map((m) => mrKey(m.name)));
  return out;
}

function sameGroup(g: Group, now: readonly Group[], renames: ReadonlyMap<string, string>): Group | undefined {
  const members = new Set(g.members.map((k) => renames.get(k) ?? k));
  let best: Group | undefined;
  let bestScore = 0;
  for (const n of now) {
    if (n.kind !== g.kind) continue;
    const shared = n.members.filter((k) => members.has(k)).length;
    const score = shared / (members.size + n.members.length - shared);
    if (score > bestScore || (score === bestScore && n.id === g.id)) {
      best = n;
      bestScore = score;
    }
  }
  return bestScore >= 0.5 ? best : undefined;
}
