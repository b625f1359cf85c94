import { useState } from 'react';
import type { PassthroughPreview } from '../../../../shared/passthrough';
import { useActions, useStudio } from '../../stores/context';
import type { WizardSession } from '../../stores/studioStore';
import { docFile } from '../../stores/documentSlice';

/** Step 6: where the files go, then one undoable edit of the open system and the files created (never replaced unasked). */
export function ApplyStep({ w, preview }: { w: WizardSession; preview: PassthroughPreview | undefined }) {
  const actions = useActions();
  const file = useStudio((s) => docFile(s));
  const [dir, setDir] = useState(w.outDir);
  const targets = Object.keys(preview?.files ?? {}).map((n) => (w.outDir ? `${w.outDir}/${n}` : n));
  const blocked = !preview || preview.blockers.length > 0;
  if (w.applied) {
    return (
      <div className="wz-apply" data-testid="wz-applied">
        <p>
          <span className="ok">✓</span> {w.applied.label}: {file} changed in the editor (one step: <kbd>Ctrl+Z</kbd> undoes it; save with <kbd>Ctrl+S</kbd>).
        </p>
        {w.applied.written.length > 0 && (
          <>
            <p>Written:</p>
            <ul className="wz-list mono">
              {w.applied.written.map((p) => (
                <li key={p}>
                  <button
                    className="link"
                    onClick={() => {
                      actions.closeWizard();
                      void actions.openSource(p);
                    }}
                  >
                    {p}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {w.applied.unchanged.length > 0 && <p className="muted">Already there with these bytes: {w.applied.unchanged.join(', ')}</p>}
        <div className="row">
          <button data-testid="wz-done" className="primary" onClick={() => actions.closeWizard()}>
            Close
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="wz-apply">
      <label className="field">
        <span className="field-label">files into</span>
        <input
          data-testid="wz-out-dir"
          value={dir}
          placeholder="the folder itself"
          onChange={(e) => setDir(e.target.value)}
          onBlur={() => actions.setWizardOutDir(dir)}
          onKeyDown={(e) => e.key === 'Enter' && actions.setWizardOutDir(dir)}
        />
        <span className="field-help">A folder of this project (created if needed); files are created, never replaced without asking.</span>
      </label>
      <ul className="wz-list mono" data-testid="wz-targets">
        <li>
          {file} <span className="muted">— edited in place (undoable), saved when you save</span>
        </li>
        {targets.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
      {preview?.blockers.map((b, i) => (
        <p key={i} className="wz-msg wz-error">
          {b}
        </p>
      ))}
      {w.conflicts?.length ? (
        <div className="wz-conflicts" role="alertdialog" data-testid="wz-conflicts">
          <p>
            These files exist with other content: <span className="mono">{w.conflicts.join(', ')}</span>. Replace them?
          </p>
          <div className="row">
            <button data-testid="wz-overwrite" onClick={() => void actions.applyWizard(true)}>
              Replace them and apply
            </button>
            <button onClick={() => actions.wizardGo('apply')}>Cancel</button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button
            className="primary"
            data-testid="wz-apply"
            disabled={blocked || w.applying}
            title={blocked ? (preview?.blockers[0] ?? 'preparing') : `Change ${file} and write the files`}
            onClick={() => {
              actions.setWizardOutDir(dir);
              void actions.applyWizard();
            }}
          >
            {w.applying ? 'Applying…' : 'Apply'}
          </button>
        </div>
      )}
    </div>
  );
}
