import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeSystem } from './compose';

const repo = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  cpSync(path.resolve(import.meta.dirname, '../../tests/fixtures/repo'), dir, { recursive: true });
  return dir;
};

describe('system.compose', () => {
  it('resolves an XInclude set with folder-relative files and hashes', async () => {
    const r = await composeSystem(repo(), 'hamr/microkit/microkit.system');
    expect(r.kind).toBe('xinclude');
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(r.hashes).sort()).toEqual(['hamr/microkit/microkit.schedule.xml', 'hamr/microkit/microkit.system', 'hamr/microkit/p1_t1.xml', 'hamr/microkit/p1_t1_MON.xml']);
    expect(r.composite!.text).toContain('<protection_domain name="p1_t1"');
  });

  it('preprocesses a cpp template with the flags its Makefile passes', async () => {
    const r = await composeSystem(repo(), 'examples/vmm/vmm.system');
    expect(r.kind).toBe('template');
    expect(r.diagnostics).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/cpp flags from examples\/vmm\/Makefile:\d+/);
    expect(r.composite!.text).toContain('phys_addr="0x9000000"');
    expect(r.composite!.main).toBe('examples/vmm/vmm.system');
    expect(r.cpp).toEqual({ defines: { BOARD_qemu_virt_aarch64: '1' }, includeDirs: ['include'] });
  });
});

describe('system.compose stays in the folder', () => {
  it('a template that includes a file outside the folder is refused, its text not returned', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = repo();
    writeFileSync(path.join(dir, 'evil.system'), '#include "/etc/hostname"\n<system/>\n');
    const r = await composeSystem(dir, 'evil.system', { defines: {}, includeDirs: [] });
    expect(r.composite).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message).join()).toMatch(/reads files outside the folder/);
  });
});
