import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtError } from '../../shared/dt/cpp';
import { writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';

const dir = path.resolve(import.meta.dirname, '../fixtures/dts-corpus');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
  dtc: string;
  entries: { files: string[]; cpp: boolean; includeDirs: string[]; dtbSha256: string; dtbSize: number; symbolsDtbSha256: string }[];
};
const readFile = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
const haveDtc = spawnSync('dtc', ['--version']).status === 0 && spawnSync('cpp', ['--version']).status === 0;
if (!haveDtc && process.env.CI === 'true') throw new Error('dtc and cpp are required in CI (apt-get install device-tree-compiler cpp)');

/** The real toolchain's bytes: live from dtc when it is installed, else the SHA-256 recorded with dtc 1.6.1. */
function dtcBytes(e: (typeof manifest.entries)[number]): Buffer | undefined {
  if (!haveDtc) return undefined;
  const files = e.files.map((f) => path.join(dir, f));
  const input = e.cpp
    ? spawnSync('cpp', ['-nostdinc', ...e.includeDirs.flatMap((d) => ['-I', path.join(dir, d)]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', files[0]!]).stdout
    : Buffer.concat(files.map((f) => readFileSync(f)));
  const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input });
  return r.status === 0 ? r.stdout : undefined;
}

describe('DTS -> DTB, byte for byte against dtc', () => {
  it(`every tree of the corpus manifest (${manifest.entries.length}) compiles to the same bytes as ${manifest.dtc}`, () => {
    const wrong: string[] = [];
    let live = 0;
    for (const e of manifest.entries) {
      const label = e.files.join(' + ');
      let ours: Uint8Array;
      try {
        ours = writeDtb(parseDtsFile(e.files.map((f) => path.join(dir, f)), { cpp: e.cpp, includeDirs: e.includeDirs.map((d) => path.join(dir, d)), readFile }));
      } catch (err) {
        wrong.push(`${label}: ${(err as Error).message}`);
        continue;
      }
      const sha = createHash('sha256').update(ours).digest('hex');
      if (sha !== e.dtbSha256) wrong.push(`${label}: ${ours.length} bytes, sha ${sha.slice(0, 12)}; dtc ${e.dtbSize} bytes, sha ${e.dtbSha256.slice(0, 12)}`);
      const theirs = dtcBytes(e);
      if (theirs) {
        live++;
        if (Buffer.compare(Buffer.from(ours), theirs) !== 0 && sha === e.dtbSha256) wrong.push(`${label}: differs from the installed dtc (a different dtc version?)`);
      }
    }
    console.log(`dtc conformance: ${manifest.entries.length - wrong.length}/${manifest.entries.length} byte-identical (${live} checked live against the installed dtc)`);
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('dtc -@ (symbols, for overlays)', () => {
  it('every tree compiles with __symbols__ to the bytes of dtc -@', () => {
    const wrong: string[] = [];
    for (const e of manifest.entries) {
      const ours = writeDtb(parseDtsFile(e.files.map((f) => path.join(dir, f)), { cpp: e.cpp, includeDirs: e.includeDirs.map((d) => path.join(dir, d)), readFile, symbols: true }));
      const sha = createHash('sha256').update(ours).digest('hex');
      if (sha !== e.symbolsDtbSha256) wrong.push(`${e.files.join(' + ')}: differs from dtc -@`);
    }
    console.log(`dtc -@ conformance: ${manifest.entries.length - wrong.length}/${manifest.entries.length} byte-identical`);
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('DTB -> DTS and DTB reading', () => {
  it('reading our DTBs back and printing them gives exactly what `dtc -I dtb -O dts` prints', async () => {
    const { readDtb } = await import('../../shared/dt/dtb');
    const { printDts } = await import('../../shared/dt/print');
    let checked = 0;
    const wrong: string[] = [];
    for (const e of manifest.entries) {
      const dtb = writeDtb(parseDtsFile(e.files.map((f) => path.join(dir, f)), { cpp: e.cpp, includeDirs: e.includeDirs.map((d) => path.join(dir, d)), readFile }));
      const back = readDtb(dtb);
      // A round trip through the reader and writer is the identity on bytes.
      if (Buffer.compare(Buffer.from(writeDtb(back)), Buffer.from(dtb)) !== 0) wrong.push(`${e.files[0]}: read/write round trip changed bytes`);
      if (!haveDtc) continue;
      const theirs = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-o', '-', '-'], { input: Buffer.from(dtb) }).stdout.toString();
      if (printDts(back) !== theirs) wrong.push(`${e.files[0]}: DTS text differs from dtc's`);
      checked++;
    }
    console.log(`dts printer: ${checked - wrong.length}/${checked} identical to dtc -O dts`);
    expect(wrong).toEqual([]);
  }, 120_000);
});

const cppArgs = (e: { includeDirs: string[] }) => ['-nostdinc', ...e.includeDirs.flatMap((d) => ['-I', path.join(dir, d)]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp'];
/** dtc's first error as file and line ("Error: FILE:LINE.COL-COL syntax error" or "FILE:LINE.COL-LINE.COL: ERROR ..."). */
function dtcError(stderr: string): { file: string; line: number } | undefined {
  const m = /^(?:Error: )?(.+?):(\d+)\.\d+(?:-[\d.]+)?:? /m.exec(stderr);
  return m ? { file: m[1]!, line: Number(m[2]) } : undefined;
}
function ourError(f: () => unknown): { file: string; line: number } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DtError) return { file: e.file, line: e.line };
    throw e;
  }
  return undefined;
}

describe('the header and line markers, against dtc', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dtc-conf-'));
  const compileText = (text: string, name = '<stdin>') => writeDtb(parseDtsFile(name, { readFile: (p) => (p === name ? text : readFile(p)) }));
  const dtcOf = (text: string) => spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: text });

  it.runIf(haveDtc)('boot_cpuid_phys: the one-cell reg of the first child of /cpus, as dtc guesses it', () => {
    // A real guest tree (one-cell CPU addresses) whose first CPU is 0x100.
    const qemu = readFileSync(path.join(dir, 'au-ts__libvmm/examples/simple/board/qemu_virt_aarch64/linux.dts'), 'utf8');
    const moved = qemu.replace(/(cpu@0 \{\s*reg = <)0x00(>;)/, '$10x100$2');
    expect(moved).not.toBe(qemu);
    const cases: Record<string, string> = {
      'first cpu 0x100': moved,
      'first cpu of two': '/dts-v1/;\n/ { cpus { #address-cells = <1>; #size-cells = <0>; cpu@100 { reg = <0x100>; }; cpu@0 { reg = <0>; }; }; };',
      'the first child is deleted (0)': '/dts-v1/;\n/ { cpus { c0: cpu@100 { reg = <0x100>; }; cpu@200 { reg = <0x200>; }; }; };\n/delete-node/ &c0;',
      'cpus@0 is not /cpus (0)': '/dts-v1/;\n/ { cpus@0 { cpu@100 { reg = <0x100>; }; }; };',
      'cpu-map first (0)': '/dts-v1/;\n/ { cpus { cpu-map { }; cpu@100 { reg = <0x100>; }; }; };',
      'two-cell reg (0)': '/dts-v1/;\n/ { cpus { cpu@100 { reg = <0x0 0x100>; }; }; };',
      'a phandle in reg (its placeholder)': '/dts-v1/;\n/ { cpus { cpu@100 { reg = <&x>; }; }; x: y { }; };',
      'a deleted reg (0)': '/dts-v1/;\n/ { cpus { cpu@100 { reg = <0x100>; }; }; };\n/ { cpus { cpu@100 { /delete-property/ reg; }; cpu@300 { reg = <0x300>; }; }; };',
      'a deleted first cpu defined again keeps its place': '/dts-v1/;\n/ { cpus { cpu@100 { reg = <0x100>; }; }; };\n/ { cpus { /delete-node/ cpu@100; cpu@300 { reg = <0x300>; }; }; };\n/ { cpus { cpu@100 { reg = <0x500>; }; }; };',
      'four bytes of /bits/ 16': '/dts-v1/;\n/ { cpus { cpu@100 { reg = /bits/ 16 <0x100 0x200>; }; }; };',
      'no /cpus (0)': '/dts-v1/;\n/ { memory { reg = <0x100>; }; };',
    };
    const wrong: string[] = [];
    for (const [name, text] of Object.entries(cases)) {
      const theirs = dtcOf(text).stdout;
      const ours = Buffer.from(compileText(text));
      if (Buffer.compare(ours, theirs) !== 0) wrong.push(`${name}: ours 0x${ours.readUInt32BE(28).toString(16)}, dtc 0x${theirs.readUInt32BE(28).toString(16)}`);
    }
    expect(wrong).toEqual([]);
    expect(Buffer.from(compileText(moved)).readUInt32BE(28)).toBe(0x100);
  });

  it.runIf(haveDtc)('/omit-if-no-ref/ nodes nothing refers to are left out after references are fixed up, as dtc does', () => {
    const trees = [
      `/dts-v1/;
/ {
	n1: /omit-if-no-ref/ a { x = <1>; };
	n2: /omit-if-no-ref/ b { x = <2>; };
	n3: /omit-if-no-ref/ c { x = <3>; };
	n4: /omit-if-no-ref/ d { p = <&n5>; };
	n5: e { x = <5>; };
	n6: /omit-if-no-ref/ f { x = <6>; g { }; };
	n8: i { x = <8>; };
	/omit-if-no-ref/ j { x = <9>; };
	user { a = <&n2>; b = &n3; c = <&{/j}>; };
};
&n1 { y = <1>; };
/omit-if-no-ref/ &n8;`,
      '/dts-v1/;\n/plugin/;\n&base { /omit-if-no-ref/ n { p = <&ext>, <&own>; }; own: m { }; k { q = <&ext>; }; };',
    ];
    for (const text of trees) {
      for (const sym of [[], ['-@']]) {
        const theirs = spawnSync('dtc', ['-q', ...sym, '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: text }).stdout;
        const ours = writeDtb(parseDtsFile('<stdin>', { readFile: () => text, symbols: sym.length > 0 }));
        expect(Buffer.compare(Buffer.from(ours), theirs), `${text.slice(0, 30)} ${sym.join('')}`).toBe(0);
      }
    }
  });

  it.runIf(haveDtc)('cpp -E output of every preprocessed corpus tree (line markers and all) compiles to the bytes dtc writes for it', () => {
    const wrong: string[] = [];
    const entries = manifest.entries.filter((e) => e.cpp);
    for (const e of entries) {
      const pre = spawnSync('cpp', [...cppArgs(e), path.join(dir, e.files[0]!)]).stdout.toString();
      expect(pre).toMatch(/^# \d+ "/m);
      const ours = Buffer.from(compileText(pre));
      if (Buffer.compare(ours, dtcOf(pre).stdout) !== 0) wrong.push(e.files[0]!);
    }
    console.log(`preprocessed trees: ${entries.length - wrong.length}/${entries.length} byte-identical to dtc`);
    expect(wrong).toEqual([]);
  }, 120_000);

  it.runIf(haveDtc)('an error inside an included file is reported at that file\'s line, as dtc reports it', () => {
    // 1. The AGX Orin tree as cpp wrote it, broken inside files it includes: dtc and we name the included file.
    const agx = manifest.entries.find((e) => e.files[0]!.endsWith('tegra234-p3737-0000+p3701-0000-nv.dts'))!;
    const lines = spawnSync('cpp', [...cppArgs(agx), path.join(dir, agx.files[0]!)]).stdout.toString().split('\n');
    const inFile: string[] = [];
    for (const l of lines) inFile.push(/^# \d+ "([^"]+)"/.exec(l)?.[1] ?? inFile[inFile.length - 1] ?? '');
    const wrong: string[] = [];
    let compared = 0;
    for (const want of ['tegra234.dtsi', 'tegra234-p3701.dtsi', 'tegra234-p3737-0000.dtsi', '-nv-common.dtsi', 'tegra234-base-overlay.dtsi']) {
      const i = lines.findIndex((l, k) => inFile[k]!.endsWith(want) && /^\s+[\w,#.-]+ = <.*>;\s*$/.test(l));
      if (i < 0) continue;
      const broken = lines.map((l, k) => (k === i ? l.replace(/;\s*$/, '') : l)).join('\n');
      const theirs = dtcError(dtcOf(broken).stderr.toString());
      const ours = ourError(() => compileText(broken));
      compared++;
      expect(theirs?.file).toMatch(new RegExp(`${want.replace(/[.+]/g, '\\$&')}$`));
      if (!theirs || !ours || ours.file !== theirs.file || ours.line !== theirs.line) wrong.push(`${want}: dtc ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`);
    }
    expect(compared).toBe(5);
    // 2. Sources we preprocess ourselves (--cpp), with an error in an included file and a marker cpp left in one.
    writeFileSync(path.join(tmp, 'main.dts'), '/dts-v1/;\n#include "inc.dtsi"\n/ { b = <2>; };\n');
    writeFileSync(path.join(tmp, 'inc.dtsi'), '#define TWO 2\n/ {\n\ta = <TWO>;\n\tc = <3>\n};\n');
    writeFileSync(path.join(tmp, 'marked.dts'), '/dts-v1/;\n# 40 "board.dtsi" 1\n/ {\n\ta = <1>\n};\n');
    for (const f of ['main.dts', 'marked.dts']) {
      const pre = spawnSync('cpp', ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', f], { cwd: tmp }).stdout;
      const theirs = dtcError(spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pre, cwd: tmp }).stderr.toString());
      const ours = ourError(() => parseDtsFile(path.join(tmp, f), { cpp: true, readFile }));
      if (!theirs || !ours || path.resolve(tmp, ours.file) !== path.resolve(tmp, theirs.file) || ours.line !== theirs.line) wrong.push(`${f}: dtc ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`);
    }
    expect(wrong).toEqual([]);
  });
});
