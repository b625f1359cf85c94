import type { Diagnostic } from '../api/diagnostics';
import { DtError, joinPath, preprocess } from '../dt/cpp';
import { CompositeBuilder, type CompositeSource } from './composite';
import { alignLine } from './lineAlign';

/**
 * cpp-templated system descriptions: `.system` files that are XML only after the C preprocessor ran over them
 * (LionsOS VMM examples: `#include "vmm_ram.h"` before `<system>`, attributes such as `size=GUESTRAMSIZE` whose
 * macro expands to a quoted string, `/* *\/` comments, `#if` choosing a board; their Makefiles run
 * `cpp -I. -P vmm.system -o build/vmm.system`). The importer and the checker read the preprocessed text as a
 * composite source (composite.ts) whose places and verbatim edits lead back to the template's lines.
 */

const DIRECTIVE = /^[ \t]*#[ \t]*(?:include|define|undef|ifdef|ifndef|if|elif|else|endif|pragma|error|warning)\b/m;

/** A cpp template: some line is a preprocessor directive (an XML file has none: `#` cannot start markup). */
export function isCppTemplate(text: string): boolean {
  return DIRECTIVE.test(text);
}

/** What cpp is told: `-D NAME[=VALUE]` (a bare `-D NAME` is `1`) and `-I DIR`, in order. */
export interface CppSettings {
  defines: Record<string, string>;
  includeDirs: string[];
}

export interface TemplateResult {
  /** Undefined when preprocessing failed; the diagnostics say where. */
  composite?: CompositeSource;
  diagnostics: Diagnostic[];
}

type ReadFile = (path: string) => string | undefined;

/** Reads each file once; the builder needs the texts the preprocessor read. */
function memo(readFile: ReadFile): ReadFile {
  const cache = new Map<string, string | undefined>();
  return (p) => {
    if (!cache.has(p)) cache.set(p, readFile(p));
    return cache.get(p);
  };
}

/** Lays preprocessed lines, each known to come from a line of a file, into a composite. */
class LineLayout {
  private readonly builder: CompositeBuilder;
  private readonly starts = new Map<string, number[]>();

  constructor(
    main: string,
    private readonly readFile: ReadFile,
  ) {
    this.builder = new CompositeBuilder(main);
  }

  /** `text` is the output for line `line` of `file`; `continues` when the next output line is that file's next line. */
  line(file: string, line: number, text: string, continues: boolean): void {
    const src = this.readFile(file);
    const content = src ?? '';
    if (src !== undefined) this.builder.addFile(file, src);
    const starts = this.lineStarts(file, content);
    const lineStart = line - 1 < starts.length ? starts[line - 1]! : content.length;
    const next = starts[line];
    const lineEnd = next === undefined ? content.length : next - 1;
    const srcLine = content.slice(lineStart, lineEnd);
    for (const p of alignLine(text, srcLine)) {
      const piece = text.slice(p.outStart, p.outEnd);
      if (p.verbatim) this.builder.verbatim(file, lineStart + p.srcStart, piece);
      else this.builder.generated(file, lineStart + p.srcStart, piece);
    }
    if (continues && next !== undefined) this.builder.verbatim(file, lineEnd, '\n');
    else this.builder.generated(file, lineEnd, '\n');
  }

  build(): CompositeSource {
    return this.builder.build();
  }

  private lineStarts(file: string, text: string): number[] {
    let s = this.starts.get(file);
    if (!s) {
      s = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
      this.starts.set(file, s);
    }
    return s;
  }
}

/** Preprocess a template with the project's own cpp subset (shared/dt/cpp.ts), where no system `cpp` is. */
export function templateFromSubset(file: string, settings: CppSettings, readFile: ReadFile): TemplateResult {
  const read = memo(readFile);
  let lines;
  try {
    lines = preprocess(file, { includeDirs: settings.includeDirs, defines: settings.defines, readFile: read });
  } catch (e) {
    if (!(e instanceof DtError)) throw e;
    const message = e.message.slice(`${e.file}:${e.line}:${e.column}: `.length);
    return { diagnostics: [{ severity: 'error', rule: 'cpp', file: e.file, line: e.line, column: e.column, message }] };
  }
  const layout = new LineLayout(file, read);
  lines.forEach((l, k) => {
    const next = lines[k + 1];
    layout.line(l.file, l.line, l.text, next !== undefined && next.file === l.file && next.line === l.line + 1);
  });
  return { composite: layout.build(), diagnostics: [] };
}

/** GNU cpp's line marker: `# LINE "FILE" FLAGS…` (printed without `-P`). */
const MARKER = /^# (\d+) "((?:[^"\\]|\\.)*)"((?: \d+)*)\s*$/;

function unescapeMarkerName(s: string): string {
  return s.replace(/\\([0-7]{1,3}|.)/g, (_m, c: string) => (/^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8)) : c));
}

/**
 * The output of the real `cpp` (with line markers, no `-P`) as a composite: markers say which file and line each
 * following output line comes from, and are left out of the text. `main` is the template as it was named to cpp.
 */
export function templateFromCppOutput(output: string, main: string, readFile: ReadFile): TemplateResult {
  const read = memo(readFile);
  const rows = output.split('\n');
  if (rows[rows.length - 1] === '') rows.pop();
  const placed: { file: string; line: number; text: string }[] = [];
  let file = main;
  let line = 1;
  for (const row of rows) {
    const m = MARKER.exec(row);
    if (m) {
      const name = unescapeMarkerName(m[2]!);
      file = name.startsWith('<') ? name : joinPath(name.startsWith('/') ? '/' : '.', name);
      line = Number(m[1]);
      continue;
    }
    placed.push({ file, line, text: row });
    line++;
  }
  const layout = new LineLayout(main, read);
  placed.forEach((p, k) => {
    const next = placed[k + 1];
    layout.line(p.file, p.line, p.text, next !== undefined && next.file === p.file && next.line === p.line + 1);
  });
  return { composite: layout.build(), diagnostics: [] };
}

/** `-D NAME[=V]`, `-DNAME[=V]`, `-U NAME`, `-I DIR`, `-IDIR` (and `-iquote`/`-isystem DIR`) into settings. */
export function cppSettingsFromArgs(args: readonly string[]): { settings: CppSettings; other: string[] } {
  const settings: CppSettings = { defines: {}, includeDirs: [] };
  const other: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (flag: string) => (a.length > flag.length ? a.slice(flag.length) : args[++i]);
    if (a.startsWith('-D')) {
      const d = value('-D');
      if (d === undefined) continue;
      const eq = d.indexOf('=');
      settings.defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '1' : d.slice(eq + 1);
    } else if (a.startsWith('-U')) {
      const u = value('-U');
      if (u !== undefined) delete settings.defines[u];
    } else if (a === '-iquote' || a === '-isystem' || a.startsWith('-I')) {
      const dir = a.startsWith('-I') ? value('-I') : args[++i];
      if (dir !== undefined) settings.includeDirs.push(dir);
    } else other.push(a);
  }
  return { settings, other };
}
