import { mkdirSync, mkdtempSync, promises as fs, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstSystemFile, listWorkspaceFiles, readFolderSettings, writeFolderSettings } from './workspace';
import { defaultFolderSettings } from '../../shared/model/folderSettings';
import { writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'studio-ws-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}

/** A checkout shaped like LionsOS/sDDF: templates, plain systems, an XInclude model, sources, build output. */
const CHECKOUT = {
  'Makefile': 'all:\n',
  'examples/serial/serial.system': '<?xml version="1.0"?>\n<system>\n</system>\n',
  'examples/serial/serial.c': 'int main;',
  'examples/serial/board/odroidc4.dts': '/dts-v1/;',
  'examples/vmm/vmm.system': '/* SPDX */\n#include "board.h"\n<system>\n</system>\n',
  'examples/vmm/vmm.mk': 'X=1\n',
  'hamr/microkit.system': '<system xmlns:xi="http://www.w3.org/2001/XInclude">\n<xi:include href="microkit.schedule.xml"/>\n</system>\n',
  'hamr/microkit.schedule.xml': '<domain_schedule/>\n',
  'drivers/uart/CMakeLists.txt': 'project(x)\n',
  'drivers/uart/uart.rs': 'fn main() {}',
  'docs/README.md': '# docs',
  'build/serial.system': '<system/>',
  'build/gen.c': '',
  'out/CMakeCache.txt': '',
  'out/generated.c': '',
  'node_modules/x/y.c': '',
  '.git/objects/x.c': '',
  '.hidden.system': '<system/>',
};

describe('workspace files (real tree)', () => {
  it('lists and classifies what the Explorer shows, and none of the output, dependencies or VCS', async () => {
    const root = tree(CHECKOUT);
    const { files, truncated } = await listWorkspaceFiles(root);
    expect(truncated).toBe(false);
    expect(files).toEqual([
      { path: 'drivers/uart/CMakeLists.txt', kind: 'build' },
      { path: 'drivers/uart/uart.rs', kind: 'source' },
      { path: 'examples/serial/board/odroidc4.dts', kind: 'devicetree' },
      { path: 'examples/serial/serial.c', kind: 'source' },
      { path: 'examples/serial/serial.system', kind: 'system' },
      { path: 'examples/vmm/vmm.mk', kind: 'build' },
      { path: 'examples/vmm/vmm.system', kind: 'system-template' },
      { path: 'hamr/microkit.system', kind: 'system-xinclude' },
      { path: 'Makefile', kind: 'build' },
    ]);
  });

  it('marks device-tree overlays by their first bytes (a /plugin/ DTS, a compiled overlay) or their name; base trees and includes stay plain', async () => {
    const overlayDtb = Buffer.from(writeDtb(parseDtsFile('o.dts', { readFile: () => '/dts-v1/;\n/plugin/;\n&uarta { status = "okay"; };\n' })));
    const baseDtb = Buffer.from(writeDtb(parseDtsFile('b.dts', { readFile: () => '/dts-v1/;\n/ { model = "x"; };\n' })));
    const root = tree({ 'board.dts': '/dts-v1/;\n/ { };\n', 'soc.dtsi': '/ { };\n', 'hdr40.dts': '// SPDX\n/dts-v1/;\n/plugin/;\n&uarta { };\n', 'cam.dtso': '', 'x.dtbo': '' });
    writeFileSync(path.join(root, 'runtime.dtb'), baseDtb);
    writeFileSync(path.join(root, 'hdr40.dtb'), overlayDtb);
    const { files } = await listWorkspaceFiles(root);
    expect(files).toEqual([
      { path: 'board.dts', kind: 'devicetree' },
      { path: 'cam.dtso', kind: 'devicetree', overlay: true },
      { path: 'hdr40.dtb', kind: 'devicetree', overlay: true },
      { path: 'hdr40.dts', kind: 'devicetree', overlay: true },
      { path: 'runtime.dtb', kind: 'devicetree' },
      { path: 'soc.dtsi', kind: 'devicetree' },
      { path: 'x.dtbo', kind: 'devicetree', overlay: true },
    ]);
  });

  it('follows links to files inside the folder, never out of it', async () => {
    const root = tree({ 'real/a.system': '<system/>' });
    const outside = tree({ 'secret.system': '<system/>', 'dir/x.c': '' });
    symlinkSync(path.join(root, 'real/a.system'), path.join(root, 'alias.system'));
    symlinkSync(path.join(outside, 'secret.system'), path.join(root, 'leak.system'));
    symlinkSync(path.join(outside, 'dir'), path.join(root, 'leakdir'));
    symlinkSync(root, path.join(root, 'real/loop'));
    expect((await listWorkspaceFiles(root)).files.map((f) => f.path)).toEqual(['alias.system', 'real/a.system']);
  });

  it('caps the list and says so', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`src/f${String(i).padStart(2, '0')}.c`] = '';
    const r = await listWorkspaceFiles(tree(files), 25);
    expect(r.truncated).toBe(true);
    expect(r.files).toHaveLength(25);
  });

  it('opens with the settings\' last file, else the plain .system nearest the top, else none', async () => {
    const root = tree(CHECKOUT);
    expect(await firstSystemFile(root, undefined)).toBe('examples/serial/serial.system');
    expect(await firstSystemFile(root, 'examples/vmm/vmm.system')).toBe('examples/vmm/vmm.system');
    expect(await firstSystemFile(root, 'examples/gone.system')).toBe('examples/serial/serial.system');
    expect(await firstSystemFile(root, '../../etc/passwd')).toBe('examples/serial/serial.system');
    expect(await firstSystemFile(tree({ 'only/vmm.system': '#include "x.h"\n<system/>' }), undefined)).toBe('only/vmm.system');
    expect(await firstSystemFile(tree({ 'main.c': '' }), undefined)).toBeUndefined();
  });
});

describe('folder settings file', () => {
  it('is absent until written; written atomically in .sel4-studio/', async () => {
    const root = tree({ 'a.system': '<system/>' });
    expect(await readFolderSettings(root)).toEqual({ problems: [] });
    const s = { ...defaultFolderSettings(), board: 'zcu102' };
    await writeFolderSettings(root, s);
    expect(readdirSync(path.join(root, '.sel4-studio'))).toEqual(['settings.json']);
    expect(await readFolderSettings(root)).toEqual({ settings: s, problems: [] });
  });

  it('a broken settings file is reported with its place and never overwritten', async () => {
    const broken = '{ "schemaVersion": 1, "board": }';
    const root = tree({ '.sel4-studio/settings.json': broken });
    const read = await readFolderSettings(root);
    expect(read.settings).toBeUndefined();
    expect(read.problems[0]).toMatchObject({ file: '.sel4-studio/settings.json', line: 1, column: 32 });
    await expect(writeFolderSettings(root, defaultFolderSettings())).rejects.toMatchObject({ code: 'conflict' });
    expect(await fs.readFile(path.join(root, '.sel4-studio/settings.json'), 'utf8')).toBe(broken);
  });
});
