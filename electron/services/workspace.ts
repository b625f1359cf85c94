import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../shared/api/diagnostics';
import type { WorkspaceFile } from '../../shared/api/contract';
import { StudioError } from '../../shared/api/errors';
import { parseFolderSettings, serializeFolderSettings, SETTINGS_FILE, type FolderSettings } from '../../shared/model/folderSettings';
import { classifySystemHead, DT_SNIFF_BYTES, isDeviceTreeOverlay, isSystemKind, kindFromName, sniffsDeviceTree, SNIFF_BYTES } from '../../shared/workspace/classify';
import { writeFileAtomic } from './atomicWrite';
import { confine } from './confine';
import { walkTree } from './sources';

/** The Explorer lists at most this many files; a bigger tree says `truncated`. */
const FILE_LIMIT = 10_000;

/**
 * Every file of an opened folder the Explorer shows, classified (shared/workspace/classify.ts). Names decide most
 * kinds; system candidates are told apart by their first KiB, device trees (base tree or overlay) by their first
 * 4 KiB, read concurrently.
 */
export async function listWorkspaceFiles(root: string, limit = FILE_LIMIT): Promise<{ files: WorkspaceFile[]; truncated: boolean }> {
  const walk = await walkTree(root, (name) => kindFromName(name) !== undefined, limit);
  const classified = await Promise.all(
    walk.files.map(async (rel): Promise<WorkspaceFile | undefined> => {
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      const byName = kindFromName(name);
      if (byName === undefined) return undefined;
      if (byName === 'devicetree') {
        const overlay = isDeviceTreeOverlay(name, sniffsDeviceTree(name) ? await readHead(path.join(root, rel), DT_SNIFF_BYTES, 'latin1') : '');
        return { path: rel, kind: byName, ...(overlay ? { overlay: true as const } : {}) };
      }
      if (byName !== 'sniff') return { path: rel, kind: byName };
      const kind = classifySystemHead(name, await readHead(path.join(root, rel)));
      return kind ? { path: rel, kind } : undefined;
    }),
  );
  return { files: classified.filter((f): f is WorkspaceFile => f !== undefined), truncated: walk.truncated };
}

async function readHead(file: string, bytes = SNIFF_BYTES, encoding: BufferEncoding = 'utf8'): Promise<string> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString(encoding);
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

export interface FolderSettingsRead {
  /** Undefined when the file is absent or unusable (then `problems` says why). */
  settings?: FolderSettings;
  problems: Diagnostic[];
}

/** `.sel4-studio/settings.json` of a folder, if it has one; a broken one is reported, never thrown. */
export async function readFolderSettings(root: string): Promise<FolderSettingsRead> {
  let file: string;
  try {
    file = confine(root, SETTINGS_FILE);
  } catch {
    // A link out of the folder is never read: its bytes would land in the problem a non-JSON file gets.
    return { problems: [{ severity: 'warning', file: SETTINGS_FILE, message: `${SETTINGS_FILE} is a link to a file outside the folder; it is not read, defaults are used` }] };
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problems: [] };
    return { problems: [{ severity: 'warning', file: SETTINGS_FILE, message: `cannot read ${SETTINGS_FILE}: ${code}; defaults are used` }] };
  }
  const parsed = parseFolderSettings(text, SETTINGS_FILE);
  return parsed.settings ? { settings: parsed.settings, problems: [] } : { problems: parsed.diagnostics };
}

/**
 * Write the folder settings (atomically). A settings file that exists but does not parse is the user's to fix: it is
 * never replaced, so nothing they wrote by hand is lost.
 */
export async function writeFolderSettings(root: string, settings: FolderSettings): Promise<void> {
  const current = await readFolderSettings(root);
  const first = current.problems.find((p) => p.severity === 'error');
  if (first) {
    throw new StudioError('conflict', `${SETTINGS_FILE} does not parse (${first.line ?? 1}:${first.column ?? 1}: ${first.message}); fix or delete it before settings can be saved`, current.problems);
  }
  const file = confine(root, SETTINGS_FILE);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, serializeFolderSettings(settings));
}

/**
 * The system file a folder opens with: the one the settings name if it is still there, else the first plain
 * `.system` nearest the top (a checkout's examples sit in sub-folders; the top-level one is the folder's own), else
 * any system description, else none.
 */
export async function firstSystemFile(root: string, preferred: string | undefined): Promise<string | undefined> {
  if (preferred !== undefined) {
    try {
      if ((await fs.stat(confine(root, preferred))).isFile()) return preferred;
    } catch {
      // Gone or outside the folder: fall back to what the folder holds.
    }
  }
  const { files } = await listWorkspaceFiles(root);
  const rank = (f: WorkspaceFile) => (f.kind === 'system' ? 0 : 1);
  const depth = (f: WorkspaceFile) => f.path.split('/').length;
  // Array sort is stable: equal rank and depth keep tree order.
  return files.filter((f) => isSystemKind(f.kind)).sort((a, b) => rank(a) - rank(b) || depth(a) - depth(b))[0]?.path;
}
