import { useActions, useStudio } from '../../stores/context';

/**
 * Build with unsaved changes to the .system: the build reads the file on disk, so the user chooses — save the
 * changes and build them, or build the file as it is on disk (the editor's changes stay unsaved).
 */
export function BuildPrompt() {
  const prompt = useStudio((s) => s.buildPrompt);
  const file = useStudio((s) => s.project?.studio.systemFile);
  const actions = useActions();
  if (!prompt) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label="Unsaved changes" data-testid="build-prompt">
        <h3>{file} has unsaved changes</h3>
        <p>The build reads the file on disk. Save the changes and build them, or build the file as it is on disk?</p>
        <div className="row end">
          <button onClick={() => actions.cancelBuildPrompt()}>Cancel</button>
          <button data-testid="build-prompt-disk" onClick={() => void actions.startBuild(prompt.run, 'disk')}>
            Build the saved file
          </button>
          <button className="primary" data-testid="build-prompt-save" autoFocus onClick={() => void actions.startBuild(prompt.run, 'save')}>
            Save and build
          </button>
        </div>
      </div>
    </div>
  );
}
