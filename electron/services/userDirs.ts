import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The user's own folders for what no one else may read: the browser host's key and launch page, crash reports.
// Synchronous on purpose: a crash handler writes with these, and the host reads them once before it listens.
// Node built-ins only (the browser host's first module imports this and must stay small).

/** `$XDG_STATE_HOME/sel4-studio` (default `~/.local/state/sel4-studio`). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'sel4-studio');
}

/** Crash reports: `$XDG_STATE_HOME/sel4-studio/logs`. */
export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'logs');
}

/**
 * Where the browser host keeps its key and launch page: `$XDG_RUNTIME_DIR/sel4-studio` (a per-user tmpfs the system
 * empties at logout), else `$XDG_STATE_HOME/sel4-studio/run`. Never a shared folder such as /tmp.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && path.isAbsolute(xdg)) {
    try {
      const st = lstatSync(xdg);
      if (st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o077) === 0) return path.join(xdg, 'sel4-studio');
    } catch {
      // Not there: the state folder below.
    }
  }
  return path.join(stateDir(env), 'run');
}

/**
 * Creates `dir` (and its parents) and makes sure it is a real folder of ours that only we can enter (0700). Throws
 * when it is a link, not a folder, or someone else's: nothing private is written into a folder another user controls.
 */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (process.getuid !== undefined && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return dir;
}

/** Writes `text` to `file` readable by its owner only (0600): a new temp file, fsync, rename over. */
export function writePrivateFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A file's text when it is a plain file of ours that nobody else can read or write; else undefined. */
export function readPrivateFile(file: string): string | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile() || (st.mode & 0o077) !== 0) return undefined;
    if (process.getuid !== undefined && st.uid !== process.getuid()) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (EPERM: it does, it is someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
