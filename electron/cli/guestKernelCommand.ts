import { ImageChoices } from '../services/images';
import { configDir } from '../services/startArgs';
import { defaultGuestDir, fetchGuestKernel, guestBootCommands } from '../services/guestKernel';
import { Args, UsageError } from './args';
import { runCommand } from './runCommand';
import type { Io } from './sdfCommands';

/**
 * `sel4-studio guest-kernel [--out DIR]`: Debian's arm64 kernel and busybox-static, with a small initrd made from it,
 * for booting a Linux guest in QEMU (directly, or as a libvmm VMM's LINUX/INITRD). Prints every command it runs.
 */
async function guestKernel(argv: string[], io: Io): Promise<number> {
  let out = defaultGuestDir();
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    if (a === '--out') out = args.value(a);
    else throw new UsageError(`unknown option ${a} (usage: sel4-studio guest-kernel [--out DIR])`);
  }
  const g = await fetchGuestKernel(out, io.out);
  // Fetched by the user's own command: the kernel and initrd join the images they picked, so the QEMU panel and a
  // libvmm Makefile's LINUX/INITRD in the Build tab offer them.
  const choices = new ImageChoices(configDir());
  for (const f of [g.kernel, g.initrd]) await choices.add(f);
  io.out(`\nLinux ${g.version} for QEMU's virt machine (both added to your picked images):\n  kernel  ${g.kernel}\n  initrd  ${g.initrd}\nBoot it:\n${guestBootCommands(g).map((c) => `  ${c}\n`).join('')}`);
  return 0;
}

export function runGuestKernelCommand(argv: string[], io: Io): Promise<number> {
  return runCommand('guest-kernel', io, () => guestKernel(argv, io));
}
