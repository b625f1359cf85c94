import type { Diagnostic } from '../../../../shared/api/diagnostics';
import { exportSystem } from '../../../../shared/sdf/export';
import { importSystem } from '../../../../shared/sdf/import';
import { checkSystem } from '../../../../shared/sdf/check';
import { kernelConfig } from '../../../../shared/sdf/kernelConfig';
import { kernelConfigForBoard, type BoardPack } from '../../../../shared/model/board';
import type { SystemModel } from '../../../../shared/model/system';
import { useStudio } from '../../stores/context';
import { graphKeyOfSource, pdOfKey } from '../../../../shared/model/graphKeys';

export interface Problem extends Diagnostic {
  /** The graph node the problem belongs to, when it has one. */
  key?: string;
}

/**
 * Everything derived from the document: its XML, where each node sits in that XML, and the problems. Computed,
 * never stored (DESIGN.md §3.4); positions point into the XML the preview shows.
 */
export function useDerived() {
  const system = useStudio((s) => s.doc.system);
  const xmlText = useStudio((s) => s.xmlText);
  const file = useStudio((s) => s.project?.studio.systemFile);
  const boardName = useStudio((s) => s.project?.studio.board);
  const buildConfig = useStudio((s) => s.project?.studio.build.config);
  const board = useStudio((s) => s.boards.find((b) => b.name === boardName));
  return derive(system, xmlText, file, board, buildConfig);
}

/**
 * One computation per state, however many components ask (the canvas, inspector, XML pane, panels and status bar all
 * do): the inputs are immutable, so the last result stands while they are the same objects.
 */
function memoLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | undefined;
  return (...args) => {
    if (last && last.args.length === args.length && last.args.every((x, i) => x === args[i])) return last.result;
    last = { args, result: fn(...args) };
    return last.result;
  };
}

const derive = memoLast((system: SystemModel, xmlText: string | undefined, file: string | undefined, board: BoardPack | undefined, buildConfig: string | undefined) => {
  // While the user edits the XML pane, its text is what the problems and places refer to.
  const xml = xmlText ?? exportSystem(system);
  const { sources } = importSystem(xml, file);
  // The Microkit tool's own rules for the project's board (an unknown board is checked as qemu_virt_aarch64).
  const config = board ? kernelConfigForBoard(board, buildConfig) : kernelConfig({ arch: 'aarch64' });
  // Without a project there is no system to judge.
  return { xml, sources, diagnostics: file ? checkSystem(xml, file, config).diagnostics : [] };
});

export function useProblems() {
  const { sources, diagnostics } = useDerived();
  const loadDiagnostics = useStudio((s) => s.loadDiagnostics);
  const buildProblems = useStudio((s) => s.build?.problems) ?? NONE;
  const systemFile = useStudio((s) => s.project?.studio.systemFile);
  return allProblems(sources, diagnostics, loadDiagnostics, buildProblems, systemFile);
}
const NONE: (Diagnostic & { tool: string })[] = [];

const allProblems = memoLast((sources: ReturnType<typeof importSystem>['sources'], diagnostics: Diagnostic[], loadDiagnostics: Diagnostic[], buildProblems: (Diagnostic & { tool: string })[], systemFile: string | undefined) => {
  // The build's problems follow the Microkit rules' (a Microkit error the checker already shows is not repeated).
  const seen = new Set(diagnostics.map((d) => d.message));
  const fromBuild: Diagnostic[] = buildProblems.filter((p) => !(p.file === systemFile && seen.has(p.message)));
  return problemsOf(sources, [...diagnostics, ...fromBuild.filter((p) => p.file === systemFile)], [...loadDiagnostics, ...fromBuild.filter((p) => p.file !== systemFile)]);
});

function problemsOf(sources: ReturnType<typeof importSystem>['sources'], diagnostics: Diagnostic[], loadDiagnostics: Diagnostic[]) {
  // Each line of the XML belongs to the node or edge whose element starts there (the innermost one).
  const byLine = new Map<number, string>();
  for (const [key, at] of sources) {
    if (key.includes('@')) continue;
    const owner = graphKeyOfSource(key);
    if (owner) byLine.set(at.line, owner);
  }
  const problems: Problem[] = [
    ...loadDiagnostics,
    ...diagnostics.map((d) => ({ ...d, key: d.line !== undefined ? byLine.get(d.line) : undefined })),
  ];
  const counts = new Map<string, number>();
  // Node badges count errors; warnings show in the inspector and the Problems panel.
  // A problem of a map, VM or IRQ also counts on the PD node that draws it.
  for (const p of problems) {
    if (!p.key || p.severity !== 'error') continue;
    counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
    const pd = pdOfKey(p.key);
    if (pd && !p.key.startsWith('pd:')) counts.set(`pd:${pd}`, (counts.get(`pd:${pd}`) ?? 0) + 1);
  }
  return { problems, counts };
}
