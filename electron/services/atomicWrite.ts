import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /**
   * Runs after the new content is safely in the temp file and right before the rename: the last moment to check the
   * target is still what the caller read. Throwing cancels the write (the target is untouched, the temp file removed).
   */
  beforeRename?: () => Promise<void>;
  /** The new file's permission bits (default 0644, less the umask); 0600 for the user's own secrets. */
  mode?: number;
}

let tempCounter = 0;

/** The write in progress (or queued last) per target file, so writes to one file take turns. */
const lastWrite = new Map<string, Promise<void>>();

/**
 * Write a file so that a crash leaves either the old or the new content, never a torn one:
 * temp file in the same directory, fsync, rename over the target, fsync the directory.
 * Concurrent writers (two tabs, a double Ctrl+S, autosave racing Save) each get their own temp file, and writes to the
 * same target run one after the other, so a `beforeRename` check and its rename are never split by another writer.
 */
export function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const key = path.resolve(file);
  const previous = lastWrite.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => writeNow(file, data, opts));
  const settled = mine.catch(() => undefined);
  lastWrite.set(key, settled);
  void settled.then(() => {
    if (lastWrite.get(key) === settled) lastWrite.delete(key);
  });
  return mine;
}

async function writeNow(file: string, data: string, opts: AtomicWriteOptions): Promise<void> {
  const dir = path.dirname(file);
  // Unique per write: pid for other processes, a counter for this one, random bytes for a pid reused after a crash.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tempCounter}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    // The umask may widen nothing, but an explicit mode is meant exactly (open's mode is masked).
    if (opts.mode !== undefined) await handle.chmod(opts.mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await opts.beforeRename?.();
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}

/** The temp name `writeNow` gives: `.<target>.<pid>.<n>.<8 hex>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.\d+\.[0-9a-f]{8}\.tmp$/;
/** A write never takes this long: a temp file older than this is left over, whoever's pid it names. */
const STALE_AFTER_MS = 10 * 60 * 1000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Remove the temp files that writers killed mid-write (kill -9, a power cut) left in `dir`: only names this module
 * makes, and only when the writer is gone or the file is too old to be a write in progress. Returns what it removed.
 */
export async function sweepStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const file = path.join(dir, name);
    try {
      const st = await fs.lstat(file);
      if (!st.isFile()) continue;
      if (alive(pid) && Date.now() - st.mtimeMs < STALE_AFTER_MS) continue;
      await fs.rm(file, { force: true });
      removed.push(file);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
