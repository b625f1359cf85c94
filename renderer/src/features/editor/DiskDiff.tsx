import { DiffEditor } from '@monaco-editor/react';
import './monacoSetup';
import { useActions, useStudio } from '../../stores/context';

/** Compare: what is on disk now (left) against the editor's text (right), before choosing Reload or Keep mine. */
export default function DiskDiff() {
  const conflict = useStudio((s) => s.diskConflict);
  const mine = useStudio((s) => s.xmlText ?? s.doc.text);
  const theme = useStudio((s) => s.theme);
  const actions = useActions();
  if (!conflict) return null;
  return (
    <section className="source-editor" data-testid="disk-diff">
      <header>
        <span>{conflict.path}: on disk (left) · yours (right)</span>
        <span className="grow" />
        <button onClick={() => actions.setComparing(false)}>Close</button>
      </header>
      {/* The models outlive the widget: disposing them first makes Monaco report an error when the view closes. */}
      <DiffEditor keepCurrentOriginalModel keepCurrentModifiedModel original={conflict.diskText ?? ''} modified={mine} language="xml" theme={theme === 'dark' ? 'vs-dark' : 'vs'} options={{ readOnly: true, renderSideBySide: true, minimap: { enabled: false }, automaticLayout: true }} />
    </section>
  );
}
