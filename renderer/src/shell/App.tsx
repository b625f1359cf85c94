import { useEffect } from 'react';
import { Center } from './Center';
import { Inspector } from '../features/inspector/Inspector';
import { Palette } from '../features/graph/Palette';
import { XmlPreview } from '../features/editor/XmlPreview';
import { useActions, useStudio } from '../stores/context';
import { BottomPanel } from './BottomPanel';
import { ProjectDialog } from './ProjectDialog';
import { DeleteDialog } from './DeleteDialog';
import { useProblems } from '../features/problems/useProblems';
import { keptVerbatim } from '../../../shared/model/system';
import { isMigrationFix } from '../../../shared/sdf/check';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { QemuConsole } from './lazyViews';

function useShortcuts() {
  const actions = useActions();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = e.key.toLowerCase();
      const inField = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement || (e.target instanceof Element && e.target.closest('.monaco-editor, .xterm') !== null);
      // Delete the selection (asking first when more goes with it); only where the key is not the text's.
      if ((e.key === 'Delete' || e.key === 'Backspace') && !inField && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        actions.requestDelete();
        return;
      }
      if (e.key === 'F5' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        void actions.startBuild(true);
        return;
      }
      if (!(e.ctrlKey || e.metaKey)) return;
      // The source editor saves its own file on Ctrl+S (a Monaco command).
      if (k === 's' && !e.shiftKey && e.target instanceof Element && e.target.closest('.source-editor')) return;
      const run = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (k === 'n') run(() => actions.openDialog('new'));
      else if (k === 'o') run(() => actions.openDialog('open'));
      else if (k === 's' && e.shiftKey) run(() => actions.openDialog('saveAs'));
      else if (k === 's') run(() => void actions.save());
      else if (k === 'b' && e.shiftKey) run(() => void actions.startBuild(false));
      else if (inField) return;
      else if ((k === 'z' && e.shiftKey) || k === 'y') run(() => actions.redo());
      else if (k === 'c') {
        // Copy only takes over Ctrl+C when there is something of ours to copy (text selections stay the browser's).
        if (actions.copy()) e.preventDefault();
      }
      else if (k === 'v') run(() => actions.paste());
      else if (k === 'd') run(() => actions.duplicate());
      else if (k === 'a') run(() => actions.selectAll());
      else if (k === 'z') run(() => actions.undo());
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}

export function App() {
  const theme = useStudio((s) => s.theme);
  const notice = useStudio((s) => s.notice);
  const recovery = useStudio((s) => s.recovery);
  const presentation = useStudio((s) => s.presentation);
  const actions = useActions();
  const { problems } = useProblems();
  // A Microkit 1.x file: what the graph cannot show yet, and the whole-file migration that fixes it.
  const legacy = problems.find((p) => isMigrationFix(p.fix));
  const kept = useStudio((s) => keptVerbatim(s.doc.system));
  useShortcuts();
  useEffect(() => {
    if (!presentation) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && actions.setPresentation(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [presentation, actions]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  if (presentation) {
    return (
      <div className="app presentation" data-testid="presentation-view">
        <QemuConsole />
      </div>
    );
  }
  return (
    <div className="app" data-testid="app">
      <Toolbar />
      {recovery && (
        <div className="banner" data-testid="recovery-banner">
          Unsaved changes from {new Date(recovery.savedAt).toLocaleString()} were recovered.
          <button onClick={() => actions.restoreRecovery()}>Restore</button>
          <button onClick={() => void actions.discardRecovery()}>Discard</button>
        </div>
      )}
      {legacy?.fix && (
        <div className="banner" data-testid="legacy-banner">
          This system uses Microkit 1.x syntax: {kept} element{kept === 1 ? ' is' : 's are'} kept as written and not drawn.
          <button onClick={() => actions.applyFix(legacy.fix!)} title={legacy.fix.label}>
            Migrate to Microkit 2.x
          </button>
          <span className="muted">one undo step; every change is listed in Problems until then</span>
        </div>
      )}
      {notice && (
        <div className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${notice.kind}`}>
          <span>{notice.message}</span>
          <button className="link" onClick={() => actions.dismissNotice()} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <main className="workbench">
        <Palette />
        <Center />
        <div className="right">
          <Inspector />
          <XmlPreview />
        </div>
      </main>
      <BottomPanel />
      <StatusBar />
      <ProjectDialog />
      <DeleteDialog />
    </div>
  );
}
