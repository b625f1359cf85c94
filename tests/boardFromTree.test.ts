import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDtsFile } from '../shared/dt/parse';
import { indexTree, type Index } from '../shared/dt/query';
import { checkLoaderLink, pickableDevices, proposeLoaderLink, treeFacts, type TreeFacts } from '../shared/board/fromTree';
import { boardPackFromFacts } from '../shared/board/pack';
import { BoardPackSchema, type BoardPack } from '../shared/model/board';
import { loadBoards } from '../electron/services/boards';

/**
 * Board facts read from real trees of the corpus, checked against what the kernel's own platform files say (seL4
 * tools/dts/<board>.dts + src/plat/<platform>/overlay-*.dts, concatenated as the kernel build does, and
 * src/plat/<platform>/config.cmake) and against the packs in boards/.
 */
const root = path.resolve(import.meta.dirname, '..');
const corpus = path.join(root, 'tests/fixtures/dts-corpus');
const SEL4 = path.join(corpus, 'seL4__seL4');
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
const kernelTree = (dts: string, overlay: string) => indexTree(parseDtsFile([path.join(SEL4, 'tools/dts', `${dts}.dts`), path.join(SEL4, 'src/plat', `${overlay}.dts`)], { readFile: read }));
const hexes = (xs: { base: bigint; size: bigint }[]) => xs.map((x) => [`0x${x.base.toString(16)}`, `0x${x.size.toString(16)}`]);
const gicRegs = (f: TreeFacts) => f.gic!.regs.map((r) => [r.name, `0x${r.address.toString(16)}`]);
/** The four PPIs of the arm,armv8-timer binding: secure and non-secure physical, virtual, hypervisor physical. */
const ARMV8_TIMER = [29, 30, 27, 26];

let packs: BoardPack[];
beforeAll(async () => {
  packs = (await loadBoards(path.join(root, 'boards'))).boards;
});
const pack = (n: string) => packs.find((b) => b.name === n)!;

describe('board facts from a device tree', () => {
  it('ODROID-C4: GIC-400 with GICH/GICV, the AO UART as console and kernel UART, 4× A55, RAM at 0 with the secure monitor carved out', () => {
    const f = treeFacts(kernelTree('odroidc4', 'odroidc4/overlay-odroidc4'), 'odroidc4.dts');
    expect(f.problems.filter((p) => p.severity === 'error')).toEqual([]);
    // seL4 src/plat/odroidc4/config.cmake: gic_v2; the overlay gives the kernel /soc/interrupt-controller@ffc01000.
    expect([f.gic!.version, f.gic!.compatible, f.gic!.path]).toEqual([2, 'arm,gic-400', '/soc/interrupt-controller@ffc01000']);
    expect(gicRegs(f)).toEqual([['distributor', '0xffc01000'], ['cpu', '0xffc02000'], ['hyp', '0xffc04000'], ['vcpu', '0xffc06000']]);
    expect(f.gic!.maintenanceIntid).toBe(25);
    expect(f.timer!.ppis.map((p) => p.intid)).toEqual(ARMV8_TIMER);
    // The overlay's seL4,kernel-devices starts with "serial0" = stdout-path's node.
    expect([f.console!.path, hexes(f.console!.regs), f.console!.intids, f.console!.stdout, f.console!.kernel]).toEqual(['/soc/bus@ff800000/serial@3000', [['0xff803000', '0x18']], [225], true, true]);
    expect(hexes(f.memory)).toEqual([['0x0', '0xf5800000']]);
    expect(f.reserved.map((r) => [r.path, r.noMap])).toEqual([['/reserved-memory/secmon@5000000', true]]);
    expect(f.psci).toMatchObject({ method: 'smc', path: '/psci' });
    // boards/odroidc4: cortex-a55, 4 SMP cores, 40-bit PA (build_sdk.py, seL4 arch config).
    const p = pack('odroidc4');
    expect([f.cpus.models, f.cpus.count, f.addressWidth.paBits]).toEqual([[{ compatible: 'arm,cortex-a55', count: 4 }], p.smpCores, p.paBits]);
  });

  it('MaaXBoard: GICv3 distributor and redistributor, the i.MX UART through the GPC as INTID 58, 2 GiB at 0x40000000', () => {
    const f = treeFacts(kernelTree('maaxboard', 'maaxboard/overlay-maaxboard'), 'maaxboard.dts');
    // seL4 src/plat/maaxboard: gic_v3; overlay: kernel devices serial0, /soc@0/interrupt-controller@38800000, /timer.
    expect([f.gic!.version, f.gic!.path]).toEqual([3, '/soc@0/interrupt-controller@38800000']);
    expect(gicRegs(f).slice(0, 2)).toEqual([['distributor', '0x38800000'], ['redistributor', '0x38880000']]);
    expect(f.timer!.ppis.map((p) => p.intid)).toEqual(ARMV8_TIMER);
    // serial@30860000 raises GPC <0 26 4>; the GPC is stacked on the GIC with its numbering: SPI 26 = INTID 58.
    expect([f.console!.path, hexes(f.console!.regs), f.console!.intids, f.console!.kernel]).toEqual(['/soc@0/bus@30800000/serial@30860000', [['0x30860000', '0x10000']], [58], true]);
    expect(hexes(f.memory)).toEqual([['0x40000000', '0x80000000']]);
    expect(BigInt(pack('maaxboard').loaderLinkAddress!)).toBeGreaterThanOrEqual(f.memory[0]!.base);
    expect([f.cpus.count, f.addressWidth.paBits]).toEqual([pack('maaxboard').smpCores, pack('maaxboard').paBits]);
  });

  it('ZCU102: GIC-400, the Cadence UART 0 at 0xff000000 (SPI 21), two RAM banks in one node, 40 bits covering the 0x80_0000_0000 PCIe window', () => {
    const f = treeFacts(kernelTree('zynqmp', 'zynqmp/overlay-zynqmp'), 'zynqmp.dts');
    // seL4 src/plat/zynqmp/config.cmake: gic_v2, KernelArmCortexA53.
    expect([f.gic!.version, ...gicRegs(f).map((r) => r[1])]).toEqual([2, '0xf9010000', '0xf9020000', '0xf9040000', '0xf9060000']);
    expect([f.console!.path, hexes(f.console!.regs), f.console!.intids]).toEqual(['/amba/serial@ff000000', [['0xff000000', '0x1000']], [53]]);
    expect(hexes(f.memory)).toEqual([['0x0', '0x80000000'], ['0x800000000', '0x80000000']]);
    expect([f.addressWidth.treeBits, f.addressWidth.paBits, pack('zcu102').paBits]).toEqual([40, 40, 40]);
    expect(f.addressWidth.how).toMatch(/cortex-a53: seL4 configures 40-bit/);
    // The shipped link address (build_sdk.py 0x40000000) is a valid place for a hello-sized payload.
    expect(checkLoaderLink(f, BigInt(pack('zcu102').loaderLinkAddress!), { payloadSize: 0x40_0000n })).toEqual([]);
  });

  it('TX2: Denver + A57 cores, 44-bit PA for the A57 (as boards/tx2), the GIC with the overlay\'s virtualisation windows, four RAM banks of the overlay', () => {
    const f = treeFacts(kernelTree('tx2', 'tx2/overlay-tx2'), 'tx2.dts');
    expect(f.cpus.models).toEqual([{ compatible: 'nvidia,denver', count: 2 }, { compatible: 'arm,cortex-a57-64bit', count: 4 }]);
    // seL4 src/plat/tx2/config.cmake: "the 44-bit PA is only for Cortex-A57 cores".
    expect([f.addressWidth.paBits, pack('tx2').paBits]).toEqual([44, 44]);
    expect(gicRegs(f)).toEqual([['distributor', '0x3881000'], ['cpu', '0x3882000'], ['hyp', '0x3884000'], ['vcpu', '0x3886000']]);
    expect(f.gic!.virtualization).toBe(true);
    expect([f.console!.path, f.console!.intids]).toEqual(['/serial@3100000', [144]]);
    expect(hexes(f.memory)).toEqual([['0x80000000', '0x70000000'], ['0xf0200000', '0xe00000'], ['0xf9000000', '0x17d000000'], ['0x276600000', '0x200000']]);
    expect(f.reserved.find((r) => r.path === '/memreserve/')).toMatchObject({ base: 0x80000000n, size: 0x10000n });
    // A proposal never lands in a reserved range or the first bank's copy area.
    const p = proposeLoaderLink(f, { payloadSize: 0x200_0000n });
    expect(p.address).toBe(0x83000000n);
    expect(checkLoaderLink(f, p.address!, { payloadSize: 0x200_0000n })).toEqual([]);
  });

  describe('the AGX Orin JetPack 6 tree (includes, cpp)', () => {
    let idx: Index;
    let f: TreeFacts;
    beforeAll(() => {
      const NV = path.join(corpus, 'sradcliffe-nottinghamspirk__t23x-nv-public');
      idx = indexTree(parseDtsFile(path.join(NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), { cpp: true, includeDirs: ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(NV, d)), readFile: read }));
      f = treeFacts(idx, 'tegra234-p3737-0000+p3701-0000-nv.dts');
    });

    it('GICv3 at 0x0f400000 / 0x0f440000 as boards/orin_agx, the timer PPIs, 12 cores, UARTA as console', () => {
      expect([f.gic!.version, ...f.gic!.regs.map((r) => `0x${r.address.toString(16)}`)]).toEqual([3, ...pack('orin_agx').gic!.regs.map((r) => r.address)]);
      expect(f.timer!.ppis.map((p) => p.intid)).toEqual(ARMV8_TIMER);
      expect(f.cpus.count).toBe(pack('orin_agx').smpCores);
      expect([f.console!.path, f.console!.intids, f.console!.labels]).toEqual(['/bus@0/serial@3100000', [144], ['uarta', 'serial0']]);
      // UARTI (SPI 285 = INTID 317) is in the list with its INTID, as boards/orin_agx says.
      expect(f.uarts.find((u) => u.path === '/bus@0/serial@31d0000')?.intids).toEqual([pack('orin_agx').devices.find((d) => d.name === 'uarti')!.irqs[0]!.spi + 32]);
      expect(pickableDevices(idx).length).toBeGreaterThan(100);
    });

    it('has no RAM (the boot loader writes /memory): an error at the tree\'s root, in the file that opens it, and no pack', () => {
      const e = f.problems.find((p) => p.severity === 'error')!;
      expect(e.message).toMatch(/no memory node/);
      expect([path.basename(e.place.file), e.place.line]).toEqual(['tegra234.dtsi', 13]);
      const r = boardPackFromFacts(f, { name: 'agx' });
      expect(r.pack).toBeUndefined();
      expect(r.problems[0]).toMatch(/^\/: no memory node/);
    });
  });

  it('a pack from a tree validates, carries every fact with its source, and says what the tree cannot', () => {
    const f = treeFacts(kernelTree('imx8mm-evk', 'imx8m-evk/overlay-imx8mm-evk'), 'imx8mm-evk.dts');
    const r = boardPackFromFacts(f, { name: 'my_imx8mm', payloadSize: 0x300_0000n });
    expect(r.problems).toEqual([]);
    const p = BoardPackSchema.parse(r.pack);
    const shipped = pack('imx8mm_evk');
    expect([p.arch, p.cpu, p.paBits, p.smpCores, p.hypervisor, p.defaultImage]).toEqual([shipped.arch, shipped.cpu, shipped.paBits, shipped.smpCores, shipped.hypervisor, shipped.defaultImage]);
    expect(p.memory).toMatchObject({ base: '0x40000000', banks: [{ base: '0x40000000', size: '0x80000000' }], reserved: [{ base: '0xb8000000', size: '0x400000', noMap: true }] });
    // The kernel overlay's UART is serial1 = stdout-path: the console device.
    expect(p.console?.device).toBe('serial_30890000');
    expect(p.devices.find((d) => d.name === 'serial_30890000')).toMatchObject({ kind: 'uart', regs: [{ address: '0x30890000', size: '0x10000' }], passthrough: 'with-care' });
    // 48 MiB payload: the copy area is the first 56 MiB from 0x40000000, so the proposal is the next 16 MiB boundary.
    expect(p.loaderLinkAddress).toBe('0x44000000');
    expect(p.factSources).toMatchObject({ arch: 'device tree imx8mm-evk.dts: /cpus/cpu@0', memory: expect.stringContaining('device tree imx8mm-evk.dts: /memory@40000000'), paBits: expect.stringContaining('seL4 src/arch/arm/config.cmake') });
    expect(p.gic?.source).toBe('device tree imx8mm-evk.dts: /interrupt-controller@38800000');
    expect(Object.keys(p.unsourced ?? {})).toEqual(['interrupts.maxIrq']);
    expect(p.interrupts?.controller).toBe('gic-v3');
    // The upstream link address 0x41000000 carries a hello-sized payload but not this one: the Orin lesson.
    expect(checkLoaderLink(f, 0x41000000n, { payloadSize: 0x40_0000n })).toEqual([]);
    expect(checkLoaderLink(f, 0x41000000n, { payloadSize: 0x300_0000n })[0]).toMatch(/overlaps the kernel's area \[0x40000000\.\.0x43800000\)/);
  });
});

describe('sel4-studio board from-dt', () => {
  const bin = path.join(root, 'bin/sel4-studio.cjs');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'board', 'from-dt', ...args], { encoding: 'utf8' });
  const NV = path.join(corpus, 'sradcliffe-nottinghamspirk__t23x-nv-public');
  const nvArgs = [path.join(NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), '--cpp', ...['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].flatMap((d) => ['-i', path.join(NV, d)])];

  it('writes DIR/board.json from a kernel DTS: a valid pack with the tree\'s facts; refuses to replace it without --force', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'board-')), 'odroid_c4');
    const r = run(path.join(SEL4, 'tools/dts/odroidc4.dts'), '--payload', '64M', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('GICv2 arm,gic-400 /soc/interrupt-controller@ffc01000');
    // A warning at its place: the dynamic CMA reservation.
    expect(r.stderr).toMatch(/odroidc4\.dts:115:3: warning: a dynamic reservation .*\(\/reserved-memory\/linux,cma\)/);
    const p = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(out, 'board.json'), 'utf8')));
    expect([p.name, p.cpu, p.paBits, p.smpCores, p.memory?.base]).toEqual(['odroid_c4', 'cortex-a55', 40, 4, '0x0']);
    // 64 MiB + 8 MiB from 0x0 ends at 0x4800000; the secure monitor at 0x5000000 is stepped over.
    expect(p.loaderLinkAddress).toBe('0x6000000');
    const again = run(path.join(SEL4, 'tools/dts/odroidc4.dts'), '--out', out);
    expect([again.status, again.stderr]).toEqual([1, expect.stringContaining('exists; nothing written')]);
  });

  it('a tree without RAM fails at its place and writes nothing; --ram supplies the RAM', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'board-')), 'agx');
    const r = run(...nvArgs, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tegra234\.dtsi:13:1: error: no memory node/);
    expect(r.stderr).toContain('--ram BASE:SIZE');
    expect(existsSync(path.join(out, 'board.json'))).toBe(false);
    const ok = run(...nvArgs, '--ram', '0x80000000:0x780000000', '--payload', '0x2800000', '--out', out);
    expect(ok.status, ok.stderr).toBe(0);
    const p = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(out, 'board.json'), 'utf8')));
    expect([p.gic?.regs.map((x) => x.address), p.console?.device, p.loaderLinkAddress]).toEqual([['0xf400000', '0xf440000'], 'serial_3100000', '0x83000000']);
  });

  it('a broken DTB or DTS is an error with its place', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'board-'));
    writeFileSync(path.join(dir, 'bad.dtb'), 'junk');
    const r = run(path.join(dir, 'bad.dtb'), '--out', path.join(dir, 'o'));
    expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/bad\.dtb: .*FDT header/)]);
    writeFileSync(path.join(dir, 'bad.dts'), '/dts-v1/;\n/ {\n\tmemory@0 { device_type = "memory"; reg = <0 0x1000;\n};\n');
    const d = run(path.join(dir, 'bad.dts'), '--out', path.join(dir, 'o'));
    expect([d.status, d.stderr]).toEqual([1, expect.stringMatching(/bad\.dts:3:\d+: /)]);
    expect(run('--out', dir).status).toBe(2);
  });
});
