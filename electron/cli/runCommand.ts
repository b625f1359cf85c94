import { StudioError } from '../../shared/api/errors';
import type { Io } from './sdfCommands';

/**
 * Run a CLI command with the errors users can meet turned into one line and an exit code: 2 for a usage error,
 * 1 for anything else the command reports; nothing reaches the user as a stack trace unless it is a real bug.
 */
export async function runCommand(name: string, io: Io, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StudioError) {
      io.err(`sel4-studio ${name}: ${e.message}\n`);
      return e.code === 'invalid-params' ? 2 : 1;
    }
    throw e;
  }
}
