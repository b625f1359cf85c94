import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { isInside } from './paths';

export { isInside };

/** Links followed before a path counts as a loop (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * Where `p` is, or would be once created: every symbolic link on the way followed, dangling ones too (a link to a file
 * that does not exist yet is where a write through it lands). Throws ELOOP past {@link MAX_LINKS} links.
 */
export function resolveLoose(p: string, links = { n: 0 }): string {
  try {
    return realpathSync(p);
  } catch {
    // Some part does not exist (or is a dangling link): resolve the parent, then this name by hand.
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = resolveLoose(parent, links);
  const here = path.join(realParent, path.basename(p));
  let isLink = false;
  try {
    isLink = lstatSync(here).isSymbolicLink();
  } catch {
    return here; // not there: created as a plain entry of its (resolved) folder
  }
  if (!isLink) return here;
  if (++links.n > MAX_LINKS) throw Object.assign(new Error(`too many links: ${p}`), { code: 'ELOOP' });
  return resolveLoose(path.resolve(realParent, readlinkSync(here)), links);
}

/**
 * Resolve `rel` inside `root`, refusing anything that leaves it: `..`, absolute paths, NUL bytes, and symbolic links
 * whose target is outside — links to files that do not exist yet included (a write through a dangling link creates
 * its target), and links in any folder on the way.
 */
export function confine(root: string, rel: string): string {
  if (rel.includes('\0')) throw new StudioError('forbidden', 'path contains a NUL byte');
  if (path.isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new StudioError('forbidden', `absolute paths are not allowed: ${rel}`);
  const realRoot = realpathSync(root);
  const target = path.resolve(realRoot, rel);
  if (!isInside(realRoot, target)) throw new StudioError('forbidden', `path leaves the project: ${rel}`);
  let real: string;
  try {
    real = resolveLoose(target);
  } catch {
    throw new StudioError('forbidden', `path goes round in a loop of links: ${rel}`);
  }
  if (!isInside(realRoot, real)) throw new StudioError('forbidden', `path leaves the project through a link: ${rel}`);
  return target;
}

/** Whether `file` (absolute) really lies inside `root`, links followed (a read through a link out of the folder is not). */
export function isReallyInside(root: string, file: string): boolean {
  try {
    return isInside(realpathSync(root), resolveLoose(path.resolve(root, file)));
  } catch {
    return false;
  }
}

export interface OpenedForWrite {
  fd: number;
  /** The file's size when opened (0 after a truncate). */
  size: number;
  /** Where the file really is (links resolved). */
  real: string;
}

/**
 * Open a log-like file for writing in place (not by rename): a build step's log, a serial log. `file` must already be
 * confined ({@link confine}); it is opened at its resolved place with O_NOFOLLOW, so a link swapped in after the check
 * is not followed, and refused when it is not a regular file or has other hard links (a write through a hard link
 * would change the file outside the folder it shares its bytes with). `truncate` empties it only after those checks.
 * Errors keep their errno `code` (EISDIR, ENOTDIR, EACCES…); `ENOTREG` for a device or FIFO; a hard link is a
 * `forbidden` StudioError.
 */
export function openForWrite(file: string, mode: 'append' | 'truncate', shown: string = file): OpenedForWrite {
  const real = resolveLoose(file);
  mkdirSync(path.dirname(real), { recursive: true });
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | (mode === 'append' ? constants.O_APPEND : 0);
  const fd = openSync(real, flags, 0o644);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: st.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    if (st.nlink > 1) throw new StudioError('forbidden', `${shown} has ${st.nlink - 1} other hard link${st.nlink > 2 ? 's' : ''}: it is not written through (remove the links or choose another file)`);
    if (mode === 'truncate' && st.size > 0) ftruncateSync(fd, 0);
    return { fd, size: mode === 'truncate' ? 0 : st.size, real };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
