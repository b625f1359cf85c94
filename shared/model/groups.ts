import { pdRole } from './elkLayout';
import { allProtectionDomains, mrKey, pdKey, type ProtectionDomain, type SystemModel } from './system';

/**
 * Groups: the parts of a system that belong together, recognised from the system itself (pure; no layout, no UI).
 *
 * Three kinds, found in this order (an earlier kind wins a node both want):
 *  1. `sddf` — an sDDF subsystem. Its seeds are the virtualisers (a PD named `virt` — not `virtio`/`virtual` — or
 *     `mux`, without a VM: elkLayout's `pdRole` 1). Virtualisers of one class are one subsystem: the class is the
 *     name before `virt`/`mux` (`net_virt_rx`, `net_virt_tx` → `net`), or for a bare `virt_rx`/`mux_tx` the first
 *     word of the regions it maps (`net_rx_free_drv` → `net`). Around them, over channels:
 *       - drivers: a channel neighbour of a virtualiser that is a driver (`pdRole` 0: `driver`/`drv` in the name, IRQs
 *         or a device region mapped);
 *       - copiers: a channel neighbour of a virtualiser named `copy`/`copier`;
 *       - clients: any other channel neighbour of a virtualiser or copier. A client of exactly one subsystem is in it;
 *         a client of two (every sDDF example's client uses both the serial and the net subsystem) stays outside,
 *         drawn between the subsystems it uses;
 *       - regions: every region all of whose users (maps, VM maps, setvars) are members — the queues and data
 *         regions between them, and each member's private regions (a driver's device registers).
 *  2. `vmm` — a PD with a virtual machine and the regions only it (or its VM) maps: guest RAM, the VM's devices. A
 *     group needs such a region (a lone VMM is already one node, its VM drawn inside).
 *  3. `children` — a parent PD with its child PDs (all descendants) and the regions only they map.
 *
 * Groups nest but never cross: when a later group takes part of an earlier one without containing it, it gives that
 * part up (a VMM that is an sDDF client is a group inside the subsystem; an sDDF example's `bench1` keeps the
 * children the net subsystem did not take). A group that ends up with fewer than two nodes (or a `children` group
 * without its parent) is dropped.
 */
export type GroupKind = 'sddf' | 'vmm' | 'children';

export interface Group {
  /** `group:KIND:NAME`. */
  id: string;
  kind: GroupKind;
  label: string;
  /** Every node in the group (nested groups' nodes too), as graph keys (`pd:NAME`, `mr:NAME`), PDs first. */
  members: string[];
  /** The smallest group this one sits in. */
  parent?: string;
  /** sDDF only: each PD's part in the subsystem. */
  roles?: Record<string, 'driver' | 'virt' | 'copier' | 'client'>;
}

const CLASS_RE = /^(.*?)_?(?:virt(?!io|ual)|mux)/i;
const isCopier = (name: string) => /cop(y|ier)/i.test(name);

/** Which PDs map each region (maps, VM maps, setvars), by region name. */
function regionUsers(pds: readonly ProtectionDomain[]): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  const use = (mr: string, pd: string) => users.set(mr, (users.get(mr) ?? new Set()).add(pd));
  for (const pd of pds) {
    for (const m of pd.maps) use(m.mr, pd.name);
    for (const m of pd.virtualMachine?.maps ?? []) use(m.mr, pd.name);
    for (const s of pd.setvars ?? []) use(s.regionPaddr, pd.name);
  }
  return users;
}

/** A virtualiser's class: its name's prefix, or the first word its regions share most. */
function virtClass(pd: ProtectionDomain): string {
  const prefix = CLASS_RE.exec(pd.name)?.[1]?.replace(/_+$/, '');
  if (prefix) return prefix.toLowerCase();
  const words = new Map<string, number>();
  for (const m of pd.maps) {
    const w = /^([a-z0-9]+)_/i.exec(m.mr)?.[1]?.toLowerCase();
    if (w && !/^(rx|tx)$/.test(w)) words.set(w, (words.get(w) ?? 0) + 1);
  }
  const best = [...words].sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : 'sddf';
}

interface Candidate {
  kind: GroupKind;
  name: string;
  label: string;
  members: Set<string>;
  /** A node the group cannot do without (a `children` group's parent). */
  anchor?: string;
  roles?: Group['roles'];
}

export function recogniseGroups(system: SystemModel): Group[] {
  const pds = allProtectionDomains(system);
  const byName = new Map(pds.map((p) => [p.name, p]));
  const devices = new Set(system.memoryRegions.filter((m) => m.physAddr !== undefined).map((m) => m.name));
  const users = regionUsers(pds);
  const neighbours = new Map<string, Set<string>>(pds.map((p) => [p.name, new Set()]));
  for (const ch of system.channels) {
    const [a, b] = ch.ends;
    if (a.pd === b.pd || !byName.has(a.pd) || !byName.has(b.pd)) continue;
    neighbours.get(a.pd)!.add(b.pd);
    neighbours.get(b.pd)!.add(a.pd);
  }
  const role = (name: string) => pdRole(byName.get(name)!, devices);
  /** The regions all of whose users are among `names`, in file order. */
  const privateRegions = (names: ReadonlySet<string>) =>
    system.memoryRegions.filter((mr) => {
      const us = users.get(mr.name);
      return us !== undefined && us.size > 0 && [...us].every((u) => names.has(u));
    });

  const candidates: Candidate[] = [];

  // 1. sDDF subsystems.
  const classes = new Map<string, string[]>();
  for (const pd of pds) if (!pd.virtualMachine && role(pd.name) === 1) classes.set(virtClass(pd), [...(classes.get(virtClass(pd)) ?? []), pd.name]);
  const subsystems = [...classes].map(([cls, virts]) => {
    const roles: NonNullable<Group['roles']> = {};
    for (const v of virts) roles[v] = 'virt';
    for (const v of virts)
      for (const n of neighbours.get(v)!) {
        if (roles[n]) continue;
        if (role(n) === 0 && !byName.get(n)!.virtualMachine) roles[n] = 'driver';
        else if (isCopier(n)) roles[n] = 'copier';
      }
    const clients = new Set<string>();
    for (const [n, r] of Object.entries(roles)) if (r === 'virt' || r === 'copier') for (const c of neighbours.get(n)!) if (!roles[c] && role(c) !== 1) clients.add(c);
    return { cls, roles, clients };
  });
  const clientOf = new Map<string, number>();
  for (const s of subsystems) for (const c of s.clients) clientOf.set(c, (clientOf.get(c) ?? 0) + 1);
  for (const s of subsystems) {
    for (const c of s.clients) if (clientOf.get(c) === 1) s.roles[c] = 'client';
    const names = new Set(Object.keys(s.roles));
    const members = new Set([...names].map(pdKey));
    for (const mr of privateRegions(names)) members.add(mrKey(mr.name));
    candidates.push({ kind: 'sddf', name: s.cls, label: `${s.cls} subsystem (sDDF)`, members, roles: Object.fromEntries(Object.entries(s.roles).map(([k, r]) => [pdKey(k), r])) });
  }

  // 2. VMMs with their VM's regions.
  for (const pd of pds) {
    if (!pd.virtualMachine) continue;
    const regions = privateRegions(new Set([pd.name]));
    if (!regions.length) continue;
    candidates.push({ kind: 'vmm', name: pd.name, label: `${pd.name} + VM ${pd.virtualMachine.name}`, members: new Set([pdKey(pd.name), ...regions.map((m) => mrKey(m.name))]), anchor: pdKey(pd.name) });
  }

  // 3. Parents with their children.
  for (const pd of pds) {
    if (!pd.children?.length) continue;
    const family = new Set<string>();
    const walk = (p: ProtectionDomain) => (family.add(p.name), p.children?.forEach(walk));
    walk(pd);
    candidates.push({
      kind: 'children',
      name: pd.name,
      label: `${pd.name} and its children`,
      members: new Set([...[...family].map(pdKey), ...privateRegions(family).map((m) => mrKey(m.name))]),
      anchor: pdKey(pd.name),
    });
  }

  // Nest, never cross: a later group gives up what it shares with an earlier one it neither contains nor sits in.
  const kept: Candidate[] = [];
  for (const c of candidates) {
    for (const g of kept) {
      const shared = [...c.members].filter((k) => g.members.has(k)).length;
      if (!shared || shared === g.members.size || shared === c.members.size) continue;
      for (const k of g.members) c.members.delete(k);
    }
    const pdsIn = [...c.members].filter((k) => k.startsWith('pd:')).length;
    if (c.members.size < 2 || !pdsIn || (c.anchor && !c.members.has(c.anchor)) || (c.kind !== 'vmm' && pdsIn < 2)) continue;
    if (kept.some((g) => g.members.size === c.members.size && [...c.members].every((k) => g.members.has(k)))) continue;
    kept.push(c);
  }
  const order = new Map<string, number>([...pds.map((p, i) => [pdKey(p.name), i] as const), ...system.memoryRegions.map((m, i) => [mrKey(m.name), pds.length + i] as const)]);
  const ids = new Set<string>();
  const groups: Group[] = kept.map((c) => {
    let id = `group:${c.kind}:${c.name}`;
    for (let n = 2; ids.has(id); n++) id = `group:${c.kind}:${c.name}-${n}`;
    ids.add(id);
    const g: Group = { id, kind: c.kind, label: c.label, members: [...c.members].sort((a, b) => order.get(a)! - order.get(b)!) };
    if (c.roles) g.roles = Object.fromEntries(Object.entries(c.roles).filter(([k]) => c.members.has(k)));
    return g;
  });
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const around = groups.filter((o) => o !== g && o.members.length > g.members.length && g.members.every((k) => o.members.includes(k)));
    const parent = around.sort((a, b) => a.members.length - b.members.length)[0];
    if (parent) g.parent = parent.id;
  }
  return groups;
}

/** Each node's innermost group (the smallest that holds it), by graph key. */
export function innermostGroups(groups: readonly Group[]): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const g of groups) for (const k of g.members) if (!out.has(k) || out.get(k)!.members.length > g.members.length) out.set(k, g);
  return out;
}

/**
 * What a node is drawn as when some groups are collapsed: itself, or the outermost collapsed group holding it (the
 * one node the group shows). `undefined` for a group inside a collapsed group (not drawn).
 */
export function drawnAs(groups: readonly Group[], collapsed: ReadonlySet<string>): (key: string) => string {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const outermostCollapsed = (g: Group | undefined): Group | undefined => {
    let hit: Group | undefined;
    for (let c = g; c; c = c.parent ? byId.get(c.parent) : undefined) if (collapsed.has(c.id)) hit = c;
    return hit;
  };
  const inner = innermostGroups(groups);
  return (key: string) => {
    if (key.startsWith('group:')) {
      const g = byId.get(key);
      const up = g?.parent ? outermostCollapsed(byId.get(g.parent)) : undefined;
      return up ? up.id : key;
    }
    return outermostCollapsed(inner.get(key))?.id ?? key;
  };
}

/**
 * The groups drawn as frames (neither collapsed nor inside a collapsed group), for the layout: each with the drawn
 * nodes directly in it. `drawn`: the ids of the nodes drawn (a collapsed group's node is one of them, and sits in the
 * group around it).
 */
export function framedGroups(groups: readonly Group[], collapsed: ReadonlySet<string>, drawn: ReadonlySet<string>): { id: string; label: string; kind: GroupKind; children: string[]; parent?: string }[] {
  const as = drawnAs(groups, collapsed);
  const shown = groups.filter((g) => !collapsed.has(g.id) && as(g.id) === g.id);
  const shownIds = new Set(shown.map((g) => g.id));
  const byId = new Map(groups.map((g) => [g.id, g]));
  // The innermost shown group holding a drawn node (a collapsed group's node: the group around it).
  const holder = (key: string): string | undefined => {
    let best: Group | undefined;
    for (const g of shown) if (g.members.includes(key) && (!best || g.members.length < best.members.length)) best = g;
    return best?.id;
  };
  const children = new Map<string, string[]>(shown.map((g) => [g.id, []]));
  for (const id of drawn) {
    const h = id.startsWith('group:') ? byId.get(id)?.parent : holder(id);
    if (h && shownIds.has(h)) children.get(h)!.push(id);
  }
  return shown.map((g) => ({ id: g.id, label: g.label, kind: g.kind, children: children.get(g.id)!, ...(g.parent && shownIds.has(g.parent) ? { parent: g.parent } : {}) }));
}
