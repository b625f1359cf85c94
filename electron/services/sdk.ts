import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SdkInfo } from '../../shared/build/plan';

/**
 * A Microkit SDK folder: `VERSION`, an executable `bin/microkit`, and `board/<board>/<config>/` for what it can build
 * (recorded/microkit/sdk-2.0.1-layout.txt). Undefined when the folder is not one.
 */
export async function inspectSdk(dir: string): Promise<SdkInfo | undefined> {
  try {
    const version = (await fs.readFile(path.join(dir, 'VERSION'), 'utf8')).trim();
    await fs.access(path.join(dir, 'bin', 'microkit'), constants.X_OK);
    const boards: Record<string, string[]> = {};
    for (const b of (await fs.readdir(path.join(dir, 'board'))).sort()) {
      const configs = (await fs.readdir(path.join(dir, 'board', b), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      if (configs.length) boards[b] = configs;
    }
    return { path: path.resolve(dir), version, boards };
  } catch {
    return undefined;
  }
}

/** The SDK given, else `$MICROKIT_SDK`, else the newest `~/microkit-sdk-*`; or a hint saying what to do. */
export async function findSdk(given: string | undefined, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Promise<{ sdk?: SdkInfo; hint?: string }> {
  if (given) {
    const sdk = await inspectSdk(given);
    return sdk ? { sdk } : { hint: `${given} is not a Microkit SDK (it needs VERSION, an executable bin/microkit and board/)` };
  }
  const candidates: string[] = [];
  if (env.MICROKIT_SDK) candidates.push(env.MICROKIT_SDK);
  try {
    candidates.push(...(await fs.readdir(home)).filter((e) => e.startsWith('microkit-sdk-')).sort().reverse().map((e) => path.join(home, e)));
  } catch {
    // no home directory
  }
  for (const dir of candidates) {
    const sdk = await inspectSdk(dir);
    if (sdk) return { sdk };
  }
  return {
    hint: env.MICROKIT_SDK
      ? `MICROKIT_SDK=${env.MICROKIT_SDK} is not a Microkit SDK (it needs VERSION, an executable bin/microkit and board/)`
      : 'no Microkit SDK: download a release, unpack it as ~/microkit-sdk-<version>, set MICROKIT_SDK, or give its folder in the build settings',
  };
}
