import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SystemModel } from '../../shared/model/system';
import { checkSystem } from '../../shared/sdf/check';
import { exportSystem } from '../../shared/sdf/export';
import { importSystem } from '../../shared/sdf/import';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';
import { migrateToV2 } from '../../shared/sdf/migrate';
import { mutate, prng } from './mutate';

const dir = path.resolve(import.meta.dirname, '../fixtures/microkit-corpus');
const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { file: string; check_2_3_0: { config: string } }[];
const corpus = index.map((e) => ({ file: e.file, text: readFileSync(path.join(dir, e.file), 'utf8'), config: kernelConfigFromLabel(e.check_2_3_0.config) }));

const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);
const u32 = fc.nat({ max: 0xffff_ffff });

/** Models the editor can produce: unique names, maps and channels that name existing PDs and MRs. */
const model: fc.Arbitrary<SystemModel> = fc
  .record({
    pdNames: fc.uniqueArray(name, { minLength: 1, maxLength: 8 }),
    mrNames: fc.uniqueArray(name, { maxLength: 6 }),
    seed: fc.array(u32, { minLength: 64, maxLength: 64 }),
  })
  .map(({ pdNames, mrNames, seed }) => {
    let i = 0;
    const next = () => seed[i++ % seed.length]!;
    const memoryRegions = mrNames.map((n) => {
      const mr: SystemModel['memoryRegions'][number] = { name: n, size: 0x1000 * (1 + (next() % 64)) };
      if (next() % 2) mr.physAddr = 0x1000 * (next() % 0x100000);
      if (next() % 3 === 0) mr.pageSize = 0x1000;
      return mr;
    });
    const protectionDomains = pdNames.map((n) => ({
      name: n,
      ...(next() % 2 ? { priority: next() % 255 } : {}),
      ...(next() % 3 === 0 ? { passive: Boolean(next() % 2) } : {}),
      ...(next() % 4 === 0 ? { stackSize: 0x1000 * (1 + (next() % 16)) } : {}),
      programImage: `${n}.elf`,
      maps: mrNames.filter(() => next() % 2).map((mr) => ({ mr, vaddr: 0x1000 * (next() % 0x10000), perms: ['r', 'rw', 'rx', 'rwx'][next() % 4]!, ...(next() % 2 ? { cached: Boolean(next() % 2) } : {}) })),
      irqs: next() % 3 === 0 ? [{ irq: 32 + (next() % 900), id: next() % 62, ...(next() % 2 ? { trigger: 'edge' as const } : {}) }] : [],
      extra: [],
    }));
    const channels = pdNames.length > 1 ? [{ ends: [{ pd: pdNames[0]!, id: next() % 62 }, { pd: pdNames[1]!, id: next() % 62, ...(next() % 2 ? { notify: false } : {}) }] as [never, never] }] : [];
    return { memoryRegions, protectionDomains, channels, extra: [] };
  });

describe('properties of .system import, export and checking', () => {
  it('random models survive export -> import unchanged, and export is a fixed point', () => {
    fc.assert(
      fc.property(model, (m) => {
        const xml = exportSystem(m);
        const back = importSystem(xml);
        expect(back.diagnostics).toEqual([]);
        expect(back.model).toEqual(m);
        expect(exportSystem(back.model!)).toBe(xml);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated corpus files never throw out of the parser, the checker or the migration, and every diagnostic has a place', () => {
    fc.assert(
      fc.property(fc.nat({ max: corpus.length - 1 }), fc.integer(), (pick, seed) => {
        const { text, config } = corpus[pick]!;
        const input = mutate(text, prng(seed));
        const imported = importSystem(input, 'm.system');
        const checked = checkSystem(input, 'm.system', config);
        for (const d of [...imported.diagnostics, ...checked.diagnostics]) {
          expect(d.line, d.message).toBeGreaterThan(0);
          expect(d.column, d.message).toBeGreaterThan(0);
        }
        if (imported.model) expect(() => exportSystem(imported.model!)).not.toThrow();
        try {
          migrateToV2(input);
        } catch (e) {
          // Only malformed XML may stop a migration, and it says where.
          expect((e as Error).name).toBe('XmlSyntaxError');
        }
      }),
      { numRuns: 1500 },
    );
  });
});
