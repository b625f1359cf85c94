import type { BoardPack } from '../model/board';
import type { QemuOptions } from './command';

/** What the first bytes of the file QEMU boots say it is. */
export type ImageFormat = 'elf' | 'linux-image' | 'raw';

/** `\x7fELF` at 0; an arm64 Linux Image has "ARM\x64" at byte 56 (Documentation/arch/arm64/booting.rst). */
export function imageFormat(head: Uint8Array): ImageFormat {
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  if (head.length >= 60 && head[56] === 0x41 && head[57] === 0x52 && head[58] === 0x4d && head[59] === 0x64) return 'linux-image';
  return 'raw';
}

/** Seconds without a byte on the console before the panel says what to check: the board's, else 10. */
export function silenceSeconds(board: Pick<BoardPack, 'firstOutputSeconds'> | undefined): number {
  return board?.firstOutputSeconds ?? 10;
}

/** Where the board's recipe loads a raw image (`-device loader,…,addr=…`), if it has one. */
export function recipeLoadAddress(board: Pick<BoardPack, 'qemu'>): string | undefined {
  const dev = board.qemu?.find((a) => a.startsWith('loader,'));
  return dev ? /addr=(0x[0-9a-fA-F]+|\d+)/.exec(dev)?.[1] : undefined;
}

/**
 * What to check when a started QEMU printed nothing: most likely first, from what is known about this boot (what the
 * file is, how it was given, the board's recipe and link address, the options).
 */
export function silenceHints(input: {
  board: Pick<BoardPack, 'name' | 'qemu' | 'loaderLinkAddress' | 'smpCores'>;
  kind: 'image' | 'kernel';
  format?: ImageFormat;
  options?: QemuOptions;
  config?: string;
}): string[] {
  const { board, kind, format, options } = input;
  const hints: string[] = [];
  const addr = recipeLoadAddress(board);
  if (kind === 'image' && format === 'elf') hints.push(`Raw image vs ELF: this file is an ELF, but "loader.img" loads it raw at ${addr ?? 'the board\'s address'}, so the CPU starts in its ELF header. Boot it as "ELF (-kernel)", or boot the loader.img microkit wrote.`);
  if (kind === 'image' && format === 'linux-image') hints.push('Raw image vs kernel: this is a Linux Image; boot it as "kernel (-kernel)" with an -initrd and -append "console=ttyAMA0".');
  if (kind === 'kernel' && format === 'raw') hints.push(`Raw image vs ELF: -kernel with a raw file puts it at the start of RAM; a Microkit loader.img belongs at the board's loader address${addr ? ` (${addr})` : ''}: choose "loader.img".`);
  if (format === 'linux-image' && !/\bconsole=ttyAMA0\b/.test(options?.append ?? '')) hints.push('A Linux kernel prints on the serial port only when told to: add -append "console=ttyAMA0" (earlycon for the earliest lines).');
  if (kind === 'image' && format !== 'elf' && format !== 'linux-image') {
    hints.push(`Load address: QEMU puts loader.img at ${addr ?? 'the address in the board\'s recipe'}${board.loaderLinkAddress ? `; the board's Microkit loader is linked at ${board.loaderLinkAddress}` : ''}. An image built for another board (another link address) jumps nowhere.`);
  }
  hints.push(`Board and machine: the image must be built for ${board.name} — an image for another board writes to a UART this machine does not have.`);
  hints.push(`The SDK configuration: a release or benchmark build of seL4 prints nothing after the loader; build with debug${board.smpCores ? ' (or smp-debug)' : ''} to see the boot, and check the configuration's serial port is the one QEMU's machine has.`);
  if (options?.smp && options.smp > 1 && input.config && !input.config.startsWith('smp-')) hints.push(`-smp ${options.smp} with the ${input.config} configuration: seL4 uses one core; the SDK's smp-${input.config} configuration uses ${board.smpCores ?? 'several'}.`);
  return hints;
}

/**
 * Whether to offer `-smp N` for this board: when the SDK the build uses has smp-* configurations for it (their names
 * said), or — no SDK found — when the board pack says it has SMP cores. An SDK without them for this board: no offer.
 */
export function smpOffer(board: Pick<BoardPack, 'name' | 'smpCores'> | undefined, sdk: { version: string; boards: Record<string, string[]> } | null | undefined): { cores: number; why: string } | undefined {
  if (!board?.smpCores) return undefined;
  if (!sdk) return { cores: board.smpCores, why: `The SDK's smp-* configurations for ${board.name} run seL4 on ${board.smpCores} cores` };
  const configs = (sdk.boards[board.name] ?? []).filter((c) => c.startsWith('smp-'));
  if (!configs.length) return undefined;
  return { cores: board.smpCores, why: `Microkit ${sdk.version} has ${configs.join(', ')} for ${board.name}: seL4 on ${board.smpCores} cores` };
}
