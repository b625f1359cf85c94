import type { NodePosition } from './project';
import { deleteNodes, removeChannel, updateMap, type Edit, type EditorDoc } from './edits';
import { editSetvar, updateIrq, updateVirtualMachine } from './editsInsidePd';
import { allProtectionDomains, freshName, mrKey, pdKey, type Channel, type MemoryRegion, type ProtectionDomain } from './system';
import { lostParts } from './documentParts';

/**
 * Copy, paste, duplicate and delete of a selection, with what hangs on it. A copied PD takes its maps (to copied
 * regions: the copies; to others: the same region, so a duplicated client still shares its buffer), its VM and its
 * child PDs; channels between copied PDs come along. IRQs do not: a hardware interrupt goes to one PD only
 * (reference/microkit-sdf.md §5.5), so the copy would be an error.
 */
export interface Fragment {
  pds: ProtectionDomain[];
  mrs: MemoryRegion[];
  channels: Channel[];
  positions: Record<string, NodePosition>;
  /** IRQs left behind, for the edit's label. */
  droppedIrqs: number;
}

/**
 * The selected top-level or child PDs and regions (edges and parts are not copied on their own). `drawn` gives the
 * positions of nodes the layout does not place (the canvas's fallback layout), so copies land near their originals.
 */
export function copyFragment(doc: EditorDoc, keys: string[], drawn: Record<string, NodePosition> = {}): Fragment | undefined {
  const all = allProtectionDomains(doc.system);
  const pdNames = new Set(keys.filter((k) => k.startsWith('pd:')).map((k) => k.slice(3)));
  // A selected child whose parent is also selected is copied with the parent.
  const within = (pd: ProtectionDomain): string[] => (pd.children ?? []).flatMap((c) => [c.name, ...within(c)]);
  const nested = new Set(all.filter((p) => pdNames.has(p.name)).flatMap(within));
  const pds = all.filter((p) => pdNames.has(p.name) && !nested.has(p.name));
  const mrs = doc.system.memoryRegions.filter((m) => keys.includes(mrKey(m.name)));
  if (!pds.length && !mrs.length) return undefined;
  const copied = new Set([...pds.flatMap((p) => [p.name, ...within(p)])]);
  const channels = doc.system.channels.filter((c) => c.ends.every((e) => copied.has(e.pd)));
  let droppedIrqs = 0;
  const strip = (pd: ProtectionDomain): ProtectionDomain => {
    droppedIrqs += pd.irqs.length;
    return { ...pd, irqs: [], ...(pd.children ? { children: pd.children.map(strip) } : {}) };
  };
  const positions: Record<string, NodePosition> = {};
  for (const k of [...[...copied].map(pdKey), ...mrs.map((m) => mrKey(m.name))]) {
    const at = doc.layout.nodes[k] ?? drawn[k];
    if (at) positions[k] = at;
  }
  return { pds: pds.map(strip), mrs, channels, positions, droppedIrqs };
}

/** Where a paste goes by default: just below everything copied, so copies never cover their originals. */
export function belowFragment(frag: Fragment): NodePosition {
  const ys = Object.values(frag.positions).map((p) => p.y);
  return { x: 30, y: ys.length ? Math.max(...ys) - Math.min(...ys) + 140 : 140 };
}

/** Paste a fragment as fresh, non-clashing names, `offset` away from where it was; one undo step. */
export function pasteFragment(frag: Fragment, offset: NodePosition = belowFragment(frag), label = 'Paste'): Edit & { names: (doc: EditorDoc) => string[] } {
  const plan = (doc: EditorDoc) => {
    const pdNames = new Map<string, string>();
    const mrNames = new Map<string, string>();
    const takenPd = new Set(allProtectionDomains(doc.system).map((p) => p.name));
    const takenMr = new Set(doc.system.memoryRegions.map((m) => m.name));
    const takenVm = new Set(allProtectionDomains(doc.system).flatMap((p) => (p.virtualMachine ? [p.virtualMachine.name] : [])));
    const fresh = (name: string, taken: Set<string>) => {
      const base = name.replace(/_copy\d*$/, '');
      const n = freshName(`${base}_copy`, taken);
      taken.add(n);
      return n;
    };
    const visit = (pd: ProtectionDomain) => {
      pdNames.set(pd.name, fresh(pd.name, takenPd));
      pd.children?.forEach(visit);
    };
    frag.pds.forEach(visit);
    for (const m of frag.mrs) mrNames.set(m.name, fresh(m.name, takenMr));
    return { pdNames, mrNames, takenVm, fresh };
  };
  return {
    label: `${label}${frag.droppedIrqs ? ` (${frag.droppedIrqs} IRQ${frag.droppedIrqs === 1 ? '' : 's'} not copied: an interrupt goes to one PD)` : ''}`,
    names(doc) {
      const { pdNames, mrNames } = plan(doc);
      return [...[...pdNames.values()].map(pdKey), ...[...mrNames.values()].map(mrKey)];
    },
    apply(doc) {
      const { pdNames, mrNames, takenVm, fresh } = plan(doc);
      const mapTo = (mr: string) => mrNames.get(mr) ?? mr;
      const rename = (pd: ProtectionDomain): ProtectionDomain => ({
        ...pd,
        name: pdNames.get(pd.name)!,
        programImage: pd.programImage,
        maps: pd.maps.map((m) => ({ ...m, mr: mapTo(m.mr) })),
        ...(pd.setvars ? { setvars: pd.setvars.map((s) => ({ ...s, regionPaddr: mapTo(s.regionPaddr) })) } : {}),
        ...(pd.virtualMachine ? { virtualMachine: { ...pd.virtualMachine, name: fresh(pd.virtualMachine.name, takenVm), maps: pd.virtualMachine.maps.map((m) => ({ ...m, mr: mapTo(m.mr) })) } } : {}),
        ...(pd.cspace ? { cspace: pd.cspace.map((c) => ({ ...c, pd: pdNames.get(c.pd) ?? c.pd })) } : {}),
        ...(pd.children ? { children: pd.children.map(rename) } : {}),
      });
      const nodes = { ...doc.layout.nodes };
      for (const [from, to] of [...[...pdNames].map(([a, b]) => [pdKey(a), pdKey(b)]), ...[...mrNames].map(([a, b]) => [mrKey(a), mrKey(b)])]) {
        const p = frag.positions[from!];
        if (p) nodes[to!] = { x: p.x + offset.x, y: p.y + offset.y };
      }
      return {
        system: {
          ...doc.system,
          memoryRegions: [...doc.system.memoryRegions, ...frag.mrs.map((m) => ({ ...m, name: mrNames.get(m.name)! }))],
          protectionDomains: [...doc.system.protectionDomains, ...frag.pds.map(rename)],
          channels: [...doc.system.channels, ...frag.channels.map((c) => ({ ...c, ends: c.ends.map((e) => ({ ...e, pd: pdNames.get(e.pd)! })) as Channel['ends'] }))],
        },
        layout: { ...doc.layout, nodes },
      };
    },
  };
}

/**
 * What deleting the selection takes with it, in words, before it happens: the difference the delete edit makes to
 * the document (documentParts.ts), less what the keys name themselves. There is no second description of the cascade.
 */
export function deletePreview(doc: EditorDoc, keys: string[]): string[] {
  return lostParts(doc.system, deleteKeys(keys).apply(doc).system, keys);
}

/**
 * Delete whatever the keys name: nodes (with what hangs on them, deleteNodes), map and channel edges, VMs and IRQs.
 * One undo step; indices are removed from the highest down so each names what it named when selected.
 */
export function deleteKeys(keys: string[]): Edit {
  const index = (k: string) => Number(k.slice(k.lastIndexOf(':') + 1));
  const byIndexDesc = (a: string, b: string) => index(b) - index(a);
  const parts: Edit[] = [
    ...keys.filter((k) => /^(map|vmmap):/.test(k)).sort(byIndexDesc).map((k) => {
      const m = /^(map|vmmap):(.+):(\d+)$/.exec(k)!;
      return updateMap(m[2]!, Number(m[3]), m[1] === 'vmmap' ? 'vm' : 'pd', null);
    }),
    ...keys.filter((k) => k.startsWith('irq:')).sort(byIndexDesc).map((k) => {
      const m = /^irq:(.+):(\d+)$/.exec(k)!;
      return updateIrq(m[1]!, Number(m[2]), null);
    }),
    ...keys.filter((k) => k.startsWith('setvar:')).sort(byIndexDesc).map((k) => {
      const m = /^setvar:(.+):(\d+)$/.exec(k)!;
      return editSetvar(m[1]!, Number(m[2]), null);
    }),
    ...keys.filter((k) => k.startsWith('vm:')).map((k) => updateVirtualMachine(k.slice(3), null)),
    ...keys.filter((k) => /^ch:\d+$/.test(k)).sort(byIndexDesc).map((k) => removeChannel(index(k))),
  ];
  const nodes = keys.filter((k) => /^(pd|mr):/.test(k));
  if (nodes.length) parts.push(deleteNodes(nodes));
  const named = keys.length === 1 ? keys[0]!.replace(/^(pd|mr|vm):/, '') : `${keys.length} items`;
  return { label: `Delete ${named}`, apply: (doc) => parts.reduce((d, e) => e.apply(d), doc) };
}
