import { lazy, Suspense } from 'react';
import { useStudio } from '../../stores/context';
import { useDerived } from '../problems/useProblems';

// Monaco is ~several MB: it loads on first use, never in the initial bundle.
const MonacoXml = lazy(() => import('./MonacoXml'));

export function XmlPreview() {
  const { xml, diagnostics } = useDerived();
  const theme = useStudio((s) => s.theme);
  const reveal = useStudio((s) => s.reveal);
  const file = useStudio((s) => s.project?.studio.systemFile);
  if (!file) {
    return (
      <section className="xml-preview" data-testid="xml-preview" aria-label="System XML">
        <header>
          <span>system</span>
        </header>
        <div className="panel-empty">The generated .system file appears here when a project is open.</div>
      </section>
    );
  }
  return (
    <section className="xml-preview" data-testid="xml-preview" aria-label="System XML">
      <header>
        <span>{file}</span>
        <span className="muted">generated · read-only</span>
      </header>
      <div className="xml-body">
        <Suspense fallback={<pre className="xml-fallback">{xml}</pre>}>
          <MonacoXml value={xml} theme={theme} diagnostics={diagnostics} reveal={reveal} />
        </Suspense>
      </div>
    </section>
  );
}
