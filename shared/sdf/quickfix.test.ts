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

describe("a VM's RAM where a Linux guest can use it (warnings with quick fixes; the tool accepts the file)", () => {
  const qemu = kernelConfig({ arch: 'aarch64', guestRam: { base: 0x4000_0000n, ramStart: 0x4000_0000n } });
  const vm = (maps: string) =>
    wrap(
      '<memory_region name="guest_ram" size="0x10000000" page_size="0x200000"/><memory_region name="uart" size="0x1000" phys_addr="0x9000000"/><memory_region name="buf" size="0x1000"/>' +
        `<protection_domain name="vmm" priority="254"><program_image path="vmm.elf"/><map mr="buf" vaddr="0x2000000"/><virtual_machine name="linux"><vcpu id="0"/>${maps}</virtual_machine></protection_domain>`,
    );
  const ramWarnings = (text: string, config = qemu) => checkSystem(text, 'q.system', config).diagnostics.filter((d) => d.rule?.startsWith('vm-ram'));

  it('RAM drawn the old way (0x4000000, rw): both warnings, each with a fix; the fixes leave no warning and no error', () => {
    let text = vm('<map mr="guest_ram" vaddr="0x4000000" perms="rw"/><map mr="uart" vaddr="0x9000000" perms="rw" cached="false"/>');
    const found = ramWarnings(text);
    expect(found.map((d) => [d.severity, d.rule, d.line])).toEqual([
      ['warning', 'vm-ram-exec', 2],
      ['warning', 'vm-ram-base', 2],
    ]);
    expect(found[0]!.message).toBe(`virtual machine 'linux' maps its RAM 'guest_ram' with perms="rw": a guest kernel runs from its RAM, so it needs perms="rwx" (the Microkit tool accepts the file; the guest faults on its first instruction)`);
    expect(found[1]!.message).toBe("virtual machine 'linux' has its RAM 'guest_ram' at guest-physical 0x4000000, not at this board's guest RAM base 0x40000000, where a Linux guest's device tree puts its memory (the Microkit tool accepts any address)");
    // At 0x4000000, 256 MiB of RAM runs over the UART's registers at 0x9000000: the one error, which the move ends.
    expect(checkSystem(text, 'q.system', qemu).diagnostics.filter((d) => d.severity === 'error').map((d) => d.rule)).toEqual(['map-overlap']);
    for (const label of ['Map guest_ram into linux as rwx', 'Map guest_ram at the guest RAM base 0x40000000']) {
      const d = ramWarnings(text).find((x) => x.fix?.label === label)!;
      text = d.fix!.text;
    }
    expect(text).toContain('<map mr="guest_ram" vaddr="0x40000000" perms="rwx"/>');
    expect(ramWarnings(text)).toEqual([]);
    expect(checkSystem(text, 'q.system', qemu).ok).toBe(true);
  });

  it('perms left out mean rw: the fix adds the attribute; no fix moves RAM onto another map', () => {
    const text = vm('<map mr="guest_ram" vaddr="0x4000000" /><map mr="buf" vaddr="0x48000000"/>');
    const found = ramWarnings(text);
    expect(found.find((d) => d.rule === 'vm-ram-exec')!.fix!.text).toContain('<map mr="guest_ram" vaddr="0x4000000" perms="rwx" />');
    expect(found.find((d) => d.rule === 'vm-ram-base')!.fix).toBeUndefined();
  });

  it("libvmm's layout (RAM at the base, rwx; devices 1:1) is quiet, and without board facts only perms are checked", () => {
    expect(ramWarnings(vm('<map mr="guest_ram" vaddr="0x40000000" perms="rwx"/><map mr="uart" vaddr="0x9000000" perms="rw" cached="false"/><map mr="buf" vaddr="0x60000000" perms="rw"/>'))).toEqual([]);
    expect(ramWarnings(vm('<map mr="guest_ram" vaddr="0x4000000" perms="rw"/>'), aarch64).map((d) => d.rule)).toEqual(['vm-ram-exec']);
    // A VM with only a device mapped has no RAM to judge.
    expect(ramWarnings(vm('<map mr="uart" vaddr="0x9000000" perms="rw"/>'))).toEqual([]);
  });
});
