import { useActions, useStudio } from '../stores/context';
import { isDirty } from '../stores/documentSlice';

/** The system files open in tabs (the active one is the document); ● marks unsaved changes. */
export function DocTabs() {
  const active = useStudio((s) => s.docPath);
  const parked = useStudio((s) => s.parked);
  const dirty = useStudio(isDirty);
  const actions = useActions();
  const paths = [...new Set([...(active ? [active] : []), ...Object.keys(parked)])].sort();
  if (paths.length < 2) return null;
  return (
    <nav className="doc-tabs" role="tablist" aria-label="Open system files" data-testid="doc-tabs">
      {paths.map((p) => {
        const changed = p === active ? dirty : parked[p]!.doc !== parked[p]!.savedDoc;
        return (
          <span key={p} role="tab" aria-selected={p === active} className={p === active ? 'doc-tab active' : 'doc-tab'} data-testid={`doc-tab-${p}`}>
            <button className="link" onClick={() => void actions.openSystemFile(p)} title={p}>
              {p.split('/').pop()}
              {changed ? ' ●' : ''}
            </button>
            <button className="link" aria-label={`Close ${p}`} disabled={changed} title={changed ? 'Save or undo its changes first' : 'Close'} onClick={() => actions.closeSystemFile(p)}>
              ×
            </button>
          </span>
        );
      })}
    </nav>
  );
}
