import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { matchBuildOutput } from '../../shared/logs/buildProblems';
import { cppOfMakefiles, type MakefileCpp } from '../../shared/sdf/makefileCpp';
import { templateFromCppOutput, templateFromSubset, type CppSettings, type TemplateResult } from '../../shared/sdf/template';

/**
 * Preprocessing a cpp-templated `.system` on the host: the system `cpp` when it is installed (what the project's
 * Makefile runs, so macros and `#if` behave exactly as in the build), else the project's own cpp subset. Both give
 * a composite source whose places lead back to the template (shared/sdf/template.ts).
 */

export interface TemplateOptions extends CppSettings {
  /**
   * Keep cpp's predefined macros and system include directories, as a Makefile running plain `cpp` does
   * (`linux` and `unix` are then defined as 1 in GNU C). Off by default (`-undef -nostdinc`): the subset predefines
   * nothing, and both ways must read the template alike.
   */
  systemMacros?: boolean;
  /** The preprocessor command; `cpp` on PATH by default. */
  cpp?: string;
  timeoutMs?: number;
  /** Reads a file the template is made of (default: any file); the host gives one that reads only inside the folder. */
  read?: (file: string) => string | undefined;
}

export interface PreprocessedTemplate extends TemplateResult {
  /** Which preprocessor read the template. */
  by: 'system-cpp' | 'subset';
}

export function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The argv of the system cpp for a template (no shell; absolute paths, so its line markers name files exactly). */
export function cppArgv(file: string, options: TemplateOptions): string[] {
  return [
    '-x',
    'c',
    ...(options.systemMacros ? [] : ['-undef', '-nostdinc']),
    ...Object.entries(options.defines).map(([k, v]) => `-D${k}=${v}`),
    ...options.includeDirs.map((d) => `-I${path.resolve(d)}`),
    path.resolve(file),
  ];
}

/** Most text a template may preprocess to (a macro that doubles at each level makes gigabytes). */
const MAX_CPP_OUTPUT = 64 * 1024 * 1024;

/** Run a preprocessor (argv, no shell); `missing` when it is not installed, `stopped` when we stopped it. */
export function runCpp(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | 'missing'; stdout: string; stderr: string; stopped?: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: MAX_CPP_OUTPUT, timeout: timeoutMs, shell: false }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
      if (e?.code === 'ENOENT') resolve({ code: 'missing', stdout: '', stderr: '' });
      // Stopped by us, not failed: say why instead of "status 1" with nothing on stderr.
      else if (e?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') resolve({ code: 1, stdout: '', stderr, stopped: `cpp was stopped: its output passed ${MAX_CPP_OUTPUT / 1024 / 1024} MiB (a macro that expands without bound?)` });
      else if (e?.killed) resolve({ code: 1, stdout: '', stderr, stopped: `cpp was stopped after ${timeoutMs / 1000} s (a macro that expands without bound?)` });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function preprocessTemplate(file: string, options: TemplateOptions): Promise<PreprocessedTemplate> {
  const absolute = path.resolve(file);
  const read = options.read ?? readText;
  const r = await runCpp(options.cpp ?? 'cpp', cppArgv(absolute, options), path.dirname(absolute), options.timeoutMs ?? 20_000);
  if (r.stopped) return { diagnostics: [{ severity: 'error', rule: 'cpp', file: absolute, message: r.stopped }], by: 'system-cpp' };
  if (r.code === 'missing') {
    const includeDirs = options.includeDirs.map((d) => path.resolve(d));
    return { ...templateFromSubset(absolute, { defines: options.defines, includeDirs }, read), by: 'subset' };
  }
  // cpp's warnings about XML text (an apostrophe in a comment is an unterminated C character constant) are noise.
  const errors: Diagnostic[] = matchBuildOutput(r.stderr)
    .filter((d) => d.severity === 'error')
    .map(({ severity, message, file: f, line, column }) => ({ severity, message, rule: 'cpp', file: f && path.resolve(path.dirname(absolute), f), line, column }));
  if (r.code !== 0) {
    // Only the tool's own lines (`cc1: fatal error: …`): a line of another shape may quote a file's text, and the file
    // may lie outside the folder.
    const own = r.stderr.split('\n').map((l) => l.trim()).filter((l) => /^(cpp|cc1|cc1plus|gcc|clang)(-[\w.]+)?: /.test(l));
    if (!errors.length) errors.push({ severity: 'error', rule: 'cpp', file: absolute, message: `cpp exited with status ${r.code}${own.length ? `: ${own.join(' / ')}` : ''}` });
    return { diagnostics: errors, by: 'system-cpp' };
  }
  return { ...templateFromCppOutput(r.stdout, absolute, read), by: 'system-cpp' };
}

const MAKEFILE = /^(?:GNUmakefile|makefile|Makefile|.*\.mk)$/;

/**
 * What the Makefiles beside a template pass to cpp for it (`-D`, `-I` made absolute against the Makefile's folder,
 * where make runs it), or undefined when none preprocesses it.
 */
export function detectTemplateSettings(template: string, read: (file: string) => string | undefined = readText): MakefileCpp | undefined {
  const dir = path.dirname(path.resolve(template));
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => MAKEFILE.test(n));
  } catch {
    return undefined;
  }
  // The folder's Makefile first: it is the one make runs, and it sets what the .mk files use.
  names.sort((a, b) => Number(b.toLowerCase() === 'makefile') - Number(a.toLowerCase() === 'makefile') || a.localeCompare(b));
  const makefiles = names.flatMap((n) => {
    const text = read(path.join(dir, n));
    return text === undefined ? [] : [{ path: path.join(dir, n), text }];
  });
  const found = cppOfMakefiles(makefiles, template);
  if (!found) return undefined;
  return { ...found, settings: { ...found.settings, includeDirs: found.settings.includeDirs.map((d) => path.resolve(path.dirname(found.makefile), d)) } };
}
