import { useActions, useStudio } from '../stores/context';
import { isDirty } from '../stores/studioStore';

export function Toolbar() {
  const actions = useActions();
  const hasProject = useStudio((s) => Boolean(s.project));
  const canUndo = useStudio((s) => s.history.past.length > 0);
  const canRedo = useStudio((s) => s.history.future.length > 0);
  const dirty = useStudio(isDirty);
  const theme = useStudio((s) => s.theme);
  const name = useStudio((s) => s.project?.studio.name);
  const building = useStudio((s) => Boolean(s.build && !s.build.record));
  return (
    <header className="toolbar" role="toolbar" aria-label="Main">
      <span className="brand">seL4 Studio</span>
      <button data-testid="btn-new" title="New project (Ctrl+N)" onClick={() => actions.openDialog('new')}>New</button>
      <button data-testid="btn-open" title="Open project (Ctrl+O)" onClick={() => actions.openDialog('open')}>Open</button>
      <button data-testid="btn-save" title="Save (Ctrl+S)" disabled={!hasProject} onClick={() => void actions.save()}>Save</button>
      <button data-testid="btn-saveas" title="Save As (Ctrl+Shift+S)" disabled={!hasProject} onClick={() => actions.openDialog('saveAs')}>Save As</button>
      <span className="sep" />
      <button data-testid="btn-undo" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={() => actions.undo()}>Undo</button>
      <button data-testid="btn-redo" title="Redo (Ctrl+Y)" disabled={!canRedo} onClick={() => actions.redo()}>Redo</button>
      <span className="sep" />
      <button data-testid="btn-build" title="Compile the PD programs, write the .system, run microkit (Ctrl+Shift+B)" disabled={!hasProject || building} onClick={() => void actions.startBuild(false)}>Build</button>
      <button data-testid="btn-build-run" title="Build, then boot build/loader.img in QEMU (F5)" disabled={!hasProject || building} onClick={() => void actions.startBuild(true)}>Build &amp; Run</button>
      <span className="grow" />
      {name && (
        <span className="project-name" data-testid="project-name">
          {name}
          {dirty ? ' ●' : ''}
        </span>
      )}
      <button title="Toggle light/dark theme" data-testid="btn-theme" onClick={() => actions.setTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? 'Light' : 'Dark'}
      </button>
    </header>
  );
}
