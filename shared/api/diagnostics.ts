import { z } from 'zod';

/** Errors are values with places (DESIGN.md §3.10): every problem the user sees has one of these. */
export const DiagnosticSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().nonnegative().optional(),
  column: z.number().int().nonnegative().optional(),
  rule: z.string().optional(),
  /** A quick fix: the whole file as it would read with the fix applied. */
  fix: z.object({ label: z.string(), text: z.string() }).optional(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

/** `file:line:col: severity: message`, the format gcc and most editors understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const place = [d.file ?? '<input>', d.line, d.column].filter((p) => p !== undefined).join(':');
  return `${place}: ${d.severity}: ${d.message}`;
}

/** 1-based line and column of a character offset in `text`. */
export function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
