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

/** Options the IDE sets itself to see every byte and steer the machine; extra arguments may not change them. */
const SUPERVISED = ['-serial', '-monitor', '-qmp', '-mon', '-S', '-daemonize', '-nographic', '-display'];

/** Why these extra arguments cannot be added (the first clash), or undefined. */
export function extraArgsProblem(extra: readonly string[]): string | undefined {
  for (const a of extra) {
    const opt = a.startsWith('--') ? a.slice(1) : a;
    if (SUPERVISED.includes(opt.split('=')[0]!)) return `${a} is set by seL4 Studio (the console, QMP and the paused start depend on it); remove it from the extra arguments`;
  }
  return undefined;
}

export function qemuCommand(board: BoardPack, target: QemuTarget, opts: { qmpSocket: string; extraArgs?: string[] }): QemuCommand {
  const clash = extraArgsProblem(opts.extraArgs ?? []);
  if (clash) throw new Error(clash);
  const recipe = board.qemu;
  if (!recipe?.length) throw new Error(`board ${board.name} has no QEMU recipe`);
  const [command, ...rest] = recipe as [string, ...string[]];
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
      if ('image' in target) args.push('-device', v.replace(/file=[^,]*/, `file=${target.image}`));
      continue;
    }
    if (a === '-kernel') {
      i++;
      if ('image' in target) args.push('-kernel', target.image);
      continue;
    }
    args.push(a);
  }
  if ('kernel' in target) args.push('-kernel', target.kernel);
  args.push('-serial', 'stdio', '-monitor', 'none', '-S', '-qmp', `unix:${opts.qmpSocket},server=on,wait=off`, ...(opts.extraArgs ?? []));
  return { command, args };
}
