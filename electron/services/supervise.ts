import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The watchdog every long-lived tool runs under (POSIX sh; `$1` is the grace in tenths of a second, the rest is the
 * tool's argv). It runs as a detached grandchild of the shell (the tool never sees an extra child of its own) that
 * reads fd 3 until EOF, then takes the tool's whole process group down: SIGTERM, SIGKILL once the tool is gone or the
 * grace is over. The shell then execs the tool in its own place, so the tool keeps the pid Node spawned (the group
 * leader: its exit code and signal are reported as they are, cancel's kill(-pid) still reaches everything) and gets
 * stdin, stdout and stderr exactly as given; fd 3 is closed for it.
 *
 * fd 3 is the other end of a socket only the host holds: it reaches EOF when the host closes it (the tool exited:
 * what it left behind in its group goes too) or when the host dies in any way, SIGKILL included. The watchdog ignores
 * SIGTERM, SIGHUP and SIGINT (cancel signals the whole group) so it outlives the tool it guards; its stdout and stderr
 * go to /dev/null so it never holds the tool's pipes open.
 */
const WATCHDOG = `g=$1; shift
( ( trap '' TERM HUP INT; exec </dev/null >/dev/null 2>&1
    while read -r _ <&3; do :; done
    kill -TERM -$$; i=0
    while [ $i -lt "$g" ] && kill -0 $$; do sleep 0.1; i=$((i+1)); done
    kill -KILL -$$ ) & )
exec "$@" 3<&-`;

/** argv[0] of the watchdog shell (what `ps` shows for it). */
export const WATCHDOG_NAME = 'sel4-studio-watchdog';

export interface SuperviseOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdin, stdout, stderr of the tool; they reach it unchanged. */
  stdio: [StdioPipe | StdioNull, StdioPipe | StdioNull, StdioPipe | StdioNull];
  /** How long the tool's group has between SIGTERM and SIGKILL once the host is gone (default 2 s). */
  graceMs?: number;
}

/** The file `command` names, searched as execvp would (PATH of the child's environment, or relative to cwd). */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const candidates = command.includes('/') ? [path.resolve(cwd, command)] : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter).filter(Boolean).map((d) => path.resolve(cwd, d, command));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

let setpriv: string | null | undefined;
/**
 * util-linux `setpriv --pdeathsig`: PR_SET_PDEATHSIG for the tool itself (Node cannot call prctl). It covers the one
 * case the watchdog cannot: the watchdog SIGKILLed, then the host. Tied to the thread that spawned the tool, which is
 * Node's main thread (the event loop): tools must not be spawned from a worker thread.
 */
function pdeathsigPrefix(): string[] {
  if (process.platform !== 'linux') return [];
  if (setpriv === undefined) {
    const found = findExecutable('setpriv', { PATH: `${process.env.PATH ?? ''}:/usr/bin:/bin` });
    setpriv = found ?? null;
  }
  return setpriv ? [setpriv, '--pdeathsig', 'TERM', '--'] : [];
}

/**
 * Start a long-lived tool so that it cannot outlive the host: in its own process group (cancel takes the whole tree
 * down with kill(-pid)), under a watchdog that takes that group down when the host closes its end of the watch
 * socket or dies (see WATCHDOG), and with the parent-death signal set where setpriv is installed. Same ChildProcess as
 * `spawn` (pid, stdio, 'exit' and 'close' with the tool's own code and signal).
 *
 * A command that cannot be executed is spawned directly so Node reports it as it always does (ENOENT, EACCES).
 * On Windows it is a plain spawn. The overhead (tests/attack/children.test.ts measures and prints it): a few ms per
 * start (1.4 ms median spawn-to-close of /bin/true on an idle 2-core machine, 3.7 ms with setpriv) and one ~1 MB shell
 * per tool, against ~110 ms per start and ~40 MB per tool for a Node script as the supervisor.
 *
 * Residual cases: a tool that leaves its group (setsid, setpgid) is out of reach of the group kill; a grandchild of
 * the tool outlives both the watchdog and the host if they are SIGKILLed together (the parent-death signal reaches
 * only the tool).
 */
export function spawnSupervised(command: string, args: readonly string[], options: SuperviseOptions): ChildProcess {
  const env = options.env ?? process.env;
  const common = { cwd: options.cwd, env, shell: false, windowsHide: true } as const;
  if (process.platform === 'win32' || !findExecutable(command, env, options.cwd)) {
    return spawn(command, args, { ...common, detached: process.platform !== 'win32', stdio: options.stdio });
  }
  const tenths = String(Math.max(1, Math.ceil((options.graceMs ?? 2000) / 100)));
  const child = spawn('/bin/sh', ['-c', WATCHDOG, WATCHDOG_NAME, tenths, ...pdeathsigPrefix(), command, ...args], {
    ...common,
    detached: true,
    stdio: [...options.stdio, 'pipe'],
  });
  // The host's end of the watch socket: kept open (never read or written) while the tool runs; closed as soon as it
  // exits, which lets the watchdog clear the group and Node's 'close' (it waits for every stdio stream) arrive.
  const watch = child.stdio[3];
  watch?.on('error', () => undefined);
  child.once('exit', () => watch?.destroy());
  child.once('error', () => watch?.destroy());
  return child;
}
