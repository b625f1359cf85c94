import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { consoleTarget, deployDestination, haServiceCall, isPeImage, planRun, substituteImage, type PowerAction, type RunPlan, type RunStepId } from '../../shared/boardrun/plan';
import type { BoardTarget } from '../../shared/boardrun/target';
import { confine, isInside, openForWrite } from './confine';
import type { ProcessSupervisor } from './processes';
import type { SerialService } from './serial';

/** Where every board run's log goes, inside the folder: its steps' output and every console byte. */
export const BOARD_RUNS_DIR = 'build/sel4-studio-board-runs';

export type StepStatus = 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';
export type RunResult = 'booted' | 'failed' | 'cancelled';

export interface BoardRunEvents {
  step(e: { runId: string; step: RunStepId; status: StepStatus; detail?: string; consoleId?: string }): void;
  output(e: { runId: string; step: RunStepId; data: string }): void;
  done(e: { runId: string; result: RunResult; failedStep?: RunStepId; error?: string; log: string }): void;
}

export interface BoardRunDeps {
  serial: SerialService;
  processes: ProcessSupervisor;
  /** The Home Assistant token for a base URL (the user's config), if one is stored. */
  token(baseUrl: string): Promise<string | undefined>;
  fetch?: typeof fetch;
}

export interface BoardRunRequest {
  root: string;
  name: string;
  target: BoardTarget;
  /** Build if stale (the host's build, as Build does): resolves ok or not with why. Absent: no build step. */
  build?: () => Promise<{ ok: boolean; detail: string }>;
  /** Stop that build (a cancelled run does not wait for a whole build). */
  cancelBuild?: () => void;
}

/** A step that failed: its message is what the user reads under it. */
class StepFailure extends Error {}
class Cancelled extends Error {}

interface Run {
  id: string;
  root: string;
  plan: RunPlan;
  target: BoardTarget;
  log: WriteStream;
  logRel: string;
  step?: RunStepId;
  cancelled: boolean;
  /** Everything the run started that must not outlive it. */
  processId?: string;
  consoleId?: string;
  wake?: () => void;
  cancelBuild?: () => void;
  finished: Promise<void>;
  result?: RunResult;
  powered: boolean;
}

const HTTP_REASONS: Record<number, string> = {
  401: 'the token is wrong or expired (make a new long-lived access token in your Home Assistant profile and set it again)',
  403: 'the token may not call this service',
  404: 'no such service or entity (is the switch integration loaded, and the entity id right?)',
  400: 'Home Assistant refused the request',
};

/**
 * Run on board: deploy → power off → console → power on → boot, each step's state and output as events, every byte
 * in a run log. A failed step stops the run with its output and leaves nothing running (the step's process and the
 * console are closed); cancel does the same, and powers the board off when asked.
 */
export class BoardRunService {
  private next = 1;
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly deps: BoardRunDeps,
    private readonly events: BoardRunEvents,
  ) {}

  /** One run at a time per host: a board cannot be deployed to and power-cycled twice at once. */
  get active(): string | undefined {
    for (const r of this.runs.values()) if (!r.result || (r.result === 'booted' && r.consoleId)) return r.id;
    return undefined;
  }

  async start(req: BoardRunRequest): Promise<{ runId: string; plan: RunPlan; log: string }> {
    const busy = this.active;
    if (busy) throw new StudioError('conflict', `a board run (${busy}) is in progress: stop it first`);
    const plan = planRun(req.name, req.target);
    const id = `board-${this.next++}`;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const logRel = `${BOARD_RUNS_DIR}/${stamp}-${req.name}.log`;
    const { fd } = openForWrite(confine(req.root, logRel), 'truncate', logRel);
    const log = createWriteStream('', { fd });
    log.on('error', () => undefined);
    const run: Run = { id, root: req.root, plan, target: req.target, log, logRel, cancelled: false, finished: Promise.resolve(), powered: false, ...(req.cancelBuild ? { cancelBuild: req.cancelBuild } : {}) };
    this.runs.set(id, run);
    log.write(`seL4 Studio board run ${id}: target ${req.name}, ${new Date().toISOString()}\n`);
    for (const s of plan.steps) log.write(`  ${s.label}: ${s.skip ? '(skipped) ' : ''}${s.detail}\n`);
    log.write(`  ${plan.firmwareNote}\n`);
    run.finished = this.execute(run, req.build);
    return { runId: id, plan, log: logRel };
  }

  /** Stop a run (or end a booted run's console); with `powerOff`, the board is switched off too. */
  async stop(runId: string, powerOff = false): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) throw new StudioError('not-found', `no board run ${runId}`);
    if (!run.result) {
      run.cancelled = true;
      if (run.processId) this.deps.processes.cancel(run.processId);
      if (run.step === 'build') run.cancelBuild?.();
      run.wake?.();
      await run.finished;
    }
    if (powerOff && run.target.power.kind !== 'manual') {
      try {
        await this.power(run, 'power-off', 'off');
      } catch (e) {
        this.write(run, 'power-off', `power off after stop failed: ${(e as Error).message}\n`);
      }
    }
    await this.closeConsole(run);
    run.log.end();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  /** Resolves when the run's steps are over (booted, failed or cancelled). */
  finished(runId: string): Promise<void> {
    return this.runs.get(runId)?.finished ?? Promise.resolve();
  }

  private write(run: Run, step: RunStepId, data: string) {
    run.log.write(data);
    this.events.output({ runId: run.id, step, data });
  }

  private async execute(run: Run, build: BoardRunRequest['build']): Promise<void> {
    const state = (step: RunStepId, status: StepStatus, detail?: string, extra: { consoleId?: string } = {}) => {
      run.log.write(`== ${step}: ${status}${detail ? ` — ${detail}` : ''}\n`);
      this.events.step({ runId: run.id, step, status, ...(detail ? { detail } : {}), ...extra });
    };
    try {
      for (const s of run.plan.steps) {
        if (run.cancelled) throw new Cancelled();
        run.step = s.id;
        if (s.skip || (s.id === 'build' && !build)) {
          state(s.id, 'skipped', s.id === 'build' ? 'not asked to build' : s.detail);
          continue;
        }
        state(s.id, 'running', s.detail);
        const detail = await this.runStep(run, s.id, build);
        if (run.cancelled) throw new Cancelled();
        state(s.id, 'done', detail, s.id === 'console' && run.consoleId ? { consoleId: run.consoleId } : {});
      }
      run.result = 'booted';
      this.events.done({ runId: run.id, result: 'booted', log: run.logRel });
    } catch (e) {
      const step = run.step ?? 'build';
      const cancelled = e instanceof Cancelled || run.cancelled;
      const message = cancelled ? 'cancelled' : (e as Error).message;
      if (!cancelled) this.write(run, step, `${message}\n`);
      state(step, cancelled ? 'cancelled' : 'failed', message);
      if (run.processId) this.deps.processes.cancel(run.processId);
      await this.closeConsole(run);
      run.result = cancelled ? 'cancelled' : 'failed';
      this.events.done({ runId: run.id, result: run.result, ...(cancelled ? {} : { failedStep: step, error: message }), log: run.logRel });
      if (!cancelled) run.log.end();
    }
  }

  private async runStep(run: Run, step: RunStepId, build: BoardRunRequest['build']): Promise<string | undefined> {
    switch (step) {
      case 'build': {
        const r = await build!();
        if (!r.ok) throw new StepFailure(`the build failed: ${r.detail}`);
        return r.detail;
      }
      case 'deploy':
        return this.deploy(run);
      case 'power-off':
        return this.power(run, 'power-off', 'off');
      case 'console':
        return this.openConsole(run);
      case 'power-on': {
        const p = run.target.power;
        const offMs = p.kind === 'manual' ? 0 : (p.offMs ?? 2000);
        if (run.plan.steps.find((s) => s.id === 'power-off' && !s.skip)) await this.sleep(run, offMs);
        if (p.kind === 'manual') return 'power the board on now';
        return this.power(run, 'power-on', 'on');
      }
      case 'boot':
        return this.waitForBoot(run);
    }
  }

  private async sleep(run: Run, ms: number) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      run.wake = () => (clearTimeout(timer), resolve());
    });
    run.wake = undefined;
    if (run.cancelled) throw new Cancelled();
  }

  private async deploy(run: Run): Promise<string> {
    let image: string;
    try {
      image = confine(run.root, run.plan.image);
    } catch (e) {
      throw new StepFailure(`the image ${run.plan.image}: ${(e as Error).message}`);
    }
    const st = await fs.stat(image).catch(() => undefined);
    if (!st?.isFile()) throw new StepFailure(`there is no image to deploy: ${run.plan.image} ${st ? 'is not a regular file' : 'does not exist'} (build first)`);
    const bytes = await fs.readFile(image);
    if (run.target.firmware.kind === 'uefi-pxe' && !isPeImage(bytes.subarray(0, 4096))) {
      this.write(run, 'deploy', `warning: ${run.plan.image} is not an EFI application (no PE/COFF header); UEFI firmware will not start it\n`);
    }
    const d = run.target.deploy;
    if (d.kind === 'command') {
      const argv = substituteImage(d.argv, image);
      await this.runCommand(run, 'deploy', argv);
      return `ran ${argv[0]} (${bytes.length} bytes)`;
    }
    const dest = deployDestination(run.target)!;
    const written = await copyConfined(bytes, dest.folder, dest.fileName);
    const sha = createHash('sha256').update(bytes).digest('hex');
    this.write(run, 'deploy', `${run.plan.image} → ${written} (${bytes.length} bytes, sha256 ${sha})\n`);
    return `${written}, ${bytes.length} bytes, identical`;
  }

  private async power(run: Run, step: 'power-off' | 'power-on', action: PowerAction): Promise<string> {
    const p = run.target.power;
    if (p.kind === 'manual') return 'manual';
    if (p.kind === 'command') {
      const planned = run.plan.steps.find((s) => s.id === step)?.argv ?? (action === 'off' ? p.off : undefined);
      if (!planned) return 'no command';
      await this.runCommand(run, step, planned);
      if (action === 'on') run.powered = true;
      return `ran ${planned[0]}`;
    }
    const token = await this.deps.token(p.baseUrl);
    if (!token) throw new StepFailure(`no Home Assistant token for ${new URL(p.baseUrl).origin}: set it in the Board target dialog (it is kept in your config, never in the folder)`);
    const call = haServiceCall(p.baseUrl, p.entityId, action);
    this.write(run, step, `POST ${call.url} ${call.body}\n`);
    let res: Response;
    try {
      res = await (this.deps.fetch ?? fetch)(call.url, {
        method: call.method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: call.body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new StepFailure(`Home Assistant at ${new URL(p.baseUrl).origin} did not answer: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    const body = (await res.text().catch(() => '')).slice(0, 2000);
    this.write(run, step, `HTTP ${res.status} ${res.statusText}${body ? `\n${body}` : ''}\n`);
    if (!res.ok) throw new StepFailure(`Home Assistant answered ${res.status} ${res.statusText} to turn_${action} ${p.entityId}: ${HTTP_REASONS[res.status] ?? 'see its answer above'}`);
    if (action === 'on') run.powered = true;
    return `${p.entityId} turned ${action}`;
  }

  /** The user's command: argv as configured, supervised, its output streamed to the step; non-zero exit fails it. */
  private runCommand(run: Run, step: RunStepId, argv: string[]): Promise<void> {
    this.write(run, step, `$ ${argv.join(' ')}\n`);
    return new Promise((resolve, reject) => {
      let id: string;
      try {
        id = this.deps.processes.start(argv[0]!, argv.slice(1), { cwd: run.root }, {
          output: (e) => this.write(run, step, e.data),
          exit: (e) => {
            run.processId = undefined;
            if (run.cancelled) return reject(new Cancelled());
            if (e.error) return reject(new StepFailure(`${argv[0]} could not be started: ${e.error}`));
            if (e.code !== 0) return reject(new StepFailure(`${argv[0]} exited with ${e.code !== null ? `status ${e.code}` : `signal ${e.signal}`}`));
            resolve();
          },
        });
      } catch (e) {
        return reject(new StepFailure((e as Error).message));
      }
      run.processId = id;
    });
  }

  private async openConsole(run: Run): Promise<string> {
    const c = run.target.console;
    const target = consoleTarget(c);
    try {
      run.consoleId = await this.deps.serial.open(target, { baudRate: c.baudRate, ...(c.tcu ? { tcu: true } : {}), reconnect: true });
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
    this.deps.serial.tap(run.consoleId, (data) => run.log.write(data));
    return `${target} open`;
  }

  private async waitForBoot(run: Run): Promise<string> {
    const id = run.consoleId;
    if (!id) throw new StepFailure('no console');
    const started = Date.now();
    let text = '';
    const dec = new TextDecoder();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StepFailure(`"${run.plan.expect}" did not appear on the console within ${Math.round(run.plan.bootTimeoutMs / 1000)} s (the run log holds what did)`)), run.plan.bootTimeoutMs);
      const untap = this.deps.serial.tap(id, (data) => {
        text = (text + dec.decode(data, { stream: true })).slice(-8192);
        if (text.includes(run.plan.expect)) done(resolve);
      });
      const done = (then: () => void) => {
        clearTimeout(timer);
        untap();
        run.wake = undefined;
        then();
      };
      run.wake = () => done(() => reject(new Cancelled()));
    });
    return `booted in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  }

  private async closeConsole(run: Run) {
    const id = run.consoleId;
    run.consoleId = undefined;
    if (id) await this.deps.serial.close(id).catch(() => undefined);
  }
}

const COPY_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left',
  ENOENT: 'it does not exist',
  ENOTDIR: 'it is not a folder',
};

/**
 * Copy `bytes` to `folder/fileName`: the destination must stay inside the folder with every link resolved; a temp
 * file beside it is written, synced and renamed over it (a TFTP client never reads half an image; a link at the name
 * is replaced, never written through); the result is read back and compared. Returns the file written.
 */
export async function copyConfined(bytes: Uint8Array, folder: string, fileName: string): Promise<string> {
  const why = (e: unknown, what: string) => {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return new StepFailure(`cannot ${what}: ${COPY_REASONS[code] ?? (e as Error).message}${code ? ` (${code})` : ''}${code === 'EACCES' || code === 'EPERM' ? ' — make the folder writable for you (for example: sudo chown $USER on it), or deploy with a command' : ''}`);
  };
  let realFolder: string;
  try {
    realFolder = await fs.realpath(folder);
    if (!(await fs.stat(realFolder)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (e) {
    throw why(e, `deploy into ${folder}`);
  }
  const dest = path.join(realFolder, fileName);
  const dir = path.dirname(dest);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw why(e, `create ${dir}`);
  }
  const realDir = await fs.realpath(dir);
  if (realDir !== realFolder && !isInside(realFolder, realDir)) throw new StepFailure(`${fileName} leads out of ${folder} (through a link to ${realDir}): not deployed`);
  const target = path.join(realDir, path.basename(dest));
  const temp = path.join(realDir, `.${path.basename(dest)}.sel4-studio-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.rename(temp, target);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw why(e, `write ${target}`);
  }
  const back = await fs.readFile(target);
  if (Buffer.compare(back, Buffer.from(bytes)) !== 0) throw new StepFailure(`${target} does not read back as the image (${back.length} of ${bytes.length} bytes match in length): not deployed`);
  return target;
}

export { StepFailure };
