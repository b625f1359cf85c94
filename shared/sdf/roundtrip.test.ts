import { describe, expect, it } from 'vitest';
import { exportSystem } from './export';
import { importSystem } from './import';
import { checkSystem } from './check';
import { kernelConfig } from './kernelConfig';

const HELLO = `<?xml version="1.0" encoding="UTF-8"?>
<!-- the Microkit hello example -->
<system>
    <memory_region name="uart" size="0x1_000" phys_addr="0x9000000" />
    <protection_domain name="hello" priority="254">
        <program_image path="hello.elf" />
        <map mr="uart" vaddr="0x2000000" perms="rw" cached="false" setvar_vaddr="uart_base" />
        <irq irq="33" id="0" />
        <virtual_machine name="linux">
            <vcpu id="0" />
        </virtual_machine>
    </protection_domain>
    <protection_domain name="b">
        <program_image path="b.elf" />
    </protection_domain>
    <channel>
        <end pd="hello" id="1" />
        <end pd="b" id="0" pp="true" />
    </channel>
</system>
`;

describe('.system import/export', () => {
  it('imports PDs, MRs, maps, IRQs, channels with places and keeps unmodelled elements', () => {
    const r = importSystem(HELLO, 'hello.system');
    expect(r.diagnostics).toEqual([]);
    const m = r.model!;
    expect(m.memoryRegions).toEqual([{ name: 'uart', size: 0x1000, physAddr: 0x9000000 }]);
    expect(m.protectionDomains[0]).toMatchObject({ name: 'hello', priority: 254, programImage: 'hello.elf' });
    expect(m.protectionDomains[0]!.maps[0]).toEqual({ mr: 'uart', vaddr: 0x2000000, perms: 'rw', cached: false, setvarVaddr: 'uart_base' });
    expect(m.protectionDomains[0]!.irqs).toEqual([{ irq: 33, id: 0 }]);
    expect(m.protectionDomains[0]!.extra[0]).toMatch(/^<virtual_machine name="linux">[\s\S]*<\/virtual_machine>$/);
    expect(m.channels[0]!.ends[1]).toEqual({ pd: 'b', id: 0, pp: true });
    expect(r.sources.get('pd:b')).toEqual({ file: 'hello.system', line: 13, column: 5 });
    expect(checkSystem(HELLO, 'hello.system', kernelConfig({ arch: 'aarch64' })).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('export -> import is the identity, and export is stable', () => {
    const m = importSystem(HELLO).model!;
    const xml = exportSystem(m);
    const again = importSystem(xml);
    expect(again.diagnostics).toEqual([]);
    expect(again.model).toEqual(m);
    expect(exportSystem(again.model!)).toBe(xml);
    expect(xml).toContain('        <virtual_machine name="linux">\n            <vcpu id="0" />\n        </virtual_machine>');
    expect(xml).toContain('<memory_region name="uart" size="0x1000" phys_addr="0x9000000" />');
  });

  it('reports malformed XML at its line and column instead of throwing', () => {
    const r = importSystem('<system>\n  <protection_domain name="a">\n</system>', 'bad.system');
    expect(r.model).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', file: 'bad.system', line: 3, column: 1 });
    expect(r.diagnostics[0]!.message).toMatch(/^Could not parse 'bad.system': expected <\/protection_domain>/);
  });

  it('reports value errors with the tool wording', () => {
    const r = importSystem('<system>\n<protection_domain name="a" priority="0xZZ" passive="yes"><program_image path="a.elf"/></protection_domain></system>');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "failed to parse integer '0xZZ' on element 'protection_domain': invalid digit found in string",
      "passive must be 'true' or 'false' on element 'protection_domain'",
    ]);
    expect(r.diagnostics[0]).toMatchObject({ line: 2, column: 1 });
  });

  it('the checker finds duplicate names, shared channel/IRQ ids and bad priorities, each with the tool wording', () => {
    const xml = `<system>
<protection_domain name="a" priority="255"><program_image path="a.elf"/><irq irq="40" id="3"/></protection_domain>
<protection_domain name="a"><program_image path="a.elf"/></protection_domain>
<channel><end pd="a" id="3"/><end pd="nobody" id="0"/></channel>
</system>`;
    const messages = checkSystem(xml, 'x.system', kernelConfig({ arch: 'aarch64' })).diagnostics.map((d) => d.message);
    // All at once, in the order the tool meets them; the channel naming a PD that does not exist is one of them.
    expect(messages).toEqual([
      "Error: priority must be between 0 and 254 on element 'protection_domain': x.system:2:1",
      "Error: invalid PD name 'nobody' on element 'end': x.system:4:30",
    ]);
    const dup = `<system><protection_domain name="a"><program_image path="a.elf"/><irq irq="40" id="3"/></protection_domain>
<protection_domain name="a"><program_image path="a.elf"/></protection_domain>
<protection_domain name="b"><program_image path="b.elf"/></protection_domain>
<channel><end pd="a" id="3"/><end pd="b" id="0"/></channel></system>`;
    expect(checkSystem(dup, 'd.system', kernelConfig({ arch: 'aarch64' })).diagnostics.map((d) => d.message)).toEqual([
      "Error: duplicate protection domain name 'a'.",
      "Error: duplicate channel id: 3 in protection domain: 'a' @ d.system:1:9",
    ]);
  });
});

describe('xml character references (found by npm run fuzz)', () => {
  it('reports an out-of-range character reference instead of throwing', () => {
    const r = importSystem('<system>\n<protection_domain name="&#99999999999999999999999;"><program_image path="a"/></protection_domain></system>', 'e.system');
    expect(r.model).toBeUndefined();
    expect(r.diagnostics[0]!.message).toMatch(/invalid character reference/);
    expect(r.diagnostics[0]!.line).toBe(2);
    expect(importSystem('<system><protection_domain name="a&#x41;&#66;"><program_image path="a"/></protection_domain></system>').model!.protectionDomains[0]!.name).toBe('aAB');
  });
});
