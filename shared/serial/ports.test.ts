import { describe, expect, it } from 'vitest';
import { describePorts } from './ports';

describe('port names', () => {
  it("an AGX Orin's debug USB: four ttyACM of one NVIDIA device; interface 01 is the TCU and comes first", () => {
    const orin = [0, 1, 2, 3].map((i) => ({ path: `/dev/ttyACM${i}`, manufacturer: 'NVIDIA', vendorId: '0955', productId: '7045', serialNumber: 'TOPO0123', interface: i }));
    const named = describePorts([...orin, { path: '/dev/ttyS0' }]);
    expect(named[0]).toMatchObject({ path: '/dev/ttyACM1', name: '/dev/ttyACM1 (Jetson debug USB, interface 01): TCU (combined UART)', tcu: true });
    expect(named.map((p) => p.path)).toEqual(['/dev/ttyACM1', '/dev/ttyACM0', '/dev/ttyACM2', '/dev/ttyACM3', '/dev/ttyS0']);
    expect(named[1]!.name).toBe('/dev/ttyACM0 (Jetson debug USB, interface 00)');
    expect(named[4]!.name).toBe('/dev/ttyS0');
  });

  it('the TCU is the second port also when sysfs numbers the ports by control interface (00, 02, 04, 06)', () => {
    const orin = [0, 1, 2, 3].map((i) => ({ path: `/dev/ttyACM${i + 4}`, vendorId: '0955', productId: '7045', serialNumber: 'S', interface: i * 2 }));
    expect(describePorts(orin).filter((p) => p.tcu).map((p) => p.name)).toEqual(['/dev/ttyACM5 (Jetson debug USB, interface 02): TCU (combined UART)']);
  });

  it('an FTDI adapter by its maker and serial number; two boards with the same adapter told apart; numeric order', () => {
    const named = describePorts([
      { path: '/dev/ttyUSB10', manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'A50285BI' },
      { path: '/dev/ttyUSB2', manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'B71133XZ' },
    ]);
    expect(named.map((p) => p.name)).toEqual(['/dev/ttyUSB2 (FTDI, s/n B71133XZ)', '/dev/ttyUSB10 (FTDI, s/n A50285BI)']);
    expect(named.some((p) => p.tcu)).toBe(false);
  });

  it('not a Jetson: an NVIDIA device with fewer than four ports, or another vendor with four, gets no TCU label', () => {
    const two = [0, 1].map((i) => ({ path: `/dev/ttyACM${i}`, vendorId: '0955', productId: '7045', serialNumber: 'X', interface: i }));
    expect(describePorts(two).some((p) => p.tcu)).toBe(false);
    const other = [0, 1, 2, 3].map((i) => ({ path: `/dev/ttyACM${i}`, vendorId: '1234', productId: '5678', serialNumber: 'X', interface: i }));
    expect(describePorts(other).some((p) => p.tcu)).toBe(false);
  });
});
