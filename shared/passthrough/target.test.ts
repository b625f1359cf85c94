import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardPackSchema } from '../model/board';
import { analyzeText } from '../sdf/document';
import { resolveVmTarget, vmmCandidates } from './target';

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

describe('which PDs can host a new VM (step 4)', () => {
  it('the Path B template: no PD without a VM can (the sDDF driver, virtualisers and copier serve the net subsystem)', () => {
    const text = readFileSync(path.join(root, 'resources/templates/orin-agx-path-b.system'), 'utf8');
    const c = vmmCandidates(analyzeText(text, 'p.system').model!);
    expect(c.filter((x) => x.fit)).toEqual([]);
    expect(Object.fromEntries(c.map((x) => [x.pd, x.reason.split(' by ')[0]]))).toEqual({ client0_net_copier: 'an sDDF copier', net_virt_rx: 'an sDDF virtualiser', net_virt_tx: 'an sDDF virtualiser', eth_driver: 'an sDDF driver' });
  });

  it('a LionsOS-shaped system: a VMM waiting for its guest first, then clients; drivers by name or shape and virtualisers after, with why', () => {
    const sys = model(
      '<memory_region name="uart_regs" size="0x1000" phys_addr="0x9000000" /><memory_region name="q" size="0x1000" />' +
        '<protection_domain name="uart" priority="250"><map mr="uart_regs" vaddr="0x2000000" perms="rw" /><irq irq="33" id="0" /></protection_domain>' +
        '<protection_domain name="serial_virt_tx" priority="200"><map mr="q" vaddr="0x3000000" perms="rw" /></protection_domain>' +
        '<protection_domain name="client0" priority="100"><map mr="q" vaddr="0x3000000" perms="r" /></protection_domain>' +
        '<protection_domain name="timer_driver" priority="254" />' +
        '<protection_domain name="mux_rx" priority="200" />' +
        '<protection_domain name="eth_copy1" priority="200" />' +
        '<protection_domain name="virtio_console" priority="100" />' +
        '<protection_domain name="guest_vmm" priority="254" />' +
        vmm('VMM', 'linux'),
    );
    const c = vmmCandidates(sys);
    expect(c.map((x) => [x.pd, x.fit])).toEqual([
      ['guest_vmm', true],
      ['client0', true],
      ['virtio_console', true],
      ['uart', false],
      ['serial_virt_tx', false],
      ['timer_driver', false],
      ['mux_rx', false],
      ['eth_copy1', false],
    ]);
    expect(c.find((x) => x.pd === 'uart')!.reason).toMatch(/driver by its shape: it takes a hardware IRQ and maps device registers/);
    // The PD that has a VM is not a candidate for a new one.
    expect(c.some((x) => x.pd === 'VMM')).toBe(false);
  });
});
