import { lazy, Suspense, useMemo } from 'react';
import { sourceKeysOf } from '../../../../shared/model/graphKeys';
import { useActions, useStudio } from '../../stores/context';
import { TemplateFlags } from './TemplateFlags';
import { useAnalysis } from '../problems/useProblems';

// Monaco is ~several MB: it loads on first use, never in the initial bundle.
const MonacoXml = lazy(() => import('./MonacoXml'));

/**
 * The .system, both ways: it shows the model's export, and what the user types is imported into the model after a
 * pause. While the text does not parse, the pane says so and the graph keeps the last good model.
 */
export function XmlPreview() {
  const { xml, diagnostics, sources } = useAnalysis();
  const theme = useStudio((s) => s.theme);
  const reveal = useStudio((s) => s.reveal);
  const file = useStudio((s) => s.project?.studio.systemFile);
  const drafting = useStudio((s) => s.xmlText !== undefined);
  const composed = useStudio((s) => s.doc.composite);
  const selection = useStudio((s) => s.selection);
  const actions = useActions();
  const parseError = drafting ? diagnostics.find((d) => d.rule === 'xml' || d.rule === 'root') : undefined;
  // The selected node's or edge's lines in the text (its element from its start to the next element's).
  const highlight = useMemo(() => {
    if (selection.length !== 1) return undefined;
    const keys = sourceKeysOf(sources.keys(), selection[0]!);
    if (!keys.length) return undefined;
    const lines = keys.map((k) => sources.get(k)!.line);
    return { start: Math.min(...lines), end: Math.max(...lines) };
  }, [selection, sources]);
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
        <TemplateFlags />
        {parseError ? (
          <span className="xml-status-error" data-testid="xml-status">
            line {parseError.line} does not parse · the graph keeps the last valid model{' '}
            <button className="link" data-testid="xml-revert" onClick={() => actions.revertXml()}>
              Revert
            </button>
          </span>
        ) : (
          <span className="muted" data-testid="xml-status">
            {composed
              ? `as the tools read it, from ${Object.keys(composed.files).length} file${Object.keys(composed.files).length === 1 ? '' : 's'} · graph edits go into them`
              : drafting
                ? 'edited · applied to the graph'
                : 'editable · Ctrl+Space completes'}
          </span>
        )}
      </header>
      <div className="xml-body">
        <Suspense fallback={<pre className="xml-fallback">{xml}</pre>}>
          <MonacoXml value={xml} theme={theme} diagnostics={diagnostics} reveal={reveal} highlight={highlight} readOnly={Boolean(composed)} onChange={(t) => actions.editXml(t)} />
        </Suspense>
      </div>
    </section>
  );
}
