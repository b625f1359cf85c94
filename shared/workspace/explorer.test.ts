import { describe, expect, it } from 'vitest';
import { explorerGroups, type ExplorerFile } from './explorer';

const FILES: ExplorerFile[] = [
  { path: 'Makefile', kind: 'build' },
  { path: 'examples/vmm/vmm.c', kind: 'source' },
  { path: 'examples/vmm/board/odroidc4/vmm.system', kind: 'system-template' },
  { path: 'examples/serial/serial.system', kind: 'system' },
  { path: 'hamr/microkit.system', kind: 'system-xinclude' },
  { path: 'examples/vmm/board/odroidc4/linux.dts', kind: 'devicetree' },
  { path: 'examples/vmm/vmm.mk', kind: 'build' },
];

const shape = (groups: ReturnType<typeof explorerGroups>) => groups.map((g) => [g.id, g.entries.map((e) => e.path)]);

describe('explorerGroups', () => {
  it('puts system descriptions first, then sources, build files, device trees, each in folder order', () => {
    expect(shape(explorerGroups(FILES))).toEqual([
      ['systems', ['examples/serial/serial.system', 'examples/vmm/board/odroidc4/vmm.system', 'hamr/microkit.system']],
      ['sources', ['examples/vmm/vmm.c']],
      ['build', ['examples/vmm/vmm.mk', 'Makefile']],
      ['devicetrees', ['examples/vmm/board/odroidc4/linux.dts']],
    ]);
    expect(explorerGroups(FILES)[0]!.entries[1]).toMatchObject({ name: 'vmm.system', dir: 'examples/vmm/board/odroidc4', kind: 'system-template' });
    expect(explorerGroups(FILES)[2]!.entries[1]).toMatchObject({ name: 'Makefile', dir: '' });
  });

  it('filters by every word, case-insensitively, in the path or the kind tag; empty groups go', () => {
    expect(shape(explorerGroups(FILES, 'VMM'))).toEqual([
      ['systems', ['examples/vmm/board/odroidc4/vmm.system']],
      ['sources', ['examples/vmm/vmm.c']],
      ['build', ['examples/vmm/vmm.mk']],
      ['devicetrees', ['examples/vmm/board/odroidc4/linux.dts']],
    ]);
    expect(shape(explorerGroups(FILES, 'odroidc4 cpp'))).toEqual([['systems', ['examples/vmm/board/odroidc4/vmm.system']]]);
    expect(shape(explorerGroups(FILES, 'xinclude'))).toEqual([['systems', ['hamr/microkit.system']]]);
    expect(explorerGroups(FILES, 'nothing-like-this')).toEqual([]);
    expect(shape(explorerGroups(FILES, '  '))).toEqual(shape(explorerGroups(FILES)));
  });
});
