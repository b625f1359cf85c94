import { useEffect } from 'react';
import { useActions, useStudio } from '../stores/context';

/** Before a delete that takes more than the selection: what goes with it, Delete or Cancel (Enter / Escape). */
export function DeleteDialog() {
  const pending = useStudio((s) => s.pendingDelete);
  const actions = useActions();
  useEffect(() => {
    if (!pending) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      e.preventDefault();
      if (e.key === 'Enter') actions.confirmDelete();
      else actions.cancelDelete();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [pending, actions]);
  if (!pending) return null;
  const what = pending.keys.map((k) => k.replace(/^(pd|mr|vm):/, '')).join(', ');
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label="Delete" data-testid="delete-dialog">
        <h3>Delete {what}?</h3>
        <p>This also removes:</p>
        <ul data-testid="delete-also">
          {pending.also.map((a, i) => (
            <li key={i}>{a}</li>
          ))}
        </ul>
        <p className="muted">Undo (Ctrl+Z) brings everything back.</p>
        <div className="row end">
          <button onClick={() => actions.cancelDelete()}>Cancel</button>
          <button className="primary" data-testid="delete-confirm" autoFocus onClick={() => actions.confirmDelete()}>
            Delete
          </button>
        </div>
      </div>
    </div>
  );
}
