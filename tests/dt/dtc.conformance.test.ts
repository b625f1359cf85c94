import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
