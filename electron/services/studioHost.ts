import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkEvent, type Handlers } from '../../shared/api/rpc';
import { StudioError } from '../../shared/api/errors';
import type { EventName, EventPayload, HostInfo, ProjectSnapshot } from '../../shared/api/contract';
import { confine } from './confine';
import { TOOLS } from '../../shared/doctor/tools';
import { runDoctor, which } from './doctor';
import { ProcessSupervisor } from './processes';
import { isEmptyOrMissing, ProjectService, type FolderSnapshot } from './projects';
import { TRUST_FILE, TrustStore } from './trust';
import { writeFileAtomic } from './atomicWrite';
import { loadAllBoards, saveUserBoard, USER_BOARDS_DIR } from './boards';
import { QemuService } from './qemu';
import { listPorts, SerialService } from './serial';
import { parseFraming } from '../../shared/serial/transform';
import { defaultTemplatesDir, listTemplates, readTemplate } from './templates';
import { BuildService, projectKind } from './build';
import { makeVariableProblem } from '../../shared/build/makefile';
import { repoMakeArgv } from '../../shared/build/plan';
import { findSdk, inspectSdk, SdkChoices } from './sdk';
import { ImageChoices } from './images';
import { checkMonitorCommand } from '../../shared/qemu/monitor';
import { QEMU_TRACE_LOG, qemuRecipeProblem } from '../../shared/qemu/command';
import { projectSources } from './sources';
import { contentHash, readWithHash, renameChecked, writeChecked } from './fileIo';
import { FileWatcher } from './fileWatch';
import { composeSystem } from './compose';
import { dumpQemuVirt, loadDeviceTree, prefetchDeviceTrees } from './deviceTree';
import { listWorkspaceFiles } from './workspace';
import { sweepStaleTempDirs } from './tempDirs';
import { BoardRunService } from './boardRun';
import { POWER_TOKENS_FILE, PowerTokens } from './powerTokens';
import { pxeConfig } from '../../shared/boardrun/pxe';
import { deployDestination } from '../../shared/boardrun/plan';
import type { Params } from '../../shared/api/contract';

/** Serial logs rotate at this size; the newest old files are kept as .1 … .4. */
const SERIAL_LOG_MAX_BYTES = 64 * 1024 * 1024;
const SERIAL_LOG_KEEP = 4;

export interface StudioHostOptions {
  mode: HostInfo['mode'];
  version: string;
  /** Where recent projects are remembered. */
  configDir: string;
  /** Deliver an event to the UI (already schema-checked). */
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** A native folder picker, where the host has one. */
  pickDirectory?: (title: string, mode: 'open' | 'create') => Promise<string | null>;
  /** A native file picker, where the host has one (images for QEMU). */
  pickFile?: (title: string) => Promise<string | null>;
  /**
   * Ask the user in a dialog of the host's own (not the page's), where the host has one: what a page asks for beyond
   * the contract's intents (a raw monitor command, an SDK typed in the UI) happens only when the user says yes here.
   */
  confirm?: (question: { title: string; message: string; detail: string; yes: string }) => Promise<boolean>;
  initialProject?: string;
  /** The board packs folder (boards/). */
  boardsDir: string;
  /** The user's own board packs (default: boards/ beside the trust file, in their config folder; the CLI's too). */
  userBoardsDir?: string;
  /** Project templates (default: resources/templates next to boards/). */
  templatesDir?: string;
  /** The user's trust decisions (default: trust.json in `configDir`; the CLI's `sel4-studio trust` writes the same file). */
  trustFile?: string;
  /** Home Assistant tokens for board power (default: board-power.json beside the trust file, the CLI's too). */
  powerTokensFile?: string;
  /**
   * Ask the user, outside the page, whether to trust a folder (Electron: a native dialog). Without it the page's request
   * is the user's action (browser mode has no other UI).
   */
  confirmTrust?: (dir: string) => Promise<boolean>;
  /**
   * Open, create and Save As only folders the user chose outside the page: picked in the host's own dialog this
   * session, in the recent list, or given on the command line (Electron). Without it, any path the page names.
   */
  pickedFoldersOnly?: boolean;
}

/**
 * The contract's implementation on plain Node services. Electron main and the browser host bind exactly this;
 * neither adds behaviour of its own.
 */
export function createStudioHost(opts: StudioHostOptions): { handlers: Handlers; dispose(): void } {
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => opts.emit(event, checkEvent(event, payload));
  // What a host or CLI that was killed outright left in the temp folder (QMP sockets, CLI settings): in the background.
  void sweepStaleTempDirs();
  const projects = new ProjectService(opts.configDir);
  const sdkChoices = new SdkChoices(opts.configDir);
  const imageChoices = new ImageChoices(opts.configDir);
  // One question at a time: a page cannot stack dialogs on the user.
  let asking = false;
  const ask = async (question: Parameters<NonNullable<StudioHostOptions['confirm']>>[0]) => {
    if (!opts.confirm) return false;
    if (asking) throw new StudioError('conflict', 'seL4 Studio is already asking you something: answer that dialog first');
    asking = true;
    try {
      return await opts.confirm(question);
    } finally {
      asking = false;
    }
  };
  /** An SDK the build may run: one the user chose or the host found; else a refusal saying how to choose it. */
  const chosenSdk = async (given: string) => {
    const sdk = await inspectSdk(given);
    if (!sdk) throw new StudioError('tool-missing', (await findSdk(given)).hint ?? `${given} is not a Microkit SDK`);
    if (await sdkChoices.allows(sdk.path)) return sdk;
    const how = opts.confirm
      ? 'choose it in the Build tab (Use this SDK) first'
      : `add it from a terminal with \`sel4-studio sdk add ${sdk.path}\` (or set MICROKIT_SDK, or unpack it as ~/microkit-sdk-<version>)`;
    throw new StudioError('forbidden', `the Microkit SDK at ${sdk.path} was not chosen by you, so seL4 Studio does not run its bin/microkit: ${how}`);
  };
  const qemu = new QemuService({
    output: (id, data) => emit('qemu.output', { id, data }),
    status: (id, status, detail) => emit('qemu.status', detail ? { id, status, ...detail } : { id, status }),
  });
  const serial = new SerialService({
    data: (id, data) => emit('serial.data', { id, data: Buffer.from(data).toString('base64') }),
    status: (id, status, detail) => emit('serial.status', detail ? { id, status, detail } : { id, status }),
  });
  const processes = new ProcessSupervisor({
    output: (e) => emit('process.output', e),
    exit: (e) => emit('process.exit', e),
  });

  const builds = new BuildService(processes, {
    step: (e) => emit('build.step', e),
    output: (e) => emit('build.output', e),
    progress: (e) => emit('build.progress', e),
    problem: (e) => emit('build.problem', e),
    done: (e) => emit('build.done', e),
  });

  // Open files are watched; every read and write of the host tells the watcher what the UI now has.
  const watcher = new FileWatcher((change) => emit('fs.changed', change));
  const inRoot = (rel: string) => confine(projects.requireRoot(), rel);
  const noteSystem = (text: string) => {
    const rel = projects.openSystemFile;
    if (projects.current && rel !== undefined) watcher.noteContent(confine(projects.current, rel), contentHash(text));
  };

  const templatesDir = opts.templatesDir ?? defaultTemplatesDir(opts.boardsDir);
  const trust = new TrustStore(opts.trustFile ?? path.join(opts.configDir, TRUST_FILE));
  // Asked afresh at each gated call: a trust revoked elsewhere (the CLI, another window) holds at once.
  const requireTrusted = async (what: string) => {
    const root = projects.requireRoot();
    if (await trust.isTrusted(root)) return;
    throw new StudioError('untrusted', `Restricted mode: ${root} is not trusted, so ${what} is off. Trust it first (the Trust button in the banner, the command "Trust this folder", or sel4-studio trust ${root}) if you trust its authors: building runs its Makefile or CMakeLists.txt and the tools its settings name.`);
  };
  const withTrust = async (snap: FolderSnapshot, trusted?: boolean): Promise<ProjectSnapshot> => ({ ...snap, trusted: trusted ?? (await trust.isTrusted(snap.dir)) });

  /** A build of the open folder, as Build starts it (trust, the SDK the user chose, the settings on disk). */
  const startBuild = async ({ sdk, config, board, toolchain, systemXml, system }: Params<'build.start'>) => {
    const root = projects.requireRoot();
    // Before any setting of the folder (SDK path, compiler) is even read.
    await requireTrusted('building');
    // The file the user is looking at (a folder has many); confined like every other path.
    if (system) confine(root, system);
    const saved = system ? { ...(await projects.studio()), systemFile: system } : await projects.studio();
    // An SDK named by the page or by the folder's settings runs only when the user chose it; none named: the host's own.
    const { sdkPath, ...buildSettings } = saved.build;
    const named = sdk ?? sdkPath;
    const chosen = named ? await chosenSdk(named) : undefined;
    const studio = { ...saved, build: buildSettings, ...(board ? { board } : {}) };
    // The build writes the text the user chose to save; that write is ours, not a change on disk.
    if (systemXml !== undefined) watcher.noteContent(confine(root, saved.systemFile), contentHash(systemXml));
    // A repository build's make variables come from the folder settings (checked against its Makefile by the build).
    const { variables } = (await projects.settings()).build;
    return builds.start({ root, studio, variables, ...(chosen ? { sdk: chosen.path } : {}), ...(config ? { config } : {}), ...(toolchain ? { toolchain } : {}), ...(systemXml !== undefined ? { systemXml } : {}) });
  };

  const userBoardsDir = opts.userBoardsDir ?? path.join(path.dirname(opts.trustFile ?? path.join(opts.configDir, TRUST_FILE)), USER_BOARDS_DIR);
  /** Shipped, the user's, and the found SDK's boards that neither names (boards.list; qemu.start finds its board here). */
  const allBoards = async () => loadAllBoards(opts.boardsDir, userBoardsDir, (await findSdk(undefined)).sdk);
  const powerTokens = new PowerTokens(opts.powerTokensFile ?? path.join(path.dirname(opts.trustFile ?? path.join(opts.configDir, TRUST_FILE)), POWER_TOKENS_FILE));
  const boardRuns = new BoardRunService(
    { serial, processes, token: (url) => powerTokens.get(url) },
    { step: (e) => emit('boardRun.step', e), output: (e) => emit('boardRun.output', e), done: (e) => emit('boardRun.done', e) },
  );
  /** A board target as the folder's settings file on disk says (never as the page describes it). */
  const boardTarget = async (name: string) => {
    const targets = (await projects.settings()).boardTargets ?? {};
    const target = Object.prototype.hasOwnProperty.call(targets, name) ? targets[name] : undefined;
    if (!target) throw new StudioError('not-found', `no board target "${name}" in .sel4-studio/settings.json${Object.keys(targets).length ? ` (there are: ${Object.keys(targets).join(', ')})` : ''}`);
    return target;
  };

  // Folders the user chose in the host's own dialog this session (real paths and as given).
  const picked = new Set<string>();
  const chosenByUser = async (dir: string): Promise<void> => {
    if (!opts.pickedFoldersOnly) return;
    const abs = path.resolve(dir);
    const real = await fs.realpath(abs).catch(() => abs);
    if (picked.has(abs) || picked.has(real)) return;
    if (opts.initialProject && path.resolve(opts.initialProject) === abs) return;
    if ((await projects.recent()).some((r) => r.dir === abs || r.dir === real)) return;
    throw new StudioError('forbidden', `${abs} was not chosen by you: choose the folder with Browse… (folders are opened, created and saved into only from the folder dialog or the recent list)`);
  };
  const handlers: Handlers = {
    'host.info': async () => {
      const info: HostInfo = {
        mode: opts.mode,
        version: opts.version,
        platform: `${process.platform}-${process.arch}`,
        capabilities: { nativeDialogs: Boolean(opts.pickDirectory) },
      };
      if (opts.initialProject) info.initialProject = path.resolve(opts.initialProject);
      else {
        // A page reload (or a new start) goes on where the user was: the last project, if its folder is still there.
        const last = (await projects.recent())[0]?.dir;
        if (last && (await fs.stat(last).then((st) => st.isDirectory(), () => false))) info.lastProject = last;
      }
      return info;
    },
    'doctor.check': async () => ({ tools: await runDoctor() }),
    'boards.list': () => allBoards(),
    'boards.save': async ({ pack, overwrite }) => {
      // The recipe becomes an argv at the next QEMU start: only what the shipped packs' recipes hold.
      const refused = pack.qemu && qemuRecipeProblem(pack.qemu);
      if (refused) throw new StudioError('forbidden', `board pack ${pack.name}: ${refused}`);
      const shipped = (await loadAllBoards(opts.boardsDir, undefined)).boards.map((b) => b.name);
      return saveUserBoard(userBoardsDir, pack, new Set(shipped), overwrite);
    },

    'project.create': async ({ dir, name, board, template }) => {
      await chosenByUser(dir);
      // A folder seL4 Studio fills from empty holds only what it wrote: trusted. A git checkout it adds to is not.
      const fresh = await isEmptyOrMissing(dir);
      const t = template === undefined ? undefined : await readTemplate(templatesDir, template);
      const snap = t ? await projects.create(dir, name, board ?? t.info.board, t.systemXml, t.files) : await projects.create(dir, name, board);
      if (fresh) await trust.set(snap.dir, true);
      return withTrust(snap);
    },
    'templates.list': async () => ({ templates: await listTemplates(templatesDir) }),
    'project.open': async ({ dir }) => {
      await chosenByUser(dir);
      const snap = await projects.open(dir);
      await watcher.watch([]);
      if (snap.systemPath !== null) watcher.noteContent(confine(snap.dir, snap.systemPath), snap.systemHash);
      return withTrust(snap);
    },
    'project.save': async ({ studio, systemXml }) => {
      const saved = await projects.save(studio, systemXml);
      noteSystem(systemXml);
      return saved;
    },
    'project.saveAs': async ({ dir, studio, systemXml }) => {
      await chosenByUser(dir);
      // The copy is as trusted as what it was copied from (its build settings came along), when it fills a new folder.
      const fresh = await isEmptyOrMissing(dir);
      const from = projects.current;
      const sourceTrusted = from === undefined || (await trust.isTrusted(from));
      await watcher.watch([]);
      const snap = await projects.saveAs(dir, studio, systemXml);
      if (fresh && sourceTrusted) await trust.set(snap.dir, true);
      return withTrust(snap);
    },
    'project.autosave': ({ studio, systemXml }) => projects.autosave(studio, systemXml),
    'project.discardRecovery': async () => (await projects.discardRecovery(), {}),
    'project.close': async () => (projects.close(), await watcher.watch([]), {}),
    'project.recent': async () => ({ projects: await projects.recent() }),
    'project.pickDirectory': async ({ title, mode }) => {
      if (!opts.pickDirectory) throw new StudioError('unsupported', 'this host has no folder dialog; type the folder path');
      const dir = await opts.pickDirectory(title, mode);
      if (dir !== null) {
        picked.add(path.resolve(dir));
        picked.add(await fs.realpath(dir).catch(() => path.resolve(dir)));
      }
      return { dir };
    },

    'fs.readText': async ({ path: rel }) => {
      const file = confine(projects.requireRoot(), rel);
      try {
        return { text: await fs.readFile(file, 'utf8') };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new StudioError(code === 'ENOENT' ? 'not-found' : 'internal', `cannot read ${rel}: ${code}`);
      }
    },
    'fs.sources': async () => projectSources(projects.requireRoot()),
    'fs.writeText': async ({ path: rel, text }) => {
      const file = confine(projects.requireRoot(), rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, text);
      watcher.noteContent(file, contentHash(text));
      return {};
    },
    'fs.read': async ({ path: rel }) => {
      const file = inRoot(rel);
      const read = await readWithHash(file, rel);
      watcher.noteContent(file, read.hash);
      return read;
    },
    'fs.write': async ({ path: rel, text, expectHash }) => {
      const file = inRoot(rel);
      let previous: string | undefined;
      return writeChecked(file, rel, text, expectHash, {
        writing: (hash) => {
          previous = watcher.beginWriting(file, hash).previous;
        },
        done: (committed) => watcher.doneWriting(file, committed, previous),
      });
    },
    'fs.rename': async ({ from, to, expectHash }) => {
      await renameChecked(inRoot(from), inRoot(to), from, to, expectHash);
      return {};
    },
    'fs.watch': async ({ paths }) => {
      const root = projects.requireRoot();
      await watcher.watch(paths.map((rel) => ({ rel, abs: confine(root, rel) })));
      return {};
    },
    'workspace.files': async () => listWorkspaceFiles(projects.requireRoot()),
    'system.compose': async ({ path: rel, cpp }) => composeSystem(projects.requireRoot(), rel, cpp),
    // Reads only (cpp reads, the engine compiles): no trust needed, like system.compose.
    'dt.load': async ({ path: rel, includeDirs, cpp, places }) => loadDeviceTree(projects.requireRoot(), rel, { ...(includeDirs ? { includeDirs } : {}), ...(cpp !== undefined ? { cpp } : {}), ...(places ? { places } : {}) }),
    // QEMU with a fixed argv, reading nothing of the folder (like tool.version): no trust needed.
    'dt.qemuVirt': () => dumpQemuVirt(),
    'dt.prefetch': async ({ paths }) => {
      const root = projects.requireRoot();
      return { queued: await prefetchDeviceTrees(root, paths, () => projects.current === root) };
    },
    'workspace.saveSettings': async ({ settings }) => (await projects.saveSettings(settings), {}),
    'workspace.trust': async ({ trusted }) => {
      const root = projects.requireRoot();
      if (!trusted) {
        await trust.set(root, false);
        return { trusted: false };
      }
      if (await trust.isTrusted(root)) return { trusted: true };
      if (opts.confirmTrust && !(await opts.confirmTrust(root))) return { trusted: false };
      // The folder may have been closed or changed while the dialog was up: trust what the user was shown.
      if (projects.current !== root) throw new StudioError('conflict', `${root} is no longer the open folder; it was not trusted`);
      await trust.set(root, true);
      return { trusted: true };
    },

    'tool.version': async ({ tool }) => {
      const spec = TOOLS.find((t) => t.id === tool);
      if (!spec) throw new StudioError('forbidden', `unknown tool "${tool}": only tools the doctor knows can be run`);
      let exe: string | undefined;
      for (const c of spec.commands) if ((exe = await which(c))) break;
      if (!exe) throw new StudioError('tool-missing', `${spec.label} is not installed (${spec.hint})`);
      // The doctor's own probe, composed here: the page names the tool, never its arguments.
      const runId = processes.start(exe, spec.versionArgs, { cwd: os.homedir() });
      return { runId, command: [exe, ...spec.versionArgs] };
    },
    'process.cancel': async ({ runId }) => (processes.cancel(runId), {}),

    'build.start': async (params) => {
      const { buildId, steps } = await startBuild(params);
      return { buildId, steps: steps.map((s) => ({ id: s.id, label: s.label, command: s.argv })) };
    },
    // Reads only (the Makefile is read, never run): no trust needed.
    'build.makefile': async () => projectKind(projects.requireRoot()),
    'build.runTarget': async ({ sdk: given, board: boardGiven, config: configGiven }) => {
      const root = projects.requireRoot();
      await requireTrusted('running');
      const { kind, makefile } = await projectKind(root);
      if (kind !== 'repo' || !makefile) throw new StudioError('unsupported', `${root} has no Makefile that makes the image itself: Run boots the image in QEMU instead`);
      const settings = await projects.settings();
      const target = settings.build.runTarget ?? makefile.runTarget;
      if (!target || !makefile.targets.some((t) => t.name === target)) throw new StudioError('not-found', `the Makefile has no target ${JSON.stringify(target ?? '(none chosen)')} (it has: ${makefile.targets.map((t) => t.name).join(', ') || 'none'})`);
      for (const [name, value] of Object.entries(settings.build.variables)) {
        const problem = makeVariableProblem(name, value, makefile);
        if (problem) throw new StudioError('invalid-params', problem);
      }
      const studio = await projects.studio().catch(() => undefined);
      // As a build: the page's board, configuration and SDK (its settings may not be saved yet), an SDK only when chosen.
      const board = boardGiven ?? settings.board ?? studio?.board ?? 'qemu_virt_aarch64';
      const config = configGiven ?? settings.build.config ?? 'debug';
      const named = given ?? settings.build.sdkPath;
      const sdk = named ? await chosenSdk(named) : (await findSdk(undefined)).sdk;
      if (!sdk) throw new StudioError('tool-missing', (await findSdk(undefined)).hint ?? 'no Microkit SDK found');
      const argv = repoMakeArgv({ sdk: sdk.path, board, config }, settings.build.variables, target);
      const runId = processes.start(argv[0]!, argv.slice(1), { cwd: root });
      return { runId, command: argv };
    },
    'build.cancel': async ({ buildId }) => (builds.cancel(buildId), {}),
    'build.history': async () => ({ builds: await builds.history(projects.requireRoot()) }),
    'sdk.inspect': async ({ path: given }) => {
      const { sdk, hint } = await findSdk(given);
      return { sdk: sdk ? { ...sdk, chosen: await sdkChoices.allows(sdk.path) } : null, ...(hint ? { hint } : {}) };
    },
    'sdk.choose': async ({ path: given }) => {
      let dir = given;
      if (dir === undefined) {
        if (!opts.pickDirectory) throw new StudioError('unsupported', 'this host has no folder dialog: type the SDK folder in the Build tab');
        const picked = await opts.pickDirectory('Choose a Microkit SDK folder', 'open');
        if (picked === null) return { sdk: null };
        dir = picked;
      }
      const sdk = await inspectSdk(dir);
      if (!sdk) throw new StudioError('not-found', (await findSdk(dir)).hint ?? `${dir} is not a Microkit SDK`);
      if (given !== undefined && !(await sdkChoices.allows(sdk.path))) {
        // Typed in the page: the user says yes in the host's own dialog, which no script in the page can answer.
        if (!opts.confirm) throw new StudioError('forbidden', `seL4 Studio in a browser cannot ask you to confirm an SDK: add it from a terminal with \`sel4-studio sdk add ${sdk.path}\` (or set MICROKIT_SDK, or unpack it as ~/microkit-sdk-<version>), then build again`);
        const yes = await ask({
          title: 'Use this Microkit SDK?',
          message: `Use the Microkit SDK at ${sdk.path}?`,
          detail: `Microkit ${sdk.version}, boards: ${Object.keys(sdk.boards).join(', ')}.\nBuilds will run ${path.join(sdk.path, 'bin', 'microkit')}. Choose only an SDK you trust.`,
          yes: 'Use this SDK',
        });
        if (!yes) return { sdk: null };
      }
      await sdkChoices.add(sdk.path);
      return { sdk: { ...sdk, chosen: true } };
    },

    'images.list': async () => ({ images: await imageChoices.list() }),
    'images.pick': async () => {
      if (!opts.pickFile) throw new StudioError('unsupported', 'seL4 Studio in a browser has no file dialog: add the image from a terminal with `sel4-studio image add PATH`, then choose it here');
      const picked = await opts.pickFile('Choose an image for QEMU (kernel, initrd, disk or blob)');
      if (picked === null) return { image: null };
      const file = await imageChoices.add(picked);
      return { image: (await imageChoices.list()).find((i) => i.path === file) ?? { path: file } };
    },
    'images.remove': async ({ path: file }) => (await imageChoices.remove(file), {}),

    'qemu.start': async ({ board: name, image, kernel, options }) => {
      const root = projects.requireRoot();
      await requireTrusted('running in QEMU');
      const board = (await allBoards()).boards.find((b) => b.name === name);
      if (!board) throw new StudioError('not-found', `unknown board '${name}'`);
      // Every file is the project's (confined like every other file the UI names) or one the user picked.
      const resolve = (ref: string) => imageChoices.resolve(root, ref);
      const target = image !== undefined ? { image: await resolve(image) } : { kernel: await resolve(kernel!) };
      if (options) {
        options = {
          ...options,
          ...(options.initrd !== undefined ? { initrd: await resolve(options.initrd) } : {}),
          ...(options.disk !== undefined ? { disk: await resolve(options.disk) } : {}),
          ...(options.loaders ? { loaders: await Promise.all(options.loaders.map(async (l) => ({ ...l, file: await resolve(l.file) }))) } : {}),
        };
      }
      // A trace goes to one file the host names, inside the folder, never through a link, and only over a regular file.
      let traceLog: string | undefined;
      if (options?.trace) {
        traceLog = confine(root, QEMU_TRACE_LOG);
        const st = await fs.lstat(traceLog).catch(() => undefined);
        if (st && !st.isFile()) throw new StudioError('conflict', `${QEMU_TRACE_LOG} is not a regular file: the QEMU trace is written there (remove what is in its place)`);
        await fs.mkdir(path.dirname(traceLog), { recursive: true });
      }
      return qemu.start(board, target, { ...(options ? { options } : {}), ...(traceLog ? { traceLog } : {}) }, root);
    },
    'qemu.control': async ({ id, action }) => ({ status: await qemu.control(id, action) }),
    'qemu.monitor': async ({ id, command }) => {
      const check = checkMonitorCommand(command);
      if (!check.ok) {
        // Raw monitor access only as the user's own, visible act: the host's dialog shows the exact command.
        if (!opts.confirm) throw new StudioError('forbidden', `${check.reason}. For the full monitor, boot from a terminal: sel4-studio qemu --image build/loader.img --monitor /tmp/qemu-monitor.sock, then socat - UNIX-CONNECT:/tmp/qemu-monitor.sock`);
        const yes = await ask({
          title: 'Send a raw QEMU monitor command?',
          message: 'Send this command to the QEMU monitor?',
          detail: `${command}\n\n${check.reason}. Send it only if you typed it yourself.`,
          yes: 'Send',
        });
        if (!yes) throw new StudioError('forbidden', `not sent (you declined): ${command}`);
      }
      return { text: await qemu.monitor(id, command) };
    },
    'qemu.input': async ({ id, data }) => (qemu.input(id, data), {}),

    'serial.list': async () => ({ ports: (await listPorts()).map((p) => ({ path: p.path, name: p.name, ...(p.tcu ? { tcu: true } : {}) })) }),
    'serial.open': async ({ target, baudRate, tcu, enter, framing, flowControl, log }) => {
      const logFile = log !== undefined ? confine(projects.requireRoot(), log) : undefined;
      const frame = framing ? parseFraming(framing) : undefined;
      return {
        id: await serial.open(target, {
          baudRate,
          ...(tcu !== undefined ? { tcu } : {}),
          ...(enter ? { enter } : {}),
          ...(frame ?? {}),
          ...(flowControl ? { flowControl } : {}),
          ...(logFile ? { logFile, logMaxBytes: SERIAL_LOG_MAX_BYTES, logKeep: SERIAL_LOG_KEEP } : {}),
        }),
      };
    },
    'serial.send': async ({ id, data }) => (serial.send(id, Buffer.from(data, 'base64')), {}),
    'serial.break': async ({ id }) => (await serial.sendBreak(id), {}),
    'serial.close': async ({ id }) => (await serial.close(id), {}),

    'boardRun.start': async ({ target: name, build, system, ...settings }) => {
      const root = projects.requireRoot();
      // Deploy and power commands are the folder's settings: they run only in a trusted folder, like its Makefile.
      await requireTrusted('running on a board');
      const target = await boardTarget(name);
      let buildId: string | undefined;
      return boardRuns.start({
        root,
        name,
        target,
        ...(build
          ? {
              cancelBuild: () => buildId !== undefined && builds.cancel(buildId),
              build: async () => {
                const started = await startBuild({ ...settings, ...(system ? { system } : {}) });
                buildId = started.buildId;
                const { finished } = started;
                const r = await finished;
                return { ok: r.result === 'ok', detail: `${buildId} ${r.result}${r.failedStep ? ` at ${r.failedStep}` : ''}${r.problems ? `, ${r.problems} problem${r.problems === 1 ? '' : 's'} (Problems)` : ''}` };
              },
            }
          : {}),
      });
    },
    'boardRun.stop': async ({ runId, powerOff }) => (await boardRuns.stop(runId, powerOff), {}),
    'boardRun.setToken': async ({ baseUrl, token }) => (await powerTokens.set(baseUrl, token), {}),
    'boardRun.tokenStored': async ({ baseUrl }) => ({ stored: await powerTokens.has(baseUrl) }),
    'pxe.interfaces': async () => ({
      interfaces: Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) => (addrs ?? []).filter((a) => a.family === 'IPv4').map((a) => ({ name, address: a.address, netmask: a.netmask }))),
    }),
    'pxe.start': async ({ target: name, iface }) => {
      const root = projects.requireRoot();
      await requireTrusted('starting proxy-DHCP');
      const target = await boardTarget(name);
      const dest = deployDestination(target);
      if (!dest || target.deploy.kind !== 'tftp') throw new StudioError('unsupported', `board target "${name}" does not deploy into a TFTP folder: proxy-DHCP has nothing to point its firmware at`);
      const addr = (os.networkInterfaces()[iface] ?? []).find((a) => a.family === 'IPv4');
      if (!addr) throw new StudioError('not-found', `this machine has no IPv4 interface "${iface}"`);
      const exe = await which('dnsmasq');
      if (!exe) throw new StudioError('tool-missing', 'dnsmasq is not installed (Debian: apt-get install dnsmasq)');
      const config = pxeConfig({ iface, address: addr.address, netmask: addr.netmask, tftpRoot: dest.folder, bootFile: dest.fileName });
      const rel = 'build/sel4-studio-pxe.conf';
      const file = confine(root, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, config.text);
      const args = ['--keep-in-foreground', '--log-facility=-', `--conf-file=${file}`];
      const runId = processes.start(exe, args, { cwd: root });
      return { runId, command: [exe, ...args], config: config.text };
    },
  };

  return {
    handlers,
    dispose: () => {
      watcher.close();
      processes.killAll();
      qemu.killAll();
      void boardRuns.stopAll();
      void serial.closeAll();
    },
  };
}
