import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectSnapshot, RecentProject } from '../../shared/api/contract';
import { formatDiagnostic } from '../../shared/api/diagnostics';
import { StudioError } from '../../shared/api/errors';
import { defaultStudioFile, parseStudioFile, RECOVERY_FILE, serializeStudioFile, STUDIO_FILE, StudioFileSchema, type StudioFile } from '../../shared/model/project';
import { exportSystem } from '../../shared/sdf/export';
import { addProtectionDomain } from '../../shared/model/edits';
import { emptySystem } from '../../shared/model/system';
import { sweepStaleTemps, writeFileAtomic } from './atomicWrite';
import { confine, isReallyInside } from './confine';
import { readWithHash } from './fileIo';
import { checkProjectRoot } from './trust';
import { firstSystemFile, readFolderSettings, writeFolderSettings } from './workspace';
import {
  defaultFolderSettings,
  SETTINGS_DIR,
  SETTINGS_FILE,
  settingsFromStudio,
  settingsWithStudio,
  serializeFolderSettings,
  studioSettingsChanged,
  studioViewOfSettings,
  studioWithSettings,
  type FolderSettings,
} from '../../shared/model/folderSettings';

const MAX_RECENT = 10;

/** A project as the service reads it; the host adds whether the user trusts the folder. */
export type FolderSnapshot = Omit<ProjectSnapshot, 'trusted'>;

/**
 * Whether a folder is new or empty: a project made there holds only what seL4 Studio wrote (so it may be trusted at
 * once); anything else in it (a checkout's Makefile) is not the user's decision yet.
 */
export async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(path.resolve(dir))).length === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
/** A folder's autosave sits with its settings, out of the user's tree (a checkout stays clean). */
const FOLDER_RECOVERY_FILE = `${SETTINGS_DIR}/recovery.json`;

/**
 * Projects on disk: any folder (a git checkout; IDE settings in `.sel4-studio/settings.json`), or a folder with
 * `studio.json` and the `.system` it names. One is open at a time per host; everything written goes through
 * {@link writeFileAtomic}. A project whose studio.json did not parse is never opened, so it can never be overwritten.
 */
export class ProjectService {
  private root: string | undefined;
  private systemFile: string | undefined;
  private kind: ProjectSnapshot['kind'] | undefined;

  get openKind(): ProjectSnapshot['kind'] | undefined {
    return this.kind;
  }

  /** The open system file, relative to the root (a folder's may sit in a sub-folder). */
  get openSystemFile(): string | undefined {
    return this.systemFile;
  }

  constructor(private readonly configDir: string) {}

  get current(): string | undefined {
    return this.root;
  }

  requireRoot(): string {
    if (!this.root) throw new StudioError('no-project', 'no project is open');
    return this.root;
  }

  /**
   * A new project: one PD, or a template's system (`systemXml`, laid out when opened) and its sources (`files`, written
   * next to the .system). The folder must be new, empty, or a git checkout none of whose files would be replaced; never
   * a home or system folder.
   */
  async create(dir: string, name: string, board?: string, systemXml?: string, files: { path: string; text: string }[] = []): Promise<FolderSnapshot> {
    const abs = path.resolve(dir);
    const studio = defaultStudioFile(name, board);
    await this.prepareNewProjectFolder(abs, [studio.systemFile, ...files.map((f) => f.path)]);
    if (systemXml === undefined) {
      // A new project starts with one PD so that it is a valid system from the first save.
      const doc = addProtectionDomain({ x: 120, y: 120 }, 'main').apply({ system: emptySystem(), layout: studio.layout });
      studio.layout = doc.layout;
      systemXml = exportSystem(doc.system);
    }
    for (const f of files) await writeFileAtomic(confine(abs, f.path), f.text);
    await this.write(abs, studio, systemXml);
    return this.open(abs);
  }

  /**
   * Where a project is about to be written (New, Save As): created when missing; else it must be empty, or a git
   * checkout (its README and LICENSE stay) in which none of `writes` exists yet. A folder holding anything else — a home
   * folder's dotfiles, another project — is refused: what is later written "inside the project" must not be the user's
   * other files.
   */
  private async prepareNewProjectFolder(abs: string, writes: string[]): Promise<void> {
    await checkProjectRoot(abs, this.configDir);
    let entries: string[];
    try {
      entries = await fs.readdir(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new StudioError('conflict', `${abs} is a file, not a folder`);
      if (code !== 'ENOENT') throw new StudioError('forbidden', `cannot read ${abs}: ${code}`);
      await fs.mkdir(abs, { recursive: true });
      return;
    }
    if (entries.length === 0) return;
    if (entries.includes(STUDIO_FILE)) throw new StudioError('conflict', `${abs} already holds a seL4 Studio project: open it instead, or choose another folder`);
    const shown = entries.filter((e) => !e.startsWith('.'));
    const list = (names: string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
    if (!entries.includes('.git')) {
      throw new StudioError('conflict', `${abs} is not empty (${list(shown.length ? shown : entries)}) and is not a git checkout; choose an empty or new folder`);
    }
    const taken: string[] = [];
    for (const w of new Set([...writes, STUDIO_FILE])) {
      if (await fs.lstat(confine(abs, w)).then(() => true, () => false)) taken.push(w);
    }
    if (taken.length) throw new StudioError('conflict', `${abs} already has ${list(taken)}; it was not overwritten (choose an empty or new folder)`);
  }

  async open(dir: string): Promise<FolderSnapshot> {
    const abs = path.resolve(dir);
    await checkProjectRoot(abs, this.configDir);
    const studioPath = path.join(abs, STUDIO_FILE);
    let text: string;
    try {
      // Never read through a link out of the folder: its bytes would land in the error a non-JSON file gets.
      text = await fs.readFile(confine(abs, STUDIO_FILE), 'utf8');
    } catch (err) {
      if (err instanceof StudioError) throw new StudioError('forbidden', `${studioPath} is a link to a file outside the folder; it is not read`);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return this.openFolder(abs);
      throw new StudioError('not-found', `cannot read ${studioPath}: ${code}`);
    }
    const parsed = parseStudioFile(text, studioPath);
    if (!parsed.studio) {
      const first = parsed.diagnostics[0];
      throw new StudioError('corrupt', first ? formatDiagnostic(first) : `${studioPath} is not valid`, parsed.diagnostics);
    }
    const systemPath = confine(abs, parsed.studio.systemFile);
    await this.sweep(abs, systemPath);
    let system: { text: string; hash: string };
    try {
      system = await readWithHash(systemPath, parsed.studio.systemFile);
    } catch {
      throw new StudioError('not-found', `${STUDIO_FILE} names ${parsed.studio.systemFile}, which does not exist in ${abs}`);
    }
    const folder = await readFolderSettings(abs);
    this.root = abs;
    this.systemFile = parsed.studio.systemFile;
    this.kind = 'studio-project';
    await this.remember(abs, parsed.studio.name);
    const snapshot: FolderSnapshot = {
      dir: abs,
      kind: 'studio-project',
      studio: folder.settings ? studioWithSettings(parsed.studio, folder.settings) : parsed.studio,
      systemXml: system.text,
      migrated: parsed.migrated,
      // studio.json migrated to the folder-settings shape; studio.json itself is not rewritten on open.
      settings: folder.settings ?? settingsFromStudio(parsed.studio),
      systemPath: parsed.studio.systemFile,
      systemHash: system.hash,
    };
    if (folder.problems.length) snapshot.settingsProblems = folder.problems;
    const recovery = await this.readRecovery(abs, RECOVERY_FILE, studioPath);
    if (recovery) snapshot.recovery = recovery;
    return snapshot;
  }

  /** Any folder: no studio.json needed. Settings from `.sel4-studio/settings.json` or defaults; nothing is written. */
  private async openFolder(abs: string): Promise<FolderSnapshot> {
    let isFolder = false;
    try {
      isFolder = (await fs.stat(abs)).isDirectory();
    } catch {
      throw new StudioError('not-found', `${abs} does not exist`);
    }
    if (!isFolder) throw new StudioError('not-found', `${abs} is not a folder`);
    const read = await readFolderSettings(abs);
    const settings = read.settings ?? defaultFolderSettings();
    const systemPath = await firstSystemFile(abs, settings.lastOpenFile);
    await this.sweep(abs, systemPath !== undefined ? confine(abs, systemPath) : undefined);
    const system = systemPath !== undefined ? await readWithHash(confine(abs, systemPath), systemPath) : undefined;
    this.root = abs;
    this.systemFile = systemPath;
    this.kind = 'folder';
    await this.remember(abs, path.basename(abs));
    const snapshot: FolderSnapshot = {
      dir: abs,
      kind: 'folder',
      studio: studioViewOfSettings(settings, path.basename(abs), systemPath),
      systemXml: system?.text ?? '',
      migrated: [],
      settings,
      systemPath: systemPath ?? null,
    };
    if (system) snapshot.systemHash = system.hash;
    if (read.problems.length) snapshot.settingsProblems = read.problems;
    const recovery = systemPath !== undefined ? await this.readRecovery(abs, FOLDER_RECOVERY_FILE, confine(abs, systemPath)) : undefined;
    if (recovery) snapshot.recovery = recovery;
    return snapshot;
  }

  /** The folder settings in effect: the settings file, else (a studio.json project) its migrated view, else defaults. */
  async settings(): Promise<FolderSettings> {
    const root = this.requireRoot();
    const read = await readFolderSettings(root);
    if (read.settings) return read.settings;
    return this.kind === 'studio-project' ? settingsFromStudio(await this.studioFile()) : defaultFolderSettings();
  }

  async saveSettings(settings: FolderSettings): Promise<void> {
    await writeFolderSettings(this.requireRoot(), settings);
  }

  /**
   * The open project's build settings, board and system file in the studio.json shape. For a folder, `systemFile` is
   * the system file's path in the folder (it may name a sub-folder, which studio.json itself never does).
   */
  async studio(): Promise<StudioFile> {
    const root = this.requireRoot();
    const read = await readFolderSettings(root);
    if (this.kind === 'folder') {
      if (this.systemFile === undefined) throw new StudioError('unsupported', `${root} has no system file open`);
      return { ...studioViewOfSettings(read.settings ?? defaultFolderSettings(), path.basename(root), this.systemFile), systemFile: this.systemFile };
    }
    const studio = await this.studioFile();
    return read.settings ? studioWithSettings(studio, read.settings) : studio;
  }

  /** studio.json as it is on disk. */
  private async studioFile(): Promise<StudioFile> {
    const studioPath = path.join(this.requireRoot(), STUDIO_FILE);
    const parsed = parseStudioFile(await fs.readFile(confine(this.requireRoot(), STUDIO_FILE), 'utf8'), studioPath);
    if (!parsed.studio) throw new StudioError('corrupt', parsed.diagnostics[0] ? formatDiagnostic(parsed.diagnostics[0]) : `${studioPath} is not valid`, parsed.diagnostics);
    return parsed.studio;
  }

  async save(studio: StudioFile, systemXml: string): Promise<{ savedAt: string; files: string[] }> {
    const root = this.requireRoot();
    if (this.kind === 'folder') return this.saveFolder(root, studio, systemXml);
    const files = await this.write(root, studio, systemXml);
    // The old .system is left in place when the file name changes: it may be referenced by the user's Makefile.
    this.systemFile = studio.systemFile;
    // Once a settings file exists its values win on open, so it must follow what was saved.
    const read = await readFolderSettings(root);
    if (read.settings) {
      const next = settingsWithStudio(read.settings, studio, studio.systemFile);
      if (serializeFolderSettings(next) !== serializeFolderSettings(read.settings)) {
        await writeFolderSettings(root, next);
        files.push(path.join(root, SETTINGS_FILE));
      }
    }
    await this.removeRecovery(root);
    return { savedAt: new Date().toISOString(), files };
  }

  /**
   * A folder's save writes its open system file; the settings only when the board, build or layout changed (so a
   * checkout gains no IDE file until the user changes something). `studio.systemFile` is a display name here.
   */
  private async saveFolder(root: string, studio: StudioFile, systemXml: string): Promise<{ savedAt: string; files: string[] }> {
    const valid = StudioFileSchema.parse(studio);
    if (this.systemFile === undefined) throw new StudioError('unsupported', `${root} has no system file open; create one first`);
    const file = confine(root, this.systemFile);
    await writeFileAtomic(file, systemXml);
    const files = [file];
    const read = await readFolderSettings(root);
    const settings = read.settings ?? defaultFolderSettings();
    const parses = !read.problems.some((p) => p.severity === 'error');
    if (parses && studioSettingsChanged(studioViewOfSettings(settings, path.basename(root), this.systemFile), valid)) {
      await writeFolderSettings(root, settingsWithStudio(settings, valid, this.systemFile));
      files.push(path.join(root, SETTINGS_FILE));
    }
    await this.removeRecovery(root);
    return { savedAt: new Date().toISOString(), files };
  }

  /**
   * What a writer killed mid-save left where saves write: the root, the settings folder, the system file's folder —
   * each only when it really lies in the folder (a `.sel4-studio` that links out of it is not swept).
   */
  private async sweep(root: string, systemFile?: string): Promise<void> {
    const dirs = new Set([root, path.join(root, SETTINGS_DIR), ...(systemFile ? [path.dirname(systemFile)] : [])]);
    for (const dir of dirs) if (isReallyInside(root, dir)) await sweepStaleTemps(dir);
  }

  /** The autosave file, confined like every write (a `.sel4-studio` that is a link out of the folder is refused). */
  private recoveryFile(root: string): string {
    return confine(root, this.kind === 'folder' ? FOLDER_RECOVERY_FILE : RECOVERY_FILE);
  }

  private async removeRecovery(root: string): Promise<void> {
    // Removing a link removes the link, never what it points to; a refused path has nothing of ours to remove.
    await fs.rm(path.join(root, this.kind === 'folder' ? FOLDER_RECOVERY_FILE : RECOVERY_FILE), { force: true });
  }

  /**
   * The project written as a new one in another folder, with the same rules as New: a new, empty or git-checkout folder
   * where neither studio.json nor the .system exists (a same-named .system there is never replaced).
   */
  async saveAs(dir: string, studio: StudioFile, systemXml: string): Promise<FolderSnapshot> {
    const abs = path.resolve(dir);
    const valid = StudioFileSchema.parse(studio);
    await this.prepareNewProjectFolder(abs, [valid.systemFile]);
    await this.write(abs, valid, systemXml);
    if (this.root) await this.removeRecovery(this.root);
    return this.open(abs);
  }

  async autosave(studio: StudioFile, systemXml: string): Promise<{ savedAt: string }> {
    const root = this.requireRoot();
    const savedAt = new Date().toISOString();
    const file = this.recoveryFile(root);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify({ savedAt, studio, systemXml }));
    return { savedAt };
  }

  async discardRecovery(): Promise<void> {
    await this.removeRecovery(this.requireRoot());
  }

  close(): void {
    this.root = undefined;
    this.systemFile = undefined;
    this.kind = undefined;
  }

  async recent(): Promise<RecentProject[]> {
    try {
      const list = JSON.parse(await fs.readFile(path.join(this.configDir, 'recent.json'), 'utf8')) as RecentProject[];
      return Array.isArray(list) ? list.filter((p) => typeof p?.dir === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  private async write(root: string, studio: StudioFile, systemXml: string): Promise<string[]> {
    const valid = StudioFileSchema.parse(studio);
    const systemPath = confine(root, valid.systemFile);
    const studioPath = confine(root, STUDIO_FILE);
    // The .system first: studio.json must never name a file that is not there.
    await writeFileAtomic(systemPath, systemXml);
    await writeFileAtomic(studioPath, serializeStudioFile(valid));
    return [systemPath, studioPath];
  }

  /** An autosave in `rel` newer than `savedFile` (the file a save writes last); never read through a link out of the folder. */
  private async readRecovery(root: string, rel: string, savedFile: string): Promise<ProjectSnapshot['recovery']> {
    try {
      const file = confine(root, rel);
      const [rec, savedStat, recStat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(savedFile), fs.stat(file)]);
      if (recStat.mtimeMs < savedStat.mtimeMs) return undefined;
      const data = JSON.parse(rec) as { savedAt?: unknown; studio?: unknown; systemXml?: unknown };
      const studio = StudioFileSchema.safeParse(data.studio);
      if (!studio.success || typeof data.systemXml !== 'string' || typeof data.savedAt !== 'string') return undefined;
      return { savedAt: data.savedAt, studio: studio.data, systemXml: data.systemXml };
    } catch {
      return undefined;
    }
  }

  private async remember(dir: string, name: string): Promise<void> {
    const list = (await this.recent()).filter((p) => p.dir !== dir);
    list.unshift({ dir, name, openedAt: new Date().toISOString() });
    await fs.mkdir(this.configDir, { recursive: true });
    await writeFileAtomic(path.join(this.configDir, 'recent.json'), JSON.stringify(list.slice(0, MAX_RECENT), null, 2));
  }
}
