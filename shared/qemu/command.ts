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
  if (o.trace) {
    if (!traceLog) throw new Error('a QEMU trace needs its log file');
    args.push('-d', o.trace.join(','), '-D', traceLog);
  }
  return args;
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
  const [command, ...rest] = recipe as [string, ...string[]];
  const options = opts.options ?? {};
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
