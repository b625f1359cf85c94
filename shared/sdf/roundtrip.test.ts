import { describe, expect, it } from 'vitest';
import { exportSystem, exportSystemFor } from './export';
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
    expect(m.protectionDomains[0]!.virtualMachine).toEqual({ name: 'linux', vcpus: [{ id: 0 }], maps: [] });
    expect(r.sources.get('pd:hello/vm/vcpu[0]@id')).toEqual({ line: 10, column: 19 });
    expect(r.sources.get('mr:uart@phys_addr')).toEqual({ line: 4, column: 47 });
    expect(m.channels[0]!.ends[1]).toEqual({ pd: 'b', id: 0, pp: true });
    expect(r.sources.get('pd:b')).toEqual({ line: 13, column: 5 });
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
    expect(r.diagnostics[0]!.message).toBe("Could not parse 'bad.system': expected 'protection_domain' tag, not 'system' at 3:1");
  });

  it('keeps an element it cannot represent verbatim, says why and where, and writes it back unchanged', () => {
    const src = '<system>\n<protection_domain name="a" priority="0xZZ" passive="yes"><program_image path="a.elf"/></protection_domain></system>';
    const r = importSystem(src);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "failed to parse integer '0xZZ' on element 'protection_domain'",
      "<protection_domain> kept as written (failed to parse integer '0xZZ')",
    ]);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', line: 2, column: 1 });
    expect(exportSystem(r.model!)).toContain('<protection_domain name="a" priority="0xZZ" passive="yes"><program_image path="a.elf"/></protection_domain>');
  });

  it('models the whole 2.3 surface and keeps comments with their elements', () => {
    const src = `<system>
    <domains>
        <domain name="d0" id="0" />
        <domain_schedule start_index="0">
            <schedule_entry domain="d0" duration="1000 us" />
            <schedule_end_marker />
        </domain_schedule>
    </domains>
    <!-- device registers -->
    <memory_region name="regs" size="0x1000" phys_addr="0x9000000" />
    <memory_region name="fdt" prefill_bootinfo="fdt" />
    <protection_domain name="parent" priority="100" fpu="false" cpu="0" domain="d0">
        <program_image path="p.elf" path_for_symbols="p.dbg" />
        <map mr="regs" vaddr="0x2000000" perms="rw" cached="false" setvar_vaddr="regs" setvar_size="regs_size" />
        <irq irq="33" id="1" trigger="edge" setvar_id="irq_ch" />
        <setvar symbol="regs_paddr" region_paddr="regs" />
        <cspace>
            <cap_tcb slot="1" pd="child" />
        </cspace>
        <protection_domain name="child" id="0" setvar_id="child_id" priority="50" domain="d0">
            <program_image path="c.elf" />
        </protection_domain>
        <!-- at the end -->
    </protection_domain>
    <channel>
        <end pd="child" id="1" pp="true" setvar_id="ch" />
        <end pd="parent" id="2" notify="false" />
    </channel>
</system>`;
    const r = importSystem(src);
    expect(r.diagnostics).toEqual([]);
    const m = r.model!;
    expect(m.domains).toMatchObject({ domains: [{ name: 'd0', id: 0 }], startIndex: 0, schedule: [{ domain: 'd0', duration: '1000 us' }, { endMarker: true }] });
    expect(m.memoryRegions[0]).toEqual({ name: 'regs', size: 0x1000, physAddr: 0x9000000, comments: [' device registers '] });
    expect(m.memoryRegions[1]).toEqual({ name: 'fdt', prefillBootinfo: 'fdt' });
    const p = m.protectionDomains[0]!;
    expect(p).toMatchObject({ fpu: false, cpu: 0, domain: 'd0', pathForSymbols: 'p.dbg', setvars: [{ symbol: 'regs_paddr', regionPaddr: 'regs' }], cspace: [{ type: 'tcb', slot: 1, pd: 'child' }] });
    expect(p.irqs[0]).toEqual({ irq: 33, id: 1, trigger: 'edge', setvarId: 'irq_ch' });
    expect(p.children![0]).toMatchObject({ name: 'child', id: 0, setvarId: 'child_id' });
    expect(p.extra).toEqual(['<!-- at the end -->']);
    expect(m.channels[0]!.ends).toEqual([{ pd: 'child', id: 1, pp: true, setvarId: 'ch' }, { pd: 'parent', id: 2, notify: false }]);
    const xml = exportSystem(m);
    expect(importSystem(xml).model).toEqual(m);
    expect(checkSystem(xml, 'x.system', kernelConfig({ arch: 'aarch64' })).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('export for an older Microkit release refuses what it lacks, with places', () => {
    const m = importSystem('<system><protection_domain name="a" fpu="false"><program_image path="a.elf"/></protection_domain></system>').model!;
    expect(exportSystemFor(m, '2.3').xml).toBeDefined();
    const old = exportSystemFor(m, '2.2', 'a.system');
    expect(old.xml).toBeUndefined();
    expect(old.diagnostics[0]).toMatchObject({ line: 3, message: expect.stringMatching(/attribute 'fpu' on <protection_domain> needs Microkit 2.3/) });
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
    // roxmltree's words and place: a number beyond u32 is no reference at all.
    expect(r.diagnostics[0]!.message).toBe("Could not parse 'e.system': malformed entity reference at 2:26");
    expect(r.diagnostics[0]!.line).toBe(2);
    expect(importSystem('<system><protection_domain name="a&#x41;&#66;"><program_image path="a"/></protection_domain></system>').model!.protectionDomains[0]!.name).toBe('aAB');
  });
});
