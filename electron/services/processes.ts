import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { StudioError } from '../../shared/api/errors';
import type { EventPayload } from '../../shared/api/contract';
import { spawnSupervised } from './supervise';

export interface ProcessEvents {
  output(e: EventPayload<'process.output'>): void;
  exit(e: EventPayload<'process.exit'>): void;
}

interface Run {
  child: ChildProcess;
  started: number;
  killTimer?: NodeJS.Timeout;
}

/**
 * Spawns tools with an argv array (never a shell), each in its own process group so that cancel and host exit take
 * down everything it started (compilers under make, qemu under a script), and under a watchdog (spawnSupervised) so
 * that a host killed outright takes them down too. Output is decoded as UTF-8 across chunk
 * boundaries and streamed as events.
 */
export class ProcessSupervisor {
  private next = 1;
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly events: ProcessEvents,
    private readonly graceMs = 2000,
  ) {}

  /** `handlers` take this run's output and exit instead of the shared events (a build step streams its own). */
  start(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}, handlers: ProcessEvents = this.events): string {
    if (!command) throw new StudioError('invalid-params', 'no command');
    const runId = `run-${this.next++}`;
    const started = performance.now();
    const child = spawnSupervised(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], graceMs: this.graceMs });
    const run: Run = { child, started };
    this.runs.set(runId, run);
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const src = child[stream]!;
      src.on('data', (chunk: Buffer) => {
        const data = decoder.write(chunk);
        if (data) handlers.output({ runId, stream, data });
      });
      src.on('end', () => {
        const rest = decoder.end();
        if (rest) handlers.output({ runId, stream, data: rest });
      });
    }
    let spawnError: string | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? `${command}: not found` : `${command}: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(run.killTimer);
      this.runs.delete(runId);
      const payload: EventPayload<'process.exit'> = { runId, code, signal, durationMs: performance.now() - started };
      if (spawnError) payload.error = spawnError;
      handlers.exit(payload);
    });
    return runId;
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period. */
  cancel(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) throw new StudioError('not-found', `no running process ${runId}`);
    this.signal(run, 'SIGTERM');
    run.killTimer = setTimeout(() => this.signal(run, 'SIGKILL'), this.graceMs);
    run.killTimer.unref();
  }

  get running(): string[] {
    return [...this.runs.keys()];
  }

  /** Synchronous, for `process.on('exit')`: nothing we started outlives the host. */
  killAll(): void {
    for (const run of this.runs.values()) this.signal(run, 'SIGKILL');
  }

  private signal(run: Run, sig: NodeJS.Signals): void {
    const pid = run.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') run.child.kill(sig);
      else process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  }
}
