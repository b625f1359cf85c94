import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const corpus = path.join(root, 'tests/fixtures/microkit-corpus/seL4__microkit');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
const repo = path.join(root, 'tests/fixtures/repo');
/** A copy of the fixture repository with one file changed. */
function brokenRepo(file: string, from: string, to: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-repo-'));
  cpSync(repo, dir, { recursive: true });
  const f = path.join(dir, file);
  writeFileSync(f, readFileSync(f, 'utf8').replace(from, to));
  return dir;
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
}, 120_000);

describe('sel4-studio validate', () => {
  it('exits 0 for valid files and 1 with the tool-format line for an invalid one', () => {
    const ok = run('validate', `${corpus}/example/hello/hello.system`, `${corpus}/example/passive_server/passive_server.system`);
    expect(ok.status).toBe(0);
    const bad = run('validate', `${corpus}/example/hello/hello.system`, `${corpus}/tool/microkit/tests/sdf/ch_missing_id.system`);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`Error: Missing required attribute 'id' on element 'end': ${corpus}/tool/microkit/tests/sdf/ch_missing_id.system:15:9`);
  });

  it('--json lists every file with its diagnostics', () => {
    const r = run('validate', '--json', `${corpus}/example/hello/hello.system`, `${corpus}/tool/microkit/tests/sdf/pd_write_only_mr.system`);
    const json = JSON.parse(r.stdout) as { file: string; ok: boolean; diagnostics: { severity: string; rule: string; message: string; line: number; column: number }[] }[];
    expect(json.map((j) => j.ok)).toEqual([true, false]);
    expect(json[1]!.diagnostics[0]).toMatchObject({ severity: 'error', rule: 'perms', line: 11, column: 9 });
  });

  it('board-aware: a VM is refused on a board without hypervisor support', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const f = path.join(dir, 'vm.system');
    writeFileSync(f, '<system><protection_domain name="vmm"><program_image path="vmm.elf"/><virtual_machine name="g"><vcpu id="0"/></virtual_machine></protection_domain></system>');
    expect(run('validate', f, '--board', 'qemu_virt_aarch64').status).toBe(0);
    const r = run('validate', f, '--board', 'qemu_virt_riscv64');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/seL4 has not been built as a hypervisor/);
  });

  it('--microkit refuses features the target release lacks', () => {
    const r = run('validate', '--microkit', '2.2', `${corpus}/example/domains/domains.system`);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/element <domains> needs Microkit 2.3 or later/);
  });

  it('usage errors exit 2', () => {
    expect(run('validate').status).toBe(2);
    expect(run('validate', 'x.system', '--board', 'nope').stderr).toMatch(/unknown board 'nope'/);
    expect(run('validate', 'x.system', '--frob').status).toBe(2);
  });

  it('a missing file is an error with its name', () => {
    const r = run('validate', '/nonexistent/a.system');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/cannot read '\/nonexistent\/a.system': ENOENT/);
  });
});

describe('sel4-studio format and migrate', () => {
  it('format is canonical and idempotent, and refuses a file that does not parse', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const once = path.join(dir, 'once.system');
    expect(run('format', `${corpus}/example/hierarchy/hierarchy.system`, '-o', once).status).toBe(0);
    const twice = run('format', once);
    expect(twice.stdout).toBe(readFileSync(once, 'utf8'));
    const bad = path.join(dir, 'bad.system');
    writeFileSync(bad, '<system><protection_domain name="a">');
    expect(run('format', bad, '-o', bad).status).toBe(1);
    expect(readFileSync(bad, 'utf8')).toBe('<system><protection_domain name="a">');
  });

  it('migrate rewrites a 1.x file and reports each change', () => {
    const legacy = path.join(root, 'tests/fixtures/microkit-corpus/seL4__microkit@1.4.1/example/imx8mm_evk/passive_server/passive_server.system');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const out = path.join(dir, 'migrated.system');
    const r = run('migrate', legacy, '--to', '2.3', '-o', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/note: removed pp from protection domain/);
    expect(run('validate', legacy).status).toBe(1);
    expect(run('validate', out).status).toBe(0);
  });

  it('a file nested 10,000 deep: validate, format and migrate each report the place, no stack trace', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const deep = path.join(dir, 'deep.system');
    writeFileSync(deep, `<system>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</system>\n`);
    const line = `Could not parse '${deep}': the element at 1:777 is nested too deeply (more than 256 levels) (${deep}:1:777)\n`;
    for (const cmd of [['validate'], ['format'], ['migrate', '--to', '2.3']]) {
      const r = run(cmd[0]!, deep, ...cmd.slice(1));
      expect(r.status, cmd[0]).toBe(1);
      expect(`${r.stdout}${r.stderr}`, cmd[0]).toBe(line);
    }
  });
});

describe('sel4-studio validate on cpp templates and XInclude files', () => {
  const template = path.join(repo, 'examples/vmm/vmm.system');
  const hamr = path.join(repo, 'hamr/microkit/microkit.system');

  it('a template read as XML fails as the tool fails on it, with a hint', () => {
    const r = run('validate', template);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Could not parse '${template}': unknown token at 6:1`);
    expect(r.stderr).toMatch(/this is a cpp template .* validate it with --cpp/);
  });

  it('--cpp takes the flags from the Makefile, or from -D/-I, and places problems on template lines', () => {
    const ok = run('validate', '--cpp', template);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`cpp flags from ${path.join(repo, 'examples/vmm/Makefile')}:22: -DBOARD_qemu_virt_aarch64=1 -I${path.join(repo, 'include')}`);
    expect(run('validate', '--cpp', '-D', 'BOARD_odroidc4', `-I${path.join(repo, 'include')}`, '--board', 'odroidc4', template).status).toBe(0);
    const dir = brokenRepo('examples/vmm/vmm.system', '<irq irq=UART_IRQ id="1" />', '<irq irq=UART_IRQ id="99" />');
    const broken = path.join(dir, 'examples/vmm/vmm.system');
    const bad = run('validate', '--cpp', broken);
    expect(bad.status).toBe(1);
    expect(bad.stdout.split('\n')[0]).toBe(`Error: id must be < 62 on element 'irq': ${broken}:30:9`);
    const noBoard = run('validate', '--cpp', '-I', path.join(repo, 'include'), template, '--json');
    const json = JSON.parse(noBoard.stdout) as { diagnostics: { rule: string; file: string; line: number }[] }[];
    expect(json[0]!.diagnostics[0]).toMatchObject({ rule: 'cpp', file: path.join(repo, 'include/vmm_ram.h'), line: 29 });
  });

  it('--xinclude checks the merged system and places problems in the included file', () => {
    expect(run('validate', hamr).stdout).toContain(`Error: invalid XML element 'include': ${hamr}:6:3`);
    const ok = run('validate', '--xinclude', hamr);
    expect(ok.status, ok.stdout).toBe(0);
    const dir = brokenRepo('hamr/microkit/p1_t1.xml', 'vaddr="0x10_000_000"', 'vaddr="0x10_000_001"');
    const bad = run('validate', '--xinclude', path.join(dir, 'hamr/microkit/microkit.system'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`Error: invalid vaddr alignment on 'map' @ ${path.join(dir, 'hamr/microkit/p1_t1.xml')}:3:3`);
  });

  it('usage errors: -D without --cpp, --cpp with --xinclude', () => {
    expect(run('validate', '-DX', template).status).toBe(2);
    expect(run('validate', '--cpp', '--xinclude', template).status).toBe(2);
    expect(run('validate', '--cpp', template, '-I').stderr).toMatch(/-I needs a value/);
  });
});

describe('sel4-studio edit (scripted lossless edits)', () => {
  const copy = (rel: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-edit-'));
    const f = path.join(dir, path.basename(rel));
    writeFileSync(f, readFileSync(path.join(corpus, rel)));
    return f;
  };

  it('with no operation writes the file back byte for byte; format keeps the licence header', () => {
    const f = copy('example/hello/hello.system');
    const before = readFileSync(f);
    const r = run('edit', f, '-o', '-');
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout)).toEqual(before);
    expect(run('edit', f).status).toBe(0);
    expect(readFileSync(f)).toEqual(before);
    const formatted = run('format', f).stdout;
    expect(formatted).toMatch(/SPDX-License-Identifier: BSD-2-Clause/);
    expect(formatted.startsWith(before.toString().slice(0, before.toString().indexOf('<system>')).trimEnd())).toBe(true);
  });

  it('--set changes exactly one line; --rename changes the name and its references only', () => {
    const f = copy('example/hierarchy/hierarchy.system');
    const before = readFileSync(f, 'utf8');
    const pd = /<protection_domain name="([^"]+)"/.exec(before)![1]!;
    expect(run('edit', f, '--set', `protection_domain[${pd}]@priority=200`).status).toBe(0);
    const after = readFileSync(f, 'utf8');
    const a = before.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length);
    const changed = a.filter((l, i) => l !== b[i]);
    expect(changed).toHaveLength(1);
    expect(b[a.indexOf(changed[0]!)]).toMatch(/priority="200"/);
    expect(run('edit', f, '--rename', 'pd', pd, `${pd}_renamed`, '-o', '-').stdout.split('\n').filter((l, i) => l !== b[i]).every((l) => l.includes(`${pd}_renamed`))).toBe(true);
  });

  it('refuses what it cannot do, with the reason, and leaves the file alone', () => {
    const f = copy('example/hello/hello.system');
    const before = readFileSync(f, 'utf8');
    const r1 = run('edit', f, '--set', 'protection_domain[nope]@priority=1');
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(/no protection_domain named 'nope'/);
    const r2 = run('edit', f, '--set', 'protection_domain[hello]@priority=lots');
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/not a value seL4 Studio can write/);
    expect(run('edit', f, '--set', 'priority=1').status).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });
});
