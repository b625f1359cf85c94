import type { Diagnostic } from './diagnostics';
import type { ErrorCode, RpcError } from './errors';

/**
 * Thrown by services and by the client; crosses every boundary as an {@link RpcError} value. Kept apart from the
 * schemas in ./errors (zod), so that code which only throws one, such as the command line's usage errors, loads no
 * schema library: `sel4-studio dtc` starts without it.
 */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly diagnostics?: Diagnostic[];
  constructor(code: ErrorCode, message: string, diagnostics?: Diagnostic[]) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.diagnostics = diagnostics;
  }
  toValue(): RpcError {
    return this.diagnostics
      ? { code: this.code, message: this.message, diagnostics: this.diagnostics }
      : { code: this.code, message: this.message };
  }
  static fromValue(v: RpcError): StudioError {
    return new StudioError(v.code, v.message, v.diagnostics);
  }
}
