import { describe, expect, it } from 'vitest';
import { checkSystem } from './check';
import { kernelConfig } from './kernelConfig';

const aarch64 = kernelConfig({ arch: 'aarch64' });
const wrap = (body: string) => `<system>\n${body}\n</system>\n`;
const pd = (attrs: string, inner = '') => `<protection_domain name="p" ${attrs}><program_image path="p.elf"/>${inner}</protection_domain>`;

describe('quick fixes', () => {
  const cases: [string, string, string, RegExp][] = [
    ['priority', wrap(pd('priority="300"')), 'Set priority to 254', /priority="254"/],
    ['budget > period', wrap(pd('budget="2000" period="1000"')), 'Set period to 2000', /period="2000"/],
    ['unaligned stack', wrap(pd('stack_size="0x1800"')), 'Round stack_size up to 0x2000', /stack_size="0x2000"/],
    ['write-only map', wrap(`<memory_region name="m" size="0x1000"/>${pd('', '<map mr="m" vaddr="0x1000000" perms="w"/>')}`), 'Make the mapping read-write', /perms="rw"/],
    ['MR size', wrap(`<memory_region name="m" size="0x1_001"/>${pd('')}`), 'Round size up to 0x2000', /size="0x2000"/],
    ['MR phys_addr', wrap(`<memory_region name="m" size="0x1000" phys_addr="0x9000800"/>${pd('')}`), 'Align phys_addr down to 0x9000000', /phys_addr="0x9000000"/],
    ['hex IRQ number', wrap(pd('', '<irq irq="0x21" id="0"/>')), 'Write irq as 33', /irq="33"/],
    ['Microkit 1.x', wrap(`${pd('priority="1"')}<protection_domain name="s" priority="9" pp="true"><program_image path="s.elf"/></protection_domain><channel><end pd="p" id="0"/><end pd="s" id="0"/></channel>`), 'Migrate this Microkit 1.x file to 2.x (2 changes)', /<end pd="p" id="0" pp="true" ?\/>/],
  ];
  it.each(cases)('%s: the fix removes the error and changes only what it says', (_name, text, label, after) => {
    const before = checkSystem(text, 'q.system', aarch64).diagnostics.filter((d) => d.severity === 'error');
    expect(before[0]!.fix?.label).toBe(label);
    const fixed = before[0]!.fix!.text;
    expect(fixed).toMatch(after);
    const again = checkSystem(fixed, 'q.system', aarch64).diagnostics.filter((d) => d.severity === 'error');
    expect(again.map((d) => d.rule)).not.toContain(before[0]!.rule);
  });

  it('places an out-of-range physical address for the board, which the tool reports only at image layout', () => {
    const text = wrap(`<memory_region name="m" size="0x1000" phys_addr="0x100_0000_0000"/>${pd('', '<map mr="m" vaddr="0x1000000"/>')}`);
    const r = checkSystem(text, 'q.system', aarch64);
    expect(r.diagnostics[0]).toMatchObject({ rule: 'phys-bits', line: 2 });
    expect(checkSystem(text, 'q.system', kernelConfig({ arch: 'aarch64', paBits: 44 })).ok).toBe(true);
  });

  it('warns about children of leaf elements anywhere, which the tool ignores', () => {
    const text = wrap(pd('', '<map mr="m" vaddr="0x1000000"><surprise/></map>').replace('<protection', '<memory_region name="m" size="0x1000"/><protection'));
    expect(checkSystem(text, 'q.system', aarch64).diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', rule: 'ignored-child' }));
  });
});
