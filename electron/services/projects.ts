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
import { confine } from './confine';
import { readWithHash } from './fileIo';
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

  /** A new project in an empty folder: one PD, or a template's system (`systemXml`, laid out when opened). */
  /** A new project in an empty folder; `files` (a template's sources) are written next to the .system. */
  async create(dir: string, name: string, board?: string, systemXml?: string, files: { path: string; text: string }[] = []): Promise<ProjectSnapshot> {
    const abs = path.resolve(dir);
    await fs.mkdir(abs, { recursive: true });
    const entries = (await fs.readdir(abs)).filter((e) => !e.startsWith('.'));
    if (entries.length > 0) {
      throw new StudioError('conflict', `${abs} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); choose an empty folder`);
    }
    const studio = defaultStudioFile(name, board);
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

  async open(dir: string): Promise<ProjectSnapshot> {
    const abs = path.resolve(dir);
    const studioPath = path.join(abs, STUDIO_FILE);
    let text: string;
    try {
      text = await fs.readFile(studioPath, 'utf8');
    } catch (err) {
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
    const snapshot: ProjectSnapshot = {
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
    const recovery = await this.readRecovery(path.join(abs, RECOVERY_FILE), studioPath);
    if (recovery) snapshot.recovery = recovery;
    return snapshot;
  }

  /** Any folder: no studio.json needed. Settings from `.sel4-studio/settings.json` or defaults; nothing is written. */
  private async openFolder(abs: string): Promise<ProjectSnapshot> {
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
    const snapshot: ProjectSnapshot = {
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
    const recovery = systemPath !== undefined ? await this.readRecovery(path.join(abs, FOLDER_RECOVERY_FILE), confine(abs, systemPath)) : undefined;
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
    const parsed = parseStudioFile(await fs.readFile(studioPath, 'utf8'), studioPath);
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
    await fs.rm(this.recoveryFile(root), { force: true });
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
    await fs.rm(this.recoveryFile(root), { force: true });
    return { savedAt: new Date().toISOString(), files };
  }

  /** What a writer killed mid-save left where saves write: the root, the settings folder, the system file's folder. */
  private async sweep(root: string, systemFile?: string): Promise<void> {
    const dirs = new Set([root, path.join(root, SETTINGS_DIR), ...(systemFile ? [path.dirname(systemFile)] : [])]);
    for (const dir of dirs) await sweepStaleTemps(dir);
  }

  private recoveryFile(root: string): string {
    return path.join(root, this.kind === 'folder' ? FOLDER_RECOVERY_FILE : RECOVERY_FILE);
  }

  async saveAs(dir: string, studio: StudioFile, systemXml: string): Promise<ProjectSnapshot> {
    const abs = path.resolve(dir);
    await fs.mkdir(abs, { recursive: true });
    try {
      await fs.access(path.join(abs, STUDIO_FILE));
      throw new StudioError('conflict', `${abs} already holds a project; choose another folder`);
    } catch (err) {
      if (err instanceof StudioError) throw err;
    }
    await this.write(abs, studio, systemXml);
    if (this.root) await fs.rm(this.recoveryFile(this.root), { force: true });
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
    await fs.rm(this.recoveryFile(this.requireRoot()), { force: true });
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
    // The .system first: studio.json must never name a file that is not there.
    await writeFileAtomic(systemPath, systemXml);
    await writeFileAtomic(path.join(root, STUDIO_FILE), serializeStudioFile(valid));
    return [systemPath, path.join(root, STUDIO_FILE)];
  }

  /** An autosave in `file` newer than `savedFile` (the file a save writes last). */
  private async readRecovery(file: string, savedFile: string): Promise<ProjectSnapshot['recovery']> {
    try {
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
