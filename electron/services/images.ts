import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { writeFileAtomic } from './atomicWrite';
import { confine } from './confine';
import { readSmallFile } from './sdk';

const CHOICES_FILE = 'images.json';
const CHOICES_MAX_BYTES = 256 * 1024;

/** A picked image as the page sees it. */
export interface PickedImage {
  path: string;
  /** Bytes, or undefined when the file is gone (it stays listed until removed). */
  size?: number;
}

/** What to tell a user whose page named a file outside the project that is not on their list. */
export const PICK_HINT = 'pick it in the QEMU panel (Pick image…) or, in a browser, add it from a terminal: sel4-studio image add PATH';

/**
 * Images the user picked for QEMU (kernels, initrds, disks, blobs) anywhere on their machine, kept in the user's config
 * (never in a folder): like the SDKs they chose. A page may name an absolute path only if it is on this list — picked
 * in the host's own file dialog, or added with `sel4-studio image add PATH` from the user's own terminal.
 */
export class ImageChoices {
  constructor(private readonly configDir: string) {}

  private async paths(): Promise<string[]> {
    try {
      const parsed = JSON.parse(await readSmallFile(path.join(this.configDir, CHOICES_FILE), CHOICES_MAX_BYTES)) as { picked?: unknown };
      return Array.isArray(parsed.picked) ? parsed.picked.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)) : [];
    } catch {
      return [];
    }
  }

  async list(): Promise<PickedImage[]> {
    return Promise.all(
      (await this.paths()).map(async (p) => {
        const st = await fs.stat(p).catch(() => undefined);
        return st?.isFile() ? { path: p, size: st.size } : { path: p };
      }),
    );
  }

  /** Remember a file the user picked (links resolved; it must be a regular file); returns its path. */
  async add(file: string): Promise<string> {
    const real = await fs.realpath(path.resolve(file)).catch(() => undefined);
    if (!real) throw new StudioError('not-found', `no such file: ${file}`);
    if (!(await fs.stat(real)).isFile()) throw new StudioError('invalid-params', `${real} is not a regular file`);
    const picked = await this.paths();
    if (!picked.includes(real)) await this.write([...picked, real]);
    return real;
  }

  async remove(file: string): Promise<void> {
    const picked = await this.paths();
    if (picked.includes(file)) await this.write(picked.filter((p) => p !== file));
  }

  private async write(picked: string[]) {
    await fs.mkdir(this.configDir, { recursive: true });
    await writeFileAtomic(path.join(this.configDir, CHOICES_FILE), `${JSON.stringify({ picked }, null, 2)}\n`);
  }

  /**
   * The file a page names, checked: a path inside the project (confined, as every file the page names), or an
   * absolute path on the picked list (compared with links resolved, so a link cannot stand in for a picked file).
   */
  async resolve(root: string, ref: string): Promise<string> {
    if (!path.isAbsolute(ref)) return confine(root, ref);
    const real = await fs.realpath(ref).catch(() => undefined);
    const picked = await this.paths();
    if (real && picked.includes(real)) return real;
    if (!real && picked.includes(ref)) throw new StudioError('not-found', `${ref} is on your picked images but no longer exists`);
    throw new StudioError('forbidden', `${ref} is outside the project and not one of your picked images: ${PICK_HINT}`);
  }
}
