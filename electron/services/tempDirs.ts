import { mkdtempSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Temp folders the hosts and the CLI make (QEMU's QMP socket folder, the CLI's throwaway settings folder) carry their
 * owner: `owner` holds the pid and, on Linux, the process start time, so a reused pid is not taken for the owner.
 * Every start sweeps the folders whose owner is gone (a host or CLI that was SIGKILLed could not remove its own).
 */
export const TEMP_PREFIXES = ['sel4studio-qemu-', 'sel4-studio-cli-'] as const;
const OWNER_FILE = 'owner';
/** A folder without an owner file may be one being made right now (or one from before owner files): left alone this long. */
const OWNERLESS_GRACE_MS = 60_000;
/** An ownerless folder with nothing that shows it is in use (no QMP socket answering) goes after a day. */
const OWNERLESS_MAX_AGE_MS = 24 * 3600_000;

interface Owner {
  pid: number;
  /** /proc/PID/stat field 22 (clock ticks since boot); absent where there is no /proc. */
  start?: string;
}

/** A process's start time as Linux tells it, or undefined (no /proc, gone, not ours to read). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process an owner record names is still the one running (a pid that exists but started later is not). */
export function ownerAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === undefined) return true;
  const now = processStart(owner.pid);
  return now === undefined || now === owner.start;
}

const removeAtExit = new Set<string>();
let exitHooked = false;

function removeExitDirs() {
  for (const dir of removeAtExit) rmSync(dir, { recursive: true, force: true });
  removeAtExit.clear();
}

/**
 * Removed when the process exits: normally, on an error, and on SIGINT, SIGTERM or SIGHUP. A command that handles
 * the signal itself ends through 'exit'; where nothing else listens, the folders go and the signal is raised again
 * with its default action, so the exit status stays what it was.
 */
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', removeExitDirs);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(sig) > 1) return;
      removeExitDirs();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/** mkdtemp in the temp folder, with this process written in as the owner. */
export function ownedTempDir(prefix: (typeof TEMP_PREFIXES)[number], opts: { removeOnExit?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const owner: Owner = { pid: process.pid };
  const start = processStart(process.pid);
  if (start !== undefined) owner.start = start;
  writeFileSync(path.join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  if (opts.removeOnExit) {
    removeAtExit.add(dir);
    hookExit();
  }
  return dir;
}

function readOwner(dir: string): Owner | 'none' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path.join(dir, OWNER_FILE), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unreadable';
  }
  try {
    const o = JSON.parse(text) as Owner;
    if (Number.isSafeInteger(o.pid) && o.pid > 0 && (o.start === undefined || typeof o.start === 'string')) return o;
  } catch {
    // Half written (the owner is writing it now) or damaged: not ours to judge.
  }
  return 'unreadable';
}

/** Whether something listens on the folder's QMP socket (a QEMU is using it); a timeout counts as yes. */
function socketAnswers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code !== 'ECONNREFUSED' && e.code !== 'ENOENT'));
    s.setTimeout(500, () => done(true));
  });
}

/**
 * Remove the temp folders of ours whose owner is gone; never one whose owner runs, nor one being made. Returns the
 * folders removed. Never throws: a folder that cannot be read or removed is left for the next start.
 */
export async function sweepStaleTempDirs(tmp = os.tmpdir(), now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(tmp);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    if (!TEMP_PREFIXES.some((p) => name.startsWith(p))) continue;
    const dir = path.join(tmp, name);
    try {
      const st = await fs.lstat(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      const owner = readOwner(dir);
      if (owner === 'unreadable') continue;
      if (owner === 'none') {
        const age = now - st.mtimeMs;
        if (age < OWNERLESS_GRACE_MS) continue;
        const sock = path.join(dir, 'qmp.sock');
        const hasSocket = await fs.lstat(sock).then(() => true, () => false);
        // A QEMU folder from before owner files: stale when nothing listens on its socket; otherwise after a day.
        if (hasSocket ? await socketAnswers(sock) : age < OWNERLESS_MAX_AGE_MS && name.startsWith('sel4-studio-cli-')) continue;
      } else if (ownerAlive(owner)) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Gone meanwhile, or not ours to remove: the next start tries again.
    }
  }
  return removed;
}
