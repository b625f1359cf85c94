import { addMemoryRegion, addProtectionDomain } from '../../../../shared/model/edits';
import { useActions, useStudio } from '../../stores/context';
import { PALETTE_MIME } from './Canvas';

const ITEMS = [
  { kind: 'pd', label: 'Protection domain', hint: 'An isolated program with a priority and budget' },
  { kind: 'mr', label: 'Memory region', hint: 'Memory that can be mapped into PDs and VMs' },
] as const;

/** Drag an item onto the canvas, or click it to add one next to the last node. */
export function Palette() {
  const actions = useActions();
  const hasProject = useStudio((s) => Boolean(s.project));
  const count = useStudio((s) => Object.keys(s.doc.layout.nodes).length);
  return (
    <aside className="palette" aria-label="Palette">
      <h3>Palette</h3>
      {ITEMS.map((item) => (
        <div
          key={item.kind}
          className={`palette-item palette-${item.kind}`}
          data-testid={`palette-${item.kind}`}
          draggable={hasProject}
          title={item.hint}
          role="button"
          tabIndex={0}
          aria-disabled={!hasProject}
          onDragStart={(e) => {
            e.dataTransfer.setData(PALETTE_MIME, item.kind);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => {
            const at = { x: 80 + (count % 4) * 40, y: 60 + count * 30 };
            actions.edit(item.kind === 'pd' ? addProtectionDomain(at) : addMemoryRegion(at));
          }}
        >
          <span className="palette-icon" />
          {item.label}
        </div>
      ))}
      <p className="palette-note">Drag from a PD’s right-hand dot to a region to map it (next free address, rw), or to another PD for a channel. From a VM’s dot, the map goes into the VM.</p>
    </aside>
  );
}
