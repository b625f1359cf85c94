import path from 'node:path';
import { formatDiagnostic } from '../../shared/api/diagnostics';
import type { EventPayload } from '../../shared/api/contract';
import type { Toolchain } from '../../shared/build/plan';
import { BuildService, projectKind } from '../services/build';
import { makeVariableProblem } from '../../shared/build/makefile';
import { SETTINGS_FILE } from '../../shared/model/folderSettings';
import { defaultBoardsDir } from '../services/boards';
import { ProcessSupervisor } from '../services/processes';
import { isEmptyOrMissing, ProjectService } from '../services/projects';
import { inspectSdk, SdkChoices } from '../services/sdk';
import { configDir } from '../services/startArgs';
import { checkProjectRoot } from '../services/trust';
import { userTrustStore } from './trustCommand';
import { StudioError } from '../../shared/api/errors';
import { ownedTempDir } from '../services/tempDirs';
import { defaultTemplatesDir, listTemplates, readTemplate } from '../services/templates';
import { Args, UsageError } from './args';
import type { Io } from './sdfCommands';
import { runCommand } from './runCommand';

/** `sel4-studio new DIR --template NAME [--board B] [--name N]`: a project from a template, ready to build. */
async function newProject(argv: string[], io: Io): Promise<number> {
  let dir: string | undefined;
  let template = 'hello';
  let board: string | undefined;
  let name: string | undefined;
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    if (a === '--template') template = args.value(opt);
    else if (a === '--board') board = args.value(opt);
    else if (a === '--name') name = args.value(opt);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (dir === undefined) dir = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!dir) throw new UsageError('usage: sel4-studio new DIR [--template NAME] [--board B] [--name N]');
  const templates = defaultTemplatesDir(defaultBoardsDir(io.here));
  if (!(await listTemplates(templates)).some((t) => t.id === template)) {
    throw new UsageError(`no template '${template}' (there are: ${(await listTemplates(templates)).map((t) => t.id).join(', ')})`);
  }
  const t = await readTemplate(templates, template);
  // Recent projects are the IDE's own list; the CLI's come and go with it.
  const projects = new ProjectService(ownedTempDir('sel4-studio-cli-', { removeOnExit: true }));
  await checkProjectRoot(dir, configDir());
  const fresh = await isEmptyOrMissing(dir);
  const snap = await projects.create(dir, name ?? path.basename(path.resolve(dir)), board ?? t.info.board, t.systemXml, t.files);
  // As in the IDE: a folder made from empty holds only what seL4 Studio wrote, so the IDE may build it.
  if (fresh) await userTrustStore().set(snap.dir, true);
  io.out(`created ${snap.dir} from the ${template} template (board ${snap.studio.board}): ${[snap.studio.systemFile, 'studio.json', ...t.files.map((f) => f.path)].join(', ')}\n`);
  return 0;
}

/**
 * `sel4-studio build [--project DIR] [--sdk PATH] [--config C] [--toolchain T] [--var NAME=VALUE …] [--json]`: the
 * IDE's build from the command line. A folder whose Makefile makes the image (sDDF, libvmm) is built with `make` and
 * the `--var`s; the image is found wherever its BUILD_DIR put it and printed as `image: PATH`. Output streams to stderr; problems go to stdout as `file:line:col: severity: message` (or JSON).
 * Exit 0 when the image is built.
 */
async function build(argv: string[], io: Io): Promise<number> {
  return buildFolder(argv, io);
}

/** The build command's work, for commands that build first (`run-board`). */
export async function buildFolder(argv: string[], io: Io): Promise<number> {
  let dir = '.';
  let sdk: string | undefined;
  let config: string | undefined;
  let toolchain: Toolchain | undefined;
  let json = false;
  const variables: Record<string, string> = {};
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    if (a === '--project') dir = args.value(opt);
    else if (a === '--sdk') sdk = args.value(opt);
    else if (a === '--config') config = args.value(opt);
    else if (a === '--toolchain') {
      const t = args.value(opt);
      if (!['aarch64-none-elf', 'aarch64-linux-gnu', 'clang'].includes(t)) throw new UsageError(`--toolchain is aarch64-none-elf, aarch64-linux-gnu or clang, not ${t}`);
      toolchain = t as Toolchain;
    } else if (a === '--var') {
      const v = args.value(opt);
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`--var takes NAME=VALUE, not ${v}`);
      variables[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (a === '--json') json = true;
    else if (a === '--board') throw new UsageError('the board is the project\'s (studio.json "board"); change it there or in the IDE');
    else throw new UsageError(`unknown option ${a}`);
  }
  const projects = new ProjectService(ownedTempDir('sel4-studio-cli-', { removeOnExit: true }));
  const snap = await projects.open(dir);
  const problems: EventPayload<'build.problem'>['problem'][] = [];
  const supervisor = new ProcessSupervisor({ output: () => undefined, exit: () => undefined });
  const stopAll = () => supervisor.killAll();
  process.on('exit', stopAll);
  const service = new BuildService(supervisor, {
    step: (e) => {
      if (e.status === 'running') return;
      if (!json) io.err(`== ${e.step}: ${e.status}${e.detail ? ` (${e.detail})` : ''}${e.durationMs !== undefined ? ` ${(e.durationMs / 1000).toFixed(1)} s` : ''}\n`);
    },
    output: (e) => {
      if (!json) io.err(e.data);
    },
    progress: () => undefined,
    problem: (e) => {
      problems.push(e.problem);
      if (json) return;
      // gcc's format where there is a place; `tool: severity: message` where there is none.
      const p = e.problem;
      io.out(p.file ? `${formatDiagnostic({ ...p, file: path.relative(process.cwd(), path.resolve(snap.dir, p.file)) })}\n` : `${p.tool}: ${p.severity}: ${p.message}\n`);
    },
    done: () => undefined,
  });
  // --sdk is the user's own choice; an SDK path the folder's settings carry is used only when the user chose that SDK.
  const fromSettings = sdk === undefined ? snap.studio.build.sdkPath : undefined;
  if (fromSettings !== undefined) {
    const found = await inspectSdk(fromSettings);
    if (found && !(await new SdkChoices(configDir()).allows(found.path))) {
      throw new StudioError('forbidden', `the folder's settings name the Microkit SDK at ${found.path}, which you have not chosen: pass --sdk ${found.path}, or add it with \`sel4-studio sdk add ${found.path}\``);
    }
  }
  // --var is the user's own (any variable make takes); a folder's stored variables are checked against its Makefile.
  const folder = await projectKind(snap.dir);
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(snap.settings.build.variables)) {
    const problem = folder.makefile ? makeVariableProblem(name, value, folder.makefile) : undefined;
    if (problem) io.err(`${SETTINGS_FILE}: ${name} not passed: ${problem}\n`);
    else stored[name] = value;
  }
  const { buildId, finished, steps, kind, makefile } = await service.start({ root: snap.dir, studio: snap.studio, variables: { ...stored, ...variables }, variablesFromUser: true, ...(sdk ? { sdk } : {}), ...(config ? { config } : {}), ...(toolchain ? { toolchain } : {}) });
  if (!json) {
    // What seL4 Studio read of the Makefile that make may not like (make's own errors follow, placed, if it stops).
    for (const p of makefile?.problems ?? []) io.out(`${formatDiagnostic({ ...p, severity: 'warning', file: path.relative(process.cwd(), path.resolve(snap.dir, p.file ?? 'Makefile')) })}\n`);
    if (Object.keys(variables).length && kind !== 'repo') io.err(`(--var is for a repository whose Makefile makes the image; this folder's build is ${kind}: not passed)\n`);
    io.err(`${kind === 'repo' ? `the repository's Makefile makes the image (${makefile!.files.join(', ')})` : `a ${kind} build`}; steps:\n${steps.map((s) => `  ${s.id}: ${s.argv.length ? s.argv.join(' ') : s.label}`).join('\n')}\n`);
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => service.cancel(buildId));
  const record = await finished;
  if (json) io.out(`${JSON.stringify({ ...record, problems }, null, 2)}\n`);
  else {
    const image = kind === 'repo' ? (record.image && path.resolve(snap.dir, record.image)) : path.join(snap.dir, 'build/loader.img');
    io.err(`build ${record.result}${record.failedStep ? ` at ${record.failedStep}` : ''} in ${(record.durationMs / 1000).toFixed(1)} s${record.result === 'ok' ? `: ${image ?? 'no image found'}` : ''}\n`);
    if (kind === 'repo' && record.result === 'ok' && image) io.out(`image: ${image}\n`);
  }
  return record.result === 'ok' ? 0 : 1;
}

export function runBuildCommand(cmd: 'new' | 'build', argv: string[], io: Io): Promise<number> {
  return runCommand(cmd, io, () => (cmd === 'new' ? newProject(argv, io) : build(argv, io)));
}
