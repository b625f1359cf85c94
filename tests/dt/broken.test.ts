import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtError } from '../../shared/dt/cpp';
import { parseDtsFile } from '../../shared/dt/parse';
import { prng } from '../properties/mutate';

const dir = path.resolve(import.meta.dirname, '../fixtures/dts-corpus');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { entries: { files: string[]; cpp: boolean }[] };
const haveDtc = spawnSync('dtc', ['--version']).status === 0;
if (!haveDtc && process.env.CI === 'true') throw new Error('dtc is required in CI (apt-get install device-tree-compiler)');

/** Breaks a real tree the ways people do: a missing `;`, a missing `}`, a reference to a label that is not there. */
function breakTree(text: string, kind: number, rand: () => number): string {
  const lines = text.split('\n');
  const pick = (re: RegExp) => {
    const idx = lines.map((l, i) => (re.test(l) ? i : -1)).filter((i) => i >= 0);
    return idx[Math.floor(rand() * idx.length)];
  };
  if (kind === 0) {
    const i = pick(/^\s+[\w,#.-]+ = .*;\s*$/);
    if (i !== undefined) lines[i] = lines[i]!.replace(/;\s*$/, '');
  } else if (kind === 1) {
    const i = pick(/^\s+};\s*$/);
    if (i !== undefined) lines[i] = '';
  } else {
    const i = pick(/^\s+[\w,#.-]+ = <.*>;\s*$/);
    if (i !== undefined) lines[i] = lines[i]!.replace(/<.*>/, '<&no_such_label_here>');
  }
  return lines.join('\n');
}

describe('broken trees: errors at the line dtc reports', () => {
  it.runIf(haveDtc)('missing ";", missing "}" and unknown labels in real trees', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'broken-dts-'));
    // Trees that need no preprocessor, so that dtc reads them directly.
    const sources = manifest.entries
      .filter((e) => e.files.length === 1 && !/^\s*#\s*(include|define|if)/m.test(readFileSync(path.join(dir, e.files[0]!), 'utf8')))
      .map((e) => e.files[0]!);
    const rand = prng(1234);
    const results: string[] = [];
    let compared = 0;
    for (const src of sources.slice(0, 12)) {
      for (let kind = 0; kind < 3; kind++) {
        const text = breakTree(readFileSync(path.join(dir, src), 'utf8'), kind, rand);
        const file = path.join(tmp, `k${kind}-${path.basename(src)}`);
        writeFileSync(file, text);
        const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '/dev/null', file]);
        const m = /:(\d+)\.\d+(?:-[\d.]+)?:? /.exec(r.stderr.toString());
        if (r.status === 0 || !m) continue;
        let ours: number | undefined;
        try {
          parseDtsFile(file, { readFile: (p) => readFileSync(p, 'utf8') });
        } catch (e) {
          if (e instanceof DtError) ours = e.line;
          else throw e;
        }
        compared++;
        if (ours !== Number(m[1])) results.push(`${src} (break ${kind}): dtc line ${m[1]}, ours ${ours}: ${r.stderr.toString().split('\n')[0]}`);
      }
    }
    console.log(`broken trees: ${compared - results.length}/${compared} errors on dtc's line`);
    expect(compared).toBeGreaterThan(20);
    expect(results).toEqual([]);
  });
});
