import { useActions, useStudio } from '../stores/context';

/**
 * Disk is the truth: a file open here changed on disk while it had unsaved edits (or a save was refused for it).
 * The user chooses: take the disk's text, keep theirs (the next save replaces the disk's), or compare the two.
 */
export function DiskBars() {
  const conflict = useStudio((s) => s.diskConflict);
  const sourceConflict = useStudio((s) => s.sourceConflict);
  const actions = useActions();
  return (
    <>
      {conflict && (
        <div className="banner banner-warn" role="alert" data-testid="disk-bar">
          {conflict.path} {conflict.deleted ? 'was deleted on disk' : 'changed on disk'} while you have unsaved changes.
          {!conflict.deleted && (
            <button data-testid="disk-reload" onClick={() => void actions.reloadFromDisk()}>
              Reload
            </button>
          )}
          <button data-testid="disk-keep" onClick={() => actions.keepMine()}>
            Keep mine
          </button>
          {conflict.diskText !== undefined && (
            <button data-testid="disk-compare" onClick={() => actions.setComparing(true)}>
              Compare
            </button>
          )}
        </div>
      )}
      {sourceConflict && (
        <div className="banner banner-warn" role="alert" data-testid="source-disk-bar">
          {sourceConflict} changed on disk while you have unsaved changes in the editor.
          <button data-testid="source-disk-reload" onClick={() => void actions.reloadSource()}>
            Reload
          </button>
          <button data-testid="source-disk-keep" onClick={() => void actions.keepSource()}>
            Keep mine
          </button>
        </div>
      )}
    </>
  );
}
