import { lazy, Suspense, useCallback } from 'react';
import { useActions, useStudio } from '../../stores/context';

const ConsoleView = lazy(() => import('./ConsoleView'));

/** One serial port: its console, status, Break and Close. */
export function SerialConsole({ id }: { id: string }) {
  const session = useStudio((s) => s.serials.find((x) => x.id === id));
  const actions = useActions();
  const presenting = useStudio((s) => s.presentation);
  const send = useCallback((d: string) => actions.sendSerial(id, d), [actions, id]);
  if (!session) return <div className="panel-empty">This serial port was closed.</div>;
  return (
    <div className="serial-console">
      <div className="row qemu-bar">
        <span className={`qemu-status serial-${session.status}`} data-testid="serial-status">
          {session.target}: {session.status}
          {session.detail ? ` (${session.detail})` : ''}
          {session.tcu ? ' · TCU' : ''}
        </span>
        <button onClick={() => void actions.breakSerial(id)} disabled={session.status !== 'open'}>Break</button>
        <button data-testid="serial-close" onClick={() => void actions.closeSerial(id)}>Close</button>
        <button data-testid="serial-presentation" onClick={() => actions.setPresentation(!presenting)} title="The graph with the live view, this console and the timeline on one screen, large (Esc leaves)">
          {presenting ? 'Leave presentation' : 'Present'}
        </button>
      </div>
      <div className="qemu-console">
        <Suspense fallback={<div className="panel-empty">Loading terminal…</div>}>
          <ConsoleView id={id} onInput={send} canEcho />
        </Suspense>
      </div>
    </div>
  );
}
