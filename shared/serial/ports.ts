/**
 * Names for local serial ports that a person recognises. The host gathers what serialport and sysfs say (USB ids,
 * serial number, the CDC interface number); this decides what to call each port. The AGX Orin's debug USB shows four
 * ttyACM ports of one NVIDIA device, and interface 01 is the TCU, the combined UART (field-notes §1).
 */
export interface RawPort {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** USB interface number (bInterfaceNumber), for USB CDC/serial adapters. */
  interface?: number;
}

export interface NamedPort extends RawPort {
  name: string;
  /** This port is a Jetson's TCU: open it in TCU mode. */
  tcu?: boolean;
}

const NVIDIA = '0955';

export function describePorts(ports: readonly RawPort[]): NamedPort[] {
  const named = ports.map((p): NamedPort => {
    const siblings = ports.filter((q) => q.vendorId === p.vendorId && q.productId === p.productId && (q.serialNumber ?? '') === (p.serialNumber ?? ''));
    const jetson = p.vendorId?.toLowerCase() === NVIDIA && siblings.length >= 4 && p.interface !== undefined;
    const details: string[] = [];
    if (jetson) details.push('Jetson debug USB');
    else if (p.manufacturer) details.push(p.manufacturer);
    if (p.interface !== undefined && siblings.length > 1) details.push(`interface ${String(p.interface).padStart(2, '0')}`);
    if (p.serialNumber && !jetson && siblings.length === 1) details.push(`s/n ${p.serialNumber}`);
    const out: NamedPort = { ...p, name: p.path + (details.length ? ` (${details.join(', ')})` : '') };
    // "Interface 01" is the second port of the device: sysfs numbers CDC-ACM ports by their control interface
    // (00, 02, 04, 06) on some hubs and kernels and 00–03 on others, so it is the rank that counts.
    const rank = jetson ? siblings.filter((q) => q.interface !== undefined && q.interface < p.interface!).length : -1;
    if (rank === 1) {
      out.name += ': TCU (combined UART)';
      out.tcu = true;
    }
    return out;
  });
  // The TCU first (it is the console people want), then by path with numbers in order (ttyACM2 before ttyACM10).
  return named.sort((a, b) => Number(Boolean(b.tcu)) - Number(Boolean(a.tcu)) || a.path.localeCompare(b.path, 'en', { numeric: true }));
}
