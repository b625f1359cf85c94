import { describe, expect, it } from 'vitest';
import { cppOfMakefiles } from './makefileCpp';

// Makefiles in the shapes LionsOS VMM examples use (written for this test).
const top = [
  'export EXAMPLE_DIR := $(shell dirname $(realpath $(firstword $(MAKEFILE_LIST))))',
  'VARIANT ?= passthrough',
  'ifeq (${VARIANT},passthrough)',
  'export SYSTEM := ${EXAMPLE_DIR}/vmm.system',
  'VAR_MAKEFILE := vmm-dev.mk',
  'else',
  'export SYSTEM := ${EXAMPLE_DIR}/vmm-console.system',
  'VAR_MAKEFILE := vmm-console.mk',
  'endif',
  '${BUILD_DIR}/Makefile: ${VAR_MAKEFILE}',
  '\tcp $< $@',
].join('\n');
const consoleMk = [
  'MICROKIT_BOARD := odroidc4',
  'CFLAGS := -mcpu=cortex-a55 \\',
  '\t-DBOARD_$(MICROKIT_BOARD) \\',
  '\t-I$(BOARD_DIR)/include',
  'vmm.system: ${SYSTEM} vmm_ram.h',
  '\t@cpp -I. -P -DCONSOLE="virtio" ${SYSTEM} -o $@ # preprocess',
  'other.o: other.c',
  '\t$(CC) -E $(CFLAGS) $< -o $@',
].join('\n');
const devMk = ['vmm.system: ${SYSTEM} vmm_ram.h', '\tcpp -I. -P ${EXAMPLE_DIR}/vmm.system -o $@'].join('\n');

describe("the cpp flags a project's Makefiles pass for a template", () => {
  it('finds the recipe that names the template, through variables set in another Makefile of the folder', () => {
    const files = [
      { path: 'Makefile', text: top },
      { path: 'vmm-console.mk', text: consoleMk },
      { path: 'vmm-dev.mk', text: devMk },
    ];
    const dev = cppOfMakefiles(files, '/src/examples/vmm/vmm.system')!;
    expect(dev).toMatchObject({ makefile: 'vmm-dev.mk', line: 2, settings: { defines: {}, includeDirs: ['.'] }, unresolved: [] });
    const con = cppOfMakefiles(files, 'examples/vmm/vmm-console.system')!;
    expect(con).toMatchObject({ makefile: 'vmm-console.mk', line: 6, settings: { defines: { CONSOLE: 'virtio' }, includeDirs: ['.'] } });
    expect(con.command).toBe('cpp -I. -P -DCONSOLE="virtio" ${SYSTEM} -o $@ # preprocess');
    expect(cppOfMakefiles(files, 'other.system')).toBeUndefined();
  });

  it('expands variables and $<, and lists the flags that need variables it cannot see', () => {
    const mk = [
      'MICROKIT_BOARD ?= qemu_virt_aarch64',
      'TOP := ../..',
      'FLAGS := -DBOARD_$(MICROKIT_BOARD) -I$(TOP)/include -I $(SDDF)/include -D GUEST=$(GUEST_NAME)',
      '$(BUILD_DIR)/vmm.system: vmm.system $(TOP)/include/vmm_ram.h',
      '\t$(CC) -E -P -x c $(FLAGS) -UNDEBUG $< -o $@',
    ].join('\n');
    const r = cppOfMakefiles([{ path: 'Makefile', text: mk }], 'vmm.system')!;
    expect(r.settings).toEqual({ defines: { BOARD_qemu_virt_aarch64: '1' }, includeDirs: ['../../include'] });
    expect(r.unresolved).toEqual(['-I $(SDDF)/include', '-D GUEST=$(GUEST_NAME)']);
  });
});
