import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const corpus = path.join(root, 'tests/fixtures/microkit-corpus/seL4__microkit');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });

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
