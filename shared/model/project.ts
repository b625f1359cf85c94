import { z } from 'zod';
import { lineColAt, type Diagnostic } from '../api/diagnostics';
import { jsonErrorOffset } from './jsonError';
import { BOARD_NAME, BUILD_CONFIGS, TOOLCHAINS } from '../build/plan';

/**
 * `studio.json`: what a project is besides its `.system` file (board, Microkit version, layout, build settings).
 * The system itself lives only in the `.system` file; nothing here repeats it.
 */
export const STUDIO_SCHEMA_VERSION = 2;
export const STUDIO_FILE = 'studio.json';
export const RECOVERY_FILE = '.studio-recovery.json';

export const MICROKIT_VERSIONS = ['2.0', '2.1', '2.2', '2.3'] as const;

/** A node's place; `pinned` when the user put it there by hand (a drag): the automatic layout keeps it. */
const PositionSchema = z.object({ x: z.number(), y: z.number(), pinned: z.boolean().optional() });

/**
 * The build settings as stored (studio.json, .sel4-studio/settings.json) and as the contract takes them: the same
 * strict schemas, so a value a folder's file carries is checked as strictly as one the UI sends.
 */
export const BoardNameSchema = z.string().regex(BOARD_NAME, 'a board name is lower-case letters, digits and _ (at most 64)');
export const BuildConfigSchema = z.enum(BUILD_CONFIGS);
export const ToolchainSchema = z.enum(TOOLCHAINS);
/** An SDK folder (absolute); used for a build only once the user chose it (electron/services/sdk.ts). */
export const SdkPathSchema = z.string().min(1).max(4096);

export const StudioFileSchema = z.object({
  schemaVersion: z.literal(STUDIO_SCHEMA_VERSION),
  name: z.string().min(1).max(200),
  board: BoardNameSchema,
  microkitVersion: z.enum(MICROKIT_VERSIONS),
  systemFile: z
    .string()
    .regex(/^[^/\\]+\.system$/, 'systemFile must be a plain file name ending in .system'),
  /** Node positions; `collapsed`: the groups (shared/model/groups.ts) drawn as one node, by id. */
  layout: z.object({ nodes: z.record(z.string(), PositionSchema), collapsed: z.array(z.string().max(400)).max(1000).optional() }),
  build: z.object({
    config: BuildConfigSchema,
    toolchain: ToolchainSchema.optional(),
    sdkPath: SdkPathSchema.optional(),
  }),
});
export type StudioFile = z.infer<typeof StudioFileSchema>;
export type NodePosition = z.infer<typeof PositionSchema>;

export function defaultStudioFile(name: string, board = 'qemu_virt_aarch64'): StudioFile {
  return {
    schemaVersion: STUDIO_SCHEMA_VERSION,
    name,
    board,
    microkitVersion: '2.3',
    systemFile: `${systemFileStem(name)}.system`,
    layout: { nodes: {} },
    build: { config: 'debug' },
  };
}

/** A file-name-safe stem from a project name ("My Orin VM" -> "my_orin_vm"). */
export function systemFileStem(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return stem || 'system';
}

/**
 * Migrations, one per schema step. Version 1 (the first preview) kept node positions in a flat
 * `positions` map and had no build settings.
 */
type Migration = (doc: Record<string, unknown>) => { doc: Record<string, unknown>; changes: string[] };
const MIGRATIONS: Record<number, Migration> = {
  1: (doc) => {
    const { positions, ...rest } = doc;
    return {
      doc: {
        ...rest,
        schemaVersion: 2,
        layout: { nodes: positions ?? {} },
        build: { config: 'debug' },
      },
      changes: ['moved "positions" to "layout.nodes"', 'added "build" settings (config: debug)'],
    };
  },
};

export interface ParsedStudioFile {
  studio?: StudioFile;
  migrated: string[];
  diagnostics: Diagnostic[];
}

/** Parse `studio.json` text: JSON errors and schema errors come back with their places, never thrown. */
export function parseStudioFile(text: string, file = STUDIO_FILE): ParsedStudioFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { migrated: [], diagnostics: [jsonSyntaxDiagnostic(text, err, file)] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { migrated: [], diagnostics: [{ severity: 'error', file, line: 1, column: 1, message: 'studio.json must hold a JSON object' }] };
  }
  let doc = raw as Record<string, unknown>;
  const version = doc.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { migrated: [], diagnostics: [placed(text, file, ['schemaVersion'], 'studio.json has no valid "schemaVersion"')] };
  }
  if (version > STUDIO_SCHEMA_VERSION) {
    return {
      migrated: [],
      diagnostics: [
        placed(
          text,
          file,
          ['schemaVersion'],
          `This project was saved by a newer seL4 Studio (project schema ${version}; this version reads up to ${STUDIO_SCHEMA_VERSION}). Update seL4 Studio to open it; the file was left untouched.`,
        ),
      ],
    };
  }
  const migrated: string[] = [];
  for (let v = version; v < STUDIO_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from project schema ${v}`);
    const out = step(doc);
    doc = out.doc;
    migrated.push(...out.changes.map((c) => `schema ${v} -> ${v + 1}: ${c}`));
  }
  const result = StudioFileSchema.safeParse(doc);
  if (!result.success) {
    return {
      migrated,
      diagnostics: result.error.issues.map((issue) =>
        placed(text, file, issue.path.map(String), `${issue.path.join('.') || '(root)'}: ${issue.message}`),
      ),
    };
  }
  return { studio: result.data, migrated, diagnostics: [] };
}

export function serializeStudioFile(studio: StudioFile): string {
  return `${JSON.stringify(StudioFileSchema.parse(studio), null, 2)}\n`;
}

/** A JSON syntax error at its place; `label` names the file kind in the message (folder settings share this). */
export function jsonSyntaxDiagnostic(text: string, err: unknown, file: string, label = STUDIO_FILE): Diagnostic {
  const detail = err instanceof Error ? err.message : String(err);
  const offset = jsonErrorOffset(text);
  const { line, column } = lineColAt(text, offset < 0 ? text.length : offset);
  const found = offset >= 0 && offset < text.length ? `unexpected ${JSON.stringify(text[offset])}` : 'unexpected end of file';
  return { severity: 'error', file, line, column, message: `${label} is not valid JSON: ${found} (${detail.split('\n')[0]})` };
}

/** Best-effort place of a JSON key path: the line of the last key named in the path. */
export function placed(text: string, file: string, path: string[], message: string): Diagnostic {
  let offset = 0;
  for (const key of path) {
    if (/^\d+$/.test(key)) continue;
    const i = text.indexOf(`"${key}"`, offset);
    if (i >= 0) offset = i;
  }
  const { line, column } = lineColAt(text, offset);
  return { severity: 'error', file, line, column, message };
}
