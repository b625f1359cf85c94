import type { Diagnostic } from '../api/diagnostics';
import { graphKeyOfSource, pdOfKey } from '../model/graphKeys';
import type { SystemModel } from '../model/system';
import { analyzeText, checkAnalysis } from './document';
import type { SourceMap } from './import';
import type { KernelConfig } from './kernelConfig';

/**
 * Everything the editor shows about one state of a system description, from one reading of its text: the text
 * itself (the XML pane), the model (the canvas), where each element sits (selection, go to XML), the importer's
 * and the Microkit rules' diagnostics (Problems) and the graph key each line belongs to. Memoised per text and board
 * config, so the canvas, the panels, the status bar, Save and the build share one result.
 */
export interface DocumentAnalysis {
  xml: string;
  model?: SystemModel;
  sources: SourceMap;
  diagnostics: Diagnostic[];
  /** The node or edge whose element starts on each line (the innermost). */
  keyOfLine: Map<number, string>;
}

const memo = new WeakMap<object, { config: KernelConfig; result: DocumentAnalysis }>();

export function analyzeDocument(text: string, file: string, config: KernelConfig): DocumentAnalysis {
  const a = analyzeText(text, file);
  const hit = memo.get(a);
  if (hit && hit.config === config) return hit.result;
  const keyOfLine = new Map<number, string>();
  for (const [key, at] of a.sources) {
    if (key.includes('@')) continue;
    const owner = graphKeyOfSource(key);
    if (owner) keyOfLine.set(at.line, owner);
  }
  const checked = a.parsed ? checkAnalysis(a, config) : [];
  const result: DocumentAnalysis = { xml: text, sources: a.sources, diagnostics: [...a.diagnostics, ...checked], keyOfLine, ...(a.model ? { model: a.model } : {}) };
  memo.set(a, { config, result });
  return result;
}

export interface Problem extends Diagnostic {
  /** The graph node or edge the problem belongs to, when it has one. */
  key?: string;
}

/** Problems with the node or edge each belongs to, and the error count per node (a map's, VM's or IRQ's counts on its PD too). */
export function placeProblems(diagnostics: readonly Diagnostic[], keyOfLine: ReadonlyMap<number, string>, other: readonly Diagnostic[] = []): { problems: Problem[]; counts: Map<string, number> } {
  const problems: Problem[] = [...other, ...diagnostics.map((d) => ({ ...d, key: d.line !== undefined ? keyOfLine.get(d.line) : undefined }))];
  const counts = new Map<string, number>();
  for (const p of problems) {
    if (!p.key || p.severity !== 'error') continue;
    counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
    const pd = pdOfKey(p.key);
    if (pd && !p.key.startsWith('pd:')) counts.set(`pd:${pd}`, (counts.get(`pd:${pd}`) ?? 0) + 1);
  }
  return { problems, counts };
}
