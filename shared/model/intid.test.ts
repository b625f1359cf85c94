import { describe, expect, it } from 'vitest';
import { checkSystem } from '../sdf/check';
import { kernelConfig } from '../sdf/kernelConfig';
import { classifyIntid, intidKind } from './intid';

const system = (irq: number) => `<system>
  <protection_domain name="timer" priority="100"><program_image path="timer.elf" /><irq irq="${irq}" id="0" /></protection_domain>
</system>`;
const warnings = (irq: number, hypervisor = true) =>
  checkSystem(system(irq), 't.system', kernelConfig({ arch: 'aarch64', hypervisor })).diagnostics.filter((d) => d.severity === 'warning' && d.rule?.startsWith('arm-irq'));

describe('GIC INTIDs', () => {
  it('ranges: SGI 0-15, PPI 16-31, SPI 32-1019, special 1020-1023, LPI from 8192', () => {
    expect([0, 15, 16, 31, 32, 1019, 1020, 1023, 1024, 8192, -1].map(intidKind)).toEqual(['SGI', 'SGI', 'PPI', 'PPI', 'SPI', 'SPI', 'special', 'special', 'invalid', 'LPI', 'invalid']);
  });

  it('names the number within its kind, the device-tree cells, and who raises it', () => {
    expect(classifyIntid(33, { sources: [{ intid: 33, name: 'PL011 UART', from: 'board pack' }] })).toMatchObject({ kind: 'SPI', number: 1, dtCells: '<0 1 flags>', label: 'SPI 1 (INTID 33)', raisedBy: { name: 'PL011 UART', from: 'board pack' } });
    expect(classifyIntid(30)).toMatchObject({ kind: 'PPI', number: 14, dtCells: '<1 14 flags>', raisedBy: { from: 'architecture' } });
    expect(classifyIntid(30).kernelOwned).toBeUndefined();
    expect(classifyIntid(26).kernelOwned).toMatch(/EL2 physical timer/);
    expect(classifyIntid(26, { hypervisor: false }).kernelOwned).toBeUndefined();
    expect(classifyIntid(27, { hypervisor: false }).kernelOwned).toMatch(/virtual timer/);
    expect(classifyIntid(3)).toMatchObject({ kind: 'SGI', number: 3 });
  });
});

describe('the .system checker on ARM IRQ numbers', () => {
  it('the generic timer PPI (INTID 30, the sDDF timer driver\'s) raises no warning, at EL2 or EL1', () => {
    expect(warnings(30)).toEqual([]);
    expect(warnings(30, false)).toEqual([]);
    expect(warnings(29)).toEqual([]);
  });

  it('a PPI never gets the SPI-offset hint; the ones seL4 keeps say why', () => {
    for (const irq of [16, 23, 25, 26, 27, 31]) for (const w of warnings(irq)) expect(w.message).not.toMatch(/\+ 32/);
    expect(warnings(26).map((w) => w.rule)).toEqual(['arm-irq-kernel']);
    expect(warnings(26)[0]!.message).toBe('irq 26 is PPI 10: seL4 runs its own tick on the EL2 physical timer (PPI 10) when built as a hypervisor, so no PD can be given it');
    expect(warnings(27, false).map((w) => w.rule)).toEqual(['arm-irq-kernel']);
    expect(warnings(26, false)).toEqual([]);
  });

  it('an SGI (a device-tree SPI written without + 32) is told about the offset; SPIs are quiet; 1020+ is not an interrupt', () => {
    expect(warnings(1).map((w) => [w.rule, w.message])).toEqual([
      ['arm-irq-sgi', "irq 1 is SGI 1, a software-generated interrupt the kernel uses between cores, not a device's; a device tree's SPI n (<0 n flags>) is INTID n + 32"],
    ]);
    expect(warnings(33)).toEqual([]);
    expect(warnings(1020).map((w) => w.rule)).toEqual(['arm-irq-range']);
  });
});
