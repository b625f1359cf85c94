import { lazy, Suspense, useState, type FormEvent } from 'react';
import { useActions, useStudio } from '../../stores/context';
import { Timeline } from '../timeline/Timeline';

const XtermView = lazy(() => import('../qemu/XtermView'));

/** The QEMU session: boot the project's image, watch the console and the boot timeline, steer the machine. */
export function TerminalPanel() {
  const qemu = useStudio((s) => s.qemu);
  const milestones = useStudio((s) => s.milestones);
  const monitorText = useStudio((s) => s.monitorText);
  const hasProject = useStudio((s) => Boolean(s.project));
  const board = useStudio((s) => s.project?.studio.board);
  const actions = useActions();
  const [kind, setKind] = useState<'image' | 'kernel'>('image');
  const [file, setFile] = useState('build/loader.img');
  const [monitor, setMonitor] = useState('info mtree');
  const running = qemu && qemu.status !== 'exited';
  const start = (e: FormEvent) => {
    e.preventDefault();
    void actions.startQemu(kind === 'image' ? { image: file } : { kernel: file });
  };
  if (!hasProject) return <div className="panel-empty">Open a project to boot its image in QEMU.</div>;
  return (
    <div className="qemu-panel" data-testid="qemu-panel">
      <form className="row qemu-bar" onSubmit={start}>
        <select data-testid="qemu-kind" value={kind} onChange={(e) => setKind(e.target.value as 'image' | 'kernel')} disabled={Boolean(running)}>
          <option value="image">loader.img</option>
          <option value="kernel">ELF (-kernel)</option>
        </select>
        <input data-testid="qemu-file" value={file} onChange={(e) => setFile(e.target.value)} disabled={Boolean(running)} aria-label="Image or kernel, relative to the project" />
        <button type="submit" data-testid="qemu-start" disabled={Boolean(running)} title={`Boot on ${board}`}>
          Start
        </button>
        <button type="button" data-testid="qemu-pause" disabled={qemu?.status !== 'running'} onClick={() => void actions.controlQemu('pause')}>Pause</button>
        <button type="button" data-testid="qemu-resume" disabled={qemu?.status !== 'paused'} onClick={() => void actions.controlQemu('resume')}>Resume</button>
        <button type="button" data-testid="qemu-reset" disabled={!running} onClick={() => void actions.controlQemu('reset')}>Reset</button>
        <button type="button" data-testid="qemu-stop" disabled={!running} onClick={() => void actions.controlQemu('stop')}>Stop</button>
        <span className={`qemu-status status-${qemu?.status ?? 'none'}`} data-testid="qemu-status">
          {qemu ? (qemu.status === 'exited' ? qemu.exit ?? 'stopped' : qemu.status) : 'not started'}
        </span>
      </form>
      <div className="qemu-body">
        <div className="qemu-console">
          {qemu ? (
            <Suspense fallback={<div className="panel-empty">Loading terminal…</div>}>
              <XtermView id={qemu.id} />
            </Suspense>
          ) : (
            <div className="panel-empty">Start QEMU to see the serial console here.</div>
          )}
        </div>
        <div className="qemu-side">
          <Timeline milestones={milestones} />
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void actions.monitorQemu(monitor);
            }}
          >
            <input data-testid="qemu-monitor-input" value={monitor} onChange={(e) => setMonitor(e.target.value)} aria-label="QEMU monitor command" />
            <button type="submit" disabled={!running}>Monitor</button>
          </form>
          {monitorText && <pre className="monitor-out" data-testid="qemu-monitor-output">{monitorText}</pre>}
        </div>
      </div>
    </div>
  );
}
