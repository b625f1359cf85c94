import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BoardPackSchema } from './board';
import { memoryMap, memoryProblems } from './memoryMap';
import { importSystem } from '../sdf/import';
import { kernelConfig } from '../sdf/kernelConfig';

const board = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, '../../boards/qemu_virt_aarch64/board.json'), 'utf8')));
const config = kernelConfig({ arch: 'aarch64', hypervisor: true, paBits: 40 });
const model = (xml: string) => importSystem(`<system>${xml}</system>`).model!;

describe('memory map', () => {
  it('lays out a PD: maps, then the stack, guard page and IPC buffer at the top (§4)', () => {
    const spaces = memoryMap(model(`<memory_region name="buf" size="0x2000" />
      <protection_domain name="a" stack_size="0x4000"><program_image path="a.elf" /><map mr="buf" vaddr="0x4000000" perms="r" /></protection_domain>`), config, board);
    const a = spaces.find((s) => s.id === 'pd:a')!;
    expect(a.limit).toBe(0xff_ffff_f000 - 0x1000 - 0x4000);
    expect(a.blocks.map((b) => [b.label, b.start, b.size])).toEqual([
      ['buf', 0x4000000, 0x2000],
      ['stack', 0xff_ffff_a000, 0x4000],
      ['guard page', 0xff_ffff_e000, 0x1000],
      ['IPC buffer', 0xff_ffff_f000, 0x1000],
    ]);
    expect(a.blocks[0]).toMatchObject({ key: 'map:a:0', perms: 'r', cached: true });
    expect(memoryProblems(spaces)).toEqual([]);
  });

  it('marks every overlap, misalignment and overrun, not just the first', () => {
    const spaces = memoryMap(model(`<memory_region name="big" size="0x200000" page_size="0x200000" />
      <memory_region name="x" size="0x1000" /><memory_region name="y" size="0x1000" />
      <protection_domain name="p"><program_image path="p.elf" />
        <map mr="x" vaddr="0x10000" /><map mr="y" vaddr="0x10000" /><map mr="big" vaddr="0x101000" />
        <map mr="x" vaddr="0xfffffff000" />
      </protection_domain>`), config, board);
    expect(memoryProblems(spaces)).toEqual([
      'p: x: overlaps y [0x10000..0x11000)',
      'p: y: overlaps x [0x10000..0x11000)',
      'p: big: vaddr 0x101000 is not aligned to the page size 0x200000',
      'p: x: ends at 0x10000000000, past the limit 0xffffffc000',
    ]);
  });

  it('puts fixed regions in the physical space with the board devices they leave uncovered, and VMs in their own', () => {
    const spaces = memoryMap(model(`<memory_region name="uart" size="0x1000" phys_addr="0x9000000" />
      <memory_region name="gic" size="0x1000" phys_addr="0x8010000" />
      <memory_region name="ram" size="0x10000000" />
      <protection_domain name="vmm"><program_image path="v.elf" />
        <virtual_machine name="linux"><vcpu id="0" /><map mr="ram" vaddr="0x40000000" /><map mr="uart" vaddr="0x9000000" cached="false" /></virtual_machine>
      </protection_domain>`), config, board);
    const phys = spaces[0]!;
    expect(phys.blocks.filter((b) => b.kind === 'device').map((b) => b.label)).toEqual(['gic', 'uart']);
    // The PL011 is covered by 'uart', so the board's own entry for it is not repeated.
    expect(phys.blocks.some((b) => b.kind === 'board-device' && b.start === 0x9000000)).toBe(false);
    expect(phys.blocks.find((b) => b.kind === 'ram')!.start).toBe(0x40000000);
    const vm = spaces.find((s) => s.id === 'vm:vmm')!;
    expect(vm.title).toBe('linux (guest-physical)');
    expect(vm.blocks.map((b) => [b.key, b.start, b.cached])).toEqual([['vmmap:vmm:1', 0x9000000, false], ['vmmap:vmm:0', 0x40000000, true]]);
  });
});

describe('memory map with a build report', () => {
  it("shows where the last build put the kernel objects, in the physical space", () => {
    const spaces = memoryMap(importSystem('<system><protection_domain name="a"><program_image path="a.elf" /></protection_domain></system>').model!, config, board, { start: 0x60000000, end: 0x602af000, objects: 34 });
    expect(spaces[0]!.blocks.find((b) => b.kind === 'kernel')).toMatchObject({ label: 'kernel objects (34, last build)', start: 0x60000000, size: 0x2af000 });
  });
});
