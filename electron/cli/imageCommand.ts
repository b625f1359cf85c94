import { ImageChoices } from '../services/images';
import { configDir } from '../services/startArgs';
import { UsageError } from './args';
import { runCommand } from './runCommand';
import type { Io } from './sdfCommands';

/**
 * `sel4-studio image add PATH | image list | image remove PATH`: the images the IDE may boot in QEMU from outside a
 * project (kernels, initrds, disks, blobs), in the user's config. A browser page cannot open a file dialog, so this
 * is how a file anywhere on the machine reaches its QEMU panel: the user's own terminal.
 */
async function image(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const choices = new ImageChoices(configDir());
  if (sub === 'add' && rest.length >= 1 && rest.every((r) => !r.startsWith('-'))) {
    for (const f of rest) io.out(`QEMU may boot ${await choices.add(f)} (pick it in the QEMU panel's file list)\n`);
    return 0;
  }
  if (sub === 'remove' && rest.length === 1) {
    await choices.remove(rest[0]!);
    return 0;
  }
  if (sub === 'list' && rest.length === 0) {
    for (const i of await choices.list()) io.out(`${i.path}${i.size === undefined ? ' (missing)' : ''}\n`);
    return 0;
  }
  throw new UsageError('usage: sel4-studio image add PATH... | image list | image remove PATH');
}

export function runImageCommand(argv: string[], io: Io): Promise<number> {
  return runCommand('image', io, () => image(argv, io));
}
