import { describe, expect, it } from 'vitest';
import { guessIncludeDirs } from './includes';

describe('include folders a tree needs, found in its folder', () => {
  const files: Record<string, string> = {
    'hw/nv-platform/board.dts': '#include "tegra234.dtsi"\n#include <dt-bindings/clock/tegra234-clock.h>\n/include/ "local.dtsi"\n',
    'hw/nv-platform/local.dtsi': '',
    'hw/tegra234.dtsi': '#include <dt-bindings/reset/tegra234-reset.h>\n#include "missing-soc.dtsi"\n',
    'hw/include/kernel/dt-bindings/clock/tegra234-clock.h': '',
    'hw/include/kernel/dt-bindings/reset/tegra234-reset.h': '',
    // A second copy farther from the tree is not the one taken.
    'other/vendor/include/dt-bindings/clock/tegra234-clock.h': '',
  };
  const read = (f: string) => files[f];

  it('a quoted name beside the includer first, then the folders found so far, then the nearest folder that has it', () => {
    const g = guessIncludeDirs('hw/nv-platform/board.dts', Object.keys(files), read);
    expect(g.includeDirs).toEqual(['hw', 'hw/include/kernel']);
    expect(g.missing).toEqual(['missing-soc.dtsi']);
    expect(g.scanned).toBe(5);
  });

  it('folders given are tried first and kept', () => {
    const g = guessIncludeDirs('hw/nv-platform/board.dts', Object.keys(files), read, ['other/vendor/include']);
    expect(g.includeDirs).toEqual(['other/vendor/include', 'hw', 'hw/include/kernel']);
  });

  it('a tree at the top of the folder: the folder is "."', () => {
    const g = guessIncludeDirs('board.dts', ['board.dts', 'soc.dtsi', 'inc/x.h'], (f) => ({ 'board.dts': '#include <soc.dtsi>\n#include <x.h>\n' })[f] ?? '');
    expect(g.includeDirs).toEqual(['.', 'inc']);
  });
});
