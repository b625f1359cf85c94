import { StudioError } from '../../shared/api/errors';
import { SdkChoices } from '../services/sdk';
import { configDir } from '../services/startArgs';
import { UsageError } from './args';
import type { Io } from './sdfCommands';
import { runCommand } from './runCommand';

/**
 * `sel4-studio sdk add PATH` / `sdk list`: the Microkit SDKs the user chose, in the user's config. The IDE builds with
 * an SDK named in a folder's settings or typed in a browser page only when it is one of these (or $MICROKIT_SDK, or a
 * ~/microkit-sdk-*): a browser page cannot ask the user to confirm, the user's own terminal can.
 */
async function sdk(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const choices = new SdkChoices(configDir());
  if (sub === 'add' && rest.length === 1 && !rest[0]!.startsWith('-')) {
    let info;
    try {
      info = await choices.add(rest[0]!);
    } catch (e) {
      throw new StudioError('not-found', (e as Error).message);
    }
    io.out(`builds may use the Microkit SDK at ${info.path} (${info.version}; boards: ${Object.keys(info.boards).join(', ')})\n`);
    return 0;
  }
  if (sub === 'list' && rest.length === 0) {
    for (const p of await choices.list()) io.out(`${p}\n`);
    return 0;
  }
  throw new UsageError('usage: sel4-studio sdk add PATH | sel4-studio sdk list');
}

export function runSdkCommand(argv: string[], io: Io): Promise<number> {
  return runCommand('sdk', io, () => sdk(argv, io));
}
