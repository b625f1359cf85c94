import { useMemo } from 'react';
import type { Diagnostic } from '../../../../shared/api/diagnostics';
import { exportSystem } from '../../../../shared/sdf/export';
import { importSystem } from '../../../../shared/sdf/import';
import { validateSystem } from '../../../../shared/sdf/validate';
import { useStudio } from '../../stores/context';

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
  const file = useStudio((s) => s.project?.studio.systemFile);
  return useMemo(() => {
    const xml = exportSystem(system);
    const { sources } = importSystem(xml, file);
    // Without a project there is no system to judge.
    return { xml, sources, diagnostics: file ? validateSystem(system, sources, file) : [] };
  }, [system, file]);
}

export function useProblems() {
  const { sources, diagnostics } = useDerived();
  const loadDiagnostics = useStudio((s) => s.loadDiagnostics);
  return useMemo(() => {
    const byLine = new Map<number, string>();
    for (const [key, at] of sources) byLine.set(at.line, key);
    const problems: Problem[] = [
      ...loadDiagnostics,
      ...diagnostics.map((d) => ({ ...d, key: d.line !== undefined ? byLine.get(d.line) : undefined })),
    ];
    const counts = new Map<string, number>();
    for (const p of problems) if (p.key) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
    return { problems, counts };
  }, [sources, diagnostics, loadDiagnostics]);
}
