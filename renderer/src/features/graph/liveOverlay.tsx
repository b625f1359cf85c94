import { Panel } from '@xyflow/react';
import { useState } from 'react';
import { pdsInDrawOrder } from '../../../../shared/model/layout';
import { useStudio, useStudioStore } from '../../stores/context';
import './live.css';
import { BOOT_SOURCE, liveFault, livePhase, liveRunning, liveSourceOf } from '../../stores/studioStore';

/**
 * The live system view on the graph: each PD node shows what the running console says of it (not started, started,
 * printing, faulted). A node selects only its own phase (a string) and fault: a console line re-renders no node
 * unless that PD changes phase; the last line is read when the pointer is over the node.
 */
export function useLiveNode(pd: string) {
  const phase = useStudio((s) => livePhase(s, pd));
  const fault = useStudio((s) => liveFault(s, pd));
  const store = useStudioStore();
  const [hover, setHover] = useState<string | undefined>();
  if (phase === 'off') return { className: '', phase, overlay: null, onMouseEnter: undefined, onMouseLeave: undefined };
  const onMouseEnter = () => {
    const s = store.getState();
    const p = s.live[liveSourceOf(s)]?.pds[pd];
    const at = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);
    const when = [p?.startedAt !== undefined ? `started ${at(p.startedAt)}` : 'not started yet', p?.firstOutputAt !== undefined ? `first line ${at(p.firstOutputAt)}` : 'no output yet', p?.lines ? `${p.lines} line${p.lines === 1 ? '' : 's'}` : ''];
    setHover(`${when.filter(Boolean).join(' · ')}${p?.lastLine ? `\n${at(p.lastAt)}: ${p.lastLine}` : ''}`);
  };
  const onMouseLeave = () => setHover(undefined);
  const overlay = (
    <>
      <div className={`live-badge live-${phase.split(' ')[0]}`} data-testid={`live-badge-${pd}`}>
        {LABEL[phase.split(' ')[0]!]}
      </div>
      {fault && (
        <div className="live-fault" role="alert" data-testid={`live-fault-${pd}`} title={[fault.text, ...fault.detail].join('\n')}>
          {fault.candidates ? <div className="live-fault-suspect">the monitor named “{fault.reported}”: one of {fault.candidates.join(', ')}</div> : null}
          {fault.text}
          {fault.detail.map((d, i) => (
            <div key={i} className="live-fault-detail">
              {d}
            </div>
          ))}
        </div>
      )}
      {hover !== undefined && (
        <div className="live-last" data-testid={`live-last-${pd}`}>
          {hover}
        </div>
      )}
    </>
  );
  return { className: ` live live-${phase.replace(' ', ' live-')}${fault?.candidates ? ' live-suspect' : ''}`, phase, overlay, onMouseEnter, onMouseLeave };
}

const LABEL: Record<string, string> = { 'not-started': 'not started', started: 'started', printing: 'printing', faulted: 'faulted' };

/** What the colours mean, and which console they come from; shown while a console runs. */
export function LiveLegend() {
  const on = useStudio((s) => liveRunning(s));
  const source = useStudio((s) => {
    const src = liveSourceOf(s);
    if (src !== BOOT_SOURCE) return (s.serials.find((x) => x.id === src)?.target ?? src).split('/').pop();
    return s.qemu && s.qemu.status !== 'exited' ? 'QEMU' : 'board console';
  });
  const counts = useStudio((s) => {
    const pds = Object.values(s.live[liveSourceOf(s)]?.pds ?? {});
    return `${pds.filter((p) => p.phase !== 'not-started').length}/${pdsInDrawOrder(s.doc.system).length}/${pds.filter((p) => p.phase === 'faulted').length}`;
  });
  if (!on) return null;
  const [started, total, faulted] = counts.split('/');
  return (
    <Panel position="top-right" className="live-legend" data-testid="live-legend">
      <div className="live-legend-title">
        Live · {source} · {started} of {total} PDs running{faulted !== '0' ? ` · ${faulted} faulted` : ''}
      </div>
      <div className="live-legend-keys">
        {Object.entries(LABEL).map(([k, v]) => (
          <span key={k} className={`live-key live-${k}`}>
            <i /> {v}
          </span>
        ))}
      </div>
    </Panel>
  );
}
