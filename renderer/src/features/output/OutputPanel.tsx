import { useEffect, useRef } from 'react';
import { useActions, useStudio } from '../../stores/context';

export function OutputPanel() {
  const runs = useStudio((s) => s.runs);
  const actions = useActions();
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [runs]);
  if (runs.length === 0) return <div className="panel-empty">Process output appears here (try “Run QEMU --version” in the Doctor tab).</div>;
  return (
    <div className="output" data-testid="output">
      {runs.map((r) => (
        <section key={r.runId} className="run" data-testid={`run-${r.runId}`}>
          <header>
            <code>$ {r.command.join(' ')}</code>
            {r.exit ? (
              <span className={r.exit.code === 0 ? 'ok' : 'bad'} data-testid="run-exit">
                {r.exit.error ?? (r.exit.signal ? `killed (${r.exit.signal})` : `exit ${r.exit.code}`)} · {Math.round(r.exit.durationMs)} ms
              </span>
            ) : (
              <button onClick={() => actions.cancelRun(r.runId)}>Cancel</button>
            )}
          </header>
          <pre>{r.text}</pre>
        </section>
      ))}
      <div ref={end} />
    </div>
  );
}
