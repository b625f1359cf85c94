import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const corpus = path.join(root, 'tests/fixtures/dts-corpus');
const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, [bin, ...args], { cwd: corpus, input });
const haveDtc = spawnSync('dtc', ['--version']).status === 0;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet', '--only', 'node'], { stdio: 'inherit' });
}, 120_000);

describe('sel4-studio dtc and dt query', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dtcli-'));
  it('compiles a board tree to the bytes dtc writes, and decompiles them back as dtc does', () => {
    const out = path.join(tmp, 'qemu.dtb');
    const src = 'au-ts__libvmm/examples/simple/board/qemu_virt_aarch64/linux.dts';
    expect(run(['dtc', src, '-o', out]).status).toBe(0);
    if (haveDtc) {
      expect(Buffer.compare(readFileSync(out), execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', path.join(corpus, src)]))).toBe(0);
      const dts = run(['dtc', '-I', 'dtb', '-O', 'dts', out]).stdout.toString();
      expect(dts).toBe(execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', out]).toString());
    }
    // From standard input, like dtc -.
    expect(Buffer.compare(run(['dtc', '-I', 'dts', '-O', 'dtb', '-'], readFileSync(path.join(corpus, src))).stdout, readFileSync(out))).toBe(0);
  });

  it('reports a broken tree with file:line:col and exit 1', () => {
    const bad = path.join(tmp, 'bad.dts');
    writeFileSync(bad, '/dts-v1/;\n/ {\n\tx = <1>\n\ty;\n};\n');
    const r = run(['dtc', bad, '-o', path.join(tmp, 'bad.dtb')]);
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(`${bad}:4:2: error: syntax error: expected ';'\n`);
  });

  it('dt query decodes UARTI of the AGX Orin tree (from a DTB) to INTID 317', () => {
    const nv = 'sradcliffe-nottinghamspirk__t23x-nv-public';
    const dtb = path.join(tmp, 'orin.dtb');
    const inc = ['include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc', 'nv-platform'].flatMap((d) => ['-i', path.join(nv, d)]);
    expect(run(['dtc', '--cpp', ...inc, `${nv}/nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts`, '-o', dtb]).status).toBe(0);
    const r = run(['dt', 'query', dtb, '--compatible', 'arm,sbsa-uart', '--json']);
    const json = JSON.parse(r.stdout.toString());
    const uarti = json.find((n: { path: string }) => n.path === '/bus@0/serial@31d0000');
    expect(uarti.reg).toEqual([{ address: '0x31d0000', size: '0x10000', translated: true }]);
    expect(uarti.interrupts[0]).toMatchObject({ type: 'SPI', number: 285, intid: 317 });
    expect(run(['dt', 'query', dtb, '--path', '/nope']).status).toBe(1);
  });

  it('a #…-cells value a query cannot use, and a tree nested 10,000 deep: one line with the place, exit 1', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'dtcli-'));
    const bad = path.join(tmp, 'ic0.dts');
    writeFileSync(bad, '/dts-v1/;\n/ {\n\tinterrupt-parent = <&gic>;\n\tgic: gic@0 { interrupt-controller; #interrupt-cells = <0>; };\n\tuart@1000 { interrupts = <0 33 4>; };\n};\n');
    const message = "/gic@0: property '#interrupt-cells' is <0>: 'interrupts' of /uart@1000 cannot be decoded (an interrupt needs at least one cell)";
    const q = run(['dt', 'query', bad, '--path', '/uart@1000']);
    expect(q.status).toBe(1);
    expect(q.stderr.toString()).toBe(`${bad}:4:37: ${message}\n`);
    expect(run(['dtc', bad, '-o', path.join(tmp, 'ic0.dtb')]).status).toBe(0);
    const fromBlob = run(['dt', 'query', path.join(tmp, 'ic0.dtb'), '--path', '/uart@1000']);
    expect(fromBlob.status).toBe(1);
    expect(fromBlob.stderr.toString()).toMatch(new RegExp(`^${message.replace(/[()]/g, '\\$&')} \\(at byte 0x[0-9a-f]+\\)\n$`));
    const deep = path.join(tmp, 'deep.dts');
    writeFileSync(deep, `/dts-v1/;\n/ {${' n {'.repeat(10_000)}${' };'.repeat(10_000)} };\n`);
    const d = run(['dtc', deep, '-o', path.join(tmp, 'deep.dtb')]);
    expect(d.status).toBe(1);
    expect(d.stderr.toString()).toBe(`${deep}:2:1029: error: node 'n' is nested too deeply (more than 256 levels)\n`);
  });
});

describe('sel4-studio fdtoverlay', () => {
  it('applies the passthrough host overlay like fdtoverlay, and refuses a base without symbols', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fdtov-'));
    const nv = 'sradcliffe-nottinghamspirk__t23x-nv-public';
    const inc = ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].flatMap((d) => ['-i', path.join(nv, d)]);
    const src = `${nv}/nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts`;
    expect(run(['dtc', '-@', '--cpp', ...inc, src, '-o', path.join(tmp, 'base.dtb')]).status).toBe(0);
    expect(run(['dtc', '--cpp', ...inc, src, '-o', path.join(tmp, 'nosym.dtb')]).status).toBe(0);
    const ov = path.join(tmp, 'ov.dts');
    writeFileSync(ov, '/dts-v1/;\n/plugin/;\n&{/bus@0/serial@31d0000} {\n\tcompatible = "nvidia,dummy";\n\tiommus = <&smmu_niso0 0x7f>;\n};\n');
    expect(run(['dtc', '-@', ov, '-o', path.join(tmp, 'ov.dtbo')]).status).toBe(0);
    expect(run(['fdtoverlay', '-i', path.join(tmp, 'base.dtb'), '-o', path.join(tmp, 'out.dtb'), path.join(tmp, 'ov.dtbo')]).status).toBe(0);
    const dts = run(['dtc', '-I', 'dtb', '-O', 'dts', path.join(tmp, 'out.dtb')]).stdout.toString();
    expect(dts).toMatch(/serial@31d0000 \{\n\t\t\tiommus = <0x[0-9a-f]+ 0x7f>;\n\t\t\tcompatible = "nvidia,dummy";/);
    const bad = run(['fdtoverlay', '-i', path.join(tmp, 'nosym.dtb'), '-o', path.join(tmp, 'x.dtb'), path.join(tmp, 'ov.dtbo')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.toString()).toMatch(/label 'smmu_niso0'.*compile the base with -@/);
  });
});

describe('the command start-up', () => {
  // Node >= 22.1 keeps the cache itself (module.enableCompileCache); before, bin/sel4-studio.cjs keeps a V8 code cache.
  it.runIf(Number(process.versions.node.split('.')[0]) < 22)('the device-tree commands run from their own bundle, with a code cache stamped for that bundle', () => {
    // A copy of the command and the bundle, so that this test alone writes its caches.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'dtcache-'));
    mkdirSync(path.join(tmp, 'bin'));
    mkdirSync(path.join(tmp, 'dist/cli'), { recursive: true });
    copyFileSync(bin, path.join(tmp, 'bin/sel4-studio.cjs'));
    const bundle = path.join(tmp, 'dist/cli/dt.cjs');
    copyFileSync(path.join(root, 'dist/cli/dt.cjs'), bundle);
    const cache = `${bundle}.cache`;
    const src = path.join(corpus, 'au-ts__libvmm/examples/simple/board/qemu_virt_aarch64/linux.dts');
    const want = run(['dtc', src, '-o', '-']).stdout;
    expect(want.length).toBeGreaterThan(1000);
    const dtc = () => spawnSync(process.execPath, [path.join(tmp, 'bin/sel4-studio.cjs'), 'dtc', src, '-o', '-']);
    const stamp = () => readFileSync(cache).subarray(0, readFileSync(cache).indexOf(10)).toString();
    const wanted = () => `${statSync(bundle).size} ${statSync(bundle).mtimeMs} ${process.version} ${process.arch}`;
    // First run: no cache; it is written for this bundle once the command ran.
    expect(existsSync(cache)).toBe(false);
    expect(Buffer.compare(dtc().stdout, want)).toBe(0);
    expect(stamp()).toBe(wanted());
    expect(statSync(cache).size).toBeGreaterThan(10_000);
    // Accepted: the same bytes, the cache left as it is.
    const before = statSync(cache);
    expect(Buffer.compare(dtc().stdout, want)).toBe(0);
    expect(statSync(cache).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(cache).ino).toBe(before.ino);
    // A new bundle: the old cache is not used (V8 would only compare the source's length) and is made again.
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// rebuilt\n`);
    expect(Buffer.compare(dtc().stdout, want)).toBe(0);
    expect(stamp()).toBe(wanted());
    // A damaged cache with the right stamp: V8 refuses it, the command runs all the same, the cache is made again.
    writeFileSync(cache, Buffer.concat([Buffer.from(`${wanted()}\n`), Buffer.alloc(4096, 7)]));
    expect(Buffer.compare(dtc().stdout, want)).toBe(0);
    expect(statSync(cache).size).toBeGreaterThan(10_000);
    // The whole CLI does not take the device-tree bundle's place.
    expect(existsSync(path.join(tmp, 'dist/cli/cli.cjs'))).toBe(false);
  });
});
