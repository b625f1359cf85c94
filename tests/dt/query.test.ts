import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDtsFile } from '../../shared/dt/parse';
import { readDtb, writeDtb } from '../../shared/dt/dtb';
import { decodeInterrupts, decodeReg, find, indexTree, supplierClosure, type Index } from '../../shared/dt/query';

const dir = path.resolve(import.meta.dirname, '../fixtures/dts-corpus');
const NV = 'sradcliffe-nottinghamspirk__t23x-nv-public';
const readFile = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

// The AGX Orin devkit tree NVIDIA's JetPack 6 boots (tegra234-p3737-0000+p3701-0000-nv.dts).
let src: Index;
let dtb: Index;
beforeAll(() => {
  const tree = parseDtsFile(path.join(dir, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), {
    cpp: true,
    includeDirs: [`${NV}/nv-platform`, `${NV}/include/kernel`, `${NV}/include/nvidia-oot`, `${NV}/include/platforms`, NV, `${NV}/nv-soc`].map((d) => path.join(dir, d)),
    readFile,
  });
  src = indexTree(tree);
  // The same facts must come out of a DTB (no labels there), as from a runtime dump of /sys/firmware/fdt.
  dtb = indexTree(readDtb(writeDtb(tree)));
});

const one = (idx: Index, q: Parameters<typeof find>[1]) => {
  const r = find(idx, q);
  expect(r, JSON.stringify(q)).toHaveLength(1);
  return r[0]!;
};

describe('T234 seed facts from the real AGX Orin tree (reference/t234-devices.md)', () => {
  it('UARTI: 0x031d0000 + 64 KiB, SPI 285 -> INTID 317, SBSA, no suppliers', () => {
    for (const idx of [src, dtb]) {
      const u = one(idx, { path: '/bus@0/serial@31d0000' });
      expect(decodeReg(idx, u.node)).toEqual([{ address: 0x031d0000n, size: 0x10000n, translated: true }]);
      expect(decodeInterrupts(idx, u.node)).toMatchObject([{ type: 'SPI', number: 285, intid: 317, trigger: 'level' }]);
      expect(supplierClosure(idx, u.node)).toEqual([]);
    }
    expect(one(src, { label: 'uarti' }).path).toBe('/bus@0/serial@31d0000');
    expect(find(src, { compatible: 'arm,sbsa-uart' }).map((l) => l.path)).toContain('/bus@0/serial@31d0000');
  });

  it('MGBE0: common IRQ SPI 384 -> INTID 416; all register ranges; BPMP and SMMU suppliers', () => {
    const m = one(dtb, { path: '/bus@0/ethernet@6800000' });
    const irqs = decodeInterrupts(dtb, m.node);
    expect(irqs[0]).toMatchObject({ type: 'SPI', number: 384, intid: 416 });
    expect(irqs.map((i) => i.intid)).toEqual([416, 417, 418, 419, 420, 421, 422, 423]);
    const regs = decodeReg(dtb, m.node).map((r) => [r.name, r.address, r.size]);
    expect(regs).toEqual(expect.arrayContaining([['hypervisor', 0x06800000n, 0x10000n], ['mac', 0x06810000n, 0x10000n], ['xpcs', 0x068a0000n, 0x10000n]]));
    const sup = supplierClosure(dtb, m.node);
    expect(new Set(sup.filter((s) => s.for === m.path).map((s) => s.via))).toEqual(new Set(['clocks', 'resets', 'power-domains', 'iommus', 'interconnects']));
    expect(sup.find((s) => s.via === 'iommus')).toMatchObject({ path: '/bus@0/iommu@12000000', args: [0x06] });
    // Suppliers of suppliers: the BPMP's own mailbox (HSP TOP0) comes in through the clocks.
    expect(sup.some((s) => s.via === 'mboxes' && s.path === '/bus@0/hsp@3c00000')).toBe(true);
  });

  it('VIC under host1x: 0x15340000 through host1x ranges, SPI 206 -> INTID 238', () => {
    const v = one(dtb, { path: '/bus@0/host1x@13e00000/vic@15340000' });
    expect(decodeReg(dtb, v.node)[0]).toMatchObject({ address: 0x15340000n, size: 0x40000n, translated: true });
    expect(decodeInterrupts(dtb, v.node)[0]).toMatchObject({ type: 'SPI', number: 206, intid: 238 });
  });

  it('GICv3 distributor 0x0f400000 and redistributor 0x0f440000; the maintenance IRQ is PPI 9 -> INTID 25', () => {
    const g = one(dtb, { compatible: 'arm,gic-v3' });
    const regs = decodeReg(dtb, g.node);
    expect(regs[0]).toMatchObject({ address: 0x0f400000n, size: 0x10000n });
    expect(regs[1]).toMatchObject({ address: 0x0f440000n, size: 0x200000n });
    expect(decodeInterrupts(dtb, g.node)[0]).toMatchObject({ type: 'PPI', number: 9, intid: 25 });
  });

  it('a path without unit addresses finds the unique node', () => {
    expect(find(dtb, { path: '/bus@0/host1x/vic' }).map((l) => l.path)).toEqual(['/bus@0/host1x@13e00000/vic@15340000']);
  });
});
