import { describe, expect, it } from 'vitest';
import { declaredNames, sdfCompletions, sdfContext, sdfHover } from './complete';

/** `|` marks the cursor. */
const at = (s: string) => ({ text: s.replace('|', ''), offset: s.indexOf('|') });
const ctx = (s: string) => {
  const { text, offset } = at(s);
  return sdfContext(text, offset);
};
const labels = (s: string) => {
  const { text, offset } = at(s);
  return sdfCompletions(text, offset).map((c) => c.label);
};

const SYS = `<?xml version="1.0" encoding="UTF-8"?>
<system>
  <memory_region name="uart" size="0x1000" phys_addr="0x9000000" />
  <memory_region name="shared" size="0x1000" />
  <!-- a <comment> with tags inside -->
  <protection_domain name="client" priority="100">
    <program_image path="client.elf" />
  </protection_domain>
  <protection_domain name="driver" priority="200">
`;

describe('sdfContext', () => {
  it('knows the parent element when a tag name is being typed', () => {
    expect(ctx(`${SYS}    <m|`)).toEqual({ kind: 'element', parent: 'protection_domain', prefix: 'm' });
    expect(ctx(`${SYS}  </protection_domain>\n  <|`)).toEqual({ kind: 'element', parent: 'system', prefix: '' });
    expect(ctx('|')).toEqual({ kind: 'none' });
    expect(ctx('<|')).toEqual({ kind: 'element', parent: '', prefix: '' });
  });
  it('lists the attributes already present', () => {
    expect(ctx(`${SYS}    <map mr="uart" |`)).toEqual({ kind: 'attribute', element: 'map', present: ['mr'], prefix: '' });
    expect(ctx(`${SYS}    <map mr="uart" va|`)).toEqual({ kind: 'attribute', element: 'map', present: ['mr'], prefix: 'va' });
  });
  it('is in a value inside open quotes, even with spaces or > before', () => {
    expect(ctx(`${SYS}    <map mr="sh|`)).toEqual({ kind: 'value', element: 'map', attribute: 'mr', prefix: 'sh' });
    expect(ctx(`<system><channel><end pd='|`)).toEqual({ kind: 'value', element: 'end', attribute: 'pd', prefix: '' });
  });
  it('ignores comments, closed tags and text', () => {
    expect(ctx(`${SYS}  <!-- <map mr="|`)).toEqual({ kind: 'none' });
    expect(ctx(`${SYS}    <map mr="uart" vaddr="0x1000" />|`)).toEqual({ kind: 'none' });
    expect(ctx(`${SYS}    </prot|`)).toEqual({ kind: 'none' });
  });
});

describe('sdfCompletions', () => {
  it('offers the children the format allows where the cursor is', () => {
    expect(labels(`${SYS}    <|`)).toEqual(['program_image', 'map', 'irq', 'ioport', 'setvar', 'protection_domain', 'virtual_machine', 'cspace']);
    expect(labels(`${SYS}    <virtual_machine name="vm"><|`)).toEqual(['vcpu', 'map']);
    expect(labels(`<system><channel><|`)).toEqual(['end']);
  });
  it('offers missing attributes, required ones first', () => {
    const l = labels(`${SYS}    <map mr="uart" |`);
    expect(l[0]).toBe('vaddr');
    expect(l).not.toContain('mr');
    expect(l).toContain('setvar_vaddr');
    expect(labels('<system><memory_region na|')).toEqual(['name']);
  });
  it('offers the names of PDs and memory regions for references, fixed values for enumerations', () => {
    expect(labels(`${SYS}    <map mr="|`)).toEqual(['uart', 'shared']);
    expect(labels(`${SYS}    <map mr="s|`)).toEqual(['shared']);
    expect(labels(`${SYS}  </protection_domain>\n  <channel><end pd="|`)).toEqual(['client', 'driver']);
    expect(labels(`${SYS}    <irq irq="33" id="0" trigger="|`)).toEqual(['level', 'edge']);
    expect(labels(`${SYS}    <map mr="uart" vaddr="|`)).toEqual([]);
  });
  it('inserts an attribute with its opening quote', () => {
    const { text, offset } = at('<system><memory_region |');
    expect(sdfCompletions(text, offset).find((c) => c.label === 'phys_addr')!.insert).toBe('phys_addr="');
  });
});

describe('declaredNames and sdfHover', () => {
  it('finds declared names in text that does not parse', () => {
    expect(declaredNames(`${SYS}<domains><domain name="d0" />`)).toEqual({ pd: ['client', 'driver'], mr: ['uart', 'shared'], domain: ['d0'] });
  });
  it('explains the element or attribute under the cursor', () => {
    const { text, offset } = at(`${SYS}    <ma|p mr="uart" cached="false" />`);
    expect(sdfHover(text, offset)!.title).toBe('<map>');
    const t2 = at(`${SYS}    <map mr="uart" cac|hed="false" />`);
    const h = sdfHover(t2.text, t2.offset)!;
    expect(h.title).toBe('map cached');
    expect(h.doc).toContain('device registers want false');
    expect(t2.text.slice(h.start, h.end)).toBe('cached');
    const t3 = at(`${SYS}    <map mr="ua|rt" />`);
    expect(sdfHover(t3.text, t3.offset)).toBeUndefined();
  });
});
