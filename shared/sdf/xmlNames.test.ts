import { describe, expect, it } from 'vitest';
import { checkSystem } from './check';
import { importSystem } from './import';
import { kernelConfigFromLabel } from './kernelConfig';

const config = kernelConfigFromLabel('aarch64 EL2 hyp, PA40, uniprocessor');
const XI = 'xmlns:xi="http://www.w3.org/2001/XInclude"';

describe('names as the Microkit tool sees them', () => {
  it('an unresolved <xi:include> is the tool\'s "invalid XML element \'include\'", at its place', () => {
    const src = `<system ${XI}>\n  <xi:include href="pds.xml"/>\n  <protection_domain name="a"><program_image path="a.elf"/></protection_domain>\n</system>`;
    const first = checkSystem(src, 'm.system', config).diagnostics[0]!;
    expect(first).toMatchObject({ line: 2, column: 3, message: "Error: invalid XML element 'include': m.system:2:3" });
  });

  it('namespaced elements and attributes are matched on their local names; declarations are no attributes', () => {
    const src = `<sdf:system xmlns:sdf="urn:x" xmlns:q="urn:q"><sdf:protection_domain name="a" q:priority="3"><program_image path="a.elf"/></sdf:protection_domain></sdf:system>`;
    expect(checkSystem(src, 'n.system', config).ok).toBe(true);
    expect(importSystem(src).model!.protectionDomains[0]).toMatchObject({ name: 'a', priority: 3 });
    // xml:base (which xmllint --xinclude adds) is attribute 'base' to the tool, and it is refused.
    const based = '<system><protection_domain name="a" xml:base="sub/pds.xml"><program_image path="a.elf"/></protection_domain></system>';
    expect(checkSystem(based, 'b.system', config).diagnostics[0]!.message).toBe("Error: invalid attribute 'base' on element 'protection_domain': b.system:1:9");
  });

  it('a virtual machine named like a protection domain is an error at the VM (the 2.3.0 tool panics there)', () => {
    const src = [
      '<system>',
      '  <protection_domain name="linux"><program_image path="a.elf"/></protection_domain>',
      '  <protection_domain name="vmm"><program_image path="vmm.elf"/>',
      '    <virtual_machine name="linux"><vcpu id="0"/></virtual_machine>',
      '  </protection_domain>',
      '</system>',
    ].join('\n');
    const errors = checkSystem(src, 'v.system', config).diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'vm-pd-name', line: 4, column: 5 });
    expect(errors[0]!.message).toMatch(/virtual machine 'linux' has the name of a protection domain; PD and VM names must be unique/);
    expect(checkSystem(src.replace('name="linux"><vcpu', 'name="guest"><vcpu'), 'v.system', config).ok).toBe(true);
  });
});
