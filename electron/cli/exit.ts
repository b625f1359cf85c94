/**
 * Standard output and error as the command line uses them: each stream is made (Node makes it on first use: a pipe's
 * costs milliseconds, the streams library included) and guarded when a command first writes to it, so a command that
 * writes only files (`sel4-studio dtc IN -o OUT`) never makes either.
 */
const used: NodeJS.WriteStream[] = [];

function use(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (used.includes(stream)) return stream;
  used.push(stream);
  // `| head` closes the pipe: EPIPE is the reader's choice, not our error, so no stack trace.
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
  return stream;
}

export const stdout = () => use(process.stdout);
export const stderr = () => use(process.stderr);

/**
 * Run as the `sel4-studio` command, and exit only once the streams written to have handed every byte to the OS —
 * process.exit() drops what is still queued for a pipe, which cut `validate --json` at 64 KiB. `eager`: guard both
 * streams from the start (for commands that write to them directly).
 */
export async function runCommandLine(run: (argv: string[]) => Promise<number>, argv: string[], eager = true): Promise<void> {
  if (eager) {
    stdout();
    stderr();
  }
  const code = await run(argv);
  process.exitCode = code;
  let open = used.length + 1;
  const flushed = () => {
    if (--open === 0) process.exit(code);
  };
  // A write's callback runs once everything written before it has gone out (or failed), so this waits for the queue.
  for (const stream of used) {
    if (stream.writable) stream.write('', flushed);
    else flushed();
  }
  flushed();
}
