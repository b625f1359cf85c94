import { z } from 'zod';
import type { Diagnostic } from '../api/diagnostics';
import { BoardTargetsSchema } from '../boardrun/target';
import { BoardNameSchema, BuildConfigSchema, jsonSyntaxDiagnostic, MICROKIT_VERSIONS, placed, SdkPathSchema, ToolchainSchema, STUDIO_SCHEMA_VERSION, systemFileStem, type StudioFile } from './project';

/**
 * The IDE's settings for an opened folder (a git checkout): board, SDK, build variables and node positions per system
 * file. They live in one small file the user can keep out of git, written only when the user changes a setting; the
 * folder's own files (`.system`, sources, Makefiles) never carry IDE state.
 */
export const FOLDER_SETTINGS_VERSION = 1;
export const SETTINGS_DIR = '.sel4-studio';
export const SETTINGS_FILE = `${SETTINGS_DIR}/settings.json`;

const PositionSchema = z.object({ x: z.number(), y: z.number() });
const LayoutSchema = z.object({ nodes: z.record(z.string(), PositionSchema), collapsed: z.array(z.string().max(400)).max(1000).optional() });

export const FolderSettingsSchema = z.object({
  schemaVersion: z.literal(FOLDER_SETTINGS_VERSION),
  board: BoardNameSchema.optional(),
  microkitVersion: z.enum(MICROKIT_VERSIONS).optional(),
  build: z.object({
    config: BuildConfigSchema.optional(),
    toolchain: ToolchainSchema.optional(),
    sdkPath: SdkPathSchema.optional(),
    /** Passed to the folder's own build: `make NAME=value`, `cmake -DNAME=value`. */
    variables: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a build variable name is a make/cmake identifier').max(128),
      z.string().max(4096).regex(/^[^\n\r\0]*$/, 'a build variable value is one line (no line break or NUL)'),
    ),
    /** A repository build's Run step: `make <runTarget>` (a target of its Makefile, e.g. `qemu`) instead of the board recipe. */
    runTarget: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'a make target name').optional(),
  }),
  /** The system file opened last (relative to the folder); the next open starts there. */
  lastOpenFile: z.string().min(1).max(1024).optional(),
  /** Node positions per system file, keyed by its path relative to the folder. */
  layouts: z.record(z.string(), LayoutSchema),
  /**
   * Boards to run on (shared/boardrun/target.ts): deploy, power, console and firmware, by target name. Never a secret:
   * a power token is kept in the user's config. A custom argv here runs only in a trusted folder.
   */
  boardTargets: BoardTargetsSchema.optional(),
  /** The port guide's ticks (shared/board/portGuide.ts), per board: the ids of the items done. */
  portGuides: z
    .record(
      BoardNameSchema,
      z
        .object({
          ticked: z.array(z.string().regex(/^[a-z0-9-]{1,64}$/, 'a port guide item id')).max(64),
          /** The device tree the guide was made from (relative to the folder): reopening the guide reads it again. */
          tree: z.string().min(1).max(1024).optional(),
        })
        .strict(),
    )
    .optional(),
  /**
   * The device tree the passthrough wizard read last, per system file (keyed by its path relative to the folder): the
   * wizard offers it first and loads it when it opens again. Absent: the board pack's devices.
   */
  passthroughTrees: z
    .record(
      z.string().min(1).max(1024),
      z
        .object({
          tree: z.string().min(1).max(1024),
          /** The include folders the user named (absent: found in the folder, as when none are named). */
          includeDirs: z.array(z.string().min(1).max(1024)).max(64).optional(),
        })
        .strict(),
    )
    .optional(),
});
export type FolderSettings = z.infer<typeof FolderSettingsSchema>;

export function defaultFolderSettings(): FolderSettings {
  return { schemaVersion: FOLDER_SETTINGS_VERSION, build: { variables: {} }, layouts: {} };
}

export interface ParsedFolderSettings {
  settings?: FolderSettings;
  diagnostics: Diagnostic[];
}

/** Parse `.sel4-studio/settings.json`: problems come back with their places, never thrown. */
export function parseFolderSettings(text: string, file = SETTINGS_FILE): ParsedFolderSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { diagnostics: [jsonSyntaxDiagnostic(text, err, file, SETTINGS_FILE)] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { diagnostics: [{ severity: 'error', file, line: 1, column: 1, message: `${SETTINGS_FILE} must hold a JSON object` }] };
  }
  const version = (raw as Record<string, unknown>).schemaVersion;
  if (typeof version === 'number' && version > FOLDER_SETTINGS_VERSION) {
    const message = `${SETTINGS_FILE} was written by a newer seL4 Studio (settings schema ${version}; this version reads up to ${FOLDER_SETTINGS_VERSION}); defaults are used and the file is left untouched`;
    return { diagnostics: [placed(text, file, ['schemaVersion'], message)] };
  }
  const result = FolderSettingsSchema.safeParse(raw);
  if (!result.success) {
    return { diagnostics: result.error.issues.map((i) => placed(text, file, i.path.map(String), `${i.path.join('.') || '(root)'}: ${i.message}`)) };
  }
  return { settings: result.data, diagnostics: [] };
}

export function serializeFolderSettings(settings: FolderSettings): string {
  return `${JSON.stringify(FolderSettingsSchema.parse(settings), null, 2)}\n`;
}

/** The settings view of a `studio.json` project (its migration into the folder shape; studio.json is not rewritten). */
export function settingsFromStudio(studio: StudioFile): FolderSettings {
  const build: FolderSettings['build'] = { config: studio.build.config, variables: {} };
  if (studio.build.toolchain !== undefined) build.toolchain = studio.build.toolchain;
  if (studio.build.sdkPath !== undefined) build.sdkPath = studio.build.sdkPath;
  return {
    schemaVersion: FOLDER_SETTINGS_VERSION,
    board: studio.board,
    microkitVersion: studio.microkitVersion,
    build,
    lastOpenFile: studio.systemFile,
    layouts: { [studio.systemFile]: studio.layout },
  };
}

/**
 * A `studio.json`-shaped view of a folder's settings, for the parts of the UI that still read `snapshot.studio`.
 * Its `systemFile` is only a display name (studio.json allows no folders in it); `snapshot.systemPath` is the file.
 */
export function studioViewOfSettings(settings: FolderSettings, name: string, systemPath: string | undefined): StudioFile {
  const base = systemPath?.split('/').pop() ?? '';
  const systemFile = /^[^/\\]+\.system$/.test(base) ? base : `${systemFileStem(base.replace(/\.system.*$/, '')) || 'system'}.system`;
  const build: StudioFile['build'] = { config: settings.build.config ?? 'debug' };
  if (settings.build.toolchain !== undefined) build.toolchain = settings.build.toolchain;
  if (settings.build.sdkPath !== undefined) build.sdkPath = settings.build.sdkPath;
  return {
    schemaVersion: STUDIO_SCHEMA_VERSION,
    name: name.slice(0, 200) || 'folder',
    board: settings.board ?? 'qemu_virt_aarch64',
    microkitVersion: settings.microkitVersion ?? '2.3',
    systemFile,
    layout: (systemPath !== undefined ? settings.layouts[systemPath] : undefined) ?? { nodes: {} },
    build,
  };
}

/** The settings after a save of `studio` (the legacy shape) for the system file at `systemPath`. */
export function settingsWithStudio(settings: FolderSettings, studio: StudioFile, systemPath: string): FolderSettings {
  const build: FolderSettings['build'] = { ...settings.build, config: studio.build.config };
  if (studio.build.toolchain !== undefined) build.toolchain = studio.build.toolchain;
  else delete build.toolchain;
  if (studio.build.sdkPath !== undefined) build.sdkPath = studio.build.sdkPath;
  else delete build.sdkPath;
  return {
    ...settings,
    board: studio.board,
    microkitVersion: studio.microkitVersion,
    build,
    lastOpenFile: systemPath,
    layouts: { ...settings.layouts, [systemPath]: studio.layout },
  };
}

/** Whether a save of `studio` changes anything the folder settings hold (a save that does not, writes no settings). */
export function studioSettingsChanged(view: StudioFile, studio: StudioFile): boolean {
  const pick = (s: StudioFile) => stableJson({ board: s.board, microkitVersion: s.microkitVersion, build: s.build, layout: s.layout });
  return pick(view) !== pick(studio);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A studio.json project's settings once `.sel4-studio/settings.json` exists beside it: the settings file is newer (it
 * starts as the migrated studio.json and takes the user's later changes), so its values win; studio.json fills gaps.
 */
export function studioWithSettings(studio: StudioFile, settings: FolderSettings): StudioFile {
  const build: StudioFile['build'] = { ...studio.build, config: settings.build.config ?? studio.build.config };
  if (settings.build.toolchain !== undefined) build.toolchain = settings.build.toolchain;
  if (settings.build.sdkPath !== undefined) build.sdkPath = settings.build.sdkPath;
  return {
    ...studio,
    board: settings.board ?? studio.board,
    microkitVersion: settings.microkitVersion ?? studio.microkitVersion,
    build,
    layout: settings.layouts[studio.systemFile] ?? studio.layout,
  };
}
