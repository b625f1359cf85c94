import type { StudioFile, NodePosition } from './project';
import type { GuestRamFacts } from './board';
import { allProtectionDomains, freshName, mrKey, pdKey, type ChannelEnd, type MapEntry, type MemoryRegion, type ProtectionDomain, type SystemModel } from './system';

/**
 * The document the editor edits: the system plus its layout. Every UI edit is an {@link Edit}: a label and a pure
 * function from document to document, so the history can record it as one undo step (DESIGN.md §3.5).
 */
export interface EditorDoc {
  system: SystemModel;
  layout: StudioFile['layout'];
}

export interface Edit {
  label: string;
  apply(doc: EditorDoc): EditorDoc;
}

const withNode = (layout: EditorDoc['layout'], key: string, pos: NodePosition) => ({
  ...layout,
  nodes: { ...layout.nodes, [key]: pos },
});

export function addProtectionDomain(at: NodePosition, name?: string): Edit {
  return {
    label: 'Add protection domain',
    apply(doc) {
      const pdName = name ?? freshName('pd', doc.system.protectionDomains.map((p) => p.name));
      const pd: ProtectionDomain = { name: pdName, priority: 100, programImage: `${pdName}.elf`, maps: [], irqs: [], extra: [] };
      return {
        system: { ...doc.system, protectionDomains: [...doc.system.protectionDomains, pd] },
        layout: withNode(doc.layout, pdKey(pdName), at),
      };
    },
  };
}

/** A region of one page, or as `init` says (a device region: `physAddr` and `size` from the board's device). */
export function addMemoryRegion(at: NodePosition, name?: string, init?: Omit<MemoryRegion, 'name'>): Edit {
  return {
    label: init?.physAddr !== undefined ? 'Add device region' : 'Add memory region',
    apply(doc) {
      const taken = doc.system.memoryRegions.map((m) => m.name);
      const mrName = name && !taken.includes(name) ? name : freshName(name ?? 'mr', taken);
      const mr: MemoryRegion = { name: mrName, ...(init ?? { size: 0x1000 }) };
      return {
        system: { ...doc.system, memoryRegions: [...doc.system.memoryRegions, mr] },
        layout: withNode(doc.layout, mrKey(mrName), at),
      };
    },
  };
}

/**
 * Change a PD's attributes (a child PD's too). A rename carries its layout position, and every reference follows:
 * channel ends and cspace entries naming it.
 */
export function updateProtectionDomain(name: string, patch: Partial<Omit<ProtectionDomain, 'maps' | 'irqs' | 'extra'>>): Edit {
  return {
    label: patch.name && patch.name !== name ? `Rename ${name} to ${patch.name}` : `Edit ${name}`,
    apply(doc) {
      const newName = patch.name ?? name;
      let protectionDomains = updatePd(doc.system.protectionDomains, name, (pd) => stripUndefined({ ...pd, ...patch }));
      if (newName !== name) {
        const fixCaps = (list: ProtectionDomain[]): ProtectionDomain[] =>
          list.map((p) => ({
            ...p,
            ...(p.cspace ? { cspace: p.cspace.map((c) => (c.pd === name ? { ...c, pd: newName } : c)) } : {}),
            ...(p.children ? { children: fixCaps(p.children) } : {}),
          }));
        protectionDomains = fixCaps(protectionDomains);
      }
      const system: SystemModel = {
        ...doc.system,
        protectionDomains,
        channels:
          newName === name
            ? doc.system.channels
            : doc.system.channels.map((ch) => ({
                ...ch,
                ends: ch.ends.map((e) => (e.pd === name ? { ...e, pd: newName } : e)) as typeof ch.ends,
              })),
      };
      return { system, layout: renameKey(doc.layout, pdKey(name), pdKey(newName)) };
    },
  };
}

export function updateMemoryRegion(name: string, patch: Partial<MemoryRegion>): Edit {
  return {
    label: patch.name && patch.name !== name ? `Rename ${name} to ${patch.name}` : `Edit ${name}`,
    apply(doc) {
      const newName = patch.name ?? name;
      const system: SystemModel = {
        ...doc.system,
        memoryRegions: doc.system.memoryRegions.map((mr) => (mr.name === name ? stripUndefined({ ...mr, ...patch }) : mr)),
        protectionDomains: newName === name ? doc.system.protectionDomains : renameMrRefs(doc.system.protectionDomains, name, newName),
      };
      return { system, layout: renameKey(doc.layout, mrKey(name), mrKey(newName)) };
    },
  };
}

/** Delete nodes with what hangs on them: maps of a deleted MR, channels of a deleted PD. */
export function deleteNodes(keys: string[]): Edit {
  return {
    label: keys.length === 1 ? `Delete ${keys[0]!.slice(3)}` : `Delete ${keys.length} items`,
    apply(doc) {
      const pds = new Set(keys.filter((k) => k.startsWith('pd:')).map((k) => k.slice(3)));
      const mrs = new Set(keys.filter((k) => k.startsWith('mr:')).map((k) => k.slice(3)));
      const nodes = { ...doc.layout.nodes };
      // A deleted PD takes its children with it (and their positions and channels).
      const gone = new Set<string>();
      const collect = (pd: ProtectionDomain, inherited: boolean) => {
        const dead = inherited || pds.has(pd.name);
        if (dead) gone.add(pd.name);
        for (const c of pd.children ?? []) collect(c, dead);
      };
      doc.system.protectionDomains.forEach((pd) => collect(pd, false));
      for (const k of keys) delete nodes[k];
      for (const n of gone) delete nodes[pdKey(n)];
      const keepMaps = (maps: MapEntry[]) => maps.filter((m) => !mrs.has(m.mr));
      const prune = (list: ProtectionDomain[]): ProtectionDomain[] =>
        list
          .filter((p) => !gone.has(p.name))
          .map((p) => {
            const out: ProtectionDomain = { ...p, maps: keepMaps(p.maps) };
            if (p.children) out.children = prune(p.children);
            if (p.virtualMachine) out.virtualMachine = { ...p.virtualMachine, maps: keepMaps(p.virtualMachine.maps) };
            return out;
          });
      return {
        system: {
          ...doc.system,
          memoryRegions: doc.system.memoryRegions.filter((m) => !mrs.has(m.name)),
          protectionDomains: prune(doc.system.protectionDomains),
          channels: doc.system.channels.filter((c) => !c.ends.some((e) => gone.has(e.pd))),
        },
        layout: { ...doc.layout, nodes },
      };
    },
  };
}

/** Every reference to a region (PD and VM maps, setvars), children included, follows its rename. */
function renameMrRefs(list: ProtectionDomain[], from: string, to: string): ProtectionDomain[] {
  const maps = (ms: MapEntry[]) => ms.map((m) => (m.mr === from ? { ...m, mr: to } : m));
  return list.map((pd) => ({
    ...pd,
    maps: maps(pd.maps),
    ...(pd.virtualMachine ? { virtualMachine: { ...pd.virtualMachine, maps: maps(pd.virtualMachine.maps) } } : {}),
    ...(pd.setvars ? { setvars: pd.setvars.map((s) => (s.regionPaddr === from ? { ...s, regionPaddr: to } : s)) } : {}),
    ...(pd.children ? { children: renameMrRefs(pd.children, from, to) } : {}),
  }));
}

/** Apply `fn` to the PD called `name`, wherever it is in the hierarchy. */
export function updatePd(list: ProtectionDomain[], name: string, fn: (pd: ProtectionDomain) => ProtectionDomain): ProtectionDomain[] {
  return list.map((p) => (p.name === name ? fn(p) : p.children ? { ...p, children: updatePd(p.children, name, fn) } : p));
}

const PAGE = 0x1000;
/** Where new mappings start in an empty address space (clear of the program image at the bottom). */
export const FIRST_MAP_VADDR = 0x4000000;

/**
 * The next free virtual address after every existing map, aligned to the region's page size; with `from`, the
 * lowest address from there on that no map covers (a VM's RAM at its guest RAM base).
 */
export function nextFreeVaddr(maps: readonly MapEntry[], regions: readonly MemoryRegion[], mr: MemoryRegion, from?: number): number {
  const sizeOf = (name: string) => regions.find((r) => r.name === name)?.size ?? PAGE;
  let end = from ?? FIRST_MAP_VADDR;
  if (from !== undefined) {
    // Past every map that overlaps the range tried, until the range is free.
    for (let moved = true; moved; ) {
      moved = false;
      for (const m of maps) {
        if (m.vaddr < end + (mr.size ?? PAGE) && end < m.vaddr + sizeOf(m.mr)) {
          end = Math.ceil((m.vaddr + sizeOf(m.mr)) / (mr.pageSize ?? PAGE)) * (mr.pageSize ?? PAGE);
          moved = true;
        }
      }
    }
    return end;
  }
  for (const m of maps) end = Math.max(end, m.vaddr + sizeOf(m.mr));
  const align = mr.pageSize ?? PAGE;
  return Math.ceil(end / align) * align;
}

/** A region that is memory rather than a device's registers: no `phys_addr`, or one in the board's RAM. */
export function isRamRegion(mr: MemoryRegion, guest: GuestRamFacts | undefined): boolean {
  return mr.physAddr === undefined || (guest !== undefined && mr.physAddr >= guest.ramStart);
}

/**
 * Map a region into a PD, read-write at the next free aligned address; or into the VM the PD runs: RAM at the board's
 * guest RAM base (`guest`; the next free address from there when that is taken), `rwx` since the guest kernel runs
 * from it, and a device's registers where they are (guest-physical = physical), uncached.
 */
export function addMap(pdName: string, mrName: string, into: 'pd' | 'vm' = 'pd', guest?: GuestRamFacts): Edit {
  return {
    label: `Map ${mrName} into ${into === 'vm' ? `${pdName}'s VM` : pdName}`,
    apply(doc) {
      const mr = doc.system.memoryRegions.find((m) => m.name === mrName);
      if (!mr) return doc;
      const protectionDomains = updatePd(doc.system.protectionDomains, pdName, (pd) => {
        if (into === 'vm') {
          if (!pd.virtualMachine) return pd;
          const maps = pd.virtualMachine.maps;
          const entry: MapEntry = isRamRegion(mr, guest)
            ? { mr: mrName, vaddr: nextFreeVaddr(maps, doc.system.memoryRegions, mr, guest?.base), perms: 'rwx' }
            : { mr: mrName, vaddr: mr.physAddr!, perms: 'rw', cached: false };
          return { ...pd, virtualMachine: { ...pd.virtualMachine, maps: [...maps, entry] } };
        }
        return { ...pd, maps: [...pd.maps, { mr: mrName, vaddr: nextFreeVaddr(pd.maps, doc.system.memoryRegions, mr), perms: 'rw' }] };
      });
      return { ...doc, system: { ...doc.system, protectionDomains } };
    },
  };
}

/** Change (or, with `patch` null, remove) the `index`th map of a PD or of its VM. */
export function updateMap(pdName: string, index: number, into: 'pd' | 'vm', patch: Partial<MapEntry> | null): Edit {
  return {
    label: patch ? `Edit a map of ${pdName}` : `Remove a map from ${pdName}`,
    apply(doc) {
      const change = (maps: MapEntry[]) => (patch ? maps.map((m, i) => (i === index ? stripUndefined({ ...m, ...patch }) : m)) : maps.filter((_, i) => i !== index));
      const protectionDomains = updatePd(doc.system.protectionDomains, pdName, (pd) =>
        into === 'vm' ? (pd.virtualMachine ? { ...pd, virtualMachine: { ...pd.virtualMachine, maps: change(pd.virtualMachine.maps) } } : pd) : { ...pd, maps: change(pd.maps) },
      );
      return { ...doc, system: { ...doc.system, protectionDomains } };
    },
  };
}

/** Change one end of the `index`th channel (id, pp, notify, setvar_id); undefined clears an attribute. */
export function updateChannelEnd(index: number, end: 0 | 1, patch: Partial<ChannelEnd>): Edit {
  return {
    label: `Edit channel ${index} (${end === 0 ? 'first' : 'second'} end)`,
    apply(doc) {
      const channels = doc.system.channels.map((c, i) => {
        if (i !== index) return c;
        const ends = [...c.ends] as typeof c.ends;
        ends[end] = stripUndefined({ ...ends[end], ...patch });
        return { ...c, ends };
      });
      return { ...doc, system: { ...doc.system, channels } };
    },
  };
}

/** Remove the `index`th channel. */
export function removeChannel(index: number): Edit {
  return { label: `Remove channel ${index}`, apply: (doc) => ({ ...doc, system: { ...doc.system, channels: doc.system.channels.filter((_, i) => i !== index) } }) };
}

/** Channel ids (and IRQ ids: the same 0..62 space in a PD) already used by a PD. */
export function usedIds(system: SystemModel, pdName: string): Set<number> {
  const ids = new Set<number>();
  for (const c of system.channels) for (const e of c.ends) if (e.pd === pdName) ids.add(e.id);
  const pd = allProtectionDomains(system).find((p) => p.name === pdName);
  for (const i of pd?.irqs ?? []) ids.add(i.id);
  return ids;
}

export const lowestFree = (used: Set<number>) => {
  let id = 0;
  while (used.has(id)) id++;
  return id;
};

/** A channel between two PDs, each end with the lowest id free in its PD (never clashing with an IRQ id). */
export function addChannel(a: string, b: string): Edit {
  return {
    label: `Connect ${a} and ${b}`,
    apply(doc) {
      if (a === b) return doc;
      const ends: [{ pd: string; id: number }, { pd: string; id: number }] = [
        { pd: a, id: lowestFree(usedIds(doc.system, a)) },
        { pd: b, id: lowestFree(usedIds(doc.system, b)) },
      ];
      return { ...doc, system: { ...doc.system, channels: [...doc.system.channels, { ends }] } };
    },
  };
}

/** Replace the whole system (a quick fix, a restored autosave): one undo step, layout kept. */
export function replaceSystem(label: string, system: SystemModel): Edit {
  return { label, apply: (doc) => ({ ...doc, system }) };
}

/** Replace every node position at once (auto-layout): one undo step. */
export function setLayout(nodes: Record<string, NodePosition>, label = 'Auto layout'): Edit {
  return { label, apply: (doc) => ({ ...doc, layout: { ...doc.layout, nodes } }) };
}

/**
 * Collapse a group to one node, or expand it (view state kept with the layout, per system file): one undo step.
 * `members`: where the group's nodes are drawn now. Collapsed, the group's node sits at their top-left corner;
 * expanded, they move with it (by how far the collapsed node was moved).
 */
export function setGroupCollapsed(id: string, collapsed: boolean, label: string, members: Readonly<Record<string, NodePosition>>): Edit {
  return {
    label: `${collapsed ? 'Collapse' : 'Expand'} ${label}`,
    apply(doc) {
      const was = doc.layout.collapsed ?? [];
      const next = collapsed ? [...was.filter((g) => g !== id), id] : was.filter((g) => g !== id);
      const nodes = { ...doc.layout.nodes };
      const places = Object.values(members);
      const corner = places.length ? { x: Math.min(...places.map((p) => p.x)), y: Math.min(...places.map((p) => p.y)) } : undefined;
      if (collapsed && corner) nodes[id] = corner;
      if (!collapsed) {
        const at = nodes[id];
        if (at && corner) for (const [k, p] of Object.entries(members)) nodes[k] = { ...p, x: p.x + at.x - corner.x, y: p.y + at.y - corner.y };
        delete nodes[id];
      }
      const { collapsed: _, ...rest } = doc.layout;
      return { ...doc, layout: next.length ? { ...rest, nodes, collapsed: next } : { ...rest, nodes } };
    },
  };
}

/**
 * Moving nodes is one edit however long the drag (committed on drag end). A node moved by hand is pinned: the
 * automatic layout keeps it where the user put it.
 */
export function moveNodes(moves: Record<string, NodePosition>): Edit {
  const pinned = Object.fromEntries(Object.entries(moves).map(([k, p]) => [k, { x: p.x, y: p.y, pinned: true }]));
  return {
    label: Object.keys(moves).length === 1 ? 'Move node' : 'Move nodes',
    apply: (doc) => ({ ...doc, layout: { ...doc.layout, nodes: { ...doc.layout.nodes, ...pinned } } }),
  };
}

function renameKey(layout: EditorDoc['layout'], from: string, to: string): EditorDoc['layout'] {
  if (from === to || !(from in layout.nodes)) return layout;
  const { [from]: pos, ...rest } = layout.nodes;
  return { ...layout, nodes: { ...rest, [to]: pos! } };
}

export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Undo history of whole-document snapshots; immutable edits make each record cheap (structural sharing). */
export interface History<D = EditorDoc> {
  past: { label: string; doc: D }[];
  future: { label: string; doc: D }[];
}
export const emptyHistory = <D = EditorDoc>(): History<D> => ({ past: [], future: [] });

/** Record `next` as one undo step after `doc` (nothing when it is the same document). */
export function pushHistory<D>(doc: D, history: History<D>, next: D, label: string, limit = 500): { doc: D; history: History<D> } {
  if (next === doc) return { doc, history };
  return { doc: next, history: { past: [...history.past, { label, doc }].slice(-limit), future: [] } };
}

export function applyEdit(doc: EditorDoc, history: History, edit: Edit, limit = 500): { doc: EditorDoc; history: History } {
  return pushHistory(doc, history, edit.apply(doc), edit.label, limit);
}

export function undo<D>(doc: D, history: History<D>): { doc: D; history: History<D>; label?: string } {
  const last = history.past[history.past.length - 1];
  if (!last) return { doc, history };
  return {
    doc: last.doc,
    history: { past: history.past.slice(0, -1), future: [{ label: last.label, doc }, ...history.future] },
    label: last.label,
  };
}

export function redo<D>(doc: D, history: History<D>): { doc: D; history: History<D>; label?: string } {
  const next = history.future[0];
  if (!next) return { doc, history };
  return {
    doc: next.doc,
    history: { past: [...history.past, { label: next.label, doc }], future: history.future.slice(1) },
    label: next.label,
  };
}
