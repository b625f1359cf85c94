import { useCommandEnabled, useCommands, useCommandTitle } from '../commands/CommandsProvider';
import type { CommandId } from '../commands/registry';
import { useStudio } from '../stores/context';
import { isDirty } from '../stores/studioStore';

/** A toolbar button that runs a command: its tooltip and key hint are the command's, greyed out when it cannot run. */
function CommandButton({ id, testId, children }: { id: CommandId; testId: string; children: string }) {
  const commands = useCommands();
  const enabled = useCommandEnabled(id);
  const title = useCommandTitle(id);
  return (
    <button data-testid={testId} title={title} disabled={!enabled} onClick={() => commands.run(id)}>
      {children}
    </button>
  );
}

export function Toolbar() {
  const dirty = useStudio(isDirty);
  const theme = useStudio((s) => s.theme);
  const name = useStudio((s) => s.project?.studio.name);
  return (
    <header className="toolbar" role="toolbar" aria-label="Main">
      <span className="brand">seL4 Studio</span>
      <CommandButton id="new" testId="btn-new">New</CommandButton>
      <CommandButton id="open" testId="btn-open">Open</CommandButton>
      <CommandButton id="save" testId="btn-save">Save</CommandButton>
      <CommandButton id="saveAs" testId="btn-saveas">Save As</CommandButton>
      <span className="sep" />
      <CommandButton id="undo" testId="btn-undo">Undo</CommandButton>
      <CommandButton id="redo" testId="btn-redo">Redo</CommandButton>
      <span className="sep" />
      <CommandButton id="build" testId="btn-build">Build</CommandButton>
      <CommandButton id="buildRun" testId="btn-build-run">Build &amp; Run</CommandButton>
      <CommandButton id="runOnBoard" testId="btn-run-board">Run on board</CommandButton>
      <span className="sep" />
      <CommandButton id="passthrough" testId="btn-passthrough">Passthrough…</CommandButton>
      <CommandButton id="boardWizard" testId="btn-board-wizard">New board…</CommandButton>
      <span className="grow" />
      {name && (
        <span className="project-name" data-testid="project-name">
          {name}
          {dirty ? ' ●' : ''}
        </span>
      )}
      <CommandButton id="toggleTheme" testId="btn-theme">{theme === 'dark' ? 'Light' : 'Dark'}</CommandButton>
    </header>
  );
}
