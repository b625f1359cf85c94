import type { ReportedBuildProblem } from '../../../../shared/api/contract';
import { useActions, useStudio } from '../../stores/context';
import { useProblems, type Problem } from './useProblems';
import { allProtectionDomains } from '../../../../shared/model/system';
import { commandTitle } from '../../commands/registry';

/** The Microkit tool's error for a PD whose ELF is not in the build folder (the path, not path_for_symbols). */
const MISSING_IMAGE = /unable to find program image: '([^']+)'/;

interface Place {
  file?: string;
  line?: number;
  column?: number;
}
/** One line under a build problem: where it was included from, or one of gcc's notes. */
interface RelatedPlace extends Place {
  text: string;
}

/** A problem as the Problems panel may receive it: a build problem keeps its include chain and notes. */
type ShownProblem = Problem & Partial<Pick<ReportedBuildProblem, 'includedFrom' | 'notes'>>;

/** A build problem's include chain (as gcc prints it: the including file first) and its notes. Others have none. */
function relatedPlaces(p: ShownProblem): RelatedPlace[] {
  return [
    ...(p.includedFrom ?? []).map((i) => ({ text: 'In file included from', file: i.file, line: i.line })),
    ...(p.notes ?? []).map((n) => ({ text: `note: ${n.message}`, file: n.file, line: n.line, column: n.column })),
  ];
}

const placeText = (p: Place) => `${p.file ?? ''}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}`;

export function ProblemsPanel() {
  const { problems } = useProblems();
  const actions = useActions();
  const systemFile = useStudio((s) => s.project?.studio.systemFile);
  const system = useStudio((s) => s.doc.system);
  const composite = useStudio((s) => Boolean(s.doc.composite));
  /** A source file of the project (not the .system, not studio.json, not outside the project): the source editor opens it. */
  const isSource = (file: string | undefined): file is string => Boolean(file && file !== systemFile && !file.startsWith('/') && !file.endsWith('studio.json'));
  // A problem in a source file opens it at its line; one in the .system selects its node and XML line.
  const open = (at: Place, key?: string) => {
    if (isSource(at.file)) return void actions.openSource(at.file, at.line);
    if (key) actions.showNode(key);
    if (at.line) actions.revealInXml(at.line, at.column ?? 1);
  };
  /** The PD a Microkit "unable to find program image" error is about, when the open system has it: Create program fixes it. */
  const programFix = (p: ShownProblem): string | undefined => {
    const image = MISSING_IMAGE.exec(p.message)?.[1];
    return image === undefined || composite ? undefined : allProtectionDomains(system).find((pd) => pd.programImage === image)?.name;
  };
  if (problems.length === 0) return <div className="panel-empty" data-testid="problems-empty">No problems.</div>;
  return (
    <ul className="problems" data-testid="problems">
      {problems.map((p: ShownProblem, i) => {
        const related = relatedPlaces(p);
        return (
          <li key={i} className={`problem problem-${p.severity}`} data-testid="problem" onClick={() => open(p, p.key)}>
            <span className="problem-sev">{p.severity}</span>
            <span className="problem-msg">{p.message}</span>
            <span className="problem-place">{placeText(p)}</span>
            {programFix(p) ? (
              <button
                className="problem-fix"
                data-testid="problem-fix"
                title={commandTitle('createProgram')}
                onClick={(e) => {
                  e.stopPropagation();
                  void actions.createPrograms([programFix(p)!]);
                }}
              >
                Fix: Create program for {programFix(p)}
              </button>
            ) : p.fix ? (
              <button
                className="problem-fix"
                data-testid="problem-fix"
                title={p.fix.label}
                onClick={(e) => {
                  e.stopPropagation();
                  actions.applyFix(p.fix!);
                }}
              >
                Fix: {p.fix.label}
              </button>
            ) : (
              <span className="problem-rule">{p.rule}</span>
            )}
            {related.length > 0 && (
              // Its own clicks open its places, not the problem's.
              <details className="problem-related" data-testid="problem-related" onClick={(e) => e.stopPropagation()}>
                <summary>{relatedSummary(related.length, p.includedFrom?.length ?? 0)}</summary>
                <ul>
                  {related.map((r, j) => (
                    <li key={j}>
                      {/* Only places the editor can show are links: the .system and project sources. */}
                      <button className="link" data-testid="problem-related-place" disabled={!r.line || !(isSource(r.file) || r.file === systemFile)} onClick={() => open(r)}>
                        <span>{r.text}</span>
                        <span className="problem-place">{placeText(r)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function relatedSummary(total: number, includes: number): string {
  const notes = total - includes;
  const parts = [includes ? `included from ${includes} file${includes === 1 ? '' : 's'}` : '', notes ? `${notes} note${notes === 1 ? '' : 's'}` : ''];
  return parts.filter(Boolean).join(', ');
}
