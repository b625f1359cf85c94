import { useActions, useStudio } from '../stores/context';
import { isDirty } from '../stores/studioStore';
import { useProblems } from '../features/problems/useProblems';
import { useCommands } from '../commands/CommandsProvider';
import { commandTitle } from '../commands/registry';

export function StatusBar() {
  const host = useStudio((s) => s.host);
  const connected = useStudio((s) => s.connected);
  const doctor = useStudio((s) => s.doctor);
  const dirty = useStudio(isDirty);
  const project = useStudio((s) => s.project);
  const trusted = useStudio((s) => s.trusted);
  const lastEdit = useStudio((s) => s.history.past[s.history.past.length - 1]?.label);
  const { problems } = useProblems();
  const actions = useActions();
  const commands = useCommands();
  const errors = problems.filter((p) => p.severity === 'error').length;
  const found = doctor?.filter((t) => t.found).length;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span data-testid="status-host">{connected ? (host ? (host.mode === 'electron' ? 'Electron' : 'Browser mode') : 'connecting…') : 'Disconnected from host'}</span>
      <button className="link" data-testid="status-doctor" onClick={() => actions.setPanel('doctor')}>
        {doctor ? `Tools: ${found}/${doctor.length}` : 'Tools: checking…'}
      </button>
      <button className="link" onClick={() => actions.setPanel('problems')} data-testid="status-problems">
        {errors} error{errors === 1 ? '' : 's'}
      </button>
      {project && trusted === false && (
        <span className="status-restricted" data-testid="status-restricted" title="This folder is not trusted: build and run are off. Run “Trust this folder” (command palette) or the banner's Trust button.">
          Restricted mode
        </span>
      )}
      <span className="grow" />
      {lastEdit && <span className="muted">Last edit: {lastEdit}</span>}
      {project && <span data-testid="status-dirty">{dirty ? 'Unsaved changes' : 'Saved'}</span>}
      {project && (
        <span className="muted">
          <button className="link" data-testid="status-board" title={commandTitle('setBoard')} onClick={() => commands.surfaces.palette?.open('setBoard')}>
            {project.studio.board}
          </button>{' '}
          · Microkit {project.studio.microkitVersion}
        </span>
      )}
    </footer>
  );
}
