import { useStudio } from '../../stores/context';
import { PALETTE_ITEMS, PALETTE_MIME, usePaletteDrop } from './paletteItems';

/** Drag an item onto the canvas (a VM, IRQ or child PD onto a PD), or click it: next to the last node, or into the selected PD. */
export function Palette() {
  const drop = usePaletteDrop();
  const hasProject = useStudio((s) => Boolean(s.project));
  const count = useStudio((s) => Object.keys(s.doc.layout.nodes).length);
  const selectedPd = useStudio((s) => (s.selection.length === 1 && s.selection[0]!.startsWith('pd:') ? s.selection[0]!.slice(3) : undefined));
  return (
    <aside className="palette" aria-label="Palette">
      <h3>Palette</h3>
      {PALETTE_ITEMS.map((item) => (
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
          onClick={() => drop(item.kind, { x: 80 + (count % 4) * 40, y: 60 + count * 30 }, selectedPd)}
        >
          <span className="palette-icon" />
          {item.label}
        </div>
      ))}
      <p className="palette-note">Drag from a PD’s right-hand dot to a region to map it (next free address, rw), or to another PD for a channel. From a VM’s dot, the map goes into the VM.</p>
    </aside>
  );
}
