import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SdkInfo } from '../../shared/build/plan';
import { writeFileAtomic } from './atomicWrite';

/** VERSION is one short line ("2.0.1"); more than this is not an SDK's. */
const VERSION_MAX_BYTES = 256;
const NOT_AN_SDK = 'it needs a VERSION file, an executable bin/microkit and board/<board>/<config>/ folders';

/**
 * Read a small regular file without ever blocking on it: refused unless it is a regular file (not a link, FIFO,
 * socket or device: a FIFO named VERSION once wedged the host), opened non-blocking and without following links, and
 * read up to `max` bytes.
 */
export async function readSmallFile(file: string, max: number): Promise<string> {
  const st = await fs.lstat(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) throw new Error(`${file} is not a regular file`);
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * A Microkit SDK folder: `VERSION` (a regular file), `bin/microkit` (a regular executable file) and
 * `board/<board>/<config>/` folders for what it can build (recorded/microkit/sdk-2.0.1-layout.txt). The path comes back
 * with links resolved (what a build runs is that folder's bin/microkit). Undefined when the folder is not one.
 */
export async function inspectSdk(dir: string): Promise<SdkInfo | undefined> {
  try {
    const real = await fs.realpath(path.resolve(dir));
    if (!(await fs.lstat(real)).isDirectory()) return undefined;
    const version = (await readSmallFile(path.join(real, 'VERSION'), VERSION_MAX_BYTES)).trim();
    if (!/^[\w.+-]{1,64}$/.test(version)) return undefined;
    const tool = path.join(real, 'bin', 'microkit');
    const st = await fs.lstat(tool);
    if (!st.isFile() || (st.mode & 0o111) === 0) return undefined;
    await fs.access(tool, constants.X_OK);
    const boardRoot = path.join(real, 'board');
    if (!(await fs.lstat(boardRoot)).isDirectory()) return undefined;
    const boards: Record<string, string[]> = {};
    for (const b of (await fs.readdir(boardRoot, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      const configs = (await fs.readdir(path.join(boardRoot, b), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      if (configs.length) boards[b] = configs;
    }
    if (Object.keys(boards).length === 0) return undefined;
    return { path: real, version, boards };
  } catch {
    return undefined;
  }
}

/** The folders the host looks in by itself, in its order: `$MICROKIT_SDK`, then `~/microkit-sdk-*`, newest first. */
async function sdkCandidates(env: NodeJS.ProcessEnv, home: string): Promise<string[]> {
  const candidates: string[] = [];
  if (env.MICROKIT_SDK) candidates.push(env.MICROKIT_SDK);
  try {
    candidates.push(...(await fs.readdir(home)).filter((e) => e.startsWith('microkit-sdk-')).sort().reverse().map((e) => path.join(home, e)));
  } catch {
    // no home directory
  }
  return candidates;
}

/** The SDK given, else `$MICROKIT_SDK`, else the newest `~/microkit-sdk-*`; or a hint saying what to do. */
export async function findSdk(given: string | undefined, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Promise<{ sdk?: SdkInfo; hint?: string }> {
  if (given) {
    const sdk = await inspectSdk(given);
    return sdk ? { sdk } : { hint: `${given} is not a Microkit SDK (${NOT_AN_SDK})` };
  }
  for (const dir of await sdkCandidates(env, home)) {
    const sdk = await inspectSdk(dir);
    if (sdk) return { sdk };
  }
  return {
    hint: env.MICROKIT_SDK
      ? `MICROKIT_SDK=${env.MICROKIT_SDK} is not a Microkit SDK (${NOT_AN_SDK})`
      : 'no Microkit SDK: download a release, unpack it as ~/microkit-sdk-<version>, set MICROKIT_SDK, or give its folder in the build settings',
  };
}

/** The user's own list of SDKs, in their config folder (never in a project): `sdks.json`. */
const CHOICES_FILE = 'sdks.json';
const CHOICES_MAX_BYTES = 256 * 1024;

/**
 * The Microkit SDKs the user chose. A build runs an SDK's bin/microkit only when the SDK is one of these or one the host
 * found by itself ($MICROKIT_SDK, ~/microkit-sdk-*): an SDK path in a folder's settings, or one a page sends, is not
 * enough. Paths are kept with links resolved.
 */
export class SdkChoices {
  constructor(
    private readonly configDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly home = os.homedir(),
  ) {}

  /** The chosen SDK folders (a list file that does not parse counts as none). */
  async list(): Promise<string[]> {
    try {
      const parsed = JSON.parse(await readSmallFile(path.join(this.configDir, CHOICES_FILE), CHOICES_MAX_BYTES)) as { chosen?: unknown };
      return Array.isArray(parsed.chosen) ? parsed.chosen.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)) : [];
    } catch {
      return [];
    }
  }

  /** Remember an SDK the user chose (it must be one); returns what it holds. */
  async add(dir: string): Promise<SdkInfo> {
    const sdk = await inspectSdk(dir);
    if (!sdk) throw new Error(`${dir} is not a Microkit SDK (${NOT_AN_SDK})`);
    const chosen = await this.list();
    if (!chosen.includes(sdk.path)) {
      await fs.mkdir(this.configDir, { recursive: true });
      await writeFileAtomic(path.join(this.configDir, CHOICES_FILE), `${JSON.stringify({ chosen: [...chosen, sdk.path] }, null, 2)}\n`);
    }
    return sdk;
  }

  /** Whether a build may run this SDK (given with links resolved, as inspectSdk returns it). */
  async allows(realPath: string): Promise<boolean> {
    if ((await this.list()).includes(realPath)) return true;
    for (const dir of await sdkCandidates(this.env, this.home)) {
      const found = await fs.realpath(dir).catch(() => undefined);
      if (found === realPath) return true;
    }
    return false;
  }
}
