import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDtb } from '../dt/dtb';
import { parseDtsFile } from '../dt/parse';
import { classifySystemHead, DT_SNIFF_BYTES, isDeviceTreeOverlay, kindFromName, SNIFF_BYTES } from './classify';

describe('kindFromName', () => {
  it('lists build files, device trees and PD sources by name; system candidates need their content', () => {
    const kinds = Object.fromEntries(
      ['Makefile', 'GNUmakefile', 'vmm.mk', 'CMakeLists.txt', 'toolchain.cmake', 'build.zig', 'Cargo.toml', 'board.dts', 'tegra.dtsi', 'linux.dtb', 'uart.dtbo', 'a.dtso', 'x.overlay', 'main.c', 'uart.h', 'start.S', 'lib.rs', 'pd.zig', 'image.ld', 'hello.system', 'vmm.system.in', 'model.xml', 'README.md', 'notes.txt', 'hello.system.orig', 'main.c~', 'CMakeCache.txt'].map((n) => [n, kindFromName(n)]),
    );
    expect(kinds).toEqual({
      Makefile: 'build', GNUmakefile: 'build', 'vmm.mk': 'build', 'CMakeLists.txt': 'build', 'toolchain.cmake': 'build', 'build.zig': 'build', 'Cargo.toml': 'build',
      'board.dts': 'devicetree', 'tegra.dtsi': 'devicetree', 'linux.dtb': 'devicetree', 'uart.dtbo': 'devicetree', 'a.dtso': 'devicetree', 'x.overlay': 'devicetree',
      'main.c': 'source', 'uart.h': 'source', 'start.S': 'source', 'lib.rs': 'source', 'pd.zig': 'source', 'image.ld': 'source',
      'hello.system': 'sniff', 'vmm.system.in': 'sniff', 'model.xml': 'sniff',
      'README.md': undefined, 'notes.txt': undefined, 'hello.system.orig': undefined, 'main.c~': undefined, 'CMakeCache.txt': undefined,
    });
  });
});

describe('classifySystemHead', () => {
  const plain = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n  <protection_domain name="a">\n';
  it('tells plain XML, cpp templates and XInclude systems apart', () => {
    expect(classifySystemHead('hello.system', plain)).toBe('system');
    expect(classifySystemHead('vmm.system', '/* SPDX */\n#include "board.h"\n<system>\n')).toBe('system-template');
    expect(classifySystemHead('vmm.system.in', '  # define RAM 0x40000000\n<system/>')).toBe('system-template');
    expect(classifySystemHead('net.system', '#ifdef CONFIG_NET\n<system/>\n#endif\n')).toBe('system-template');
    expect(classifySystemHead('hamr.system', '<system xmlns:xi="http://www.w3.org/2001/XInclude">\n  <xi:include href="microkit.schedule.xml"/>\n')).toBe('system-xinclude');
  });

  it('a # that is not a directive at the start of a line is plain XML', () => {
    expect(classifySystemHead('a.system', '<system><!-- see #include in the docs --><memory_region name="m#1" size="0x1000"/></system>')).toBe('system');
  });

  it('only the first KiB decides: a directive far down is not looked for', () => {
    expect(classifySystemHead('late.system', `${plain}${' '.repeat(SNIFF_BYTES)}\n#include "late.h"\n`)).toBe('system');
  });

  it('an .xml file is listed only when it is an XInclude system root', () => {
    expect(classifySystemHead('model.xml', '<system xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="a.xml"/>')).toBe('system-xinclude');
    expect(classifySystemHead('microkit.schedule.xml', '<domain_schedule><domain name="a" length="10"/></domain_schedule>')).toBeUndefined();
    expect(classifySystemHead('book.xml', '<book><xi:include href="ch1.xml"/></book>')).toBeUndefined();
  });
});

describe('isDeviceTreeOverlay', () => {
  const NV = path.resolve(import.meta.dirname, '../../tests/fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public');
  const head = (rel: string) => readFileSync(path.join(NV, rel), 'latin1').slice(0, DT_SNIFF_BYTES);

  it('a JetPack overlay (/plugin/; after its licence) is one; the board tree beside it is not', () => {
    expect(isDeviceTreeOverlay('tegra-optee.dts', head('overlay/tegra-optee.dts'))).toBe(true);
    expect(isDeviceTreeOverlay('x.dts', head('overlay/tegra234-p3737-0000+p3701-0000-hdr40.dts'))).toBe(true);
    expect(isDeviceTreeOverlay('board.dts', head('nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'))).toBe(false);
  });

  it('a licence header longer than a KiB before /plugin/ (Ghaf’s BPMP host overlay puts it at byte 1471)', () => {
    const text = `/*\n${' * SPDX licence text\n'.repeat(80)} */\n/dts-v1/;\n/plugin/;\n/ { fragment@0 { target = <&uarta>; }; };\n`;
    expect(text.indexOf('/plugin/')).toBeGreaterThan(1024);
    expect(isDeviceTreeOverlay('ghaf.dts', text)).toBe(true);
  });

  it('/plugin/ in a comment is not the directive', () => {
    expect(isDeviceTreeOverlay('b.dts', '/dts-v1/;\n/* not a /plugin/; tree */\n// nor /plugin/;\n/ { };\n')).toBe(false);
  });

  it('by name: .dtbo, .dtso and .overlay are overlays', () => {
    expect(['a.dtbo', 'a.dtso', 'a.overlay'].map((n) => isDeviceTreeOverlay(n, ''))).toEqual([true, true, true]);
  });

  it('a DTB by its first nodes: a compiled overlay has fragment@N/__overlay__, a base tree not', () => {
    const latin1 = (dts: string) => Buffer.from(writeDtb(parseDtsFile('t.dts', { readFile: () => dts }))).toString('latin1');
    expect(isDeviceTreeOverlay('o.dtb', latin1('/dts-v1/;\n/plugin/;\n&uarta { status = "okay"; };\n'))).toBe(true);
    expect(isDeviceTreeOverlay('b.dtb', latin1('/dts-v1/;\n/ { uarta: serial@3100000 { status = "okay"; }; };\n'))).toBe(false);
  });
});
