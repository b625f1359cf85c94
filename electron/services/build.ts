import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import type { BuildRecord, EventPayload } from '../../shared/api/contract';
import { BUILD_DIR, buildSettingsProblem, cmakeToolchainFile, planBuild, planRepoBuild, TOOLCHAIN_FILE, TOOLCHAINS, type BuildSettings, type BuildStep, type ProjectKind, type StepId, type Toolchain } from '../../shared/build/plan';
import { includedMakefiles, makeVariableProblem, readMakefiles, type MakefileInfo } from '../../shared/build/makefile';
import { BuildProblemMatcher, buildProgress, type BuildProblem, type BuildTool } from '../../shared/logs/buildProblems';
import { LineSplitter } from '../../shared/logs/lines';
import { programImagePlace } from '../../shared/sdf/places';
import type { StudioFile } from '../../shared/model/project';
import { writeFileAtomic } from './atomicWrite';
import { confine, openForWrite } from './confine';
import { which } from './doctor';
import type { ProcessSupervisor } from './processes';
import { findSdk } from './sdk';

export interface BuildEvents {
  step(e: EventPayload<'build.step'>): void;
  output(e: EventPayload<'build.output'>): void;
  progress(e: EventPayload<'build.progress'>): void;
  problem(e: EventPayload<'build.problem'>): void;
  done(e: EventPayload<'build.done'>): void;
}

export interface BuildRequest {
  root: string;
  studio: StudioFile;
  sdk?: string;
  config?: string;
  toolchain?: Toolchain;
  /** The .system to write; absent: the file on disk is used as it is. */
  systemXml?: string;
  env?: NodeJS.ProcessEnv;
  /** A repository build's make variables (`NAME=value`): from the folder settings, or the command line's `--var`. */
  variables?: Record<string, string>;
  /**
   * The variables are the user's own (the command line): any name make takes. Otherwise (the folder settings, which
   * the page writes) only the ones the Makefile lets the caller set, and never one it runs as a program.
   */
  variablesFromUser?: boolean;
}

/** What kind of build a folder has, and its Makefile as read (for a folder with a Makefile and no CMakeLists.txt). */
export async function projectKind(root: string): Promise<{ kind: ProjectKind; makefile: MakefileInfo | null }> {
  if (existsSync(path.join(root, 'CMakeLists.txt'))) return { kind: 'cmake', makefile: null };
  const makefile = await readRepoMakefile(root);
  if (!makefile) return { kind: 'none', makefile: null };
  return { kind: makefile.buildsImage ? 'repo' : 'make', makefile };
}

const MAKEFILE_LIMIT = 1 << 20;

/**
 * The folder's Makefile and the `.mk` files it includes by a plain name in the folder, read (never run). A Makefile
 * that cannot be read (a folder, too big, not text) is one problem at its place.
 */
export async function readRepoMakefile(root: string): Promise<MakefileInfo | null> {
  const read = async (rel: string): Promise<string | { problem: string } | undefined> => {
    let abs: string;
    try {
      abs = confine(root, rel);
    } catch (e) {
      return { problem: (e as Error).message };
    }
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st) return undefined;
    if (!st.isFile()) return { problem: `${rel} is not a file` };
    if (st.size > MAKEFILE_LIMIT) return { problem: `${rel} is larger than ${MAKEFILE_LIMIT / 1024} KiB; seL4 Studio does not read it` };
    const text = await fs.readFile(abs, 'utf8').catch((e: NodeJS.ErrnoException) => ({ problem: `cannot read ${rel}: ${e.code ?? e.message}` }));
    if (typeof text === 'string' && text.includes('\0')) return { problem: `${rel} is not a text file` };
    return text;
  };
  const main = await read('Makefile');
  if (main === undefined) return null;
  if (typeof main !== 'string') return { files: ['Makefile'], variables: [], targets: [], buildsImage: false, problems: [{ severity: 'error', file: 'Makefile', line: 1, column: 1, message: main.problem }] };
  const files = [{ path: 'Makefile', text: main }];
  const problems: MakefileInfo['problems'] = [];
  for (const inc of includedMakefiles(main)) {
    const text = await read(inc.path);
    if (typeof text === 'string') files.push({ path: inc.path, text });
    else if (text) problems.push({ severity: 'error', file: 'Makefile', line: inc.line, column: inc.column, message: text.problem });
  }
  const info = readMakefiles(files);
  return { ...info, problems: [...problems, ...info.problems] };
}

const HISTORY = `${BUILD_DIR}/sel4-studio-history.json`;
const HISTORY_KEEP = 50;

/**
 * Builds a project as steps (shared/build/plan.ts), each streamed with its problems: compile the PD programs with
 * CMake (a toolchain file generated from the settings) or the project's Makefile, write the .system, run the Microkit
 * tool. Every process is an argv in its own group (ProcessSupervisor), so cancel takes the whole tree down. Steps
 * with nothing to do are skipped (configure when the build tree is current, the image when it is newer than all its
 * inputs); Ninja keeps compiling incremental. Each build is recorded in build/sel4-studio-history.json.
 */
export class BuildService {
  private next = 1;
  private readonly active = new Map<string, { cancelled: boolean; runId?: string }>();

  constructor(
    private readonly processes: ProcessSupervisor,
    private readonly events: BuildEvents,
  ) {}

  /** Resolve the settings and plan; the build then runs in the background (events), `finished` resolves with it. */
  async start(req: BuildRequest): Promise<{ buildId: string; steps: BuildStep[]; finished: Promise<BuildRecord>; kind: ProjectKind; makefile?: MakefileInfo }> {
    const env = req.env ?? process.env;
    const sdk = await findSdk(req.sdk ?? req.studio.build.sdkPath, env);
    if (!sdk.sdk) throw new StudioError('tool-missing', sdk.hint ?? 'no Microkit SDK found');
    const { kind, makefile } = await projectKind(req.root);
    const config = req.config ?? req.studio.build.config;
    const configs = sdk.sdk.boards[req.studio.board];
    if (!configs) throw new StudioError('not-found', `the Microkit SDK at ${sdk.sdk.path} has no board '${req.studio.board}' (it has: ${Object.keys(sdk.sdk.boards).join(', ') || 'none'})`);
    if (!configs.includes(config)) throw new StudioError('not-found', `board '${req.studio.board}' of the SDK at ${sdk.sdk.path} has no '${config}' configuration (it has: ${configs.join(', ')})`);
    // A repository's Makefile chooses its own compiler.
    const toolchain = req.toolchain ?? (req.studio.build.toolchain as Toolchain | undefined) ?? (kind === 'repo' ? 'aarch64-linux-gnu' : await firstToolchain(env));
    if (!toolchain) throw new StudioError('tool-missing', 'no AArch64 cross compiler found: install the Arm GNU Toolchain (aarch64-none-elf), or apt-get install gcc-aarch64-linux-gnu, or clang');
    const settings: BuildSettings = { sdk: sdk.sdk.path, board: req.studio.board, config, toolchain };
    // The settings may come from a file in the folder: nothing of them reaches generated CMake or make unchecked.
    const unsafe = buildSettingsProblem(settings);
    if (unsafe) throw new StudioError('invalid-params', unsafe);
    const variables = req.variables ?? {};
    if (kind === 'repo') {
      for (const [name, value] of Object.entries(variables)) {
        const problem = makeVariableProblem(name, value, req.variablesFromUser ? undefined : makefile!);
        if (problem) throw new StudioError('invalid-params', problem);
      }
    }
    const steps = kind === 'repo' ? planRepoBuild(settings, variables) : planBuild(kind, settings, req.studio.systemFile);
    // The build's own files (logs, history, the toolchain file) stay in the folder: a `build` that is a link out of it
    // is refused before anything runs.
    const out = await fs.stat(confine(req.root, BUILD_DIR)).catch(() => undefined);
    if (out && !out.isDirectory()) throw new StudioError('conflict', `${BUILD_DIR} in the project is not a folder: the build writes its output there (rename or remove that file)`);
    const buildId = `build-${this.next++}`;
    this.active.set(buildId, { cancelled: false });
    const image = kind === 'repo' ? { dir: variables.BUILD_DIR ?? makefile!.defaultBuildDir ?? BUILD_DIR } : undefined;
    const finished = this.runToEnd(buildId, req, settings, steps, env, image).finally(() => this.active.delete(buildId));
    return { buildId, steps, finished, kind, ...(makefile ? { makefile } : {}) };
  }

  cancel(buildId: string): void {
    const b = this.active.get(buildId);
    if (!b) throw new StudioError('not-found', `no running build ${buildId}`);
    b.cancelled = true;
    if (b.runId) this.processes.cancel(b.runId);
  }

  /** The recorded builds, newest first; a history file that is not a list of records (hand-edited, torn) counts as none. */
  async history(root: string): Promise<BuildRecord[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.readFile(confine(root, HISTORY), 'utf8'));
    } catch {
      return [];
    }
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((r): r is BuildRecord => typeof r === 'object' && r !== null && typeof (r as { buildId?: unknown }).buildId === 'string');
  }

  /**
   * The build in the background: nobody awaits it in the host, so it must never reject (an unhandled rejection ends the
   * host). Anything unforeseen ends the build as failed, with the reason as a problem, and still sends `done`.
   */
  private async runToEnd(buildId: string, req: BuildRequest, settings: BuildSettings, steps: BuildStep[], env: NodeJS.ProcessEnv, image?: { dir: string }): Promise<BuildRecord> {
    try {
      return await this.run(buildId, req, settings, steps, env, image);
    } catch (e) {
      const message = `the build stopped: ${(e as Error).message}`;
      const record: BuildRecord = { buildId, startedAt: new Date().toISOString(), durationMs: 0, result: 'failed', problems: 1, steps: [], config: settings.config, board: settings.board };
      const first = steps[0];
      if (first) this.events.problem({ buildId, step: first.id, problem: { tool: toolOf(first), severity: 'error', message } });
      this.events.done({ buildId, record });
      return record;
    }
  }

  private async run(buildId: string, req: BuildRequest, settings: BuildSettings, steps: BuildStep[], env: NodeJS.ProcessEnv, image?: { dir: string }): Promise<BuildRecord> {
    const t0 = performance.now();
    const startedAt = Date.now();
    const record: BuildRecord = { buildId, startedAt: new Date().toISOString(), durationMs: 0, result: 'ok', problems: 0, steps: [], config: settings.config, board: settings.board };
    await fs.mkdir(confine(req.root, BUILD_DIR), { recursive: true });
    // The toolchain file is rewritten only when the settings change, so an unchanged build tree stays current.
    const toolchainChanged = steps.some((s) => s.id === 'configure') && (await writeIfChanged(confine(req.root, TOOLCHAIN_FILE), cmakeToolchainFile(settings)));
    for (const step of steps) {
      const s0 = performance.now();
      const state = this.active.get(buildId)!;
      if (state.cancelled || record.result !== 'ok') {
        record.steps.push({ id: step.id, status: 'not run', durationMs: 0 });
        continue;
      }
      const skip = await this.upToDate(step, req, toolchainChanged);
      if (skip) {
        this.events.step({ buildId, step: step.id, status: 'skipped', detail: skip });
        record.steps.push({ id: step.id, status: 'skipped', durationMs: 0 });
        continue;
      }
      this.events.step({ buildId, step: step.id, status: 'running' });
      let status: 'done' | 'failed' | 'cancelled';
      let detail: string | undefined;
      if (step.id === 'export') {
        if (req.systemXml !== undefined) await writeIfChanged(confine(req.root, req.studio.systemFile), req.systemXml);
        this.events.output({ buildId, step: step.id, data: `${req.systemXml !== undefined ? 'wrote' : 'using'} ${req.studio.systemFile}\n` });
        status = 'done';
      } else {
        const r = await this.exec(buildId, step, req, env, req.systemXml ?? (await readInside(req.root, req.studio.systemFile)));
        record.problems += r.problems;
        status = state.cancelled ? 'cancelled' : r.ok ? 'done' : 'failed';
        detail = r.detail;
      }
      const durationMs = performance.now() - s0;
      this.events.step({ buildId, step: step.id, status, durationMs, ...(detail ? { detail } : {}) });
      record.steps.push({ id: step.id, status, durationMs });
      if (status !== 'done') {
        record.result = status === 'cancelled' ? 'cancelled' : 'failed';
        if (status === 'failed') record.failedStep = step.id;
      }
    }
    if (image && record.result === 'ok') {
      // The repository's Makefile wrote the image wherever its build folder is: the newest one made by this build.
      const found = await newestImage(path.resolve(req.root, image.dir), startedAt);
      const last = steps[steps.length - 1]!.id;
      if (found) {
        const rel = path.relative(req.root, found.file);
        record.image = rel.startsWith('..') || path.isAbsolute(rel) ? found.file : rel;
        this.events.output({ buildId, step: last, data: `image: ${record.image}${found.fresh ? '' : ' (unchanged: make had nothing to do)'}\n` });
      } else {
        const message = `make finished, but there is no image (loader.img or *.img) in ${image.dir}: set BUILD_DIR to where the Makefile writes it`;
        this.events.output({ buildId, step: last, data: `${message}\n` });
        this.events.problem({ buildId, step: last, problem: { tool: 'make', severity: 'warning', message } });
        record.problems++;
      }
    }
    record.durationMs = performance.now() - t0;
    await this.remember(req.root, record, steps[steps.length - 1]?.id ?? 'export');
    this.events.done({ buildId, record });
    return record;
  }

  /** Why a step has nothing to do, or undefined when it must run. */
  private async upToDate(step: BuildStep, req: BuildRequest, toolchainChanged: boolean): Promise<string | undefined> {
    const at = (rel: string) => path.join(req.root, rel);
    if (step.id === 'configure') {
      if (!toolchainChanged && existsSync(at(`${BUILD_DIR}/build.ninja`)) && existsSync(at(`${BUILD_DIR}/CMakeCache.txt`))) return 'build tree is current (Ninja re-runs CMake when CMakeLists.txt changes)';
      return undefined;
    }
    if (step.id === 'microkit') {
      const out = await mtime(at(`${BUILD_DIR}/loader.img`));
      const report = await mtime(at(`${BUILD_DIR}/report.txt`));
      if (out === undefined || report === undefined) return undefined;
      const inputs = [at(req.studio.systemFile), step.argv[0]!, ...(await elfs(at(BUILD_DIR)))];
      for (const i of inputs) if (((await mtime(i)) ?? Infinity) > out) return undefined;
      return 'loader.img is newer than the .system, every ELF and the tool';
    }
    return undefined;
  }

  private async exec(buildId: string, step: BuildStep, req: BuildRequest, env: NodeJS.ProcessEnv, systemText: string | undefined): Promise<{ ok: boolean; problems: number; detail?: string }> {
    const cwd = path.join(req.root, step.cwd);
    const matcher = new BuildProblemMatcher();
    let count = 0;
    let errors = 0;
    // One splitter feeds the problem matcher and the progress parser (each `\r` state of a Ninja status line counts).
    const lines = new LineSplitter('each');
    let tail = '';
    let progress: { done: number; total: number } | undefined;
    let progressSent = 0;
    const report = (ps: BuildProblem[]) => {
      for (const p of ps) {
        const problem = this.place(p, cwd, req, systemText);
        count++;
        if (p.severity === 'error') errors++;
        this.events.problem({ buildId, step: step.id, problem });
      }
    };
    // Every byte of the step's output is kept in build/sel4-studio-<step>.log (the panel shows the newest part). Opened
    // before the step runs, so a log that cannot be written (a folder in its place) fails the step with a clear problem.
    const logName = `${BUILD_DIR}/sel4-studio-${step.id}.log`;
    let logFile: number;
    try {
      // In place (a log streams), so opened with the checks a write in place needs: no link out, no hard link.
      logFile = openForWrite(confine(req.root, logName), 'truncate', logName).fd;
    } catch (e) {
      const message = `cannot write the step log ${logName}: ${e instanceof StudioError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)}`;
      this.events.output({ buildId, step: step.id, data: `${message}\n` });
      this.events.problem({ buildId, step: step.id, problem: { tool: toolOf(step), severity: 'error', message } });
      return { ok: false, problems: 1, detail: message };
    }
    const log = createWriteStream('', { fd: logFile });
    // A log write failing later (a full disk) loses log lines, never the build or the host.
    log.on('error', (e) => this.events.output({ buildId, step: step.id, data: `\n(the step log ${logName} stopped: ${e.message})\n` }));
    log.write(`$ ${step.argv.join(' ')}\n`);
    return new Promise((resolve) => {
      const state = this.active.get(buildId)!;
      state.runId = this.processes.start(step.argv[0]!, step.argv.slice(1), { cwd, env: { ...env, LC_ALL: env.LC_ALL ?? 'C.UTF-8' } }, {
        output: ({ data }) => {
          this.events.output({ buildId, step: step.id, data });
          log.write(data);
          tail = (tail + data).slice(-4096);
          const complete = lines.push(data);
          report(matcher.feedLines(complete));
          // Progress: the last [x/y] or [ nn%] at a line start.
          // At most ten progress events a second (a Ninja build prints a count per line), and always the last one.
          for (const l of complete) progress = buildProgress(l) ?? progress;
          const now = performance.now();
          if (progress && now - progressSent > 100) {
            this.events.progress({ buildId, step: step.id, ...progress });
            progressSent = now;
            progress = undefined;
          }
        },
        exit: (e) => {
          log.end();
          const unterminated = lines.end();
          for (const l of unterminated) progress = buildProgress(l) ?? progress;
          if (progress) this.events.progress({ buildId, step: step.id, ...progress });
          report(matcher.feedLines(unterminated));
          report(matcher.end());
          state.runId = undefined;
          if (e.error) {
            this.events.output({ buildId, step: step.id, data: `${e.error}\n` });
            resolve({ ok: false, problems: count + 1, detail: e.error });
            this.events.problem({ buildId, step: step.id, problem: { tool: toolOf(step), severity: 'error', message: e.error } });
            return;
          }
          const ok = e.code === 0;
          if (!ok && errors === 0) {
            // The tool failed without a line we recognise: say so, so the build never fails silently.
            const last = tail.split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' / ');
            const message = `${path.basename(step.argv[0]!)} ${e.signal ? `was stopped (${e.signal})` : `exited with status ${e.code}`}${last ? `; its last output: ${last}` : ''}`;
            this.events.problem({ buildId, step: step.id, problem: { tool: toolOf(step), severity: 'error', message } });
            count++;
          }
          resolve({ ok, problems: count, ...(ok ? {} : { detail: e.signal ? `stopped (${e.signal})` : `exit status ${e.code}` }) });
        },
      });
    });
  }

  /**
   * A problem's file made relative to the project where it lies inside it (absolute otherwise); a Microkit error that
   * names a program image but no place is placed on that image in the .system.
   */
  private place(p: BuildProblem, cwd: string, req: BuildRequest, systemText: string | undefined): BuildProblem {
    const out: BuildProblem = { ...p };
    const where = (file: string) => {
      const abs = path.resolve(p.dir ?? cwd, file);
      const rel = path.relative(req.root, abs);
      return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
    };
    if (p.file) {
      out.file = where(p.file);
    } else if (p.tool === 'microkit') {
      const img = /program image( for symbols)?: '([^']+)'/.exec(p.message);
      const at = img && systemText ? programImagePlace(systemText, img[2]!, Boolean(img[1])) : undefined;
      if (at) Object.assign(out, { file: req.studio.systemFile, ...at });
    }
    // The include chain and the notes are places too: the Problems panel opens them like the problem itself.
    if (p.includedFrom) out.includedFrom = p.includedFrom.map((i) => ({ ...i, file: where(i.file) }));
    if (p.notes) out.notes = p.notes.map((n) => (n.file ? { ...n, file: where(n.file) } : n));
    delete out.dir;
    return out;
  }

  /** Record the build; a history that cannot be written (a folder in its place) is said, and the build keeps its result. */
  private async remember(root: string, record: BuildRecord, lastStep: StepId) {
    const all = [record, ...(await this.history(root))].slice(0, HISTORY_KEEP);
    try {
      await writeFileAtomic(confine(root, HISTORY), `${JSON.stringify(all, null, 2)}\n`);
    } catch (e) {
      this.events.output({ buildId: record.buildId, step: lastStep, data: `(this build is not in the history: cannot write ${HISTORY}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n` });
    }
  }
}

/** Which tool a step's own failure (it could not start, or it failed without a line we recognise) is put on. */
const toolOf = (step: BuildStep): BuildTool => (step.id === 'microkit' ? 'microkit' : step.argv[0] === 'make' ? 'make' : 'cmake');

async function firstToolchain(env: NodeJS.ProcessEnv): Promise<Toolchain | undefined> {
  for (const t of TOOLCHAINS) if (await which(t === 'clang' ? 'clang' : `${t}-gcc`, env)) return t;
  return undefined;
}

async function writeIfChanged(file: string, text: string): Promise<boolean> {
  try {
    if ((await fs.readFile(file, 'utf8')) === text) return false;
  } catch {
    // not there yet
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text);
  return true;
}

/** A file of the folder as text, or undefined (missing, or a link out of the folder). */
async function readInside(root: string, rel: string): Promise<string | undefined> {
  try {
    return await fs.readFile(confine(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The image a repository build made in `dir`: `loader.img`, else the newest `*.img`, among those written since `since`
 * (ms; a second's slack for coarse clocks); when make had nothing to do, the image already there (`fresh: false`).
 */
async function newestImage(dir: string, since: number): Promise<{ file: string; fresh: boolean } | undefined> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((f) => f.endsWith('.img'));
  } catch {
    return undefined;
  }
  let best: { file: string; rank: number; fresh: boolean } | undefined;
  for (const n of names) {
    const file = path.join(dir, n);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const fresh = st.mtimeMs >= since - 1000;
    // Made by this build first, loader.img first among those, then the newest.
    const rank = (fresh ? 2e15 : 0) + (n === 'loader.img' ? 1e15 : 0) + st.mtimeMs;
    if (!best || rank > best.rank) best = { file, rank, fresh };
  }
  return best && { file: best.file, fresh: best.fresh };
}

async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function elfs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.elf')).map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

export type { StepId };
