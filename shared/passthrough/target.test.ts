import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardPackSchema } from '../model/board';
import { analyzeText } from '../sdf/document';
import { resolveVmTarget } from './target';

const root = path.resolve(import.meta.dirname, '../..');
const qemu = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(root, 'boards/qemu_virt_aarch64/board.json'), 'utf8')));
const el1 = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(root, 'boards/qemu_virt_aarch64_el1/board.json'), 'utf8')));
const model = (body: string) => analyzeText(`<system>${body}</system>`, 't.system').model!;
const vmm = (name: string, vm: string, extra = '') =>
  `<memory_region name="ram_${vm}" size="0x8000000" page_size="0x200000" phys_addr="0x50000000" /><protection_domain name="${name}" priority="200"><program_image path="${name}.elf" />${extra}<virtual_machine name="${vm}"><vcpu id="0" /><vcpu id="1" /><map mr="ram_${vm}" vaddr="0x48000000" perms="rwx" /></virtual_machine></protection_domain>`;

describe('which VMM and VM a passthrough goes to', () => {
  it("the system's only VM, with its guest RAM, vCPUs and the VMM's channel ids", () => {
    const { target, messages } = resolveVmTarget(qemu, { ramBase: 0x40000000n }, model(vmm('vm_pd', 'guest', '<irq irq="33" id="4" />')));
    expect(target).toMatchObject({ vmm: 'vm_pd', vm: 'guest', createVmm: false, createVm: false, ramBase: 0x48000000n, ramSize: 0x8000000n, ramPhys: 0x50000000n, ramRegion: 'ram_guest', vcpus: 2, vmmPriority: 200 });
    expect([...target.usedIds]).toEqual([4]);
    expect(messages.find((m) => m.code === 'ram')?.message).toMatch(/already has guest RAM 'ram_guest' at 0x48000000/);
  });

  it('a new VMM and VM from the board pack when the system has none; a PD called vmm without a VM gets one', () => {
    expect(resolveVmTarget(qemu).target).toMatchObject({ vmm: 'vmm', vm: 'linux', createVmm: true, createVm: true, ramBase: 0x40000000n, ramSize: 0x10000000n, vmmPriority: 254, programImage: 'vmm.elf' });
    const t = resolveVmTarget(qemu, {}, model('<protection_domain name="vmm" priority="99"><program_image path="my_vmm.elf" /></protection_domain>')).target;
    expect(t).toMatchObject({ vmm: 'vmm', createVmm: false, createVm: true, vmmPriority: 99, programImage: 'my_vmm.elf' });
  });

  it('several VMs: the user says which; a board without hypervisor support runs none', () => {
    const two = model(vmm('a', 'x') + vmm('b', 'y'));
    expect(resolveVmTarget(qemu, {}, two).messages.filter((m) => m.severity === 'error').map((m) => m.code)).toEqual(['which-vm']);
    expect(resolveVmTarget(qemu, { name: 'y' }, two).target).toMatchObject({ vmm: 'b', vm: 'y' });
    expect(resolveVmTarget(el1).messages.find((m) => m.severity === 'error')?.message).toMatch(/not built as a hypervisor/);
  });
});
