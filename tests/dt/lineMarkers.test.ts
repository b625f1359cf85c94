import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtError } from '../../shared/dt/cpp';
import { writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';

// A tree that went through the system cpp carries line markers (`# 12 "board.dtsi" 2`): dtc takes them and places
// its errors by them; so do we (the wizard's host compiles JetPack trees this way).
const tool = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
const need = (cmd: string) => {
  if (!tool(cmd) && process.env.CI === 'true') throw new Error(`${cmd} is required in CI`);
  return tool(cmd);
};
const haveTools = need('dtc') && need('cpp');
const corpus = path.resolve(import.meta.dirname, '../fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public');
const nvInc = ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(corpus, d));
const cppArgs = (file: string, inc: string[]) => ['-x', 'assembler-with-cpp', '-nostdinc', '-undef', '-D__DTS__', ...inc.map((d) => `-I${d}`), file];

describe('cpp line markers', () => {
  it.runIf(haveTools)('the JetPack AGX tree through the system cpp: the same DTB bytes as dtc on the same text', () => {
    const out = execFileSync('cpp', cppArgs(path.join(corpus, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), nvInc), { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(out).toMatch(/^# \d+ "/m);
    const dtc = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: out, maxBuffer: 1 << 28 });
    expect(dtc.status, dtc.stderr.toString()).toBe(0);
    const ours = writeDtb(parseDtsFile('<stdin>', { readFile: (p) => (p === '<stdin>' ? out : undefined) }));
    expect(Buffer.compare(Buffer.from(ours), dtc.stdout)).toBe(0);
  });

  it.runIf(haveTools)('an error in an included file is placed where dtc places it (the file and line the markers name)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'markers-'));
    mkdirSync(path.join(dir, 'inc'));
    writeFileSync(path.join(dir, 'inc', 'soc.dtsi'), '/ {\n\tsoc {\n\t\tcompatible = "simple-bus";\n\t\tbroken = <1>\n\t};\n};\n');
    writeFileSync(path.join(dir, 'board.dts'), '/dts-v1/;\n#define ONE 1\n#include "soc.dtsi"\n/ {\n\tmodel = "x";\n};\n');
    const out = execFileSync('cpp', cppArgs(path.join(dir, 'board.dts'), [path.join(dir, 'inc')]), { encoding: 'utf8' });
    const pre = path.join(dir, 'board.pre.dts');
    writeFileSync(pre, out);
    const dtc = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '/dev/null', pre]);
    const m = /^Error: (.+?):(\d+)\.\d+/m.exec(dtc.stderr.toString());
    expect(m, dtc.stderr.toString()).not.toBeNull();
    let err: DtError | undefined;
    try {
      parseDtsFile(pre, { readFile: (p) => readFileSync(p, 'utf8') });
    } catch (e) {
      if (!(e instanceof DtError)) throw e;
      err = e;
    }
    expect(err).toBeDefined();
    expect([err!.file, err!.line]).toEqual([m![1], Number(m![2])]);
    expect(err!.file).toBe(path.join(dir, 'inc', 'soc.dtsi'));
  });

  it('markers with flags, #line, and escaped names; a property named #address-cells is no marker', () => {
    const text = '/dts-v1/;\n# 1 "a\\\\b.dtsi" 1 3\n/ {\n#address-cells = <1>;\n#line 40 "c.dtsi"\n\tx = <1>\n};\n';
    let err: DtError | undefined;
    try {
      parseDtsFile('m.dts', { readFile: () => text });
    } catch (e) {
      err = e as DtError;
    }
    expect([err?.file, err?.line]).toEqual(['c.dtsi', 41]);
    const ok = parseDtsFile('m.dts', { readFile: () => text.replace('x = <1>', 'x = <1>;') });
    expect(ok.root.props.find((p) => p.name === '#address-cells')?.place.file).toBe('a\\b.dtsi');
  });
});
