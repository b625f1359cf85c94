import { z } from 'zod';
import type { BoardPack } from '../model/board';

/**
 * The QEMU command line for a board (its pack's recipe: reference/microkit-sdf.md §11), changed so the IDE sees
 * every byte and can steer the machine: started paused (-S) with a QMP socket, the serial port on stdio and no
 * monitor on it. The caller connects QMP, then sends `cont`.
 */
export type QemuTarget = { image: string } | { kernel: string };

export interface QemuCommand {
  command: string;
  args: string[];
}

/** What `-d` may log (QEMU's own item names); the log goes to one file the host names, in the project's build/. */
export const QEMU_TRACE_ITEMS = ['guest_errors', 'unimp', 'int', 'mmu', 'cpu_reset', 'in_asm', 'exec', 'cpu', 'page'] as const;
/** Where a trace goes, relative to the project. */
export const QEMU_TRACE_LOG = 'build/sel4-studio-qemu-trace.log';

const Port = z.number().int().min(1024).max(65535);

/**
 * A file an option names: a path inside the project, or (host side) an absolute path from the user's picked list —
 * the host resolves and checks it before QEMU sees it. No line breaks or NULs (they cannot be in a file QEMU opens).
 */
export const QemuFileRefSchema = z
  .string()
  .min(1)
  .max(4096)
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\x00-\x1f\x7f]/.test(s), { message: 'a file name may not hold control characters' });

/** Devices the UI may add (QEMU's names); each comes with what it needs. */
export const QEMU_DEVICES = {
  'virtio-net-device': 'a network card on the user-mode network (-netdev user)',
  'virtio-blk-device': 'a disk on a raw image you pick',
  'virtio-rng-device': 'a random-number source (the guest boots faster with it)',
  loader: 'a blob loaded at an address before the CPU starts (-device loader,file=…,addr=…)',
} as const;

/**
 * The machine options the UI may ask for: typed values the host turns into arguments itself. Nothing here names a
 * file, a program or a host address: the GDB stub and forwarded ports listen on 127.0.0.1 only, the trace goes to
 * {@link QEMU_TRACE_LOG}.
 */
export const QemuOptionsSchema = z
  .object({
    /** Guest RAM in MiB (`-m size=NM`, in place of the board's). seL4 images are built for the board's size. */
    memoryMiB: z.number().int().min(16).max(1024 * 1024).optional(),
    /** CPUs (`-smp N`). */
    smp: z.number().int().min(1).max(64).optional(),
    /** A GDB stub on 127.0.0.1:PORT (`-gdb tcp:127.0.0.1:PORT`). */
    gdbPort: Port.optional(),
    /** User-mode networking with a virtio-net device; each forward listens on 127.0.0.1. */
    network: z
      .object({
        hostfwd: z.array(z.object({ protocol: z.enum(['tcp', 'udp']), hostPort: Port, guestPort: z.number().int().min(1).max(65535) }).strict()).max(16),
      })
      .strict()
      .optional(),
    /** QEMU's own log (`-d ITEMS`), written to build/sel4-studio-qemu-trace.log. */
    trace: z.array(z.enum(QEMU_TRACE_ITEMS)).min(1).max(QEMU_TRACE_ITEMS.length).optional(),
    /** A virtio random-number device (`-device virtio-rng-device`). */
    rng: z.boolean().optional(),
    /** A raw disk image on a virtio block device (`-drive if=none,format=raw,… -device virtio-blk-device`). */
    disk: QemuFileRefSchema.optional(),
    /** Extra blobs loaded at guest physical addresses (`-device loader,file=…,addr=…,force-raw=on`). */
    loaders: z
      .array(z.object({ file: QemuFileRefSchema, addr: z.number().int().min(0).max(2 ** 48 - 1) }).strict())
      .max(8)
      .optional(),
    /** A Linux direct boot's initial RAM disk (`-initrd`); only with a kernel. */
    initrd: QemuFileRefSchema.optional(),
    /** A Linux direct boot's command line (`-append`, one argument); only with a kernel. */
    append: z
      .string()
      .max(4096)
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\x00-\x1f\x7f]/.test(s), { message: 'the kernel command line is one line of text' })
      .optional(),
  })
  .strict();
export type QemuOptions = z.infer<typeof QemuOptionsSchema>;

/** Options the IDE sets itself to see every byte and steer the machine; extra arguments may not change them. */
const SUPERVISED = ['-serial', '-monitor', '-qmp', '-mon', '-S', '-daemonize', '-nographic', '-display'];

/**
 * Why these extra arguments cannot be added (the first clash), or undefined. Only the command line passes free
 * arguments (`sel4-studio qemu … -- ARGS`, in the user's own shell); the contract takes {@link QemuOptions}.
 */
export function extraArgsProblem(extra: readonly string[]): string | undefined {
  for (const a of extra) {
    const opt = a.startsWith('--') ? a.slice(1) : a;
    if (SUPERVISED.includes(opt.split('=')[0]!)) return `${a} is set by seL4 Studio (the console, QMP and the paused start depend on it); remove it from the extra arguments`;
  }
  return undefined;
}

/** A value inside a QEMU `key=value,…` option: a comma is written twice, so a file name cannot add keys. */
const optValue = (s: string) => s.replace(/,/g, ',,');

/** The arguments for the options, each composed here from a checked value. */
export function qemuOptionArgs(options: QemuOptions, traceLog?: string): string[] {
  const o = QemuOptionsSchema.parse(options);
  const args: string[] = [];
  if (o.smp !== undefined) args.push('-smp', String(o.smp));
  if (o.gdbPort !== undefined) args.push('-gdb', `tcp:127.0.0.1:${o.gdbPort}`);
  if (o.network) {
    const fwd = o.network.hostfwd.map((f) => `,hostfwd=${f.protocol}:127.0.0.1:${f.hostPort}-:${f.guestPort}`).join('');
    args.push('-netdev', `user,id=net0${fwd}`, '-device', 'virtio-net-device,netdev=net0');
  }
  if (o.rng) args.push('-device', 'virtio-rng-device');
  if (o.disk !== undefined) args.push('-drive', `if=none,format=raw,id=disk0,file=${optValue(o.disk)}`, '-device', 'virtio-blk-device,drive=disk0');
  for (const l of o.loaders ?? []) args.push('-device', `loader,file=${optValue(l.file)},addr=0x${l.addr.toString(16)},force-raw=on`);
  if (o.initrd !== undefined) args.push('-initrd', o.initrd);
  if (o.append !== undefined) args.push('-append', o.append);
  if (o.trace) {
    if (!traceLog) throw new Error('a QEMU trace needs its log file');
    args.push('-d', o.trace.join(','), '-D', traceLog);
  }
  return args;
}

/**
 * What a board pack's QEMU recipe may hold: a `qemu-system-*` program and the machine-describing options the shipped
 * packs use, with plain values. A pack can come from the user's config folder, written by the board wizard from the
 * page (`boards.save`), so its recipe is checked like any other input that becomes an argv: never another program,
 * never an option that writes files or runs commands (`-incoming exec:`, `-chardev file`, `-D`), never a path.
 * Returns why a recipe is refused, or undefined.
 */
export function qemuRecipeProblem(recipe: readonly string[]): string | undefined {
  const [command, ...rest] = recipe;
  if (!command || !/^qemu-system-(aarch64|riscv64|x86_64)$/.test(command)) return `the QEMU command ${JSON.stringify(command ?? '')} is not qemu-system-aarch64, -riscv64 or -x86_64`;
  const values: Record<string, RegExp> = {
    '-machine': /^[a-z0-9-]+(,virtualization=(on|off))?$/,
    '-cpu': /^[a-z0-9-]+(,[+-]?[a-z0-9_-]+)*$/i,
    '-display': /^none$/,
    '-serial': /^mon:stdio$/,
    '-device': /^loader,file=[\w.-]+,addr=0x[0-9a-f]+,cpu-num=\d+$/i,
    '-m': /^(size=)?\d+[MG]$/,
    '-smp': /^\d{1,3}$/,
    '-kernel': /^[\w.-]+$/,
    '-initrd': /^[\w.-]+$/,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '-nographic') continue;
    const rule = values[a];
    const v = rest[i + 1];
    if (!rule) return `the QEMU option ${JSON.stringify(a)} is not one a board recipe may hold (${['-nographic', ...Object.keys(values)].join(', ')})`;
    if (v === undefined || !rule.test(v)) return `the value ${JSON.stringify(v ?? '')} of ${a} is not one a board recipe may hold`;
    i++;
  }
  return undefined;
}

/**
 * `monitorSocket`: a raw human monitor on a unix socket, for the command line only (`sel4-studio qemu --monitor PATH`,
 * the user's own shell; the contract offers the allow-listed `qemu.monitor` instead).
 */
export function qemuCommand(board: BoardPack, target: QemuTarget, opts: { qmpSocket: string; options?: QemuOptions; traceLog?: string; monitorSocket?: string; extraArgs?: string[] }): QemuCommand {
  const clash = extraArgsProblem(opts.extraArgs ?? []);
  if (clash) throw new Error(clash);
  const recipe = board.qemu;
  if (!recipe?.length) throw new Error(`board ${board.name} has no QEMU recipe`);
  const refused = qemuRecipeProblem(recipe);
  if (refused) throw new Error(`board ${board.name}: ${refused}`);
  const [command, ...rest] = recipe as [string, ...string[]];
  const options = opts.options ?? {};
  if ('image' in target && (options.initrd !== undefined || options.append !== undefined)) {
    throw new Error(`${options.initrd !== undefined ? '-initrd' : '-append'} is for a Linux kernel booted directly: choose "kernel (-kernel)" and the kernel's Image`);
  }
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const v = rest[i + 1];
    if (a === '-serial') {
      i++; // replaced below: the serial port goes to stdio without the monitor multiplexed on it
      continue;
    }
    if (a === '-device' && v?.startsWith('loader,')) {
      i++;
      if ('image' in target) args.push('-device', v.replace(/file=[^,]*/, () => `file=${optValue(target.image)}`));
      continue;
    }
    if (a === '-kernel') {
      i++;
      if ('image' in target) args.push('-kernel', target.image);
      continue;
    }
    if ((a === '-m' && options.memoryMiB !== undefined) || (a === '-smp' && options.smp !== undefined)) {
      i++; // the option given replaces the board's
      continue;
    }
    args.push(a);
  }
  if ('kernel' in target) args.push('-kernel', target.kernel);
  if (options.memoryMiB !== undefined) args.push('-m', `size=${options.memoryMiB}M`);
  args.push(...qemuOptionArgs(options, opts.traceLog));
  args.push('-serial', 'stdio', '-monitor', opts.monitorSocket ? `unix:${optValue(opts.monitorSocket)},server=on,wait=off` : 'none', '-S', '-qmp', `unix:${opts.qmpSocket},server=on,wait=off`, ...(opts.extraArgs ?? []));
  return { command, args };
}
