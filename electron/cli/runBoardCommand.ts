import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { BoardRunService } from '../services/boardRun';
import { POWER_TOKENS_FILE, PowerTokens } from '../services/powerTokens';
import { ProcessSupervisor } from '../services/processes';
import { ProjectService } from '../services/projects';
import { SerialService } from '../services/serial';
import { configDir } from '../services/startArgs';
import { ownedTempDir } from '../services/tempDirs';
import { Args, UsageError } from './args';
import { buildFolder } from './buildCommands';
import { runCommand } from './runCommand';
import type { Io } from './sdfCommands';

/**
 * `sel4-studio run-board --target NAME [--project DIR] [--no-build] [--power-off] [--stay]`: the IDE's Run on board
 * from a terminal or CI. Build if stale → deploy → power off → console → power on → boot; steps on stderr, the board's
 * console on stdout; exit 0 once booted (then the console closes, and with --power-off the board goes off), 1 when a
 * step fails. --stay keeps the console until Ctrl-C. The target and its commands are the folder's settings, run as
 * your command; the Home Assistant token is the one you stored (the IDE's Board target dialog, or
 * `sel4-studio run-board --set-token URL` reading it from stdin).
 */
async function runBoard(argv: string[], io: Io): Promise<number> {
  let dir = '.';
  let target: string | undefined;
  let build = true;
  let powerOff = false;
  let stay = false;
  let tokenFor: string | undefined;
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    if (a === '--target') target = args.value(a);
    else if (a === '--project') dir = args.value(a);
    else if (a === '--no-build') build = false;
    else if (a === '--power-off') powerOff = true;
    else if (a === '--stay') stay = true;
    else if (a === '--set-token') tokenFor = args.value(a);
    else throw new UsageError(`unknown option ${a}`);
  }
  const tokens = new PowerTokens(path.join(configDir(), POWER_TOKENS_FILE));
  if (tokenFor !== undefined) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const token = Buffer.concat(chunks).toString('utf8').trim();
    await tokens.set(tokenFor, token);
    io.err(token ? `the token for ${new URL(tokenFor).origin} is stored in ${tokens.file} (mode 0600)\n` : `the token for ${new URL(tokenFor).origin} is forgotten\n`);
    return 0;
  }
  if (!target) throw new UsageError('usage: sel4-studio run-board --target NAME [--project DIR] [--no-build] [--power-off] [--stay]');
  const projects = new ProjectService(ownedTempDir('sel4-studio-cli-', { removeOnExit: true }));
  const snap = await projects.open(dir);
  const targets = (await projects.settings()).boardTargets ?? {};
  const chosen = Object.prototype.hasOwnProperty.call(targets, target) ? targets[target] : undefined;
  if (!chosen) throw new StudioError('not-found', `no board target "${target}" in ${path.join(snap.dir, '.sel4-studio/settings.json')}${Object.keys(targets).length ? ` (there are: ${Object.keys(targets).join(', ')})` : ''}`);

  const processes = new ProcessSupervisor({ output: () => undefined, exit: () => undefined });
  process.on('exit', () => processes.killAll());
  let lastByte = Date.now();
  const serial = new SerialService({
    data: (_id, d) => {
      lastByte = Date.now();
      io.out(Buffer.from(d).toString('utf8'));
    },
    status: () => undefined,
  });
  let result: { result: string; error?: string; log: string } | undefined;
  const service = new BoardRunService(
    { serial, processes, token: (url) => tokens.get(url) },
    {
      step: (e) => {
        if (e.status !== 'running') io.err(`== ${e.step}: ${e.status}${e.detail ? ` (${e.detail})` : ''}\n`);
      },
      output: (e) => io.err(e.data),
      done: (e) => (result = e),
    },
  );
  const { runId, plan } = await service.start({ root: snap.dir, name: target, target: chosen, ...(build ? { build: async () => ({ ok: (await buildFolder(['--project', snap.dir], io)) === 0, detail: 'sel4-studio build' }) } : {}) });
  io.err(`${plan.firmwareNote}\n`);
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      interrupted = true;
      void service.stop(runId, powerOff);
    });
  await service.finished(runId);
  // What the system prints right after the line that means "booted" (its PDs' first words) is shown too: the
  // console closes after half a second of quiet (at most 5 s).
  for (const end = Date.now() + 5000; result?.result === 'booted' && !interrupted && Date.now() < end && Date.now() - lastByte < 500; ) await new Promise((r) => setTimeout(r, 50));
  if (result?.result === 'booted' && stay && !interrupted) await new Promise<void>((r) => process.once('SIGINT', () => r()));
  await service.stop(runId, powerOff && result?.result === 'booted');
  io.err(`run ${result?.result ?? 'stopped'}${result?.error ? `: ${result.error}` : ''}; log: ${path.join(snap.dir, result?.log ?? '')}\n`);
  return result?.result === 'booted' ? 0 : 1;
}

export function runBoardCommand(argv: string[], io: Io): Promise<number> {
  return runCommand('run-board', io, () => runBoard(argv, io));
}
