import { hex } from '../../../../shared/format/hex';
import type { DeviceEntry, IrqFact, RegWindow } from '../../../../shared/passthrough';

/** A device's short name: the board pack's, else its first label, else the node name. */
export const deviceName = (e: DeviceEntry) => e.boardDevice ?? e.labels[0] ?? e.name;

/** `SPI 112 · INTID 144`, `PPI 14 · INTID 30`, or the controller and cells of an interrupt that is not the GIC's. */
export function irqText(i: IrqFact): string {
  if (i.kind) return `${i.kind} ${i.number} · INTID ${i.intid}${i.trigger === 'edge' ? ' edge' : ''}${i.name ? ` (${i.name})` : ''}`;
  return `${i.controller} <${i.cells.join(' ')}>${i.name ? ` (${i.name})` : ''}`;
}

/** `mac 0x6810000+0x10000`. */
export const windowText = (w: Pick<RegWindow, 'name' | 'address' | 'size'>) => `${w.name ? `${w.name} ` : ''}${hex(w.address)}+${hex(w.size)}`;

/** A hex field's value (`0x8000_0000`, `2147483648`), or undefined when it is not a number. */
export function parseBig(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(t)) return undefined;
  return BigInt(t);
}
