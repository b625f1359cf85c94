import { Args } from './args';
import { QemuService } from '../services/qemu';
import { defaultBoardsDir, loadBoards } from '../services/boards';
import { StudioError } from '../../shared/api/errors';
import type { Io } from './sdfCommands';
import { runCommand } from './runCommand';
import { parseQemuOptions } from '../../shared/qemu/optionsText';

/**
 * `sel4-studio qemu --board B (--image loader.img | --kernel FILE.elf|Image) [--smp N] [--mem M] [--netdev user[,hostfwd=…]]
 * [--device D]… [--drive file=IMG] [--initrd I] [--append TEXT] [--gdb tcp::PORT] [--expect TEXT] [--timeout S]
 * [--monitor SOCKET] [-- QEMU ARGS]`; the machine options go through the IDE's allow-list (shared/qemu/optionsText.ts): the serial output on stdout; with --expect, exit 0 as soon as TEXT appears, 1 on timeout or if QEMU
 * exits first. --monitor puts QEMU's full human monitor on a unix socket (`socat - UNIX-CONNECT:SOCKET`): the user's
 * own shell, unlike the IDE, whose monitor input sends only inspection and run-control commands.
 */
export async function qemu(argv: string[], io: Io): Promise<number> {
  let boardName = 'qemu_virt_aarch64';
  let image: string | undefined;
  let kernel: string | undefined;
  let expectText: string | undefined;
  let timeout: number | undefined;
  let monitorSocket: string | undefined;
  const extra: string[] = [];
  /** The machine options, spelled as QEMU spells them, read by the same allow-list as the IDE's panel. */
  const machine: string[] = [];
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '--') {
      extra.push(...args.rest());
      break;
    } else if (a === '--board') boardName = val();
    else if (a === '--image') image = val();
    else if (a === '--kernel') kernel = val();
    else if (a === '--expect') expectText = val();
    else if (a === '--timeout') timeout = Number(val());
    else if (a === '--monitor') monitorSocket = val();
    else if (a === '--smp' || a === '--netdev' || a === '--device' || a === '--drive' || a === '--initrd' || a === '--append' || a === '--gdb') machine.push(a.replace(/^--/, '-'), val());
    else if (a === '--mem') machine.push('-m', val());
    else throw new StudioError('invalid-params', `unknown option ${a}`);
  }
  if (!image === !kernel) throw new StudioError('invalid-params', 'give exactly one of --image loader.img or --kernel FILE.elf');
  const { options, refused } = parseQemuOptions(machine);
  if (refused.length) throw new StudioError('invalid-params', refused.map((r) => r.reason).join('; '));
  const board = (await loadBoards(defaultBoardsDir(io.here))).boards.find((b) => b.name === boardName);
  if (!board) throw new StudioError('invalid-params', `unknown board '${boardName}'`);
  let seen = '';
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const svc = new QemuService({
    output: (_id, d) => {
      io.out(d);
      if (expectText !== undefined) {
        seen = (seen + d).slice(-(expectText.length + 65536));
        if (seen.includes(expectText)) resolveDone(0);
      }
    },
    status: (_id, s, detail) => {
      if (s !== 'exited') return;
      if (detail?.code) io.err(`\nQEMU exited with status ${detail.code}${detail.stderr ? `: ${detail.stderr}` : ''}\n`);
      resolveDone(expectText === undefined ? (detail?.code ?? 0) : 1);
    },
  });
  const stopAll = () => svc.killAll();
  process.on('exit', stopAll);
  const { id } = await svc.start(board, image ? { image } : { kernel: kernel! }, { options, extraArgs: extra, ...(monitorSocket ? { monitorSocket } : {}) });
  const timer = timeout ? setTimeout(() => {
    io.err(`\nsel4-studio qemu: ${expectText !== undefined ? `"${expectText}" did not appear` : 'time is up'} after ${timeout} s\n`);
    resolveDone(expectText !== undefined ? 1 : 0);
  }, timeout * 1000) : undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolveDone(130));
  const code = await done;
  clearTimeout(timer);
  await svc.stop(id);
  return code;
}

export function runQemu(argv: string[], io: Io): Promise<number> {
  return runCommand('qemu', io, () => qemu(argv, io));
}
