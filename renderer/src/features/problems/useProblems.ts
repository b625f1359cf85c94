import type { Diagnostic } from '../../../../shared/api/diagnostics';
import { analyzeDocument, placeProblems, type DocumentAnalysis, type Problem } from '../../../../shared/sdf/analyze';
import { kernelConfig } from '../../../../shared/sdf/kernelConfig';
import { kernelConfigForBoard } from '../../../../shared/model/board';
import { memoLast } from '../../../../shared/format/memo';
import { useStudio } from '../../stores/context';
import { docFile } from '../../stores/documentSlice';
import { placeDiagnostic, type CompositeSource } from '../../../../shared/sdf/composite';

export type { Problem };

const EMPTY: DocumentAnalysis = { xml: '', sources: new Map(), diagnostics: [], keyOfLine: new Map() };
const configFor = memoLast((board: Parameters<typeof kernelConfigForBoard>[0] | undefined, buildConfig: string | undefined) =>
  // The Microkit tool's own rules for the project's board (an unknown board is checked as qemu_virt_aarch64).
  board ? kernelConfigForBoard(board, buildConfig) : kernelConfig({ arch: 'aarch64' }),
);

/**
 * The open document's analysis (shared/sdf/analyze.ts): its text, model, places and diagnostics. While the user
 * types in the XML pane, the draft is what the problems and places refer to.
 */
export function useAnalysis(): DocumentAnalysis {
  const text = useStudio((s) => s.xmlText ?? s.doc.text);
  const file = useStudio((s) => (s.project ? docFile(s) : undefined));
  const boardName = useStudio((s) => s.project?.studio.board);
  const buildConfig = useStudio((s) => s.project?.studio.build.config);
  const board = useStudio((s) => s.boards.find((b) => b.name === boardName));
  // Without a project there is no system to judge.
  return file ? analyzeDocument(text, file, configFor(board, buildConfig)) : EMPTY;
}

/** The problems of the document, the host's and the last build's, each with the node or edge it belongs to. */
export function useProblems() {
  const { diagnostics, keyOfLine } = useAnalysis();
  const loadDiagnostics = useStudio((s) => s.loadDiagnostics);
  const buildProblems = useStudio((s) => s.build?.problems) ?? NONE;
  const systemFile = useStudio((s) => (s.project ? docFile(s) : undefined));
  const composite = useStudio((s) => s.doc.composite);
  return allProblems(diagnostics, keyOfLine, loadDiagnostics, buildProblems, systemFile, composite);
}
const NONE: (Diagnostic & { tool: string })[] = [];

const allProblems = memoLast((diagnostics: Diagnostic[], keyOfLine: Map<number, string>, loadDiagnostics: Diagnostic[], buildProblems: (Diagnostic & { tool: string })[], systemFile: string | undefined, composite: CompositeSource | undefined) => {
  // The build's problems follow the Microkit rules' (a Microkit error the checker already shows is not repeated).
  const seen = new Set(diagnostics.map((d) => d.message));
  const fromBuild: Diagnostic[] = buildProblems.filter((p) => !(p.file === systemFile && seen.has(p.message)));
  const other = [...loadDiagnostics, ...fromBuild.filter((p) => composite || p.file !== systemFile)];
  const placed = placeProblems(composite ? diagnostics : [...diagnostics, ...fromBuild.filter((p) => p.file === systemFile)], keyOfLine, other);
  if (!composite) return placed;
  // A composed text (a cpp template, XIncludes): the text's problems (after the others) at their place in the file
  // that holds the text; each keeps the node it belongs to.
  return { ...placed, problems: placed.problems.map((p, i) => (i < other.length ? p : { ...placeDiagnostic(composite, p), ...(p.key ? { key: p.key } : {}) })) };
});
