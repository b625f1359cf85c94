import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BoardPackSchema, type BoardPack } from '../../shared/model/board';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { lineColAt } from '../../shared/api/diagnostics';
import { StudioError } from '../../shared/api/errors';
import { boardPackFromSdk, sdkConfigToRead } from '../../shared/board/sdkBoards';
import type { SdkInfo } from '../../shared/build/plan';
import { writeFileAtomic } from './atomicWrite';
import { readSmallFile } from './sdk';

export { defaultBoardsDir } from './paths';

/** Every `boards/<name>/board.json`, validated; a broken pack is reported with its place and left out. */
export async function loadBoards(dir: string): Promise<{ boards: BoardPack[]; problems: Diagnostic[] }> {
  const boards: BoardPack[] = [];
  const problems: Diagnostic[] = [];
  let entries: string[] = [];
  try {
    entries = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    problems.push({ severity: 'error', file: dir, message: `board packs not found in ${dir}` });
  }
  for (const name of entries) {
    const file = path.join(dir, name, 'board.json');
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      problems.push({ severity: 'error', file, line: 1, column: 1, message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const r = BoardPackSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const key = issue.path[issue.path.length - 1];
        const at = typeof key === 'string' ? lineColAt(text, Math.max(0, text.indexOf(`"${key}"`))) : { line: 1, column: 1 };
        problems.push({ severity: 'error', file, ...at, message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
      }
      continue;
    }
    if (r.data.name !== name) {
      problems.push({ severity: 'error', file, line: 1, column: 1, message: `board name "${r.data.name}" does not match its folder "${name}"` });
      continue;
    }
    // Where it came from is the host's to say, never the file's.
    const { origin: _claimed, ...pack } = r.data;
    boards.push(pack);
  }
  return { boards, problems };
}

/** The user's own board packs: `boards/` in their config folder (beside trust.json), never the app's or a project's. */
export const USER_BOARDS_DIR = 'boards';

/** A pack file larger than this is no board's. */
const SDK_FILE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Packs for the boards of an SDK no other pack names, from its `board/<name>/<config>/` files (shared/board/sdkBoards.ts);
 * what cannot be read is a problem at its file.
 */
export async function sdkBoardPacks(sdk: SdkInfo, known: ReadonlySet<string>): Promise<{ boards: BoardPack[]; problems: Diagnostic[] }> {
  const boards: BoardPack[] = [];
  const problems: Diagnostic[] = [];
  for (const [board, configs] of Object.entries(sdk.boards)) {
    if (known.has(board) || !/^[a-z0-9_]+$/.test(board)) continue;
    const config = sdkConfigToRead(configs);
    if (!config) continue;
    const dir = path.join(sdk.path, 'board', board, config);
    const read = (rel: string) => readSmallFile(path.join(dir, rel), SDK_FILE_MAX_BYTES).catch(() => undefined);
    const smpConfig = configs.find((c) => c.startsWith('smp-'));
    const [genConfig, platformGen, smpGenConfig] = await Promise.all([
      read('include/kernel/gen_config.json'),
      read('platform_gen.json'),
      smpConfig ? readSmallFile(path.join(sdk.path, 'board', board, smpConfig, 'include/kernel/gen_config.json'), SDK_FILE_MAX_BYTES).catch(() => undefined) : undefined,
    ]);
    const files = {
      board,
      config,
      ...(genConfig !== undefined ? { genConfig } : {}),
      ...(platformGen !== undefined ? { platformGen } : {}),
      ...(smpConfig && smpGenConfig !== undefined ? { smp: { config: smpConfig, genConfig: smpGenConfig } } : {}),
    };
    const r = boardPackFromSdk(files, { sdkPath: sdk.path, version: sdk.version, configs });
    for (const p of r.problems) {
      const at = /\(line (\d+), column (\d+)\)/.exec(p.message);
      problems.push({ severity: 'warning', file: path.join(sdk.path, p.file), line: at ? Number(at[1]) : 1, column: at ? Number(at[2]) : 1, message: `SDK board ${board}: ${p.message}` });
    }
    if (r.pack) boards.push({ ...r.pack, origin: { kind: 'sdk', file: dir } });
  }
  return { boards, problems };
}

/**
 * Every pack `boards.list` offers: the shipped ones, the user's (a user pack of a shipped board's name wins, said in
 * `problems` as a warning and `shadowed` keeps the shipped one), then the SDK's boards that neither names.
 */
export async function loadAllBoards(shippedDir: string, userDir: string | undefined, sdk?: SdkInfo): Promise<{ boards: BoardPack[]; problems: Diagnostic[]; shadowed: BoardPack[] }> {
  const shipped = await loadBoards(shippedDir);
  const boards: BoardPack[] = shipped.boards.map((b) => ({ ...b, origin: { kind: 'shipped' as const } }));
  const problems = [...shipped.problems];
  const shadowed: BoardPack[] = [];
  if (userDir && (await fs.stat(userDir).then((st) => st.isDirectory(), () => false))) {
    const user = await loadBoards(userDir);
    problems.push(...user.problems);
    for (const b of user.boards) {
      const file = path.join(userDir, b.name, 'board.json');
      const i = boards.findIndex((x) => x.name === b.name);
      if (i >= 0) {
        shadowed.push(boards[i]!);
        boards[i] = { ...b, origin: { kind: 'user', file, replaces: 'shipped' } };
        problems.push({ severity: 'warning', file, line: 1, column: 1, message: `your board pack ${b.name} is used instead of the shipped one of the same name (remove ${file} to use the shipped pack again)` });
      } else boards.push({ ...b, origin: { kind: 'user', file } });
    }
  }
  if (sdk) {
    const fromSdk = await sdkBoardPacks(sdk, new Set(boards.map((b) => b.name)));
    boards.push(...fromSdk.boards);
    problems.push(...fromSdk.problems);
  }
  return { boards, problems, shadowed };
}

/**
 * Keep a pack as the user's own (USER_BOARDS_DIR/<name>/board.json), validated again; another pack of that name of
 * theirs is replaced only with `overwrite`.
 */
export async function saveUserBoard(userDir: string, pack: BoardPack, shippedNames: ReadonlySet<string>, overwrite = false): Promise<{ file: string; replaces?: 'shipped' }> {
  const r = BoardPackSchema.safeParse(pack);
  if (!r.success) throw new StudioError('invalid-params', `the board pack is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(pack)'}: ${i.message}`).join('; ')}`);
  const { origin: _origin, ...clean } = r.data;
  const file = path.join(userDir, clean.name, 'board.json');
  const text = `${JSON.stringify(clean, null, 2)}\n`;
  const there = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (there !== undefined && there !== text && !overwrite) throw new StudioError('conflict', `you already have a board pack ${clean.name} (${file}): replace it, or choose another name`);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, text);
  return { file, ...(shippedNames.has(clean.name) ? { replaces: 'shipped' as const } : {}) };
}
