import { StudioError } from '../../shared/api/studioError';

/** A command line the user got wrong: `sel4-studio CMD: message`, exit status 2. */
export class UsageError extends StudioError {
  constructor(message: string) {
    super('invalid-params', message);
  }
}

/**
 * Walks a command's arguments: `next()` for each one, `value(opt)` for an option's argument (a usage error when it
 * is missing), `rest()` for everything after `--`.
 */
export class Args {
  private i = -1;
  constructor(private readonly argv: readonly string[]) {}

  next(): string | undefined {
    return this.argv[++this.i];
  }

  value(opt: string): string {
    const v = this.argv[++this.i];
    if (v === undefined) throw new UsageError(`${opt} needs a value`);
    return v;
  }

  rest(): string[] {
    const r = this.argv.slice(this.i + 1);
    this.i = this.argv.length;
    return r;
  }
}
