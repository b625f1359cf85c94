import { Args } from './args';
import { SerialService } from '../services/serial';
import { StudioError } from '../../shared/api/errors';
import { FLOW_CONTROLS, parseFraming, type FlowControl, type Framing } from '../../shared/serial/transform';
import type { Io } from './sdfCommands';
import { runCommand } from './runCommand';

/**
 * `sel4-studio serial PORT|URL [--baud N] [--framing 8N1] [--flow none|rtscts|xonxoff] [--tcu] [--log FILE] [--enter cr|lf|crlf]`: a terminal on a serial console.
 * Keystrokes go to the port (Ctrl-] quits); everything received goes to stdout and the log.
 */
export async function serial(argv: string[], io: Io): Promise<number> {
  let target: string | undefined;
  let baud = 115200;
  let tcu = false;
  let log: string | undefined;
  let enter: 'cr' | 'lf' | 'crlf' = 'cr';
  let framing: Framing | undefined;
  let flowControl: FlowControl | undefined;
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '--baud') baud = Number(val());
    else if (a === '--tcu') tcu = true;
    else if (a === '--log') log = val();
    else if (a === '--enter') {
      const v = val();
      if (v !== 'cr' && v !== 'lf' && v !== 'crlf') throw new StudioError('invalid-params', `--enter is cr, lf or crlf, not ${v}`);
      enter = v;
    } else if (a === '--framing') {
      const v = val();
      framing = parseFraming(v);
      if (!framing) throw new StudioError('invalid-params', `--framing is like 8N1 or 7E1, not ${v}`);
    } else if (a === '--flow') {
      const v = val();
      if (!(FLOW_CONTROLS as readonly string[]).includes(v)) throw new StudioError('invalid-params', `--flow is ${FLOW_CONTROLS.join(', ')}, not ${v}`);
      flowControl = v as FlowControl;
    }
    else if (a.startsWith('--')) throw new StudioError('invalid-params', `unknown option ${a}`);
    else target = a;
  }
  if (!target) throw new StudioError('invalid-params', 'serial needs a port or a tcp:// / rfc2217:// URL');
  if (!Number.isInteger(baud) || baud <= 0) throw new StudioError('invalid-params', `bad --baud ${baud}`);
  let done!: (code: number) => void;
  const finished = new Promise<number>((r) => (done = r));
  const svc = new SerialService({
    data: (_id, d) => process.stdout.write(d),
    status: (_id, s, detail) => {
      if (s !== 'open' && s !== 'closed') io.err(`\r\n[sel4-studio serial: ${s}${detail ? `: ${detail}` : ''}]\r\n`);
    },
  });
  const id = await svc.open(target, { baudRate: baud, tcu, enter, ...(framing ?? {}), ...(flowControl ? { flowControl } : {}), ...(log ? { logFile: log } : {}) });
  io.err(`[connected to ${target} at ${baud} baud${tcu ? ', TCU mode' : ''}; Ctrl-] quits]\r\n`);
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', (d: Buffer) => {
    if (d.includes(0x1d)) return done(0);
    try {
      svc.send(id, d);
    } catch (e) {
      io.err(`\r\n[${(e as Error).message}]\r\n`);
    }
  });
  process.stdin.on('end', () => done(0));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => done(0));
  const code = await finished;
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  await svc.close(id);
  return code;
}

export function runSerial(argv: string[], io: Io): Promise<number> {
  return runCommand('serial', io, () => serial(argv, io));
}
