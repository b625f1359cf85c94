import { addMemoryRegion, addProtectionDomain, type Edit, type EditorDoc } from '../../../../shared/model/edits';
import { addChildPd, addIrq, addVirtualMachine } from '../../../../shared/model/editsInsidePd';
import { nextDeviceRegion } from '../../../../shared/model/deviceRegion';
import type { BoardPack } from '../../../../shared/model/board';
import { estimatedPdHeight } from '../../../../shared/model/layout';
import type { NodePosition } from '../../../../shared/model/project';
import { allProtectionDomains } from '../../../../shared/model/system';
import { useCallback } from 'react';
import { useActions, useStudioStore } from '../../stores/context';

/** The drag data type of a palette item dropped on the canvas. */
export const PALETTE_MIME = 'application/x-sel4studio-palette';

export const PALETTE_ITEMS = [
  { kind: 'pd', label: 'Protection domain', hint: 'An isolated program with a priority and budget', onPd: false },
  { kind: 'mr', label: 'Memory region', hint: 'Memory that can be mapped into PDs and VMs', onPd: false },
  { kind: 'device', label: 'Device region', hint: 'A region at a board device’s registers (phys_addr set); pick the device in the inspector', onPd: false },
  { kind: 'child', label: 'Child PD', hint: 'Drop on a PD: a child it starts and handles faults of', onPd: true },
  { kind: 'vm', label: 'Virtual machine', hint: 'Drop on a PD: it becomes the VMM of a guest', onPd: true },
  { kind: 'irq', label: 'IRQ', hint: 'Drop on a PD: a hardware interrupt delivered to it', onPd: true },
] as const;
export type PaletteKind = (typeof PALETTE_ITEMS)[number]['kind'];

/**
 * What dropping (or clicking) a palette item does: an edit (what it adds is selected after it, whatever its kind); or
 * why it cannot (a VM, IRQ or child needs a PD to go into).
 */
export function paletteEdit(kind: PaletteKind, at: NodePosition, doc: EditorDoc, board: BoardPack | undefined, targetPd?: string): { edit: Edit } | { error: string } {
  const pd = targetPd ? allProtectionDomains(doc.system).find((p) => p.name === targetPd) : undefined;
  const item = PALETTE_ITEMS.find((i) => i.kind === kind)!;
  if (item.onPd && !pd) return { error: `Drop the ${item.label.toLowerCase()} onto a protection domain (or select one and click the palette item)` };
  switch (kind) {
    case 'pd':
      return { edit: addProtectionDomain(at) };
    case 'mr':
      return { edit: addMemoryRegion(at) };
    case 'device': {
      // The first board device whose registers no region covers yet; the user can pick another in the inspector.
      const region = nextDeviceRegion(doc.system, board);
      if (region) return { edit: addMemoryRegion(at, region.name, { size: region.size, physAddr: region.physAddr }) };
      return { edit: addMemoryRegion(at, 'device', { size: 0x1000, physAddr: 0 }) };
    }
    case 'child': {
      // Below its parent (where the parent is placed), so the two never overlap.
      const parentAt = doc.layout.nodes[`pd:${pd!.name}`] ?? at;
      return { edit: addChildPd(pd!.name, { x: parentAt.x + 40, y: parentAt.y + estimatedPdHeight(pd!) + 60 }) };
    }
    case 'vm':
      if (pd!.virtualMachine) return { error: `${pd!.name} already runs virtual machine ${pd!.virtualMachine.name} (one VM per PD)` };
      return { edit: addVirtualMachine(pd!.name) };
    case 'irq':
      return { edit: addIrq(pd!.name) };
  }
}

/** Drop (or click) a palette item: one undoable edit, then the new thing is selected; a misplaced drop says why. */
export function usePaletteDrop() {
  const actions = useActions();
  const store = useStudioStore();
  return useCallback(
    (kind: PaletteKind, at: NodePosition, targetPd?: string) => {
      const s = store.getState();
      if (!s.project) return;
      const board = s.boards.find((b) => b.name === s.project!.studio.board);
      const r = paletteEdit(kind, at, s.doc, board, targetPd);
      if ('error' in r) return actions.notify({ kind: 'error', message: r.error });
      actions.addAndSelect(r.edit);
    },
    [actions, store],
  );
}
