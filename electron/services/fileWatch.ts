import { promises as fs, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { contentHash } from './fileIo';

export interface FileChange {
  path: string;
  hash?: string;
  deleted?: boolean;
}

/** Editors write in bursts (truncate, write, chmod, rename); one look after the burst settles. */
const DEFAULT_DEBOUNCE_MS = 100;
/** How often a folder that disappeared (a branch switch, `git stash`) is looked for again. */
const REARM_INTERVAL_MS = 1000;
/** Hashes the host served or wrote, remembered for files not watched yet (bounded: oldest forgotten first). */
const KNOWN_LIMIT = 1024;

interface Watched {
  rel: string;
  /** The content the UI has (undefined: the file does not exist). */
  hash: string | undefined;
  timer?: NodeJS.Timeout;
  /** Our own writes in flight: looks wait until they are done. */
  writing: number;
  /** Looks run one after another so an older read can never report after a newer one. */
  chain: Promise<void>;
}

/**
 * Watches the open files and reports a change of content on disk: not a mere mtime change, not our own writes.
 * It watches each file's folder rather than the file, so an editor that saves by writing a new file and renaming it
 * over the old one (the old inode, and a watch on it, goes away) is seen like any other write.
 */
export class FileWatcher {
  private files = new Map<string, Watched>();
  private dirs = new Map<string, FSWatcher | undefined>();
  private known = new Map<string, string | undefined>();
  private rearmTimer: NodeJS.Timeout | undefined;
  private watching: Promise<void> = Promise.resolve();

  constructor(
    private readonly onChange: (change: FileChange) => void,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {}

  /** The host read or wrote this content: it is what the UI has, so it is the baseline and no change. */
  noteContent(abs: string, hash: string | undefined): void {
    this.known.delete(abs);
    this.known.set(abs, hash);
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value!);
    const f = this.files.get(abs);
    if (f) f.hash = hash;
  }

  /** Our write of `hash` to `abs` is about to land; {@link doneWriting} follows. */
  beginWriting(abs: string, hash: string): { previous: string | undefined } {
    const previous = this.files.get(abs)?.hash ?? this.known.get(abs);
    this.noteContent(abs, hash);
    const f = this.files.get(abs);
    if (f) f.writing++;
    return { previous };
  }

  doneWriting(abs: string, committed: boolean, previous: string | undefined): void {
    if (!committed) this.noteContent(abs, previous);
    const f = this.files.get(abs);
    if (!f) return;
    f.writing = Math.max(0, f.writing - 1);
    // Someone else may have written between our check and the rename: look once more.
    this.schedule(abs);
  }

  /** Watch exactly these files (absolute path → the path events name), replacing the previous set. */
  watch(entries: { abs: string; rel: string }[]): Promise<void> {
    // Calls apply in the order they came, even though each waits for reads.
    const run = this.watching.then(() => this.replace(entries));
    this.watching = run.catch(() => undefined);
    return run;
  }

  private async replace(entries: { abs: string; rel: string }[]): Promise<void> {
    const next = new Map<string, Watched>();
    const fromKnown: string[] = [];
    for (const { abs, rel } of entries) {
      const old = this.files.get(abs);
      if (old) {
        old.rel = rel;
        next.set(abs, old);
      } else if (this.known.has(abs)) {
        next.set(abs, { rel, hash: this.known.get(abs), writing: 0, chain: Promise.resolve() });
        fromKnown.push(abs);
      } else {
        next.set(abs, { rel, hash: await hashOrUndefined(abs).catch(() => undefined), writing: 0, chain: Promise.resolve() });
      }
    }
    for (const [abs, f] of this.files) if (!next.has(abs)) clearTimeout(f.timer);
    this.files = next;
    const wanted = new Set([...next.keys()].map((abs) => path.dirname(abs)));
    for (const [dir, w] of this.dirs) {
      if (!wanted.has(dir)) {
        w?.close();
        this.dirs.delete(dir);
      }
    }
    for (const dir of wanted) if (!this.dirs.get(dir)) this.arm(dir);
    // The UI read these before the watch began: a change in between made no event, so look once now.
    for (const abs of fromKnown) this.schedule(abs);
  }

  close(): void {
    for (const f of this.files.values()) clearTimeout(f.timer);
    for (const w of this.dirs.values()) w?.close();
    clearInterval(this.rearmTimer);
    this.rearmTimer = undefined;
    this.files.clear();
    this.dirs.clear();
    this.known.clear();
  }

  private arm(dir: string): void {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => this.onDirEvent(dir, name));
      w.on('error', () => this.disarm(dir));
      this.dirs.set(dir, w);
    } catch {
      // The folder is gone for now; look for it again later and report the files in it as deleted meanwhile.
      this.dirs.set(dir, undefined);
      this.startRearming();
      for (const abs of this.files.keys()) if (path.dirname(abs) === dir) this.schedule(abs);
    }
  }

  private disarm(dir: string): void {
    this.dirs.get(dir)?.close();
    this.dirs.set(dir, undefined);
    this.startRearming();
    for (const abs of this.files.keys()) if (path.dirname(abs) === dir) this.schedule(abs);
  }

  private startRearming(): void {
    if (this.rearmTimer) return;
    this.rearmTimer = setInterval(() => {
      let missing = 0;
      for (const [dir, w] of this.dirs) {
        if (w) continue;
        this.arm(dir);
        if (!this.dirs.get(dir)) {
          missing++;
          continue;
        }
        for (const abs of this.files.keys()) if (path.dirname(abs) === dir) this.schedule(abs);
      }
      if (missing === 0) {
        clearInterval(this.rearmTimer);
        this.rearmTimer = undefined;
      }
    }, REARM_INTERVAL_MS);
    this.rearmTimer.unref();
  }

  private onDirEvent(dir: string, name: string | Buffer | null): void {
    if (name === null) {
      // Some platforms do not say which entry changed: look at every watched file of the folder.
      for (const abs of this.files.keys()) if (path.dirname(abs) === dir) this.schedule(abs);
      return;
    }
    const abs = path.join(dir, name.toString());
    if (this.files.has(abs)) this.schedule(abs);
  }

  private schedule(abs: string): void {
    const f = this.files.get(abs);
    if (!f) return;
    clearTimeout(f.timer);
    f.timer = setTimeout(() => {
      f.chain = f.chain.then(() => this.look(abs, f));
    }, this.debounceMs);
    f.timer.unref();
  }

  private async look(abs: string, f: Watched): Promise<void> {
    if (f.writing > 0) return; // doneWriting looks again
    let hash: string | undefined;
    try {
      hash = await hashOrUndefined(abs);
    } catch {
      return; // unreadable for a moment (permissions being changed): the next event looks again
    }
    if (this.files.get(abs) !== f || f.writing > 0 || hash === f.hash) return;
    f.hash = hash;
    this.known.delete(abs);
    this.onChange(hash === undefined ? { path: f.rel, deleted: true } : { path: f.rel, hash });
  }
}

async function hashOrUndefined(abs: string): Promise<string | undefined> {
  try {
    return contentHash(await fs.readFile(abs));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}
