import { describe, expect, it } from 'vitest';
import { importSystem } from '../sdf/import';
import { graphKeyOfSource, nodesOfKey, pdOfKey, problemsByKey, sourceKeysOf } from './graphKeys';
import { checkSystem } from '../sdf/check';
import { kernelConfig } from '../sdf/kernelConfig';

describe('graph keys from source keys', () => {
  it('names the innermost element the graph shows', () => {
    expect(graphKeyOfSource('mr:uart@size')).toBe('mr:uart');
    expect(graphKeyOfSource('ch:3/end[1]@id')).toBe('ch:3');
    expect(graphKeyOfSource('pd:vmm')).toBe('pd:vmm');
    expect(graphKeyOfSource('pd:vmm/program_image')).toBe('pd:vmm');
    expect(graphKeyOfSource('pd:vmm/map[2]@vaddr')).toBe('map:vmm:2');
    expect(graphKeyOfSource('pd:vmm/vm/map[0]')).toBe('vmmap:vmm:0');
    expect(graphKeyOfSource('pd:vmm/vm/vcpu[0]')).toBe('vm:vmm');
    expect(graphKeyOfSource('pd:vmm/irq[1]')).toBe('irq:vmm:1');
    expect(graphKeyOfSource('pd:vmm/setvar[0]@symbol')).toBe('setvar:vmm:0');
    expect(graphKeyOfSource('pd:parent/pd:child/map[0]')).toBe('map:child:0');
    expect(graphKeyOfSource('domains')).toBeUndefined();
  });
  it('finds where a graph element is in imported XML', () => {
    const xml = `<system>
  <memory_region name="m" size="0x1000" />
  <protection_domain name="p">
    <program_image path="p.elf" />
    <map mr="m" vaddr="0x1000" />
    <protection_domain name="c" id="1">
      <program_image path="c.elf" />
      <map mr="m" vaddr="0x2000" />
    </protection_domain>
  </protection_domain>
</system>`;
    const { sources } = importSystem(xml);
    const [first] = sourceKeysOf(sources.keys(), 'map:c:0');
    expect(sources.get(first!)).toEqual({ line: 8, column: 7 });
    expect(sources.get(sourceKeysOf(sources.keys(), 'pd:p')[0]!)!.line).toBe(3);
  });
  it('knows which PD node shows a key', () => {
    expect(pdOfKey('pd:a')).toBe('a');
    expect(pdOfKey('vmmap:a:b:3')).toBe('a:b');
    expect(pdOfKey('irq:x:0')).toBe('x');
    expect(pdOfKey('mr:x')).toBeUndefined();
  });
});

describe('diagnostics by graph key', () => {
  it("places each of the checker's diagnostics on the node or edge whose element it points at", () => {
    const xml = `<system>
  <memory_region name="m" size="0x1001" />
  <protection_domain name="a" priority="10"><program_image path="a.elf" /></protection_domain>
  <protection_domain name="b" priority="20"><program_image path="b.elf" /></protection_domain>
  <protection_domain name="c">
    <program_image path="c.elf" />
    <irq irq="40" id="70" />
  </protection_domain>
  <channel><end pd="a" id="0" /><end pd="b" id="0" /></channel>
  <channel>
    <end pd="b" id="1" pp="true" />
    <end pd="a" id="1" />
  </channel>
</system>`;
    const { diagnostics } = checkSystem(xml, 't.system', kernelConfig({ arch: 'aarch64' }));
    const byKey = problemsByKey(diagnostics, importSystem(xml).sources);
    const rules = (key: string) => (byKey.get(key) ?? []).map((d) => d.rule);
    expect(rules('mr:m')).toEqual(['mr-size']);
    expect(rules('irq:c:0')).toEqual(['id-range']);
    expect(rules('ch:1')).toEqual(['pp-priority']);
    expect(byKey.has('ch:0')).toBe(false);
    expect(byKey.has('pd:b')).toBe(false);
  });

  it('nodesOfKey: what a key is drawn on (the nodes a collapsed group must show for it)', () => {
    const xml = `<system>
  <memory_region name="ram" size="0x1000" />
  <memory_region name="buf" size="0x1000" />
  <protection_domain name="vmm" priority="10">
    <program_image path="vmm.elf" />
    <map mr="buf" vaddr="0x1000000" />
    <setvar symbol="buf_paddr" region_paddr="buf" />
    <virtual_machine name="linux"><vcpu id="0" /><map mr="ram" vaddr="0x40000000" /></virtual_machine>
    <irq irq="33" id="1" />
  </protection_domain>
  <protection_domain name="drv" priority="20"><program_image path="drv.elf" /></protection_domain>
  <channel><end pd="vmm" id="2" /><end pd="drv" id="0" /></channel>
</system>`;
    const system = importSystem(xml).model!;
    expect(nodesOfKey(system, 'mr:ram')).toEqual(['mr:ram']);
    expect(nodesOfKey(system, 'map:vmm:0')).toEqual(['pd:vmm', 'mr:buf']);
    expect(nodesOfKey(system, 'vmmap:vmm:0')).toEqual(['pd:vmm', 'mr:ram']);
    expect(nodesOfKey(system, 'setvar:vmm:0')).toEqual(['pd:vmm', 'mr:buf']);
    expect(nodesOfKey(system, 'vm:vmm')).toEqual(['pd:vmm']);
    expect(nodesOfKey(system, 'irq:vmm:0')).toEqual(['pd:vmm']);
    expect(nodesOfKey(system, 'ch:0')).toEqual(['pd:vmm', 'pd:drv']);
    expect(nodesOfKey(system, 'ch:9')).toEqual([]);
    expect(nodesOfKey(system, 'group:vmm:vmm')).toEqual([]);
  });
});
