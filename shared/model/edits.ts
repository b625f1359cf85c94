import type { StudioFile, NodePosition } from './project';
import { freshName, mrKey, pdKey, type MemoryRegion, type ProtectionDomain, type SystemModel } from './system';

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

export function addMemoryRegion(at: NodePosition, name?: string): Edit {
  return {
    label: 'Add memory region',
    apply(doc) {
      const mrName = name ?? freshName('mr', doc.system.memoryRegions.map((m) => m.name));
      const mr: MemoryRegion = { name: mrName, size: 0x1000 };
      return {
        system: { ...doc.system, memoryRegions: [...doc.system.memoryRegions, mr] },
        layout: withNode(doc.layout, mrKey(mrName), at),
      };
    },
  };
}

/** Change a PD's attributes. A rename carries its layout position, maps stay, and channel ends follow. */
export function updateProtectionDomain(name: string, patch: Partial<Omit<ProtectionDomain, 'maps' | 'irqs' | 'extra'>>): Edit {
  return {
    label: patch.name && patch.name !== name ? `Rename ${name} to ${patch.name}` : `Edit ${name}`,
    apply(doc) {
      const newName = patch.name ?? name;
      const system: SystemModel = {
        ...doc.system,
        protectionDomains: doc.system.protectionDomains.map((pd) => (pd.name === name ? stripUndefined({ ...pd, ...patch }) : pd)),
        channels:
          newName === name
            ? doc.system.channels
            : doc.system.channels.map((ch) => ({
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
        protectionDomains:
          newName === name
            ? doc.system.protectionDomains
            : doc.system.protectionDomains.map((pd) => ({
                ...pd,
                maps: pd.maps.map((m) => (m.mr === name ? { ...m, mr: newName } : m)),
              })),
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
      for (const k of keys) delete nodes[k];
      return {
        system: {
          ...doc.system,
          memoryRegions: doc.system.memoryRegions.filter((m) => !mrs.has(m.name)),
          protectionDomains: doc.system.protectionDomains
            .filter((p) => !pds.has(p.name))
            .map((p) => ({ ...p, maps: p.maps.filter((m) => !mrs.has(m.mr)) })),
          channels: doc.system.channels.filter((c) => !c.ends.some((e) => pds.has(e.pd))),
        },
        layout: { nodes },
      };
    },
  };
}

/** Replace the whole system (a quick fix, a restored autosave): one undo step, layout kept. */
export function replaceSystem(label: string, system: SystemModel): Edit {
  return { label, apply: (doc) => ({ ...doc, system }) };
}

/** Moving nodes is one edit however long the drag (committed on drag end). */
export function moveNodes(moves: Record<string, NodePosition>): Edit {
  return {
    label: Object.keys(moves).length === 1 ? 'Move node' : 'Move nodes',
    apply: (doc) => ({ ...doc, layout: { nodes: { ...doc.layout.nodes, ...moves } } }),
  };
}

function renameKey(layout: EditorDoc['layout'], from: string, to: string): EditorDoc['layout'] {
  if (from === to || !(from in layout.nodes)) return layout;
  const { [from]: pos, ...rest } = layout.nodes;
  return { nodes: { ...rest, [to]: pos! } };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Undo history of whole-document snapshots; immutable edits make each record cheap (structural sharing). */
export interface History {
  past: { label: string; doc: EditorDoc }[];
  future: { label: string; doc: EditorDoc }[];
}
export const emptyHistory = (): History => ({ past: [], future: [] });

export function applyEdit(doc: EditorDoc, history: History, edit: Edit, limit = 500): { doc: EditorDoc; history: History } {
  const next = edit.apply(doc);
  if (next === doc) return { doc, history };
  return { doc: next, history: { past: [...history.past, { label: edit.label, doc }].slice(-limit), future: [] } };
}

export function undo(doc: EditorDoc, history: History): { doc: EditorDoc; history: History; label?: string } {
  const last = history.past[history.past.length - 1];
  if (!last) return { doc, history };
  return {
    doc: last.doc,
    history: { past: history.past.slice(0, -1), future: [{ label: last.label, doc }, ...history.future] },
    label: last.label,
  };
}

export function redo(doc: EditorDoc, history: History): { doc: EditorDoc; history: History; label?: string } {
  const next = history.future[0];
  if (!next) return { doc, history };
  return {
    doc: next.doc,
    history: { past: [...history.past, { label: next.label, doc }], future: history.future.slice(1) },
    label: next.label,
  };
}
