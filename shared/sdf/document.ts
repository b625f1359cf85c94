import type { Diagnostic } from '../api/diagnostics';
import type { EditorDoc, Edit } from '../model/edits';
import { emptySystem, type SystemModel } from '../model/system';
import { followLayout } from '../model/follow';
import type { KernelConfig } from './kernelConfig';
import { checkSystem } from './check';
import { exportSystem } from './export';
import { importSystem, type SourceMap } from './import';
import { applyTextEdits, reconcile, type TextEdit } from './reconcile';
import { parseXml, XmlSyntaxError, type XmlComment, type XmlElement } from './xml';

/**
 * A system description being edited: the file's text (what is saved, byte for byte), the model read from it (the
 * last one that parsed, while the text does not) and the layout (kept outside the file). DESIGN.md §3.11.
 */
export interface SystemDoc extends EditorDoc {
  text: string;
}

/** Everything read from one text with one parse: the tree, the model, where each element sits, the importer's notes. */
export interface Analysis {
  text: string;
  file: string;
  parsed?: { root: XmlElement; prolog: XmlComment[] };
  model?: SystemModel;
  sources: SourceMap;
  /** The importer's diagnostics (a text that does not parse: the parser's, placed). */
  diagnostics: Diagnostic[];
}

const CACHE = 8;
const analyses: Analysis[] = [];

/** Read a text once: every consumer of the same text (canvas, problems, XML pane, save, build) shares the result. */
export function analyzeText(text: string, file: string): Analysis {
  const hit = analyses.find((a) => a.file === file && a.text === text);
  if (hit) return hit;
  let a: Analysis;
  try {
    const parsed = parseXml(text);
    const imported = importSystem(text, file, parsed);
    a = { text, file, parsed, sources: imported.sources, diagnostics: imported.diagnostics, ...(imported.model ? { model: imported.model } : {}) };
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    a = { text, file, sources: new Map(), diagnostics: [{ severity: 'error', file, line: err.line, column: err.column, rule: 'xml', message: `Could not parse '${file}': ${err.message}` }] };
  }
  analyses.unshift(a);
  analyses.length = Math.min(analyses.length, CACHE);
  return a;
}

const checks = new WeakMap<Analysis, { config: KernelConfig; diagnostics: Diagnostic[] }>();

/** The Microkit rules over an analysed text, without parsing it again (memoised per analysis and board config). */
export function checkAnalysis(a: Analysis, config: KernelConfig): Diagnostic[] {
  const hit = checks.get(a);
  if (hit && hit.config === config) return hit.diagnostics;
  const diagnostics = a.parsed ? checkSystem(a.text, a.file, config, a.parsed).diagnostics : a.diagnostics;
  checks.set(a, { config, diagnostics });
  return diagnostics;
}

/** A document for a file's text (a text that does not parse gets an empty model, and its error from analyzeText). */
export function openSystemDoc(text: string, file: string, layout: EditorDoc['layout']): SystemDoc {
  return { text, system: analyzeText(text, file).model ?? emptySystem(), layout };
}

export class UneditableText extends Error {}

/**
 * Apply a model edit to a document: the model changes as the edit says, the text by the smallest text edits that
 * say the same (reconcile.ts), checked by reading the new text back. `lossy` is set when the text could not be
 * lined up with the model and was written canonically instead (never expected; the corpus tests say how often).
 */
export function editSystemDoc(doc: SystemDoc, edit: Edit, file: string): SystemDoc & { lossy?: boolean } {
  const next = edit.apply(doc);
  if (next === doc) return doc;
  if (next.system === doc.system) return { text: doc.text, system: doc.system, layout: next.layout };
  return withSystem(doc, next.system, followLayout(doc.system, next.system, next.layout), file);
}

/** The document with `system` as its model: the text patched to say so (see {@link editSystemDoc}). */
export function withSystem(doc: SystemDoc, system: SystemModel, layout: EditorDoc['layout'], file: string): SystemDoc & { lossy?: boolean } {
  const r = patchFor(doc, system, file);
  return r.edits ? { text: r.text, system, layout } : { text: r.text, system, layout, lossy: true };
}

/**
 * {@link editSystemDoc} with the text edits it made (offsets into `doc.text`), for documents whose text is made of
 * several files (compositeEdit.ts carries the edits into them). `edits` is undefined when the text was rewritten.
 */
export function editSystemDocEdits(doc: SystemDoc, edit: Edit, file: string): { doc: SystemDoc; edits?: TextEdit[] } {
  const next = edit.apply(doc);
  if (next === doc || next.system === doc.system) return { doc: next === doc ? doc : { text: doc.text, system: doc.system, layout: next.layout }, edits: [] };
  const r = patchFor(doc, next.system, file);
  return { doc: { text: r.text, system: next.system, layout: followLayout(doc.system, next.system, next.layout) }, ...(r.edits ? { edits: r.edits } : {}) };
}

function patchFor(doc: SystemDoc, system: SystemModel, file: string): { text: string; edits?: TextEdit[] } {
  const before = analyzeText(doc.text, file);
  if (!before.parsed) throw new UneditableText(`${file} does not parse (${before.diagnostics[0]?.message ?? 'invalid XML'}): fix the text first`);
  const edits = reconcile(doc.text, before.parsed.root, doc.system, system);
  if (edits) {
    const text = applyTextEdits(doc.text, edits);
    const after = analyzeText(text, file);
    if (after.model && sameSystem(after.model, system)) return { text, edits };
  }
  return { text: exportSystem(system) };
}

/** Equal as the Microkit tool sees them: comments aside, whatever order the objects' fields were set in. */
export function sameSystem(a: SystemModel, b: SystemModel): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.filter((x) => !(typeof x === 'string' && x.startsWith('<!--'))).map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v)
      .filter((k) => k !== 'comments' && k !== 'trailingComments' && (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${k}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  // An element kept verbatim: the same element whatever its layout.
  if (typeof v === 'string' && v.startsWith('<')) return JSON.stringify(v.replace(/<!--[^]*?-->/g, '').replace(/\s*=\s*/g, '=').replace(/\s+/g, ' ').replace(/\s*(\/?>)/g, '$1').replace(/<([\w:.-]+)([^<>]*?)>\s*<\/\1>/g, '<$1$2/>'));
  return JSON.stringify(v);
}
