import { useActions, useStudio } from '../../stores/context';
import { useProblems } from './useProblems';

export function ProblemsPanel() {
  const { problems } = useProblems();
  const actions = useActions();
  const systemFile = useStudio((s) => s.project?.studio.systemFile);
  if (problems.length === 0) return <div className="panel-empty" data-testid="problems-empty">No problems.</div>;
  return (
    <ul className="problems" data-testid="problems">
      {problems.map((p, i) => (
        <li
          key={i}
          className={`problem problem-${p.severity}`}
          data-testid="problem"
          onClick={() => {
            // A problem in a source file opens it at its line; one in the .system selects its node and XML line.
            if (p.file && p.file !== systemFile && !p.file.startsWith('/') && !p.file.endsWith('studio.json')) return void actions.openSource(p.file, p.line);
            if (p.key) actions.select([p.key]);
            if (p.line) actions.revealInXml(p.line, p.column ?? 1);
          }}
        >
          <span className="problem-sev">{p.severity}</span>
          <span className="problem-msg">{p.message}</span>
          <span className="problem-place">
            {p.file ?? ''}
            {p.line ? `:${p.line}:${p.column ?? 1}` : ''}
          </span>
          {p.fix ? (
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
        </li>
      ))}
    </ul>
  );
}
