import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDtb, writeDtb } from '../../shared/dt/dtb';
import { applyOverlay } from '../../shared/dt/overlay';
import { parseDtsFile } from '../../shared/dt/parse';
import { expectLinear } from '../linearTime';

const dir = path.resolve(import.meta.dirname, '../fixtures/dts-corpus');
const NV = 'sradcliffe-nottinghamspirk__t23x-nv-public';
const inc = ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(dir, NV, d));
const readFile = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
const haveTools = spawnSync('fdtoverlay', ['--help']).status !== null && spawnSync('sh', ['-c', 'command -v fdtoverlay']).status === 0;
if (!haveTools && process.env.CI === 'true') throw new Error('fdtoverlay is required in CI (device-tree-compiler)');

const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { entries: { files: string[]; cpp: boolean; includeDirs: string[] }[] };

describe('overlays applied as fdtoverlay applies them', () => {
  it.runIf(haveTools)('Ghaf\'s AGX Orin host overlays onto the JetPack 6 devkit tree: the same blob as fdtoverlay', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'overlay-'));
    const base = writeDtb(parseDtsFile(path.join(dir, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), { cpp: true, includeDirs: inc, readFile, symbols: true }));
    writeFileSync(path.join(tmp, 'base.dtb'), base);
    const overlays = manifest.entries.filter((e) => e.files.length === 1 && /tiiuae__ghaf.*nvidia-jetson-orin/.test(e.files[0]!) && /\/plugin\//.test(readFileSync(path.join(dir, e.files[0]!), 'utf8')));
    expect(overlays.length).toBeGreaterThanOrEqual(4);
    let applied = 0;
    const wrong: string[] = [];
    for (const e of overlays) {
      const ov = writeDtb(parseDtsFile(path.join(dir, e.files[0]!), { cpp: e.cpp, includeDirs: e.includeDirs.map((d) => path.join(dir, d)), readFile, symbols: true }));
      const ovFile = path.join(tmp, `${path.basename(e.files[0]!)}.dtbo`);
      writeFileSync(ovFile, ov);
      const r = spawnSync('fdtoverlay', ['-i', path.join(tmp, 'base.dtb'), '-o', path.join(tmp, 'out.dtb'), ovFile]);
      let ours: Uint8Array | undefined;
      let err: string | undefined;
      try {
        ours = writeDtb(applyOverlay(readDtb(base), readDtb(ov)));
      } catch (x) {
        err = (x as Error).message;
      }
      if (r.status !== 0) {
        // fdtoverlay refuses it: so must we.
        if (!err) wrong.push(`${e.files[0]}: fdtoverlay refused (${r.stderr.toString().trim()}), we applied it`);
        continue;
      }
      applied++;
      if (!ours) wrong.push(`${e.files[0]}: ${err}`);
      else {
        // libfdt edits blobs in place and leaves stale bytes in alignment padding; everything else must match to the
        // byte: structure, order (libfdt puts added properties and nodes first), strings block, header.
        const theirs = writeDtb(readDtb(new Uint8Array(readFileSync(path.join(tmp, 'out.dtb')))));
        if (Buffer.compare(Buffer.from(ours), Buffer.from(theirs)) !== 0) wrong.push(`${e.files[0]}: differs from fdtoverlay`);
      }
    }
    console.log(`overlays: ${applied - wrong.length}/${applied} applied identically to fdtoverlay (padding bytes aside) (${overlays.length} tried)`);
    expect(wrong).toEqual([]);
    expect(applied).toBeGreaterThanOrEqual(3);
  });

  it.runIf(haveTools)('an overlay of many fragments: the same blob as fdtoverlay, in time linear in the fragments (libfdt\'s is not)', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'overlay-'));
    // Every fragment adds properties (one a phandle reference), replaces one, adds nodes with labels (symbols).
    const make = (n: number) => {
      let base = '/dts-v1/;\n/ {\n';
      for (let i = 0; i < n; i++) base += `\tl${i}: n${i} { old = <${i}>; keep; };\n`;
      base += '};\n';
      let ov = '/dts-v1/;\n/plugin/;\n';
      for (let i = 0; i < n; i++) ov += `&l${i} { a${i} = <&l${(i + 1) % n}>; old = <${i + 1}>; b = "x"; o${i}: c { r = <&o${i}>; d { }; }; };\n`;
      const b = writeDtb(parseDtsFile('b.dts', { readFile: () => base, symbols: true }));
      const o = writeDtb(parseDtsFile('o.dts', { readFile: () => ov, symbols: true }));
      return { b, o };
    };
    // fdtoverlay takes seconds from 1,000 fragments (libfdt searches the blob for each): 300 to compare.
    const { b, o } = make(300);
    writeFileSync(path.join(tmp, 'base.dtb'), b);
    writeFileSync(path.join(tmp, 'ov.dtbo'), o);
    expect(spawnSync('fdtoverlay', ['-i', path.join(tmp, 'base.dtb'), '-o', path.join(tmp, 'out.dtb'), path.join(tmp, 'ov.dtbo')]).status).toBe(0);
    const theirs = writeDtb(readDtb(new Uint8Array(readFileSync(path.join(tmp, 'out.dtb')))));
    const ours = writeDtb(applyOverlay(readDtb(b), readDtb(o)));
    expect(Buffer.compare(Buffer.from(ours), Buffer.from(theirs))).toBe(0);
    expectLinear('overlay fragments', 500, make, ({ b: base, o: ov }) => applyOverlay(readDtb(base), readDtb(ov)), { factors: [1, 2, 4] });
  });
});
