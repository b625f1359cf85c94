import { useEffect } from 'react';
import { Center } from './Center';
import { Inspector } from '../features/inspector/Inspector';
import { LeftPanel } from './LeftPanel';
import { DiskBars } from './DiskBars';
import { XmlPreview } from '../features/editor/XmlPreview';
import { useActions, useStudio } from '../stores/context';
import type { StudioState } from '../stores/studioStore';
import { CommandsProvider, useCommands } from '../commands/CommandsProvider';
import { BottomPanel } from './BottomPanel';
import { ProjectDialog } from './ProjectDialog';
import { DeleteDialog } from './DeleteDialog';
import { BuildPrompt } from '../features/build/BuildPrompt';
import { useProblems } from '../features/problems/useProblems';
import { keptVerbatim } from '../../../shared/model/system';
import { isMigrationFix } from '../../../shared/sdf/check';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { BoardRunDialog, BoardWizard, PassthroughWizard, Presentation } from './lazyViews';

/** The window: its commands (every shortcut, the palette) around the workbench. */
export function App() {
  return (
    <CommandsProvider>
      <Workbench />
    </CommandsProvider>
  );
}

function Workbench() {
  const theme = useStudio((s) => s.theme);
  const notice = useStudio((s) => s.notice);
  const recovery = useStudio((s) => s.recovery);
  const presentation = useStudio((s) => s.presentation);
  const restricted = useStudio((s) => Boolean(s.project) && s.trusted === false);
  const link = useStudio((s) => s.link);
  const wizardOpen = useStudio((s) => s.wizardOpen);
  const boardRunOpen = useStudio((s) => s.boardRunOpen);
  const boardWizardOpen = useStudio((s) => s.boardWizardOpen);
  const actions = useActions();
  const commands = useCommands();
  const { problems } = useProblems();
  // A Microkit 1.x file: what the graph cannot show yet, and the whole-file migration that fixes it.
  const legacy = problems.find((p) => isMigrationFix(p.fix));
  const kept = useStudio((s) => keptVerbatim(s.doc.system));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  if (presentation) {
    return (
      <div className="app presentation" data-testid="presentation-view">
        <Presentation />
      </div>
    );
  }
  return (
    <div className="app" data-testid="app">
      <Toolbar />
      {link && <HostBar link={link} />}
      {restricted && (
        <div className="banner banner-restricted" role="status" data-testid="restricted-banner">
          <strong>Restricted mode</strong> — this folder is not trusted: build and run are off.
          <span className="muted">You can view, edit, validate and draw. Trust it only if you trust its authors: building runs its Makefile or CMakeLists.txt.</span>
          <button data-testid="trust-folder" title="Trust this folder: build and run it" onClick={() => commands.run('trustFolder')}>
            Trust
          </button>
        </div>
      )}
      {recovery && (
        <div className="banner" data-testid="recovery-banner">
          Unsaved changes from {new Date(recovery.savedAt).toLocaleString()} were recovered.
          <button onClick={() => actions.restoreRecovery()}>Restore</button>
          <button onClick={() => void actions.discardRecovery()}>Discard</button>
        </div>
      )}
      <DiskBars />
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
        <LeftPanel />
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
      <BuildPrompt />
      {wizardOpen && <PassthroughWizard />}
      {boardRunOpen && <BoardRunDialog />}
      {boardWizardOpen && <BoardWizard />}
    </div>
  );
}

/** The host is away (browser mode): what the tab is doing about it. The document stays, edits and all. */
function HostBar({ link }: { link: NonNullable<StudioState['link']> }) {
  const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 1000 ? 2 : 0)} s`;
  return (
    <div className="banner banner-warn" role="status" data-testid="host-bar">
      {link.state === 'reconnecting' ? (
        <span>
          Host disconnected — reconnecting… (attempt {link.attempt}, every {secs(link.retryInMs)}). Your unsaved changes stay in this tab and go
          to the host when it is back.
        </span>
      ) : (
        <span>
          Host disconnected — {link.reason}. Trying again every {secs(link.retryInMs)}; your unsaved changes stay in this tab.
        </span>
      )}
    </div>
  );
}
