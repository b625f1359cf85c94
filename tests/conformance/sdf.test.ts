import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../shared/sdf/check';
import { exportSystem } from '../../shared/sdf/export';
import { importSystem } from '../../shared/sdf/import';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';
import { judge, type CorpusEntry } from './sdfCorpus';
import { migrateToV2 } from '../../shared/sdf/migrate';

const dir = path.resolve(import.meta.dirname, '../fixtures/microkit-corpus');
const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as CorpusEntry[];

describe('Microkit 2.3.0 conformance over the .system corpus', () => {
  it('our verdict and first error equal the tool for every file', () => {
    const verdicts = index.map((e) => judge(dir, e));
    const wrong = verdicts.filter((v) => !v.match);
    console.log(`sdf conformance: ${verdicts.length - wrong.length}/${verdicts.length} files agree with Microkit 2.3.0`);
    expect(wrong.map((w) => `${w.file}\n  want ${w.expected}\n  got  ${w.got}`)).toEqual([]);
    expect(verdicts.length).toBe(314);
    // Both kinds are present: the suite cannot pass by saying "ok" or "error" to everything.
    expect(verdicts.filter((v) => v.expected === 'ok').length).toBeGreaterThan(50);
    expect(verdicts.filter((v) => v.expected !== 'ok').length).toBeGreaterThan(200);
  });

  it('reports all errors at once, each with a place, the first being the tool\'s', () => {
    const text = readFileSync(path.join(dir, 'seL4__microkit/tool/microkit/tests/sdf/sys_duplicate_pd_name.system'), 'utf8');
    const broken = text.replace('</system>', '<memory_region name="x" size="0x1001" />\n<channel><end pd="nope" id="0"/></channel>\n</system>');
    const r = checkSystem(broken, 'f.system', kernelConfigFromLabel('aarch64 EL2 hyp, PA40, uniprocessor'));
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.map((e) => e.rule)).toEqual(expect.arrayContaining(['mr-size', 'channel-pd', 'duplicate-pd']));
    for (const e of errors.filter((e) => e.rule !== 'no-pd')) expect(e.line, e.message).toBeGreaterThan(0);
  });

  it('well-formed corpus files survive import -> export -> import, and exported valid files still validate', () => {
    let roundTrips = 0;
    let revalidated = 0;
    for (const e of index.filter((x) => x.wellformed_xml)) {
      const text = readFileSync(path.join(dir, e.file), 'utf8');
      const first = importSystem(text, e.file);
      if (!first.model) continue;
      const xml = exportSystem(first.model);
      const second = importSystem(xml, e.file);
      expect(second.model, e.file).toEqual(first.model);
      roundTrips++;
      if (e.check_2_3_0.result === 'ok') {
        const r = checkSystem(xml, path.basename(e.file), kernelConfigFromLabel(e.check_2_3_0.config));
        expect(r.ok, `${e.file}: ${r.diagnostics[0]?.message}`).toBe(true);
        revalidated++;
      }
    }
    console.log(`round trip: ${roundTrips} files; exported valid files revalidated: ${revalidated}`);
    expect(roundTrips).toBeGreaterThan(280);
  });

  it('says where the shared corpus is when it is present', () => {
    const shared = path.resolve(import.meta.dirname, '../../../shared/corpus/microkit/index.json');
    if (existsSync(shared)) expect(JSON.parse(readFileSync(shared, 'utf8')).length).toBe(index.length);
    else console.log('../shared/corpus is absent: using the project copy in tests/fixtures/microkit-corpus');
  });
});

describe('1.x migration over the legacy corpus', () => {
  // The labels were made with a migration that lays the file out differently, so places are not compared here:
  // our migration edits the file in place and keeps its layout.
  it('after migration, verdicts and first errors (without their places) equal the labelled Microkit 2.3.0 results', () => {
    const unplaced = (m: string) => m.replace(/[\w.-]+\.system:\d+:\d+/g, '<place>');
    type Labelled = CorpusEntry & { check_2_3_0_after_migration?: { result: string; message: string | null } };
    const legacy = (index as Labelled[]).filter((e) => e.check_2_3_0_after_migration);
    const wrong: string[] = [];
    let ok = 0;
    for (const e of legacy) {
      const text = readFileSync(path.join(dir, e.file), 'utf8');
      const migrated = migrateToV2(text);
      const r = checkSystem(migrated.text, path.basename(e.file), kernelConfigFromLabel(e.check_2_3_0.config));
      const got = r.diagnostics.find((d) => d.severity === 'error')?.message ?? 'ok';
      const want = e.check_2_3_0_after_migration!.result === 'ok' ? 'ok' : e.check_2_3_0_after_migration!.message!;
      if (got === 'ok') ok++;
      if (unplaced(got) !== unplaced(want)) wrong.push(`${e.file}\n  want ${want}\n  got  ${got}`);
    }
    console.log(`migration: ${legacy.length - wrong.length}/${legacy.length} legacy files match the labels; ${ok} pass after migration`);
    expect(wrong).toEqual([]);
    expect(legacy.length).toBe(95);
  });
});
