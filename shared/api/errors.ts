import { z } from 'zod';
import { DiagnosticSchema } from './diagnostics';
import { StudioError } from './studioError';

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

export { StudioError } from './studioError';

/** Anything thrown, as a value safe to send: no stack traces reach the user. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof StudioError) return err.toValue();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
