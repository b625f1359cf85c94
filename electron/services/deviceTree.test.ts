import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../shared/api/errors';
import { readDtb } from '../../shared/dt/dtb';
import { indexTree } from '../../shared/dt/query';
import { loadDeviceTree, prefetchDeviceTrees, PREFETCH_LIMIT } from './deviceTree';

const tool = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
const need = (cmd: string) => {
  if (!tool(cmd) && process.env.CI === 'true') throw new Error(`${cmd} is required in CI`);
  return tool(cmd);
};
const haveTools = need('cpp') && need('dtc');
const corpus = path.resolve(import.meta.dirname, '../../tests/fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public');
const JP6 = 'jetpack/nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts';
let root: string;
let secret: string;
beforeAll(() => {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dt-load-')));
  root = path.join(base, 'orin');
  // A JetPack source tree as a user has it in a project: includes in folders the Makefiles name, none given here.
  cpSync(corpus, path.join(root, 'jetpack'), { recursive: true, verbatimSymlinks: true });
  mkdirSync(path.join(base, 'canary'));
  secret = `CANARY-${Date.now().toString(36)}`;
  writeFileSync(path.join(base, 'canary', 'secret.dtsi'), `/ { ${secret} = <1>; };\n#error ${secret}\n`);
});

async function refusal(p: Promise<unknown>): Promise<StudioError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StudioError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('dt.load: a device tree of the folder for the wizard', () => {
  it.runIf(haveTools)('a JetPack tree with no include folders given: found in the folder, compiled through the system cpp to dtc -@ bytes, with its binding headers', async () => {
    const t0 = performance.now();
    const r = await loadDeviceTree(root, JP6);
    const ms = performance.now() - t0;
    console.log(`dt.load of the JetPack AGX tree: ${ms.toFixed(0)} ms (${r.files} files, ${Buffer.from(r.dtb, 'base64').length} bytes of DTB)`);
    expect(r).toMatchObject({ format: 'dts', by: 'system-cpp' });
    expect(r.includeDirs).toEqual(['jetpack', 'jetpack/include/kernel', 'jetpack/include/nvidia-oot']);
    expect(r.headers.map((h) => path.basename(h.path))).toEqual(expect.arrayContaining(['tegra234-clock.h', 'tegra234-reset.h', 'tegra234-powergate.h', 'tegra234-mc.h']));
    expect(r.headers.find((h) => h.path.endsWith('tegra234-clock.h'))!.text).toMatch(/#define TEGRA234_CLK_UARTA\s+155U?/);
    // dtc -@ on the same preprocessed text gives the same bytes.
    const pre = execFileSync('cpp', ['-x', 'assembler-with-cpp', '-nostdinc', '-undef', '-D__DTS__', ...r.includeDirs.map((d) => `-I${path.join(root, d)}`), path.join(root, JP6)], { maxBuffer: 1 << 28 });
    const dtc = spawnSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pre, maxBuffer: 1 << 28 });
    expect(dtc.status).toBe(0);
    expect(Buffer.compare(Buffer.from(r.dtb, 'base64'), dtc.stdout)).toBe(0);
    // Labels survive as __symbols__.
    const idx = indexTree(readDtb(new Uint8Array(Buffer.from(r.dtb, 'base64'))));
    expect(idx.byLabel.get('uarta')?.path).toBe('/bus@0/serial@3100000');
  });

  it.runIf(haveTools)('without a system cpp the subset reads the same tree', async () => {
    const sys = await loadDeviceTree(root, JP6);
    const sub = await loadDeviceTree(root, JP6, { cppCommand: 'no-such-cpp-here' });
    expect(sub.by).toBe('subset');
    expect(sub.notes.join('\n')).toMatch(/cpp subset/);
    expect(sub.dtb).toBe(sys.dtb);
    expect(sub.headers.map((h) => h.path)).toEqual(sys.headers.map((h) => h.path));
  });

  it.runIf(haveTools)('the same tree again comes from the cache while none of its files or folders changed; an edited include is read again', async () => {
    mkdirSync(path.join(root, 'cached', 'inc'), { recursive: true });
    writeFileSync(path.join(root, 'cached', 'inc', 'soc.dtsi'), '/ { soc { compatible = "simple-bus"; }; };\n');
    writeFileSync(path.join(root, 'cached', 'board.dts'), '/dts-v1/;\n#include "soc.dtsi"\n/ { model = "x"; };\n');
    const a = await loadDeviceTree(root, 'cached/board.dts');
    const b = await loadDeviceTree(root, 'cached/board.dts');
    expect(b.dtb).toBe(a.dtb);
    expect(b.ms).toBeLessThan(a.ms);
    writeFileSync(path.join(root, 'cached', 'inc', 'soc.dtsi'), '/ { soc { compatible = "simple-bus"; status = "okay"; }; };\n');
    const c = await loadDeviceTree(root, 'cached/board.dts');
    expect(c.dtb).not.toBe(a.dtb);
    // A file that would shadow an include (the folder changed) is seen too.
    writeFileSync(path.join(root, 'cached', 'soc.dtsi'), '/ { shadow = <1>; };\n');
    const d = await loadDeviceTree(root, 'cached/board.dts');
    expect(d.dtb).not.toBe(c.dtb);
  });

  it.runIf(haveTools)('a prefetched tree: the choice waits for the compile under way, same bytes; an include edited after it is read again', async () => {
    mkdirSync(path.join(root, 'pre', 'inc'), { recursive: true });
    writeFileSync(path.join(root, 'pre', 'inc', 'soc.dtsi'), '/ { soc { compatible = "simple-bus"; }; };\n');
    const board = '/dts-v1/;\n#include "soc.dtsi"\n/ { model = "x"; };\n';
    writeFileSync(path.join(root, 'pre', 'old.dts'), board);
    // The most recently changed first, DTS only, a few at most.
    const later = Date.now() / 1000 + 10;
    writeFileSync(path.join(root, 'pre', 'board.dts'), board);
    utimesSync(path.join(root, 'pre', 'board.dts'), later, later);
    writeFileSync(path.join(root, 'pre', 'x.dtb'), '');
    const many = Array.from({ length: PREFETCH_LIMIT + 3 }, () => 'pre/old.dts');
    const queued = await prefetchDeviceTrees(root, ['pre/x.dtb', ...many, 'pre/board.dts', 'pre/missing.dts']);
    expect(queued[0]).toBe('pre/board.dts');
    expect(queued).toHaveLength(PREFETCH_LIMIT);
    expect(queued).not.toContain('pre/x.dtb');
    // Chosen while the prefetch runs: one compile, its answer.
    const a = await loadDeviceTree(root, 'pre/board.dts');
    const fresh = await loadDeviceTree(root, 'pre/board.dts', { cpp: true });
    expect(a.dtb).toBe(fresh.dtb);
    writeFileSync(path.join(root, 'pre', 'inc', 'soc.dtsi'), '/ { soc { compatible = "simple-bus"; status = "okay"; }; };\n');
    await prefetchDeviceTrees(root, ['pre/board.dts']);
    const b = await loadDeviceTree(root, 'pre/board.dts');
    expect(b.dtb).not.toBe(a.dtb);
    expect(readDtb(new Uint8Array(Buffer.from(b.dtb, 'base64'))).root.children.find((n) => n.name === 'soc')!.props.map((p) => p.name)).toContain('status');
  });

  it.runIf(haveTools)('errors carry the file, line and column in the folder: a missing ";" in an included file, an include nothing provides', async () => {
    mkdirSync(path.join(root, 'broken', 'inc'), { recursive: true });
    writeFileSync(path.join(root, 'broken', 'inc', 'soc.dtsi'), '/ {\n\tsoc {\n\t\tcompatible = "simple-bus";\n\t\tbroken = <1>\n\t};\n};\n');
    writeFileSync(path.join(root, 'broken', 'board.dts'), '/dts-v1/;\n#include "soc.dtsi"\n/ {\n\tmodel = "x";\n};\n');
    const e = await refusal(loadDeviceTree(root, 'broken/board.dts'));
    expect(e.code).toBe('corrupt');
    expect(e.diagnostics?.[0]).toMatchObject({ file: 'broken/inc/soc.dtsi', line: 5, rule: 'dtc' });
    expect(e.message).toMatch(/^broken\/inc\/soc\.dtsi:5:\d+: /);
    writeFileSync(path.join(root, 'broken', 'missing.dts'), '/dts-v1/;\n\n#include <dt-bindings/none/such.h>\n/ { };\n');
    const m = await refusal(loadDeviceTree(root, 'broken/missing.dts'));
    expect(m.diagnostics?.[0]).toMatchObject({ file: 'broken/missing.dts', line: 3, rule: 'cpp' });
    expect(m.message).toMatch(/such\.h/);
  });

  it.runIf(haveTools)('a DTB as it is; a broken one at its place', async () => {
    const dtb = Buffer.from((await loadDeviceTree(root, JP6)).dtb, 'base64');
    writeFileSync(path.join(root, 'runtime.dtb'), dtb);
    const r = await loadDeviceTree(root, 'runtime.dtb');
    expect(r).toMatchObject({ format: 'dtb', by: 'none', headers: [] });
    expect(r.dtb).toBe(dtb.toString('base64'));
    writeFileSync(path.join(root, 'cut.dtb'), dtb.subarray(0, 100));
    expect((await refusal(loadDeviceTree(root, 'cut.dtb'))).diagnostics?.[0]).toMatchObject({ file: 'cut.dtb', rule: 'dtb' });
  });

  it.runIf(haveTools)('an overlay is not a base tree: a JetPack /plugin/ DTS (with its includes) and a compiled .dtbo are refused with why, at the /plugin/ line', async () => {
    const e = await refusal(loadDeviceTree(root, 'jetpack/overlay/tegra234-p3737-0000+p3701-0000-hdr40.dts'));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/is a device-tree overlay \(\/plugin\/;\): it changes nodes of a base tree .* Choose the base tree/);
    const text = readFileSync(path.join(root, 'jetpack/overlay/tegra234-p3737-0000+p3701-0000-hdr40.dts'), 'utf8');
    const line = text.slice(0, text.indexOf('/plugin/')).split('\n').length;
    expect(e.diagnostics?.[0]).toMatchObject({ file: 'jetpack/overlay/tegra234-p3737-0000+p3701-0000-hdr40.dts', line, column: 1, rule: 'overlay' });
    const dtbo = spawnSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: '/dts-v1/;\n/plugin/;\n&uarta { status = "okay"; };\n' });
    expect(dtbo.status).toBe(0);
    writeFileSync(path.join(root, 'uarta.dtbo'), dtbo.stdout);
    const d = await refusal(loadDeviceTree(root, 'uarta.dtbo'));
    expect(d.message).toMatch(/uarta\.dtbo is a device-tree overlay \(a compiled overlay/);
  });

  it.runIf(haveTools)('nothing outside the folder is read into an answer: absolute includes, links out, include folders out, /include/ out', async () => {
    const canary = path.join(path.dirname(root), 'canary');
    mkdirSync(path.join(root, 'evil'), { recursive: true });
    writeFileSync(path.join(root, 'evil', 'abs.dts'), `/dts-v1/;\n#include "${path.join(canary, 'secret.dtsi')}"\n`);
    writeFileSync(path.join(root, 'evil', 'up.dts'), '/dts-v1/;\n#include "../../canary/secret.dtsi"\n');
    symlinkSync(path.join(canary, 'secret.dtsi'), path.join(root, 'evil', 'linked.dtsi'));
    writeFileSync(path.join(root, 'evil', 'link.dts'), '/dts-v1/;\n#include "linked.dtsi"\n');
    writeFileSync(path.join(root, 'evil', 'dtcinc.dts'), '/dts-v1/;\n/include/ "../../canary/secret.dtsi"\n');
    for (const f of ['abs.dts', 'up.dts', 'link.dts', 'dtcinc.dts']) {
      const e = await refusal(loadDeviceTree(root, `evil/${f}`));
      expect(JSON.stringify({ m: e.message, d: e.diagnostics }), f).not.toContain(secret);
      expect(e.code, f).toMatch(/forbidden|corrupt/);
    }
    await expect(loadDeviceTree(root, 'evil/up.dts', { includeDirs: ['../canary'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(loadDeviceTree(root, '../canary/secret.dtsi')).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('dt.load stops a runaway preprocessor', () => {
  it.runIf(haveTools)('a macro that doubles at every level: stopped with the reason, at the tree', async () => {
    mkdirSync(path.join(root, 'bomb'), { recursive: true });
    const defs = ['#define A0 x'];
    for (let i = 1; i <= 40; i++) defs.push(`#define A${i} A${i - 1} A${i - 1}`);
    writeFileSync(path.join(root, 'bomb', 'bomb.dts'), `/dts-v1/;\n${defs.join('\n')}\n/ { q = <A40>; };\n`);
    const e = await refusal(loadDeviceTree(root, 'bomb/bomb.dts', { timeoutMs: 1500 }));
    expect(e.code).toBe('corrupt');
    expect(e.diagnostics?.[0]).toMatchObject({ file: 'bomb/bomb.dts', rule: 'cpp' });
    expect(e.message).toMatch(/cpp was stopped/);
  });
});
