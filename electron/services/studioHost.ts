import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkEvent, type Handlers } from '../../shared/api/rpc';
import { StudioError } from '../../shared/api/errors';
import type { EventName, EventPayload, HostInfo } from '../../shared/api/contract';
import { confine } from './confine';
import { TOOLS } from '../../shared/doctor/tools';
import { runDoctor, which } from './doctor';
import { ProcessSupervisor } from './processes';
import { ProjectService } from './projects';
import { writeFileAtomic } from './atomicWrite';
import { loadBoards } from './boards';
import { QemuService } from './qemu';
import { listPorts, SerialService } from './serial';
import { parseFraming } from '../../shared/serial/transform';
import { defaultTemplatesDir, listTemplates, readTemplate } from './templates';
import { BuildService } from './build';
import { findSdk } from './sdk';
import { projectSources } from './sources';
import { contentHash, readWithHash, writeChecked } from './fileIo';
import { FileWatcher } from './fileWatch';
import { composeSystem } from './compose';
import { listWorkspaceFiles } from './workspace';
import { sweepStaleTempDirs } from './tempDirs';

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
  initialProject?: string;
  /** The board packs folder (boards/). */
  boardsDir: string;
  /** Project templates (default: resources/templates next to boards/). */
  templatesDir?: string;
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
  const handlers: Handlers = {
    'host.info': async () => {
      const info: HostInfo = {
        mode: opts.mode,
        version: opts.version,
        platform: `${process.platform}-${process.arch}`,
        capabilities: { nativeDialogs: Boolean(opts.pickDirectory) },
      };
      if (opts.initialProject) info.initialProject = path.resolve(opts.initialProject);
      return info;
    },
    'doctor.check': async () => ({ tools: await runDoctor() }),
    'boards.list': () => loadBoards(opts.boardsDir),

    'project.create': async ({ dir, name, board, template }) => {
      if (template === undefined) return projects.create(dir, name, board);
      const t = await readTemplate(templatesDir, template);
      return projects.create(dir, name, board ?? t.info.board, t.systemXml, t.files);
    },
    'templates.list': async () => ({ templates: await listTemplates(templatesDir) }),
    'project.open': async ({ dir }) => {
      const snap = await projects.open(dir);
      await watcher.watch([]);
      if (snap.systemPath !== null) watcher.noteContent(confine(snap.dir, snap.systemPath), snap.systemHash);
      return snap;
    },
    'project.save': async ({ studio, systemXml }) => {
      const saved = await projects.save(studio, systemXml);
      noteSystem(systemXml);
      return saved;
    },
    'project.saveAs': async ({ dir, studio, systemXml }) => {
      await watcher.watch([]);
      return projects.saveAs(dir, studio, systemXml);
    },
    'project.autosave': ({ studio, systemXml }) => projects.autosave(studio, systemXml),
    'project.discardRecovery': async () => (await projects.discardRecovery(), {}),
    'project.close': async () => (projects.close(), await watcher.watch([]), {}),
    'project.recent': async () => ({ projects: await projects.recent() }),
    'project.pickDirectory': async ({ title, mode }) => {
      if (!opts.pickDirectory) throw new StudioError('unsupported', 'this host has no folder dialog; type the folder path');
      return { dir: await opts.pickDirectory(title, mode) };
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
    'fs.watch': async ({ paths }) => {
      const root = projects.requireRoot();
      await watcher.watch(paths.map((rel) => ({ rel, abs: confine(root, rel) })));
      return {};
    },
    'workspace.files': async () => listWorkspaceFiles(projects.requireRoot()),
    'system.compose': async ({ path: rel, cpp }) => composeSystem(projects.requireRoot(), rel, cpp),
    'workspace.saveSettings': async ({ settings }) => (await projects.saveSettings(settings), {}),

    'process.start': async ({ tool, args }) => {
      const spec = TOOLS.find((t) => t.id === tool);
      if (!spec) throw new StudioError('forbidden', `unknown tool "${tool}": only tools the doctor knows can be run`);
      let exe: string | undefined;
      for (const c of spec.commands) if ((exe = await which(c))) break;
      if (!exe) throw new StudioError('tool-missing', `${spec.label} is not installed (${spec.hint})`);
      const runId = processes.start(exe, args, { cwd: projects.current ?? os.homedir() });
      return { runId, command: [exe, ...args] };
    },
    'process.cancel': async ({ runId }) => (processes.cancel(runId), {}),

    'build.start': async ({ sdk, config, board, toolchain, systemXml, system }) => {
      const root = projects.requireRoot();
      // The file the user is looking at (a folder has many); confined like every other path.
      if (system) confine(root, system);
      const saved = system ? { ...(await projects.studio()), systemFile: system } : await projects.studio();
      // The build writes the text the user chose to save; that write is ours, not a change on disk.
      if (systemXml !== undefined) watcher.noteContent(confine(root, saved.systemFile), contentHash(systemXml));
      const { buildId, steps } = await builds.start({ root, studio: board ? { ...saved, board } : saved, ...(sdk ? { sdk } : {}), ...(config ? { config } : {}), ...(toolchain ? { toolchain } : {}), ...(systemXml !== undefined ? { systemXml } : {}) });
      return { buildId, steps: steps.map((s) => ({ id: s.id, label: s.label, command: s.argv })) };
    },
    'build.cancel': async ({ buildId }) => (builds.cancel(buildId), {}),
    'build.history': async () => ({ builds: await builds.history(projects.requireRoot()) }),
    'sdk.inspect': async ({ path: given }) => {
      const { sdk, hint } = await findSdk(given);
      return { sdk: sdk ?? null, ...(hint ? { hint } : {}) };
    },

    'qemu.start': async ({ board: name, image, kernel, extraArgs }) => {
      const root = projects.requireRoot();
      const board = (await loadBoards(opts.boardsDir)).boards.find((b) => b.name === name);
      if (!board) throw new StudioError('not-found', `unknown board '${name}'`);
      // The image is the project's build output: confined like every other file the UI names.
      const target = image !== undefined ? { image: confine(root, image) } : { kernel: confine(root, kernel!) };
      return qemu.start(board, target, extraArgs ?? [], root);
    },
    'qemu.control': async ({ id, action }) => ({ status: await qemu.control(id, action) }),
    'qemu.monitor': async ({ id, command }) => ({ text: await qemu.monitor(id, command) }),
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
  };

  return {
    handlers,
    dispose: () => {
      watcher.close();
      processes.killAll();
      qemu.killAll();
      void serial.closeAll();
    },
  };
}
