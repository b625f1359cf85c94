import { stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { configDir } from '../services/startArgs';
import { checkProjectRoot, TRUST_FILE, TrustStore } from '../services/trust';
import { Args, UsageError } from './args';
import { runCommand } from './runCommand';
import type { Io } from './sdfCommands';

/** The user's trust file, shared by the CLI, the browser host and Electron. */
export function userTrustStore(env: NodeJS.ProcessEnv = process.env): TrustStore {
  return new TrustStore(path.join(configDir(env), TRUST_FILE));
}

/**
 * `sel4-studio trust DIR` / `sel4-studio trust --untrust DIR` / `sel4-studio trust --list`: the workspace trust the IDE
 * asks for before it builds or runs a folder's code, decided from a terminal (the only way besides the page in browser
 * mode, where the page's own request is the user's action).
 */
async function trust(argv: string[], io: Io): Promise<number> {
  let dir: string | undefined;
  let untrust = false;
  let list = false;
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    if (a === '--untrust') untrust = true;
    else if (a === '--list') list = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (dir === undefined) dir = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  const store = userTrustStore();
  if (list) {
    if (dir !== undefined || untrust) throw new UsageError('--list takes no folder');
    for (const f of await store.list()) io.out(`${f.dir}\t(trusted ${f.trustedAt})\n`);
    return 0;
  }
  if (dir === undefined) throw new UsageError('usage: sel4-studio trust DIR [--untrust] | sel4-studio trust --list');
  if (untrust) {
    io.out(`${await store.set(dir, false)} is no longer trusted: it opens in restricted mode (no build, no run)\n`);
    return 0;
  }
  if (!(await stat(dir).then((st) => st.isDirectory(), () => false))) throw new StudioError('not-found', `${path.resolve(dir)} is not a folder`);
  await checkProjectRoot(dir, configDir());
  io.out(`${await store.set(dir, true)} is trusted: seL4 Studio may build it (running its Makefile or CMakeLists.txt) and run its images\n`);
  return 0;
}

export function runTrustCommand(argv: string[], io: Io): Promise<number> {
  return runCommand('trust', io, () => trust(argv, io));
}
