import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardPackSchema } from '../model/board';
import { isBindingHeaderPath, nameSpecifier, parseBindingHeader, parseDefines, tablesFromNames } from './bindings';

const root = path.resolve(import.meta.dirname, '../..');
const H = path.join(root, 'tests/fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public/include/kernel/dt-bindings');
const files = ['clock/tegra234-clock.h', 'reset/tegra234-reset.h', 'power/tegra234-powergate.h', 'memory/tegra234-mc.h'];
const text = (f: string) => readFileSync(path.join(H, f), 'utf8');
const tables = files.flatMap((f) => parseBindingHeader(f, text(f)));
const bpmp = { compatible: ['nvidia,tegra234-bpmp', 'nvidia,tegra186-bpmp'] };

/** The header's own line for a name, read with a plain regex (independent of the parser under test). */
const byHand = (f: string, name: string) => Number(new RegExp(`^#define\\s+${name}\\s+(0x[0-9a-f]+|\\d+)U?\\s*$`, 'mi').exec(text(f))?.[1]);

describe('dt-bindings headers: numbers back to names', () => {
  it('reads object-like defines with C suffixes and references; skips guards and function-like macros', () => {
    const d = parseDefines('#ifndef G\n#define G\n#define A 12U\n#define B (A + 0x10UL) /* comment */\n#define F(x) ((x) + 1)\n#define S "text"\n');
    expect([...d]).toEqual([['A', 12n], ['B', 28n]]);
    expect(isBindingHeaderPath('/x/include/kernel/dt-bindings/clock/tegra234-clock.h')).toBe(true);
    expect(isBindingHeaderPath('/x/include/kernel/dt-bindings/gpio/gpio.h')).toBe(false);
  });

  it('UARTA, MGBE0 and VIC: clocks, resets and power domains by name, as the headers define them', () => {
    const name = (kind: Parameters<typeof nameSpecifier>[1], id: number) => nameSpecifier(tables, kind, id, bpmp)?.name;
    // Checked by hand against the header text: tegra234-clock.h:303 "#define TEGRA234_CLK_UARTA 155U",
    // tegra234-reset.h:109 "#define TEGRA234_RESET_UARTA 100U", tegra234-powergate.h "#define TEGRA234_POWER_DOMAIN_VIC 29U".
    expect(name('clock', 155)).toBe('TEGRA234_CLK_UARTA');
    expect(name('reset', 100)).toBe('TEGRA234_RESET_UARTA');
    expect(name('clock', 167)).toBe('TEGRA234_CLK_VIC');
    expect(name('reset', 113)).toBe('TEGRA234_RESET_VIC');
    expect(name('power-domain', 29)).toBe('TEGRA234_POWER_DOMAIN_VIC');
    expect([45, 46, 47].map((id) => name('reset', id))).toEqual(['TEGRA234_RESET_MGBE0_PCS', 'TEGRA234_RESET_MGBE0_MAC', 'TEGRA234_RESET_MGBE0_MACSEC']);
    expect([357, 377, 380, 381, 248].map((id) => name('clock', id))).toEqual(['TEGRA234_CLK_MGBE0_RX_INPUT_M', 'TEGRA234_CLK_MGBE0_MAC', 'TEGRA234_CLK_MGBE0_APP', 'TEGRA234_CLK_MGBE0_PTP_REF', 'TEGRA234_CLK_MGBE0_RX_INPUT']);
    expect([17, 18].map((id) => name('power-domain', id))).toEqual(['TEGRA234_POWER_DOMAIN_MGBEA', 'TEGRA234_POWER_DOMAIN_MGBEB']);
    for (const [f, n] of [['clock/tegra234-clock.h', 'TEGRA234_CLK_UARTA'], ['reset/tegra234-reset.h', 'TEGRA234_RESET_MGBE0_MAC'], ['power/tegra234-powergate.h', 'TEGRA234_POWER_DOMAIN_VIC'], ['clock/tegra234-clock.h', 'TEGRA234_CLK_MGBE0_APP']] as const) {
      const kind = f.startsWith('clock') ? 'clock' : f.startsWith('reset') ? 'reset' : 'power-domain';
      expect(nameSpecifier(tables, kind, byHand(f, n), bpmp)?.name, n).toBe(n);
    }
  });

  it('stream IDs: the isochronous SMMU gets the _SID_ISO_ names, the others the rest', () => {
    expect(nameSpecifier(tables, 'stream-id', 0x06, { compatible: ['nvidia,tegra234-smmu'], labels: ['smmu_niso0'] })?.name).toBe('TEGRA234_SID_MGBE');
    expect(nameSpecifier(tables, 'stream-id', 0x01, { compatible: ['nvidia,tegra234-smmu'], labels: ['smmu_iso'] })?.name).toBe('TEGRA234_SID_ISO_NVDISPLAY');
    expect(nameSpecifier(tables, 'stream-id', 0x01, { compatible: ['nvidia,tegra234-smmu'], labels: ['smmu_niso1'] })?.name).toBe('TEGRA234_SID_AON');
    // A provider of another SoC is not named from these headers.
    expect(nameSpecifier(tables, 'clock', 155, { compatible: ['nvidia,tegra194-bpmp'] })).toBeUndefined();
  });

  it("the orin_agx board pack's names are the headers' names for the same numbers", () => {
    const board = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(root, 'boards/orin_agx/board.json'), 'utf8')));
    const bn = board.bindingNames!;
    const packed = tablesFromNames(bn.prefix, 'board', bn);
    let n = 0;
    for (const t of packed) {
      for (const [id, [name]] of t.names) {
        const prov = t.kind === 'stream-id' ? { compatible: ['nvidia,tegra234-smmu'], labels: ['smmu_niso0'] } : bpmp;
        expect(nameSpecifier(tables, t.kind, id, prov)?.name, `${t.kind} ${id}`).toBe(name);
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
    // Every id a device of the pack uses has a name.
    for (const d of board.devices) {
      for (const c of d.clocks) expect(bn.clock[c], `${d.name} clock ${c}`).toBeDefined();
      for (const r of d.resets) expect(bn.reset[r], `${d.name} reset ${r}`).toBeDefined();
      for (const p of d.powerDomains) expect(bn.powerDomain[p], `${d.name} power domain ${p}`).toBeDefined();
      if (d.smmu) expect(bn.streamId[d.smmu.sid], `${d.name} stream ${d.smmu.sid}`).toBeDefined();
    }
  });
});
