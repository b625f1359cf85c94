import { runDtCommand } from './dtCommands';
import { runCommandLine, stderr, stdout } from './exit';

/**
 * The device-tree commands (`dtc`, `dt`, `fdtoverlay`) as a bundle of their own (dist/cli/dt.cjs, about 90 KiB
 * against the whole CLI's 1.3 MiB), which bin/sel4-studio.cjs loads for them: a short `dtc` run is mostly start-up,
 * and reading and compiling code it never runs was a fifth of it. `run` in ./cli dispatches the same commands.
 */
export function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'dtc' && cmd !== 'dt' && cmd !== 'fdtoverlay') throw new Error(`not a device-tree command: ${cmd}`);
  return runDtCommand(cmd, rest, { out: (s) => stdout().write(s), err: (s) => stderr().write(s), here: __dirname });
}

export function runAndExit(argv: string[]): Promise<void> {
  // Output to files only: neither stream is made.
  return runCommandLine(run, argv, false);
}
