import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../shared/api/errors';
import { writeFileAtomic } from './atomicWrite';
import { isInside } from './paths';
import { configDir as userConfigDir } from './startArgs';

/** The user's trust decisions, one file in their config folder (never in a project: a folder cannot trust itself). */
export const TRUST_FILE = 'trust.json';

const TrustFileSchema = z.object({
  version: z.literal(1),
  folders: z.array(z.object({ dir: z.string(), trustedAt: z.string() })),
});
export type TrustedFolder = z.infer<typeof TrustFileSchema>['folders'][number];

/**
 * Workspace trust (VS Code's model): a folder is restricted — view, edit, validate, draw; no build, no run — until the
 * user trusts it. Decisions are kept per folder, by its real path, in `trust.json` in the user's config folder (mode
 * 0600, folder 0700), and read afresh on every question, so `sel4-studio trust --untrust DIR` takes effect in a
 * running IDE at its next build. A trust file another user could have written (not ours, or group/other-writable)
 * trusts nothing.
 */
export class TrustStore {
  constructor(readonly file: string) {}

  /** The folders trusted now, as stored. */
  async list(): Promise<TrustedFolder[]> {
    let text: string;
    try {
      const st = await fs.lstat(this.file);
      if (!st.isFile()) return [];
      if ((typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return [];
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = TrustFileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.folders : [];
    } catch {
      return [];
    }
  }

  async isTrusted(dir: string): Promise<boolean> {
    const real = await realDir(dir);
    return (await this.list()).some((f) => f.dir === real);
  }

  /** Trust or stop trusting a folder (by its real path). Returns the path stored. */
  async set(dir: string, trusted: boolean): Promise<string> {
    const real = await realDir(dir);
    const others = (await this.list()).filter((f) => f.dir !== real);
    const folders = trusted ? [...others, { dir: real, trustedAt: new Date().toISOString() }] : others;
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, folders }, null, 2)}\n`, { mode: 0o600 });
    return real;
  }
}

async function realDir(dir: string): Promise<string> {
  try {
    return await fs.realpath(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Folders that are never a project root: the file system's top, system folders, and folders holding system ones. */
const SYSTEM_ROOTS = ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/lib', '/usr/local', '/usr/local/bin', '/usr/share', '/usr/sbin', '/var', '/var/lib', '/var/tmp', '/home'];
/** Whole trees that never hold a project. */
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/etc', '/boot', '/run', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/usr/bin', '/usr/sbin', '/usr/lib'];

/**
 * Refuse a folder that must never be a project root, with the reason: what is written "inside the project" would be
 * the user's home (`.bashrc`, `.ssh/`), the system, or seL4 Studio's own settings (a project holding `trust.json`
 * could trust itself).
 */
export async function checkProjectRoot(dir: string, configDir: string, home = os.homedir()): Promise<void> {
  const abs = await realDir(dir);
  const realHome = await realDir(home);
  // The host's config folder and the user's (trust.json lives there; Electron keeps its recent list elsewhere).
  const configs = await Promise.all([configDir, userConfigDir()].map(realDir));
  const why =
    abs === realHome
      ? 'it is your home folder'
      : isInside(abs, realHome)
        ? 'it holds your home folder'
        : SYSTEM_ROOTS.includes(abs) || SYSTEM_TREES.some((t) => isInside(t, abs))
          ? 'it is a system folder'
          : configs.some((c) => isInside(abs, c) || isInside(c, abs))
            ? "it holds seL4 Studio's own settings"
            : undefined;
  if (why) throw new StudioError('forbidden', `${abs} cannot be a project folder: ${why}. Choose or create a folder for the project (for example ${path.join(realHome, 'projects', 'my-system')})`);
}
