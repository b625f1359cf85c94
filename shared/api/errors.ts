import { z } from 'zod';
import { DiagnosticSchema, type Diagnostic } from './diagnostics';

/** Error codes a host may answer with. The renderer shows `message`; `diagnostics` carry places. */
export const ErrorCodeSchema = z.enum([
  'invalid-params',
  'unknown-method',
  'not-found',
  'forbidden',
  'conflict',
  'corrupt',
  'unsupported',
  'no-project',
  'tool-missing',
  /** The open folder is not trusted (restricted mode): building and running are off until the user trusts it. */
  'untrusted',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const RpcErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  diagnostics: z.array(DiagnosticSchema).optional(),
});
export type RpcError = z.infer<typeof RpcErrorSchema>;

/** Thrown by services and by the client; crosses every boundary as an {@link RpcError} value. */
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

/** Anything thrown, as a value safe to send: no stack traces reach the user. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof StudioError) return err.toValue();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
