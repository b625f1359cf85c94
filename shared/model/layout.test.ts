import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSystem } from '../sdf/import';
import { addProtectionDomain } from './edits';
import { drawnPositions, estimatedPdHeight, fallbackLayout, pdsInDrawOrder, placeAdded } from './layout';
import { emptySystem, type SystemModel } from './system';

const root = path.resolve(import.meta.dirname, '../..');
const system = (rel: string) => importSystem(readFileSync(path.join(root, rel), 'utf8'), rel).model!;
const template = (name: string) => system(`resources/templates/${name}.system`);

describe('drawn positions', () => {
  it('a stored position wins; only unplaced nodes fall back', () => {
    const sys = template('hello');
    const pd = `pd:${sys.protectionDomains[0]!.name}`;
    const unplaced = drawnPositions({ system: sys, layout: { nodes: {} } });
    const placed = drawnPositions({ system: sys, layout: { nodes: { [pd]: { x: 999, y: 555 } } } });
    expect(placed[pd]).toEqual({ x: 999, y: 555 });
    expect(unplaced[pd]).not.toEqual({ x: 999, y: 555 });
    expect(Object.keys(placed).sort()).toEqual(Object.keys(unplaced).sort());
  });

  it('has every PD (children too) and every region, keys in model order', () => {
    for (const t of ['hello', 'shared-memory', 'libvmm-linux', 'sddf-serial', 'orin-agx-path-b']) {
      const sys = template(t);
      const keys = Object.keys(fallbackLayout(sys));
      expect(keys, t).toEqual([...pdsInDrawOrder(sys).map((p) => `pd:${p.pd.name}`), ...sys.memoryRegions.map((m) => `mr:${m.name}`)]);
      // No two nodes on the same spot.
      expect(new Set(Object.values(fallbackLayout(sys)).map((p) => `${p.x},${p.y}`)).size, t).toBe(keys.length);
    }
  });

  it('a child PD comes right after its parent, indented', () => {
    const sys = system('tests/fixtures/microkit-corpus/seL4__microkit/example/hierarchy/hierarchy.system');
    expect(pdsInDrawOrder(sys).map((p) => [p.pd.name, p.depth, p.parent?.name])).toEqual([
      ['restarter', 0, undefined],
      ['crasher', 1, 'restarter'],
      ['hello', 1, 'restarter'],
    ]);
    const at = fallbackLayout(sys);
    expect(at['pd:crasher']!.x).toBeGreaterThan(at['pd:restarter']!.x);
  });

  it('unplaced regions line up with where the PDs that map them are drawn, stored places included', () => {
    const sys: SystemModel = {
      memoryRegions: [{ name: 'low', size: 0x1000 }, { name: 'high', size: 0x1000 }],
      protectionDomains: [
        { name: 'a', programImage: 'a.elf', maps: [{ mr: 'high', vaddr: 0x1000 }], irqs: [], extra: [] },
        { name: 'b', programImage: 'b.elf', maps: [{ mr: 'low', vaddr: 0x1000 }], irqs: [], extra: [] },
      ],
      channels: [],
      extra: [],
    };
    // Unplaced: a above b, so the region a maps ('high') comes first.
    const fallback = fallbackLayout(sys);
    expect(fallback['mr:high']!.y).toBeLessThan(fallback['mr:low']!.y);
    // a moved far below b: now 'low' (mapped by b) comes first.
    const moved = drawnPositions({ system: sys, layout: { nodes: { 'pd:a': { x: 80, y: 2000 } } } });
    expect(moved['mr:low']!.y).toBeLessThan(moved['mr:high']!.y);
  });
});

describe('fallback layout', () => {
  it('unplaced PDs never overlap, however tall a VMM or an IRQ-heavy driver draws', () => {
    const sys = template('orin-agx-path-b');
    const at = fallbackLayout(sys);
    const pds = [...sys.protectionDomains].sort((a, b) => at[`pd:${a.name}`]!.y - at[`pd:${b.name}`]!.y);
    for (let i = 1; i < pds.length; i++) expect(at[`pd:${pds[i]!.name}`]!.y - at[`pd:${pds[i - 1]!.name}`]!.y).toBeGreaterThanOrEqual(estimatedPdHeight(pds[i - 1]!));
  });

  it('Path B’s 21 regions come in a block of columns, none overlapping, each column at most `rows` high', () => {
    const sys = template('orin-agx-path-b');
    const at = fallbackLayout(sys);
    const mrs = sys.memoryRegions.map((m) => at[`mr:${m.name}`]!);
    expect(mrs).toHaveLength(21);
    const columns = new Map<number, number[]>();
    for (const p of mrs) columns.set(p.x, [...(columns.get(p.x) ?? []), p.y]);
    expect(columns.size).toBe(3);
    for (const ys of columns.values()) {
      expect(ys.length).toBeLessThanOrEqual(8);
      ys.sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(80);
    }
  });

  it('columns are wide enough for the longest region name (net_tx_buffer_data_region_cli0)', () => {
    const sys = template('orin-agx-path-b');
    const at = fallbackLayout(sys);
    const xs = [...new Set(sys.memoryRegions.map((m) => at[`mr:${m.name}`]!.x))].sort((a, b) => a - b);
    expect(xs[1]! - xs[0]!).toBeGreaterThanOrEqual(8 * 'net_tx_buffer_data_region_cli0'.length + 40);
  });

  it('60 PDs wrap into columns, regions start right of the last one, and no two node boxes overlap', () => {
    // The graph benchmark's shape (scripts/benchGraph.mjs): 60 PDs, 190 regions, each PD maps 3 plus one of 10 shared.
    const sys: SystemModel = {
      memoryRegions: Array.from({ length: 190 }, (_, m) => ({ name: `region_${m}`, size: 0x1000 })),
      protectionDomains: Array.from({ length: 60 }, (_, p) => ({
        name: `pd_${p}`,
        programImage: `pd_${p}.elf`,
        maps: [0, 1, 2].map((k) => ({ mr: `region_${(p * 3 + k) % 190}`, vaddr: 0x4000000 + k * 0x1000 })).concat({ mr: `region_${180 + (p % 10)}`, vaddr: 0x5000000 }),
        irqs: [],
        extra: [],
      })),
      channels: [],
      extra: [],
    };
    const at = fallbackLayout(sys);
    const pdXs = new Set(sys.protectionDomains.map((p) => at[`pd:${p.name}`]!.x));
    expect(pdXs.size).toBeGreaterThan(1);
    const lastPdX = Math.max(...pdXs);
    expect(Math.min(...sys.memoryRegions.map((m) => at[`mr:${m.name}`]!.x))).toBeGreaterThan(lastPdX + 170);
    // Boxes: PDs as drawn (at least 170 wide, estimatedPdHeight tall), regions 170 x 70.
    const boxes = [
      ...sys.protectionDomains.map((p) => ({ key: `pd:${p.name}`, ...at[`pd:${p.name}`]!, w: 230, h: estimatedPdHeight(p) })),
      ...sys.memoryRegions.map((m) => ({ key: `mr:${m.name}`, ...at[`mr:${m.name}`]!, w: 230, h: 70 })),
    ];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `${a.key} overlaps ${b.key}`).toBe(true);
      }
  });
});

describe('nodes an edit adds without a place', () => {
  it('go below what was drawn, without moving it or overlapping it', () => {
    const before = addProtectionDomain({ x: 100, y: 100 }, 'main').apply({ system: emptySystem(), layout: { nodes: {} } });
    const region = { name: 'uart', size: 0x1000, physAddr: 0x9000000 };
    const vmm = { name: 'vmm', priority: 254, programImage: 'vmm.elf', maps: [{ mr: 'uart', vaddr: 0x9000000, perms: 'rw' }], irqs: [], extra: [] };
    const after = { ...before, system: { ...before.system, memoryRegions: [region], protectionDomains: [...before.system.protectionDomains, vmm] } };
    const placed = placeAdded(before, after);
    expect(placed.layout.nodes['pd:main']).toEqual({ x: 100, y: 100 });
    expect(placed.layout.nodes['pd:vmm']!.y).toBeGreaterThan(100 + 70);
    expect(placed.layout.nodes['mr:uart']!.y).toBeGreaterThan(placed.layout.nodes['pd:vmm']!.y + 70);
    // Nothing added: the same document.
    expect(placeAdded(before, before)).toBe(before);
  });
});
