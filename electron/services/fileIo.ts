import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { writeFileAtomic } from './atomicWrite';

/** Files larger than this are not opened as text (the contract caps writes at the same size). */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/** sha256 hex of the bytes (a string is hashed as its UTF-8 bytes, exactly what a write puts on disk). */
export function contentHash(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash of no bytes: what a missing file counts as. */
export const MISSING_FILE_HASH = contentHash('');

/** The file's current hash, or undefined when it does not exist. */
export async function currentHash(file: string): Promise<string | undefined> {
  try {
    return contentHash(await fs.readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(err, file);
  }
}

export async function readWithHash(file: string, shown: string): Promise<{ text: string; hash: string; mtimeMs: number }> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new StudioError('unsupported', `${shown} is not a file`);
    if (stat.size > MAX_TEXT_BYTES) throw new StudioError('unsupported', `${shown} is ${stat.size} bytes; files over 64 MiB are not opened`);
    const bytes = await fs.readFile(file);
    return { text: bytes.toString('utf8'), hash: contentHash(bytes), mtimeMs: stat.mtimeMs };
  } catch (err) {
    throw ioError(err, shown);
  }
}

export interface CheckedWriteHooks {
  /** The check passed and the rename follows: the watcher takes `hash` as known, so our own write makes no event. */
  writing?(hash: string): void;
  /** The write finished: `committed` says whether the new content is on disk. */
  done?(committed: boolean): void;
}

/**
 * Write `text` atomically, but never over content the caller has not seen: the target is read right before the
 * rename and must hash to `expectHash` (a missing file hashes as no bytes). Without `expectHash` the write only
 * creates a file and refuses an existing one.
 */
export async function writeChecked(file: string, shown: string, text: string, expectHash: string | undefined, hooks: CheckedWriteHooks = {}): Promise<{ hash: string }> {
  const hash = contentHash(text);
  await fs.mkdir(path.dirname(file), { recursive: true });
  let announced = false;
  let committed = false;
  try {
    await writeFileAtomic(file, text, {
      beforeRename: async () => {
        const now = await currentHash(file);
        if (expectHash === undefined && now !== undefined) {
          throw new StudioError('conflict', `${shown} already exists; it was not overwritten`);
        }
        if (expectHash !== undefined && (now ?? MISSING_FILE_HASH) !== expectHash) {
          const what = now === undefined ? 'was deleted' : 'changed on disk';
          throw new StudioError('conflict', `${shown} ${what} since it was read; it was not overwritten (reload or compare first)`);
        }
        hooks.writing?.(hash);
        announced = true;
      },
    });
    committed = true;
  } catch (err) {
    throw ioError(err, shown);
  } finally {
    if (announced) hooks.done?.(committed);
  }
  return { hash };
}

function ioError(err: unknown, shown: string): StudioError {
  if (err instanceof StudioError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new StudioError('not-found', `${shown} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return new StudioError('forbidden', `${shown}: permission denied`);
  if (code === 'EISDIR') return new StudioError('unsupported', `${shown} is a folder`);
  return new StudioError('internal', `${shown}: ${code ?? (err instanceof Error ? err.message : String(err))}`);
}

/**
 * Rename a file of the folder, only while it has the content the caller read (`expectHash`) and never over a file
 * that exists: the new name is made a hard link first (which fails on an existing name), then the old name removed.
 * On a file system without hard links, the new name is checked free right before a plain rename.
 */
export async function renameChecked(from: string, to: string, shownFrom: string, shownTo: string, expectHash: string): Promise<void> {
  const now = await currentHash(from);
  if (now === undefined) throw new StudioError('not-found', `${shownFrom} does not exist`);
  if (now !== expectHash) throw new StudioError('conflict', `${shownFrom} changed on disk since it was read; it was not renamed`);
  const st = await fs.lstat(from);
  if (!st.isFile()) throw new StudioError('unsupported', `${shownFrom} is not a file`);
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new StudioError('conflict', `${shownTo} already exists; ${shownFrom} was not renamed over it`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw ioError(err, shownTo);
    if (await fs.lstat(to).then(() => true, () => false)) throw new StudioError('conflict', `${shownTo} already exists; ${shownFrom} was not renamed over it`);
    await fs.rename(from, to).catch((e: unknown) => Promise.reject(ioError(e, shownFrom)));
    return;
  }
  await fs.unlink(from).catch((e: unknown) => Promise.reject(ioError(e, shownFrom)));
}
