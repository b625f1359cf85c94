import { isSystemKind, type WorkspaceFileKind } from './classify';

export interface ExplorerFile {
  path: string;
  kind: WorkspaceFileKind;
}

export interface ExplorerEntry extends ExplorerFile {
  /** The file's name, and the folder it is in ('' at the top): the list shows the name and dims the folder. */
  name: string;
  dir: string;
}

export interface ExplorerGroup {
  id: 'systems' | 'sources' | 'build' | 'devicetrees';
  label: string;
  entries: ExplorerEntry[];
}

/** Short tags the Explorer shows beside a system file's name: how it becomes the system the tool reads. */
export const SYSTEM_KIND_TAGS: Partial<Record<WorkspaceFileKind, string>> = {
  'system-template': 'cpp',
  'system-xinclude': 'xinclude',
};

const GROUPS: { id: ExplorerGroup['id']; label: string; has: (k: WorkspaceFileKind) => boolean }[] = [
  { id: 'systems', label: 'System descriptions', has: isSystemKind },
  { id: 'sources', label: 'Sources', has: (k) => k === 'source' },
  { id: 'build', label: 'Build files', has: (k) => k === 'build' },
  { id: 'devicetrees', label: 'Device trees', has: (k) => k === 'devicetree' },
];

/**
 * The Explorer's list: system descriptions first, then sources, build files and device trees, each in path order;
 * empty groups left out. The filter keeps files matching every word of it (case-insensitive) in the path or the
 * kind's tag, so "vmm cpp" finds the cpp-templated VMM systems.
 */
export function explorerGroups(files: readonly ExplorerFile[], filter = ''): ExplorerGroup[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (f: ExplorerFile) => {
    const hay = `${f.path} ${SYSTEM_KIND_TAGS[f.kind] ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  };
  const kept = files.filter(matches).map(toEntry).sort((a, b) => comparePaths(a.path, b.path));
  return GROUPS.map((g) => ({ id: g.id, label: g.label, entries: kept.filter((e) => g.has(e.kind)) })).filter((g) => g.entries.length > 0);
}

function toEntry(f: ExplorerFile): ExplorerEntry {
  const cut = f.path.lastIndexOf('/');
  return { ...f, name: f.path.slice(cut + 1), dir: cut < 0 ? '' : f.path.slice(0, cut) };
}

/** Folder by folder, case-insensitively, so a folder's files stay together however the host listed them. */
function comparePaths(a: string, b: string): number {
  const pa = a.toLowerCase().split('/');
  const pb = b.toLowerCase().split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}
