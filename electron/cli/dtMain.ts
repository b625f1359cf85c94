import { runDtCommand } from './dtCommands';
import { runCommandLine } from './exit';

/**
 * The device-tree commands (`dtc`, `dt`, `fdtoverlay`) as a bundle of their own (dist/cli/dt.cjs, about 90 KiB
 * against the whole CLI's 1.3 MiB), which bin/sel4-studio.cjs loads for them: a short `dtc` run is mostly start-up,
 * and reading and compiling code it never runs was a fifth of it. `run` in ./cli dispatches the same commands.
 */
export function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'dtc' && cmd !== 'dt' && cmd !== 'fdtoverlay') throw new Error(`not a device-tree command: ${cmd}`);
  return runDtCommand(cmd, rest, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), here: __dirname });
}

export function runAndExit(argv: string[]): Promise<void> {
  return runCommandLine(run, argv);
}
