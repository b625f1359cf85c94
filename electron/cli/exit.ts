/**
 * Run as the `sel4-studio` command: quiet when the reader goes away (`| head` closes the pipe: EPIPE is the reader's
 * choice, not our error, so no stack trace), and exit only once stdout and stderr have handed every byte to the OS —
 * process.exit() drops what is still queued for a pipe, which cut `validate --json` at 64 KiB.
 */
export async function runCommandLine(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
  const code = await run(argv);
  process.exitCode = code;
  let open = 2;
  const flushed = () => {
    if (--open === 0) process.exit(code);
  };
  // A write's callback runs once everything written before it has gone out (or failed), so this waits for the queue.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writable) stream.write('', flushed);
    else flushed();
  }
}
