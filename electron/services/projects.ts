import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectSnapshot, RecentProject } from '../../shared/api/contract';
import { formatDiagnostic } from '../../shared/api/diagnostics';
import { StudioError } from '../../shared/api/errors';
import { defaultStudioFile, parseStudioFile, RECOVERY_FILE, serializeStudioFile, STUDIO_FILE, StudioFileSchema, type StudioFile } from '../../shared/model/project';
import { exportSystem } from '../../shared/sdf/export';
import { addProtectionDomain } from '../../shared/model/edits';
import { emptySystem } from '../../shared/model/system';
import { writeFileAtomic } from './atomicWrite';
import { confine } from './confine';

const MAX_RECENT = 10;

/**
 * Projects on disk: a folder with `studio.json` and the `.system` it names. One project is open at a time per host;
 * everything written goes through {@link writeFileAtomic}. A project whose studio.json did not parse is never
 * opened, so it can never be overwritten by a save.
 */
export class ProjectService {
  private root: string | undefined;
  private systemFile: string | undefined;

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
      throw new StudioError('not-found', code === 'ENOENT' ? `${abs} is not a seL4 Studio project (no ${STUDIO_FILE})` : `cannot read ${studioPath}: ${code}`);
    }
    const parsed = parseStudioFile(text, studioPath);
    if (!parsed.studio) {
      const first = parsed.diagnostics[0];
      throw new StudioError('corrupt', first ? formatDiagnostic(first) : `${studioPath} is not valid`, parsed.diagnostics);
    }
    const systemPath = confine(abs, parsed.studio.systemFile);
    let systemXml: string;
    try {
      systemXml = await fs.readFile(systemPath, 'utf8');
    } catch {
      throw new StudioError('not-found', `${STUDIO_FILE} names ${parsed.studio.systemFile}, which does not exist in ${abs}`);
    }
    this.root = abs;
    this.systemFile = parsed.studio.systemFile;
    await this.remember(abs, parsed.studio.name);
    const snapshot: ProjectSnapshot = { dir: abs, studio: parsed.studio, systemXml, migrated: parsed.migrated };
    const recovery = await this.readRecovery(abs, studioPath);
    if (recovery) snapshot.recovery = recovery;
    return snapshot;
  }

  /** The open project's studio.json as it is on disk (build settings, board, system file). */
  async studio(): Promise<StudioFile> {
    const studioPath = path.join(this.requireRoot(), STUDIO_FILE);
    const parsed = parseStudioFile(await fs.readFile(studioPath, 'utf8'), studioPath);
    if (!parsed.studio) throw new StudioError('corrupt', parsed.diagnostics[0] ? formatDiagnostic(parsed.diagnostics[0]) : `${studioPath} is not valid`, parsed.diagnostics);
    return parsed.studio;
  }

  async save(studio: StudioFile, systemXml: string): Promise<{ savedAt: string; files: string[] }> {
    const root = this.requireRoot();
    const files = await this.write(root, studio, systemXml);
    // The old .system is left in place when the file name changes: it may be referenced by the user's Makefile.
    this.systemFile = studio.systemFile;
    await fs.rm(path.join(root, RECOVERY_FILE), { force: true });
    return { savedAt: new Date().toISOString(), files };
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
    if (this.root) await fs.rm(path.join(this.root, RECOVERY_FILE), { force: true });
    return this.open(abs);
  }

  async autosave(studio: StudioFile, systemXml: string): Promise<{ savedAt: string }> {
    const root = this.requireRoot();
    const savedAt = new Date().toISOString();
    await writeFileAtomic(path.join(root, RECOVERY_FILE), JSON.stringify({ savedAt, studio, systemXml }));
    return { savedAt };
  }

  async discardRecovery(): Promise<void> {
    await fs.rm(path.join(this.requireRoot(), RECOVERY_FILE), { force: true });
  }

  close(): void {
    this.root = undefined;
    this.systemFile = undefined;
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

  private async readRecovery(root: string, studioPath: string): Promise<ProjectSnapshot['recovery']> {
    try {
      const file = path.join(root, RECOVERY_FILE);
      const [rec, studioStat, recStat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(studioPath), fs.stat(file)]);
      if (recStat.mtimeMs < studioStat.mtimeMs) return undefined;
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
