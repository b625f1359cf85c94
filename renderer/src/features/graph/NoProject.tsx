import { useActions } from '../../stores/context';

/** The centre when no project is open. Kept apart from Canvas so the first screen does not load React Flow. */
export function NoProject() {
  const actions = useActions();
  return (
    <div className="canvas-empty" data-testid="canvas-empty">
      <h2>No project open</h2>
      <p>Create a project (Ctrl+N) or open one (Ctrl+O) to start drawing a Microkit system.</p>
      <div className="row">
        <button onClick={() => actions.openDialog('new')}>New project…</button>
        <button onClick={() => actions.openDialog('open')}>Open project…</button>
      </div>
    </div>
  );
}
