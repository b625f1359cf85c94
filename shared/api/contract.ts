import { z } from 'zod';
import { TemplateInfoSchema } from '../model/templates';
import { BoardNameSchema, BuildConfigSchema, SdkPathSchema, StudioFileSchema, ToolchainSchema } from '../model/project';
import { TOOLS } from '../doctor/tools';
import { QemuOptionsSchema } from '../qemu/command';
import { FolderSettingsSchema } from '../model/folderSettings';
import { WORKSPACE_FILE_KINDS } from '../workspace/classify';
import { BoardPackSchema } from '../model/board';
import { DiagnosticSchema } from './diagnostics';
import { HaBaseUrlSchema, TargetNameSchema } from '../boardrun/target';
import { RUN_STEPS } from '../boardrun/plan';

/**
 * The one contract between the UI and a host (DESIGN.md §2, §3.1). Electron main, the preload, the browser host and
 * both renderer transports are derived from these two maps; nothing else names a method or an event.
 */

const Empty = z.object({}).strict();
const AbsPath = z.string().min(1).max(4096);
/** A path inside the open project, relative to its root. The host resolves and confines it. */
const ProjectPath = z.string().min(1).max(1024);
/** An image the user picked for QEMU (size absent: the file is gone). */
export const PickedImageSchema = z.object({ path: z.string(), size: z.number().int().nonnegative().optional() });
export type PickedImage = z.infer<typeof PickedImageSchema>;
/** sha256 of a file's bytes, lower-case hex: what "the file is still what was read" is checked against. */
const ContentHash = z.string().regex(/^[0-9a-f]{64}$/);

export const HostInfoSchema = z.object({
  mode: z.enum(['electron', 'browser']),
  version: z.string(),
  platform: z.string(),
  capabilities: z.object({
    /** The host can show native open/save dialogs; otherwise the UI asks for a path. */
    nativeDialogs: z.boolean(),
  }),
  /** The project given on the command line (`--project DIR`), opened at start-up. */
  initialProject: z.string().optional(),
  /**
   * Without `initialProject`: the project open last (the newest of the user's recent list, kept by the host in the
   * user's config), when its folder is still there. The page reopens it at start-up, trusted or not as the user left it.
   */
  lastProject: z.string().optional(),
});

export const ToolStatusSchema = z.object({
  id: z.string(),
  label: z.string(),
  purpose: z.string(),
  found: z.boolean(),
  path: z.string().optional(),
  version: z.string().optional(),
  /** What to do when it is missing: the Debian package, or where to get it. */
  hint: z.string().optional(),
  required: z.boolean(),
});

export const ProjectSnapshotSchema = z.object({
  dir: z.string(),
  studio: StudioFileSchema,
  systemXml: z.string(),
  /** What a migration of studio.json changed on open (saved only on the next save). */
  migrated: z.array(z.string()),
  /** An autosave newer than the last save, offered to the user on open. */
  recovery: z
    .object({ savedAt: z.string(), studio: StudioFileSchema, systemXml: z.string() })
    .optional(),
  /**
   * `studio-project`: a folder with studio.json (as before). `folder`: any folder (a git checkout); then `studio` is a
   * view of the folder settings for the parts of the UI that still read it, and `systemPath` names the file.
   */
  kind: z.enum(['folder', 'studio-project']),
  /** The folder settings in effect: `.sel4-studio/settings.json`, else studio.json's settings, else defaults. */
  settings: FolderSettingsSchema,
  /** Why `.sel4-studio/settings.json` was not used (it is never overwritten while it does not parse). */
  settingsProblems: z.array(DiagnosticSchema).optional(),
  /** The system file opened first, relative to `dir` (its text is `systemXml`); null when the folder has none. */
  systemPath: z.string().nullable(),
  /** The hash of `systemXml` as read: `fs.write`'s `expectHash` for the first save. */
  systemHash: ContentHash.optional(),
  /**
   * Whether the user trusts this folder. Untrusted (restricted mode): view, edit, validate and draw; no build, no QEMU,
   * no tool run, and none of the folder's tool settings used, until `workspace.trust`.
   */
  trusted: z.boolean(),
});

export const CompositeSourceSchema = z.object({
  main: z.string(),
  text: z.string(),
  segments: z.array(z.object({ start: z.number().int(), end: z.number().int(), file: z.string(), fileStart: z.number().int(), verbatim: z.boolean() })),
  files: z.record(z.string(), z.string()),
});

export const WorkspaceFileSchema = z.object({
  path: z.string(),
  kind: z.enum(WORKSPACE_FILE_KINDS),
  /** A device tree that is an overlay (`/plugin/;`, `.dtbo`, `.dtso`): it changes a base tree and is not one itself. */
  overlay: z.literal(true).optional(),
});
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

export const RecentProjectSchema = z.object({ dir: z.string(), name: z.string(), openedAt: z.string() });

export const RunIdSchema = z.string().regex(/^run-\d+$/);
function QemuIdSchema() {
  return z.string().regex(/^qemu-\d+$/);
}
export const QemuStatusSchema = z.enum(['starting', 'running', 'paused', 'exited']);
function SerialIdSchema() {
  return z.string().regex(/^serial-\d+$/);
}

const BuildIdSchema = z.string().regex(/^build-\d+$/);
const BoardRunIdSchema = z.string().regex(/^board-\d+$/);
const RunStepIdSchema = z.enum(RUN_STEPS);
export const RunPlanSchema = z.object({
  target: z.string(),
  image: z.string(),
  steps: z.array(z.object({ id: RunStepIdSchema, label: z.string(), detail: z.string(), skip: z.boolean().optional(), argv: z.array(z.string()).optional() })),
  expect: z.string(),
  bootTimeoutMs: z.number(),
  firmwareNote: z.string(),
});
export const SdkInfoSchema = z.object({ path: z.string(), version: z.string(), boards: z.record(z.string(), z.array(z.string())), chosen: z.boolean() });
/**
 * A problem found in build output (shared/logs/buildProblems.ts), with what explains it: gcc's "In file included
 * from" chain (as gcc prints it: the including file first, the compiled source last) and the notes that follow it.
 * Every place is one the UI can open.
 */
export const BuildProblemSchema = DiagnosticSchema.extend({
  tool: z.string(),
  includedFrom: z.array(z.object({ file: z.string(), line: z.number().int().nonnegative() })).optional(),
  notes: z.array(DiagnosticSchema).optional(),
});
export type ReportedBuildProblem = z.infer<typeof BuildProblemSchema>;
const BuildStepIdSchema = z.enum(['configure', 'compile', 'export', 'microkit']);
export const BuildRecordSchema = z.object({
  buildId: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  result: z.enum(['ok', 'failed', 'cancelled']),
  failedStep: BuildStepIdSchema.optional(),
  problems: z.number().int(),
  steps: z.array(z.object({ id: BuildStepIdSchema, status: z.enum(['done', 'failed', 'skipped', 'cancelled', 'not run']), durationMs: z.number() })),
  config: z.string(),
  board: z.string(),
  /**
   * A repository build (its own Makefile): the image make wrote, found under its build folder (relative to the folder
   * when inside it, else absolute).
   */
  image: z.string().optional(),
});
export type BuildRecord = z.infer<typeof BuildRecordSchema>;

/** A repository's Makefile as seL4 Studio reads it (shared/build/makefile.ts): what the Build tab offers to set. */
export const MakefileInfoSchema = z.object({
  files: z.array(z.string()),
  variables: z.array(
    z.object({
      name: z.string(),
      default: z.string().optional(),
      required: z.boolean(),
      kind: z.enum(['sdk', 'board', 'config', 'path', 'tool', 'other']),
      conditional: z.boolean(),
      message: z.string().optional(),
      file: z.string(),
      line: z.number().int(),
      column: z.number().int(),
    }),
  ),
  targets: z.array(z.object({ name: z.string(), file: z.string(), line: z.number().int(), column: z.number().int() })),
  runTarget: z.string().optional(),
  buildsImage: z.boolean(),
  defaultBuildDir: z.string().optional(),
  problems: z.array(DiagnosticSchema),
});

export const methods = {
  'host.info': { params: Empty, result: HostInfoSchema },
  'doctor.check': { params: Empty, result: z.object({ tools: z.array(ToolStatusSchema) }) },
  /**
   * Every board pack: shipped ones, the user's own (boards/ in their config folder), and packs made from the found
   * SDK's board folders for boards no other pack names (`origin` on each). A user pack of a shipped board's name is the
   * one used; the shipped one is listed in `shadowed` (and a warning in `problems` says so).
   */
  'boards.list': {
    params: Empty,
    result: z.object({ boards: z.array(BoardPackSchema), problems: z.array(DiagnosticSchema), shadowed: z.array(BoardPackSchema).optional() }),
  },
  /**
   * Keep a board pack as the user's own (boards/<name>/board.json in their config folder, not the app's or the
   * folder's); validated again by the host. A pack of that name the user already has is replaced only with
   * `overwrite` (else `conflict`). `replaces`: it has a shipped board's name, so it is used instead of the shipped one.
   */
  'boards.save': {
    params: z.object({ pack: BoardPackSchema, overwrite: z.boolean().optional() }).strict(),
    result: z.object({ file: z.string(), replaces: z.literal('shipped').optional() }),
  },

  'project.create': {
    params: z
      .object({
        dir: AbsPath,
        name: z.string().min(1).max(200),
        board: BoardNameSchema.optional(),
        /** Start from resources/templates/<id> instead of one empty PD (the template's board unless `board` is given). */
        template: z.string().regex(/^[a-z0-9-]+$/).optional(),
      })
      .strict(),
    result: ProjectSnapshotSchema,
  },
  'templates.list': { params: Empty, result: z.object({ templates: z.array(TemplateInfoSchema) }) },
  'project.open': { params: z.object({ dir: AbsPath }).strict(), result: ProjectSnapshotSchema },
  'project.save': {
    params: z.object({ studio: StudioFileSchema, systemXml: z.string().max(64 * 1024 * 1024) }).strict(),
    result: z.object({ savedAt: z.string(), files: z.array(z.string()) }),
  },
  'project.saveAs': {
    params: z
      .object({ dir: AbsPath, studio: StudioFileSchema, systemXml: z.string().max(64 * 1024 * 1024) })
      .strict(),
    result: ProjectSnapshotSchema,
  },
  'project.autosave': {
    params: z.object({ studio: StudioFileSchema, systemXml: z.string().max(64 * 1024 * 1024) }).strict(),
    result: z.object({ savedAt: z.string() }),
  },
  'project.discardRecovery': { params: Empty, result: Empty },
  'project.close': { params: Empty, result: Empty },
  'project.recent': { params: Empty, result: z.object({ projects: z.array(RecentProjectSchema) }) },
  'project.pickDirectory': {
    params: z.object({ title: z.string().max(200), mode: z.enum(['open', 'create']) }).strict(),
    result: z.object({ dir: z.string().nullable() }),
  },

  'fs.readText': { params: z.object({ path: ProjectPath }).strict(), result: z.object({ text: z.string() }) },
  /** The project's source files (PD programs, build files, device trees), for opening in the editor. */
  'fs.sources': { params: Empty, result: z.object({ files: z.array(z.string()), truncated: z.boolean() }) },
  'fs.writeText': {
    params: z.object({ path: ProjectPath, text: z.string().max(64 * 1024 * 1024) }).strict(),
    result: Empty,
  },
  /** A file with the hash of its bytes, for a later `fs.write` to check against. */
  'fs.read': {
    params: z.object({ path: ProjectPath }).strict(),
    result: z.object({ text: z.string(), hash: ContentHash, mtimeMs: z.number() }),
  },
  /**
   * Write atomically, but only over the content that was read: `expectHash` must be the file's current hash (a
   * missing file has the hash of no bytes); without it the write only creates. Otherwise a `conflict` error.
   */
  'fs.write': {
    params: z.object({ path: ProjectPath, text: z.string().max(64 * 1024 * 1024), expectHash: ContentHash.optional() }).strict(),
    result: z.object({ hash: ContentHash }),
  },
  /**
   * Rename a file of the folder (a PD program's files follow the PD's rename): only while `from` has the content that
   * was read (`expectHash`), never over an existing `to`. Otherwise a `conflict` error.
   */
  'fs.rename': {
    params: z.object({ from: ProjectPath, to: ProjectPath, expectHash: ContentHash }).strict(),
    result: Empty,
  },
  /** Watch exactly these files (the open ones; replaces the previous set): `fs.changed` reports changes on disk. */
  'fs.watch': { params: z.object({ paths: z.array(ProjectPath).max(512) }).strict(), result: Empty },

  /** Every file of the open folder the Explorer lists, classified (shared/workspace/classify.ts). */
  /**
   * A system description as the tools read it: a cpp template preprocessed (with the Makefile's -D/-I unless given),
   * XIncludes resolved, or the file as it is; with where each part of the text comes from (shared/sdf/composite.ts)
   * and the hash of every file it is made of (their saves are hash-checked like any other).
   */
  'system.compose': {
    params: z
      .object({
        path: ProjectPath,
        cpp: z.object({ defines: z.record(z.string().regex(/^[A-Za-z_]\w*$/), z.string().max(4096)), includeDirs: z.array(ProjectPath).max(64) }).strict().optional(),
      })
      .strict(),
    result: z.object({
      kind: z.enum(['plain', 'template', 'xinclude']),
      composite: CompositeSourceSchema.optional(),
      hashes: z.record(z.string(), ContentHash),
      diagnostics: z.array(DiagnosticSchema),
      notes: z.array(z.string()),
      /** A template: the -D/-I it was preprocessed with (include folders relative to the folder). */
      cpp: z.object({ defines: z.record(z.string(), z.string()), includeDirs: z.array(z.string()) }).optional(),
    }),
  },
  /**
   * A device tree of the open folder, compiled for the passthrough wizard: a DTB as it is, a DTS through the system
   * cpp when it uses the preprocessor (the seL4 Studio subset when none is installed; `-nostdinc`, include folders
   * only inside the folder: the given ones, else the ones its includes need, found in the folder), then the engine's
   * dtc-identical compiler with labels kept (`__symbols__`, dtc -@). With the dt-bindings headers it included, for
   * names of clocks, resets, power domains and stream IDs. Errors carry file:line:column; a tree that reads a file
   * outside the folder is refused without quoting it. Reads only: allowed in restricted mode.
   */
  'dt.load': {
    /** `places`: also say where each node is written (the board wizard opens the tree at a fact's node). */
    params: z.object({ path: ProjectPath, includeDirs: z.array(ProjectPath).max(64).optional(), cpp: z.boolean().optional(), places: z.boolean().optional() }).strict(),
    result: z.object({
      format: z.enum(['dts', 'dtb']),
      /** Which preprocessor read it (`none`: a DTB, or a DTS without cpp directives). */
      by: z.enum(['system-cpp', 'subset', 'none']),
      /** The compiled tree, base64. */
      dtb: z.string(),
      /** The include folders used, relative to the folder (`.` is the folder itself). */
      includeDirs: z.array(z.string()),
      headers: z.array(z.object({ path: z.string(), text: z.string() })),
      /** How many files the tree was made of. */
      files: z.number().int().nonnegative(),
      notes: z.array(z.string()),
      /** How long the host took (preprocessing and compiling), in ms. */
      ms: z.number().nonnegative(),
      /** With `places`, for a DTS: node path -> the file (relative to the folder) and line where the node is written. */
      places: z.record(z.string(), z.object({ file: z.string(), line: z.number().int().positive() })).optional(),
    }),
  },
  /**
   * QEMU's own tree of its AArch64 `virt` machine, as the shipped qemu_virt_aarch64 recipe runs it: the host runs
   * `qemu-system-aarch64 -machine virt,virtualization=on,dumpdtb=<a file of its own> -cpu cortex-a53 -smp 4 -m 2G
   * -nographic` (the intent has no arguments) and answers with the DTB and the exact command.
   */
  'dt.qemuVirt': {
    params: Empty,
    result: z.object({ dtb: z.string(), command: z.array(z.string()), ms: z.number().nonnegative() }),
  },
  /**
   * Compile, in the background, device trees of the folder the wizard's user is likely to choose (the ones step 1
   * lists, when it opens; the one under the pointer): a later `dt.load` of one finds it compiled or being compiled
   * (and still checks that none of its files changed). DTS only, the most recently changed first, a few at most; a
   * later call replaces what an earlier one had not started. Answers at once with the trees queued, in order.
   */
  'dt.prefetch': {
    params: z.object({ paths: z.array(ProjectPath).max(5000) }).strict(),
    result: z.object({ queued: z.array(z.string()) }),
  },
  'workspace.files': { params: Empty, result: z.object({ files: z.array(WorkspaceFileSchema), truncated: z.boolean() }) },
  /**
   * Trust the open folder (or stop trusting it). In Electron the host asks the user in a native dialog first (the page
   * cannot answer it), so `trusted` may come back false; in browser mode this call is the user's action.
   */
  'workspace.trust': { params: z.object({ trusted: z.boolean() }).strict(), result: z.object({ trusted: z.boolean() }) },
  /** Write `.sel4-studio/settings.json`: only when the user changed a setting, never on open. */
  'workspace.saveSettings': { params: z.object({ settings: FolderSettingsSchema }).strict(), result: Empty },

  /**
   * Run a tool the doctor knows with its version argument (the doctor's own probe: `<tool> --version`), streamed as
   * `process.output` / `process.exit`. No method takes arguments for a tool: the host composes every command line.
   */
  'tool.version': {
    params: z.object({ tool: z.enum(TOOLS.map((t) => t.id) as [string, ...string[]]) }).strict(),
    result: z.object({ runId: RunIdSchema, command: z.array(z.string()) }),
  },
  'process.cancel': { params: z.object({ runId: RunIdSchema }).strict(), result: Empty },

  /** Build the open project: compile PD programs, write the .system, run the Microkit tool (shared/build/plan.ts). */
  'build.start': {
    params: z
      .object({
        /**
         * A Microkit SDK folder; default: the project's setting, then $MICROKIT_SDK, then ~/microkit-sdk-*. A folder
         * given here or in the settings is used only when the user chose it (`sdk.choose`, or found by the host).
         */
        sdk: SdkPathSchema.optional(),
        config: BuildConfigSchema.optional(),
        /** The board to build for; default: the project's. */
        board: BoardNameSchema.optional(),
        toolchain: ToolchainSchema.optional(),
        /** The system file to build, relative to the folder; default: the one the project opened with. */
        system: ProjectPath.optional(),
        /** The .system text to write (the editor's model); absent: the file on disk as it is. */
        systemXml: z.string().max(16 * 1024 * 1024).optional(),
      })
      .strict(),
    result: z.object({ buildId: BuildIdSchema, steps: z.array(z.object({ id: BuildStepIdSchema, label: z.string(), command: z.array(z.string()) })) }),
  },
  'build.cancel': { params: z.object({ buildId: BuildIdSchema }).strict(), result: Empty },
  /**
   * The open folder's Makefile (and the `.mk` files beside it that it includes), read, not run: the variables it takes,
   * its targets, whether it makes the image itself (`repo` builds). null: no Makefile, or a CMakeLists.txt beside it.
   */
  'build.makefile': { params: Empty, result: z.object({ makefile: MakefileInfoSchema.nullable(), kind: z.enum(['cmake', 'make', 'repo', 'none']) }) },
  /**
   * The Run step of a repository build: `make <target>` (the folder settings' `build.runTarget`, one of the Makefile's
   * targets) with the same settings and variables as the build, supervised, streamed as `process.output`/`process.exit`.
   */
  'build.runTarget': {
    params: z.object({ sdk: SdkPathSchema.optional(), board: BoardNameSchema.optional(), config: BuildConfigSchema.optional() }).strict(),
    result: z.object({ runId: RunIdSchema, command: z.array(z.string()) }),
  },
  'build.history': { params: Empty, result: z.object({ builds: z.array(BuildRecordSchema) }) },
  /**
   * What an SDK folder holds: its version and each board's configurations; `chosen` says whether a build may run its
   * bin/microkit (the user chose it, or the host found it as $MICROKIT_SDK or ~/microkit-sdk-*).
   */
  'sdk.inspect': {
    params: z.object({ path: SdkPathSchema.optional() }).strict(),
    result: z.object({ sdk: SdkInfoSchema.nullable(), hint: z.string().optional() }),
  },
  /**
   * The user chooses an SDK for builds, remembered in the user's config (never in the folder): without `path`, through
   * the host's folder dialog; with `path` (typed in the UI), after the host asks the user in a dialog of its own. A host
   * without dialogs (browser mode) refuses and says how to add it from a terminal. `sdk: null`: the user cancelled.
   */
  'sdk.choose': {
    params: z.object({ path: SdkPathSchema.optional() }).strict(),
    result: z.object({ sdk: SdkInfoSchema.nullable() }),
  },

  /**
   * Images the user picked for QEMU anywhere on their machine (kernels, initrds, disks, blobs), kept in the user's
   * config. A page names a file outside the project only by a path on this list.
   */
  'images.list': { params: Empty, result: z.object({ images: z.array(PickedImageSchema) }) },
  /**
   * The user picks an image in the host's own file dialog; it joins the list. A host without dialogs (browser mode)
   * refuses and says how to add it from a terminal (`sel4-studio image add PATH`). `image: null`: cancelled.
   */
  'images.pick': { params: Empty, result: z.object({ image: PickedImageSchema.nullable() }) },
  /** Forget a picked image (the file itself is left alone). */
  'images.remove': { params: z.object({ path: z.string().min(1).max(4096) }).strict(), result: Empty },

  'qemu.start': {
    params: z
      .object({
        board: z.string().min(1).max(64),
        /**
         * A Microkit loader.img (raw, loaded at the board's loader address), a plain ELF or a Linux Image: a path inside
         * the project, or an absolute path from the picked images (`images.list`). Files in `options` likewise.
         */
        image: ProjectPath.optional(),
        kernel: ProjectPath.optional(),
        /** Typed machine options; the host composes the arguments (no free QEMU arguments cross the contract). */
        options: QemuOptionsSchema.optional(),
      })
      .strict()
      .refine((p) => (p.image === undefined) !== (p.kernel === undefined), { message: 'give exactly one of image or kernel' }),
    /** `format`: what the booted file's first bytes say it is (the panel's hints when it stays silent). */
    result: z.object({ id: QemuIdSchema(), command: z.array(z.string()), format: z.enum(['elf', 'linux-image', 'raw']).optional() }),
  },
  'qemu.control': {
    params: z.object({ id: QemuIdSchema(), action: z.enum(['pause', 'resume', 'reset', 'stop']) }).strict(),
    result: z.object({ status: QemuStatusSchema }),
  },
  /**
   * A human-monitor command from the allow-list (shared/qemu/monitor.ts: inspection, run control, keys). Any other is
   * refused, except where the host can ask the user in a dialog of its own showing the exact command (Electron).
   */
  'qemu.monitor': { params: z.object({ id: QemuIdSchema(), command: z.string().min(1).max(1024) }).strict(), result: z.object({ text: z.string() }) },
  'qemu.input': { params: z.object({ id: QemuIdSchema(), data: z.string().max(65536) }).strict(), result: Empty },

  'serial.list': { params: Empty, result: z.object({ ports: z.array(z.object({ path: z.string(), name: z.string(), tcu: z.boolean().optional() })) }) },
  'serial.open': {
    params: z
      .object({
        /** A device path, tcp://host:port or rfc2217://host:port. */
        target: z.string().min(1).max(512),
        baudRate: z.number().int().positive().max(12_000_000),
        tcu: z.boolean().optional(),
        enter: z.enum(['cr', 'lf', 'crlf']).optional(),
        /** Data bits, parity, stop bits: `8N1`, `7E1`… (local ports; a network server sets its own). */
        framing: z.string().regex(/^[5-8][NEOneo][12]$/, 'framing is like 8N1 or 7E1').optional(),
        flowControl: z.enum(['none', 'rtscts', 'xonxoff']).optional(),
        /** Log every received byte to this file inside the project (rotated at 64 MiB, four old files kept). */
        log: ProjectPath.optional(),
      })
      .strict(),
    result: z.object({ id: SerialIdSchema() }),
  },
  /** Bytes as base64: serial data is not text. */
  'serial.send': { params: z.object({ id: SerialIdSchema(), data: z.string().max(1 << 20) }).strict(), result: Empty },
  'serial.break': { params: z.object({ id: SerialIdSchema() }).strict(), result: Empty },
  'serial.close': { params: z.object({ id: SerialIdSchema() }).strict(), result: Empty },

  /**
   * Run on board: the target is named, never described — the host reads it from the folder's settings file on disk
   * (a custom argv there runs only in a trusted folder) and answers with the plan it runs (every argv and URL shown).
   * Steps stream as `boardRun.step` / `boardRun.output`, the end as `boardRun.done`; a booted run keeps its console
   * (a serial session) until `boardRun.stop`.
   */
  'boardRun.start': {
    params: z
      .object({
        target: TargetNameSchema,
        build: z.boolean(),
        system: ProjectPath.optional(),
        /** For the build: what the page shows, as `build.start` takes it (an SDK only when the user chose it). */
        sdk: SdkPathSchema.optional(),
        config: BuildConfigSchema.optional(),
        board: BoardNameSchema.optional(),
        toolchain: ToolchainSchema.optional(),
      })
      .strict(),
    result: z.object({ runId: BoardRunIdSchema, plan: RunPlanSchema, log: z.string() }),
  },
  'boardRun.stop': { params: z.object({ runId: BoardRunIdSchema, powerOff: z.boolean() }).strict(), result: Empty },
  /** Keep a Home Assistant token in the user's config (0600; never the folder, never sent back). Empty: forget it. */
  'boardRun.setToken': { params: z.object({ baseUrl: HaBaseUrlSchema, token: z.string().max(4096).regex(/^[\x21-\x7e]*$/, 'a token is printable ASCII without spaces') }).strict(), result: Empty },
  'boardRun.tokenStored': { params: z.object({ baseUrl: HaBaseUrlSchema }).strict(), result: z.object({ stored: z.boolean() }) },
  /** This machine's IPv4 interfaces, for the PXE helper. */
  'pxe.interfaces': { params: Empty, result: z.object({ interfaces: z.array(z.object({ name: z.string(), address: z.string(), netmask: z.string() })) }) },
  /**
   * Start proxy-DHCP (dnsmasq) for a target's TFTP deploy folder on an interface of this machine, only when the user
   * asks: the host writes build/sel4-studio-pxe.conf and runs dnsmasq on it supervised (`process.output`/`process.exit`;
   * stop with `process.cancel`).
   */
  'pxe.start': {
    params: z.object({ target: TargetNameSchema, iface: z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/) }).strict(),
    result: z.object({ runId: RunIdSchema, command: z.array(z.string()), config: z.string() }),
  },
} as const;

export const events = {
  'process.output': z.object({ runId: RunIdSchema, stream: z.enum(['stdout', 'stderr']), data: z.string() }),
  'process.exit': z.object({
    runId: RunIdSchema,
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
    durationMs: z.number(),
    /** Set when the process could not be started at all (ENOENT, EACCES). */
    error: z.string().optional(),
  }),
  'qemu.output': z.object({ id: z.string(), data: z.string() }),
  'build.step': z.object({
    buildId: BuildIdSchema,
    step: BuildStepIdSchema,
    status: z.enum(['running', 'done', 'failed', 'skipped', 'cancelled']),
    durationMs: z.number().optional(),
    detail: z.string().optional(),
  }),
  'build.output': z.object({ buildId: BuildIdSchema, step: BuildStepIdSchema, data: z.string() }),
  'build.progress': z.object({ buildId: BuildIdSchema, step: BuildStepIdSchema, done: z.number(), total: z.number() }),
  'build.problem': z.object({ buildId: BuildIdSchema, step: BuildStepIdSchema, problem: BuildProblemSchema }),
  'build.done': z.object({ buildId: BuildIdSchema, record: BuildRecordSchema }),
  /** A watched file's content changed on disk (not its mtime alone, not our own write), or it was deleted. */
  'fs.changed': z.object({ path: z.string(), hash: ContentHash.optional(), deleted: z.boolean().optional() }),
  /** Bytes as base64. */
  'serial.data': z.object({ id: z.string(), data: z.string() }),
  'serial.status': z.object({ id: z.string(), status: z.enum(['connecting', 'open', 'disconnected', 'closed']), detail: z.string().optional() }),
  'boardRun.step': z.object({
    runId: BoardRunIdSchema,
    step: RunStepIdSchema,
    status: z.enum(['running', 'done', 'failed', 'skipped', 'cancelled']),
    detail: z.string().optional(),
    /** The console's serial session (its bytes arrive as `serial.data`), once the console step is done. */
    consoleId: z.string().optional(),
  }),
  'boardRun.output': z.object({ runId: BoardRunIdSchema, step: RunStepIdSchema, data: z.string() }),
  'boardRun.done': z.object({ runId: BoardRunIdSchema, result: z.enum(['booted', 'failed', 'cancelled']), failedStep: RunStepIdSchema.optional(), error: z.string().optional(), log: z.string() }),
  'qemu.status': z.object({
    id: z.string(),
    status: QemuStatusSchema,
    code: z.number().int().nullable().optional(),
    signal: z.string().nullable().optional(),
    stderr: z.string().optional(),
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

export type HostInfo = z.infer<typeof HostInfoSchema>;
export type ToolStatus = z.infer<typeof ToolStatusSchema>;
export type ProjectSnapshot = z.infer<typeof ProjectSnapshotSchema>;
export type RecentProject = z.infer<typeof RecentProjectSchema>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

export { DiagnosticSchema };
