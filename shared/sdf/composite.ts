import type { Diagnostic } from '../api/diagnostics';

/**
 * A composite source: the one text the importer and the checker read (a preprocessed cpp template, a system with its
 * XIncludes resolved, or just a file), with segments saying which file each range of it comes from. Places found in
 * the text are reported in the files (`placeOf`), and edits made to the text go back into them (`mapEdit`) where a
 * range is the file's own text character for character.
 *
 * Plain data (it crosses the host contract); the functions below read it.
 */
export interface CompositeSegment {
  /** [start, end) in the composite text. */
  start: number;
  end: number;
  file: string;
  /** Offset in `file` of the segment's first character (for generated text: of what produced it). */
  fileStart: number;
  /** The file's text verbatim, so an offset inside maps to an offset in the file. */
  verbatim: boolean;
}

export interface CompositeSource {
  /** The file this composite stands for: the template, or the .system that includes the others. */
  main: string;
  text: string;
  /** Sorted, contiguous, covering all of `text`. */
  segments: CompositeSegment[];
  /** The text of every file a segment points into. */
  files: Record<string, string>;
}

export interface SourcePlace {
  file: string;
  line: number;
  column: number;
  /** Offset in `file`. */
  offset: number;
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface FileEdit extends TextEdit {
  file: string;
}

/** A file that needs no composing: one verbatim segment. */
export function plainComposite(file: string, text: string): CompositeSource {
  return { main: file, text, segments: [{ start: 0, end: text.length, file, fileStart: 0, verbatim: true }], files: { [file]: text } };
}

/** The same composite with its files named anew (absolute paths shown relative to where the user is, say). */
export function renameFiles(c: CompositeSource, rename: (file: string) => string): CompositeSource {
  return {
    main: rename(c.main),
    text: c.text,
    segments: c.segments.map((s) => ({ ...s, file: rename(s.file) })),
    files: Object.fromEntries(Object.entries(c.files).map(([f, t]) => [rename(f), t])),
  };
}

/** Builds a composite piece by piece; adjacent verbatim pieces that continue each other in one file merge. */
export class CompositeBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly segments: CompositeSegment[] = [];
  readonly files: Record<string, string> = {};

  constructor(private readonly main: string) {}

  /** Characters of text so far. */
  get size(): number {
    return this.length;
  }

  addFile(file: string, text: string): void {
    this.files[file] = text;
  }

  /** `text` is `file`'s own text from `fileStart`. */
  verbatim(file: string, fileStart: number, text: string): void {
    this.push(file, fileStart, text, true);
  }

  /** `text` was produced (a macro's expansion, an xml:base attribute) by what is at `fileStart` in `file`. */
  generated(file: string, fileStart: number, text: string): void {
    this.push(file, fileStart, text, false);
  }

  build(): CompositeSource {
    return { main: this.main, text: this.parts.join(''), segments: this.segments, files: this.files };
  }

  private push(file: string, fileStart: number, text: string, verbatim: boolean): void {
    if (!text) return;
    const last = this.segments[this.segments.length - 1];
    const start = this.length;
    this.parts.push(text);
    this.length += text.length;
    if (last && verbatim && last.verbatim && last.file === file && last.fileStart + (last.end - last.start) === fileStart) last.end = this.length;
    else if (last && !verbatim && !last.verbatim && last.file === file && last.fileStart === fileStart) last.end = this.length;
    else this.segments.push({ start, end: this.length, file, fileStart, verbatim });
  }
}

const lineStartCache = new WeakMap<CompositeSource, Map<string, number[]>>();

function lineStarts(c: CompositeSource, file: string): number[] {
  let perFile = lineStartCache.get(c);
  if (!perFile) lineStartCache.set(c, (perFile = new Map()));
  let starts = perFile.get(file);
  if (!starts) {
    const text = file === '\u0000composite' ? c.text : (c.files[file] ?? '');
    starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    perFile.set(file, starts);
  }
  return starts;
}

function lineColumn(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** The segment holding `offset` (the last one for the end of the text). */
function segmentAt(c: CompositeSource, offset: number): CompositeSegment | undefined {
  const segs = c.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segs[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  return segs[segs.length - 1];
}

/** Where an offset of the composite text is in the files; generated text is placed at what produced it. */
export function placeOf(c: CompositeSource, offset: number): SourcePlace {
  const s = segmentAt(c, offset);
  if (!s) return { file: c.main, line: 1, column: 1, offset: 0 };
  const fileOffset = s.verbatim ? s.fileStart + Math.min(offset, s.end) - s.start : s.fileStart;
  return { file: s.file, ...lineColumn(lineStarts(c, s.file), fileOffset), offset: fileOffset };
}

/** The offset of a 1-based line and column of the composite text. */
export function compositeOffset(c: CompositeSource, line: number, column: number): number {
  const starts = lineStarts(c, '\u0000composite');
  const start = starts[Math.min(Math.max(line, 1), starts.length) - 1]!;
  return Math.min(start + Math.max(column, 1) - 1, c.text.length);
}

/** The composite offset of an offset in a file, where that character is in the composite verbatim. */
export function compositeOffsetOf(c: CompositeSource, file: string, fileOffset: number): number | undefined {
  for (const s of c.segments) {
    if (s.verbatim && s.file === file && s.fileStart <= fileOffset && fileOffset <= s.fileStart + (s.end - s.start)) return s.start + fileOffset - s.fileStart;
  }
  return undefined;
}

/**
 * An edit of the composite text as an edit of one file, or undefined when the range is not inside one verbatim
 * segment (it touches a macro's expansion, or spans two files). An insertion where two segments meet goes to the
 * one that follows: text inserted "before X" lands in X's file.
 */
export function mapEdit(c: CompositeSource, edit: TextEdit): FileEdit | undefined {
  const fits = (s: CompositeSegment) => s.verbatim && s.start <= edit.start && edit.end <= s.end;
  const following = c.segments.find((s) => s.start === edit.start && fits(s));
  const s = following ?? c.segments.find(fits);
  if (!s) return undefined;
  return { file: s.file, start: s.fileStart + edit.start - s.start, end: s.fileStart + edit.end - s.start, text: edit.text };
}

/**
 * A diagnostic found in the composite text, placed in the file it comes from: its line and column, and the places
 * its message quotes (`file:line:col`, and roxmltree's `at line:col`), become those of the file.
 */
export function placeDiagnostic(c: CompositeSource, d: Diagnostic): Diagnostic {
  if (d.line === undefined || d.column === undefined) return d;
  const at = (line: number, column: number) => placeOf(c, compositeOffset(c, line, column));
  const p = at(d.line, d.column);
  let message = d.message;
  if (d.file) {
    const quoted = new RegExp(`${escapeRegExp(d.file)}:(\\d+):(\\d+)`, 'g');
    message = message.replace(quoted, (_m, l: string, col: string) => {
      const q = at(Number(l), Number(col));
      return `${q.file}:${q.line}:${q.column}`;
    });
    if (d.rule === 'xml') {
      message = message.replace(`Could not parse '${d.file}'`, `Could not parse '${p.file}'`).replace(/ at (\d+):(\d+)/, (_m, l: string, col: string) => {
        const q = at(Number(l), Number(col));
        return ` at ${q.line}:${q.column}`;
      });
    }
  }
  const placed: Diagnostic = { ...d, file: p.file, line: p.line, column: p.column, message };
  // A quick fix is the whole checked text rewritten: it is the file's only when the composite is that file.
  if (placed.fix && !(c.segments.length === 1 && c.segments[0]!.verbatim && c.files[c.main] === c.text)) delete placed.fix;
  return placed;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
