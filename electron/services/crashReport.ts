import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, logsDir, writePrivateFile } from './userDirs';

// Node built-ins only: the browser host's first module installs this before anything else can fail.

/** Crash reports kept in the logs folder; older ones are removed when a new one is written. */
export const KEEP_REPORTS = 20;
/** Contract method names remembered for a report (names only: never params, keys or file contents). */
const KEEP_CALLS = 20;
/** At most this many reports a minute (a rejection in a loop must not fill the disk or the log). */
const MAX_PER_MINUTE = 5;
/** A method name as the contract spells them; anything else a page sent is recorded as `(not a method name)`. */
const METHOD_NAME = /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/;

export interface CrashReporterOptions {
  host: 'browser' | 'electron';
  version: string;
  /** Default: $XDG_STATE_HOME/sel4-studio/logs. */
  dir?: string;
  /** Strings that must never appear in a report (the browser host's key): replaced by `[redacted]`. */
  secrets?: () => string[];
  log?: (line: string) => void;
  /** Reports written at most per minute (default 5). */
  maxPerMinute?: number;
}

export interface CrashReporter {
  /** Remember a contract call's method name. */
  noteCall(method: unknown): void;
  /** Write a report; returns its path (undefined when it could not be written or the rate limit held it back). */
  report(kind: 'uncaughtException' | 'unhandledRejection', err: unknown, outcome: string): string | undefined;
}

/** The error's name, message (first line, bounded) and its stack frames: what a report says of it. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return `thrown value of type ${err === null ? 'null' : typeof err}`;
  // A message can quote input (JSON.parse quotes the text it failed on): one line, bounded.
  const message = err.message.split('\n')[0]!.slice(0, 300);
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 40);
  const cause = err.cause instanceof Error ? [`caused by: ${describe(err.cause)}`] : [];
  return [`${err.name}: ${message}`, ...frames, ...cause].join('\n');
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('.', '-');

export function createCrashReporter(opts: CrashReporterOptions): CrashReporter {
  const calls: { at: string; method: string }[] = [];
  const written: number[] = [];
  const maxPerMinute = opts.maxPerMinute ?? MAX_PER_MINUTE;
  let count = 0;
  const log = opts.log ?? ((line: string) => console.error(line));
  return {
    noteCall(method) {
      calls.push({ at: new Date().toISOString(), method: typeof method === 'string' && METHOD_NAME.test(method) && method.length <= 64 ? method : '(not a method name)' });
      if (calls.length > KEEP_CALLS) calls.shift();
    },
    report(kind, err, outcome) {
      const now = Date.now();
      while (written.length && now - written[0]! > 60_000) written.shift();
      if (written.length >= maxPerMinute) {
        log(`sel4-studio: ${kind} (${outcome}); no report written: ${maxPerMinute} already this minute`);
        return undefined;
      }
      written.push(now);
      let text = [
        `seL4 Studio crash report`,
        `time: ${new Date(now).toISOString()}`,
        `version: ${opts.version}`,
        `host: ${opts.host} (pid ${process.pid}, node ${process.versions.node}${process.versions.electron ? `, electron ${process.versions.electron}` : ''}, ${process.platform} ${process.arch})`,
        `event: ${kind}`,
        `outcome: ${outcome}`,
        '',
        describe(err),
        '',
        `last contract calls (oldest first, names only):`,
        ...(calls.length ? calls.map((c) => `  ${c.at} ${c.method}`) : ['  (none)']),
        '',
      ].join('\n');
      for (const secret of opts.secrets?.() ?? []) if (secret) text = text.split(secret).join('[redacted]');
      const dir = opts.dir ?? logsDir();
      try {
        ensurePrivateDir(dir);
        // Names sort by time (then process, then order within it): the oldest are the first.
        const file = path.join(dir, `crash-${stamp(new Date(now))}-${process.pid}-${String(++count).padStart(4, '0')}.txt`);
        writePrivateFile(file, text);
        const old = readdirSync(dir)
          .filter((n) => /^crash-.*\.txt$/.test(n))
          .sort()
          .slice(0, -KEEP_REPORTS);
        for (const n of old) rmSync(path.join(dir, n), { force: true });
        log(`sel4-studio: ${kind} (${outcome}); crash report written to ${file}`);
        return file;
      } catch (writeErr) {
        log(`sel4-studio: ${kind} (${outcome}); the crash report could not be written in ${dir}: ${(writeErr as Error).message}`);
        return undefined;
      }
    },
  };
}

/**
 * Reports what nothing else caught. An unhandled rejection is a call or a timer that failed on its own: reported, and
 * the host keeps serving. An uncaught exception leaves the host in a state nobody knows: reported, then `exit(1)`
 * (whose 'exit' handlers still take every process the host started down).
 */
export function installCrashHandlers(reporter: CrashReporter, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on('unhandledRejection', (reason) => {
    reporter.report('unhandledRejection', reason, 'kept running');
  });
  process.on('uncaughtException', (err) => {
    try {
      reporter.report('uncaughtException', err, 'exited');
    } finally {
      exit(1);
    }
  });
}
