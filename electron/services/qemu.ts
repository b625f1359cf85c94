import type { ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { StudioError } from '../../shared/api/errors';
import type { BoardPack } from '../../shared/model/board';
import { extraArgsProblem, qemuCommand, type QemuOptions, type QemuTarget } from '../../shared/qemu/command';
import { imageFormat, type ImageFormat } from '../../shared/qemu/silence';
import { which } from './doctor';
import { Qmp } from './qmp';
import { spawnSupervised } from './supervise';
import { ownedTempDir } from './tempDirs';

export type QemuStatus = 'starting' | 'running' | 'paused' | 'exited';

export interface QemuEvents {
  output(id: string, data: string): void;
  status(id: string, status: QemuStatus, detail?: { code: number | null; signal: string | null; stderr: string }): void;
}

interface Instance {
  id: string;
  child: ChildProcess;
  qmp?: Qmp;
  dir: string;
  status: QemuStatus;
  stderr: string;
  exited: Promise<void>;
  /** Why input is no longer accepted (the pipe broke, or QEMU exited); unset while QEMU reads its stdin. */
  inputClosed?: string;
}

/**
 * QEMU instances the IDE runs: started paused with the serial port on a pipe, so no byte is lost, then resumed over
 * QMP; paused, resumed, reset and stopped over QMP; each in its own process group, which stop kills.
 */
export class QemuService {
  private next = 1;
  private readonly instances = new Map<string, Instance>();

  constructor(private readonly events: QemuEvents) {}

  /**
   * Boot `target` on `board`. `options` are the typed machine options (the contract's); `extraArgs` are free arguments,
   * which only the command line passes (`sel4-studio qemu … -- ARGS`, the user's own shell). `traceLog` is where
   * `options.trace` goes (the host names it).
   */
  async start(
    board: BoardPack,
    target: QemuTarget,
    machine: { options?: QemuOptions; traceLog?: string; monitorSocket?: string; extraArgs?: string[] } = {},
    cwd = process.cwd(),
  ): Promise<{ id: string; command: string[]; format: ImageFormat }> {
    const extraArgs = machine.extraArgs ?? [];
    const clash = extraArgsProblem(extraArgs);
    if (clash) throw new StudioError('invalid-params', clash);
    const regularFile = (kind: string, given: string): string => {
      const file = path.resolve(cwd, given);
      const st = (() => {
        try {
          return statSync(file);
        } catch {
          return undefined;
        }
      })();
      if (!st) throw new StudioError('not-found', `${kind} not found: ${file}`);
      if (!st.isFile()) throw new StudioError('invalid-params', `${kind} is not a regular file: ${file}`);
      // The guest writes to its disk: a disk with another name elsewhere (a hard link) would carry those writes out.
      if (kind === 'disk image' && st.nlink > 1) throw new StudioError('forbidden', `${kind} ${file} has ${st.nlink} names (hard links): the guest writes to its disk, so give it a file of its own (cp it)`);
      return file;
    };
    const file = regularFile('image' in target ? 'image' : 'kernel', 'image' in target ? target.image : target.kernel);
    const format = imageFormat(readHead(file));
    // Files the options name: checked here (a clear error, not QEMU's), and made absolute (QEMU runs in `cwd`).
    const o = machine.options;
    if (o) {
      machine = {
        ...machine,
        options: {
          ...o,
          ...(o.initrd !== undefined ? { initrd: regularFile('initrd', o.initrd) } : {}),
          ...(o.disk !== undefined ? { disk: regularFile('disk image', o.disk) } : {}),
          ...(o.loaders ? { loaders: o.loaders.map((l) => ({ ...l, file: regularFile('loader blob', l.file) })) } : {}),
        },
      };
    }
    let cmd: ReturnType<typeof qemuCommand>;
    const dir = ownedTempDir('sel4studio-qemu-');
    const qmpSocket = path.join(dir, 'qmp.sock');
    try {
      cmd = qemuCommand(board, 'image' in target ? { image: file } : { kernel: file }, { qmpSocket, ...(machine.options ? { options: machine.options } : {}), ...(machine.traceLog ? { traceLog: machine.traceLog } : {}), ...(machine.monitorSocket ? { monitorSocket: path.resolve(machine.monitorSocket) } : {}), extraArgs });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new StudioError('invalid-params', (e as Error).message);
    }
    const exe = await which(cmd.command);
    if (!exe) {
      rmSync(dir, { recursive: true, force: true });
      throw new StudioError('tool-missing', `${cmd.command} is not installed (apt-get install qemu-system-arm)`);
    }
    const id = `qemu-${this.next++}`;
    const child = spawnSupervised(exe, cmd.args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let resolveExit!: () => void;
    const inst: Instance = { id, child, dir, status: 'starting', stderr: '', exited: new Promise((r) => (resolveExit = r)) };
    this.instances.set(id, inst);
    const decoder = new StringDecoder('utf8');
    child.stdout!.on('data', (b: Buffer) => {
      const s = decoder.write(b);
      if (s) this.events.output(id, s);
    });
    child.stderr!.on('data', (b: Buffer) => {
      inst.stderr = (inst.stderr + b.toString()).slice(-8192);
    });
    // A QEMU that is going away closes its end of the pipe: a write racing that exit fails with EPIPE, which without a
    // listener is an uncaught exception that takes the whole host down. Note it; input() refuses from then on.
    child.stdin!.on('error', (e: NodeJS.ErrnoException) => {
      inst.inputClosed ??= `QEMU ${id} is not running (its console input closed: ${e.code ?? e.message})`;
    });
    child.on('error', (e) => {
      inst.stderr += `\n${e.message}`;
    });
    child.on('close', (code, signal) => {
      inst.status = 'exited';
      inst.inputClosed ??= `QEMU ${id} has exited`;
      inst.qmp?.close();
      rmSync(dir, { recursive: true, force: true });
      this.instances.delete(id);
      this.events.status(id, 'exited', { code, signal, stderr: inst.stderr.trim() });
      resolveExit();
    });
    this.events.status(id, 'starting');
    try {
      inst.qmp = await Qmp.connect(qmpSocket, (event) => this.onEvent(inst, event), 10_000, () => inst.status !== 'exited');
      await inst.qmp.execute('cont');
    } catch (e) {
      this.kill(inst);
      await inst.exited;
      throw new StudioError('internal', `QEMU did not start: ${inst.stderr.trim() || (e as Error).message}`);
    }
    this.setStatus(inst, 'running');
    return { id, command: [exe, ...cmd.args], format };
  }

  private onEvent(inst: Instance, event: string) {
    if (event === 'STOP') this.setStatus(inst, 'paused');
    else if (event === 'RESUME') this.setStatus(inst, 'running');
  }

  private setStatus(inst: Instance, s: QemuStatus) {
    if (inst.status === s || inst.status === 'exited') return;
    inst.status = s;
    this.events.status(inst.id, s);
  }

  private get(id: string): Instance {
    const inst = this.instances.get(id);
    if (!inst || !inst.qmp) throw new StudioError('not-found', `no running QEMU ${id}`);
    return inst;
  }

  async control(id: string, action: 'pause' | 'resume' | 'reset' | 'stop'): Promise<QemuStatus> {
    const inst = this.get(id);
    if (action === 'stop') {
      await this.stop(id);
      return 'exited';
    }
    await inst.qmp!.execute(action === 'pause' ? 'stop' : action === 'resume' ? 'cont' : 'system_reset');
    if (action === 'pause') this.setStatus(inst, 'paused');
    if (action === 'resume') this.setStatus(inst, 'running');
    return inst.status;
  }

  /** A human monitor command (`info mtree`, `info qtree`...), answered as text. */
  async monitor(id: string, commandLine: string): Promise<string> {
    return this.get(id).qmp!.execute<string>('human-monitor-command', { 'command-line': commandLine });
  }

  /** Type into the serial console; refused with a clear error once QEMU is exiting or gone. */
  input(id: string, data: string) {
    const inst = this.get(id);
    const stdin = inst.child.stdin!;
    if (inst.child.exitCode !== null || inst.child.signalCode !== null) inst.inputClosed ??= `QEMU ${id} has exited`;
    if (!inst.inputClosed && (stdin.destroyed || !stdin.writable)) inst.inputClosed = `QEMU ${id} is not running (its console input closed)`;
    if (inst.inputClosed) throw new StudioError('not-found', inst.inputClosed);
    stdin.write(data);
  }

  status(id: string): QemuStatus | undefined {
    return this.instances.get(id)?.status;
  }

  /** `quit` over QMP, then the whole process group if it lingers. */
  async stop(id: string): Promise<void> {
    const inst = this.instances.get(id);
    if (!inst) return;
    inst.qmp?.execute('quit').catch(() => undefined);
    const t = setTimeout(() => this.kill(inst), 1500);
    await inst.exited;
    clearTimeout(t);
  }

  private kill(inst: Instance) {
    try {
      if (inst.child.pid !== undefined) process.kill(process.platform === 'win32' ? inst.child.pid : -inst.child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  /** Synchronous, for host exit: every group killed and every QMP folder removed ('close' will not come). */
  killAll() {
    for (const inst of this.instances.values()) {
      this.kill(inst);
      rmSync(inst.dir, { recursive: true, force: true });
    }
  }
}

/** The first 64 bytes of a file (what it is: ELF, Linux Image or raw). */
function readHead(file: string): Uint8Array {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(64);
    return buf.subarray(0, readSync(fd, buf, 0, 64, 0));
  } finally {
    closeSync(fd);
  }
}
