import { useMemo } from 'react';
import { deviceFacts, type DeviceEntry, type NamedSpecifier } from '../../../../shared/passthrough';
import { hex } from '../../../../shared/format/hex';
import { useStudio } from '../../stores/context';
import { boardOf, tablesOf } from '../../stores/wizardSlice';
import { deviceName, irqText, windowText } from './describe';

const spec = (s: NamedSpecifier) => (
  <>
    <code>{s.name ?? `#${s.id}`}</code>
    {s.cellName ? ` "${s.cellName}"` : ''} <span className="muted">{s.name ? `= ${s.provider} ${s.id}` : `${s.provider} (no name in the headers)`}</span>
  </>
);

/** One device in full: windows with reg-names, interrupts as SPI/PPI and INTID, clocks/resets/power domains by name, streams. */
export function DeviceFactsView({ entry }: { entry: DeviceEntry }) {
  const tree = useStudio((s) => s.wizard?.tree);
  const board = useStudio((s) => boardOf(s, s.wizard?.board));
  const f = useMemo(() => deviceFacts(entry, { ...(tree?.idx ? { idx: tree.idx } : {}), ...(board ? { board } : {}), tables: tree ? tablesOf(tree) : [] }), [entry, tree, board]);
  const list = (title: string, items: NamedSpecifier[], testId: string) =>
    items.length > 0 && (
      <>
        <h4>{title}</h4>
        <ul className="wz-list" data-testid={testId}>
          {items.map((s, i) => (
            <li key={i}>{spec(s)}</li>
          ))}
        </ul>
      </>
    );
  return (
    <div>
      <div className="inspector-kind">
        {deviceName(entry)} {entry.title && <span className="muted">— {entry.title}</span>}
      </div>
      <div className="mono wz-small">{entry.path ?? 'board pack only (no node in this tree)'}</div>
      <div className="wz-small">
        {entry.compatible.join(', ')} · status <strong>{entry.status}</strong>
      </div>
      {entry.notPassable && <p className="wz-bad">Cannot be passed through: {entry.notPassable}</p>}
      <h4>Register windows</h4>
      <ul className="wz-list" data-testid="wz-facts-regs">
        {entry.regs.map((r, i) => (
          <li key={i} className={r.reserved ? 'reserved' : ''}>
            <code>{windowText(r)}</code>
            {!r.translated && <span className="muted"> (bus address, not a CPU address)</span>}
            {r.reserved && <div className="wz-small wz-warn">kept out of the guest by default: {r.reserved}</div>}
          </li>
        ))}
        {!entry.regs.length && <li className="muted">none</li>}
      </ul>
      <h4>Interrupts</h4>
      <ul className="wz-list" data-testid="wz-facts-irqs">
        {entry.irqs.map((i, k) => (
          <li key={k}>
            <code>{irqText(i)}</code>
          </li>
        ))}
        {!entry.irqs.length && <li className="muted">none</li>}
      </ul>
      {list('Clocks', f.clocks, 'wz-facts-clocks')}
      {list('Resets', f.resets, 'wz-facts-resets')}
      {list('Power domains', f.powerDomains, 'wz-facts-power')}
      {f.streams.length > 0 && (
        <>
          <h4>SMMU streams (iommus)</h4>
          <ul className="wz-list" data-testid="wz-facts-streams">
            {f.streams.map((s, i) => (
              <li key={i}>
                <code>{s.instance ?? s.provider}</code> stream <code>{hex(s.sid)}</code> {s.name && <code>{s.name}</code>}
              </li>
            ))}
          </ul>
        </>
      )}
      {(f.busMaster || f.dmaCoherent || f.parentDevice) && (
        <p className="wz-small">
          {f.busMaster ? 'Bus master (DMA). ' : ''}
          {f.dmaCoherent ? 'dma-coherent. ' : ''}
          {f.parentDevice ? `A client of ${f.parentDevice}.` : ''}
        </p>
      )}
    </div>
  );
}
