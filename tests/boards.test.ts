import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardPackSchema, describeIntid, deviceRaising, spiToIntid, type BoardPack } from '../shared/model/board';
import { readDtb, writeDtb } from '../shared/dt/dtb';
import { parseDtsFile } from '../shared/dt/parse';
import { decodeInterrupts, decodeReg, indexTree, type Index } from '../shared/dt/query';
import { loadBoards } from '../electron/services/boards';
import { checkLoaderLink, treeFacts } from '../shared/board/fromTree';
import { boardPackFromFacts } from '../shared/board/pack';
import { MICROKIT_2_3_0_BOARDS } from '../shared/board/microkitBoards';
import { SEL4_PA_BITS } from '../shared/board/fromTree';
import { boardConfigs, kernelConfigForBoard } from '../shared/model/board';

const root = path.resolve(import.meta.dirname, '..');
const boards = async () => (await loadBoards(path.join(root, 'boards'))).boards;
const board = async (name: string) => (await boards()).find((b) => b.name === name)!;
const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-aarch64']).status === 0;
if (!hasQemu && process.env.CI === 'true') throw new Error('qemu-system-aarch64 is required in CI');

/** Every device of a pack that names a node in `idx` has exactly the node's registers and interrupts. */
function checkAgainstTree(b: BoardPack, idx: Index): number {
  let checked = 0;
  for (const d of b.devices) {
    if (!d.dtPath) continue;
    const node = idx.byPath.get(d.dtPath)?.node;
    expect(node, `${b.name}/${d.name}: ${d.dtPath}`).toBeDefined();
    const regs = decodeReg(idx, node!).map((r) => [r.address, r.size]);
    for (const r of d.regs) expect(regs, `${d.name} reg ${r.name ?? r.address}`).toContainEqual([BigInt(r.address), BigInt(r.size)]);
    const intids = decodeInterrupts(idx, node!).map((i) => i.intid);
    for (const i of d.irqs) expect(intids, `${d.name} irq ${i.name ?? i.spi}`).toContain(i.spi + 32);
    checked++;
  }
  return checked;
}

describe('board packs', () => {
  it('every pack validates and the required boards are there', async () => {
    const { boards: all, problems } = await loadBoards(path.join(root, 'boards'));
    expect(problems).toEqual([]);
    expect(all.map((b) => b.name)).toEqual(expect.arrayContaining(['qemu_virt_aarch64', 'qemu_virt_riscv64', 'odroidc4', 'maaxboard', 'zcu102', 'imx8mm_evk', 'tx2', 'orin_agx']));
    expect(all.find((b) => b.name === 'orin_agx')?.experimental).toBe(true);
  });

  it("the upstream packs are exactly Microkit 2.3.0's boards, each with the facts the checks need and the source of each", async () => {
    const all = await boards();
    expect(all.filter((b) => !b.experimental).map((b) => b.name)).toEqual([...MICROKIT_2_3_0_BOARDS.boards]);
    expect(MICROKIT_2_3_0_BOARDS.boards).toHaveLength(28);
    for (const b of all.filter((x) => !x.experimental)) {
      // Every configuration the SDK builds gives the validator a kernel configuration.
      for (const c of boardConfigs(b)) expect(kernelConfigForBoard(b, c).arch, `${b.name} ${c}`).toBe(b.arch);
      if (b.arch === 'aarch64') {
        const known = SEL4_PA_BITS[`arm,${b.cpu}`];
        if (known) expect(b.paBits, `${b.name}: ${b.cpu} is ${known}-bit in seL4`).toBe(known);
        expect(b.loaderLinkAddress, b.name).toBeDefined();
      }
      if (!b.factSources) continue; // the packs written before per-fact sources cite build_sdk.py as a whole
      const facts = ['arch', 'cpu', 'hypervisor', 'defaultImage', ...(['paBits', 'smpCores', 'loaderLinkAddress'] as const).filter((k) => b[k] !== undefined)];
      for (const k of facts) expect(b.factSources[k], `${b.name}: source of ${k}`).toMatch(/build_sdk\.py|config\.cmake|microkit-sdf\.md/);
      if (b.arch !== 'x86_64') expect(b.interrupts?.maxIrq ?? b.unsourced?.interrupts, `${b.name}: IRQ limit or why not`).toBeDefined();
      if (!b.memory) expect(b.unsourced?.memory, `${b.name}: no RAM and no reason`).toBeDefined();
    }
  });

  it.runIf(hasQemu || process.env.CI === 'true')('qemu_virt_aarch64 devices and GIC are what the real QEMU virt machine describes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'virt-'));
    const dtb = path.join(dir, 'virt.dtb');
    const r = spawnSync('qemu-system-aarch64', ['-machine', `virt,virtualization=on,dumpdtb=${dtb}`, '-cpu', 'cortex-a53', '-m', '2G', '-nographic']);
    expect(r.status, r.stderr.toString()).toBe(0);
    const idx = indexTree(readDtb(new Uint8Array(readFileSync(dtb))));
    const b = await board('qemu_virt_aarch64');
    expect(checkAgainstTree(b, idx)).toBe(b.devices.length);
    const gic = decodeReg(idx, idx.byPath.get('/intc@8000000')!.node).map((x) => x.address);
    expect(gic).toEqual(b.gic!.regs.map((x) => BigInt(x.address)));
  });

  it.runIf(hasQemu || process.env.CI === 'true')('a pack made from the dumped QEMU virt tree agrees with the shipped qemu_virt_aarch64 pack', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'virt-'));
    const dtb = path.join(dir, 'virt.dtb');
    // -smp 4: the smp-* configurations' core count (build_sdk.py smp_cores=4).
    const r = spawnSync('qemu-system-aarch64', ['-machine', `virt,virtualization=on,dumpdtb=${dtb}`, '-cpu', 'cortex-a53', '-smp', '4', '-m', '2G', '-nographic']);
    expect(r.status, r.stderr.toString()).toBe(0);
    const facts = treeFacts(indexTree(readDtb(new Uint8Array(readFileSync(dtb)))), 'virt.dtb');
    const made = boardPackFromFacts(facts, { name: 'qemu_virt_aarch64' });
    expect(made.problems).toEqual([]);
    const p = made.pack!;
    const shipped = await board('qemu_virt_aarch64');
    expect([p.arch, p.cpu, p.paBits, p.smpCores, p.hypervisor, p.defaultImage]).toEqual([shipped.arch, shipped.cpu, shipped.paBits, shipped.smpCores, shipped.hypervisor, shipped.defaultImage]);
    expect(p.memory!.base).toBe(shipped.memory!.base);
    expect(p.memory!.banks).toEqual([{ base: '0x40000000', size: '0x80000000' }]); // -m 2G, QEMU_MEMORY=2048
    expect({ ...p.gic!, source: '' }).toEqual({ ...shipped.gic!, maintenanceIntid: 25, source: '' });
    // The PL011 is the console, with the registers and SPI the shipped pack has.
    const pl011 = p.devices.find((d) => d.name === p.console!.device)!;
    const shippedPl011 = shipped.devices.find((d) => d.name === 'pl011')!;
    expect([pl011.dtPath, pl011.compatible, pl011.regs, pl011.irqs]).toEqual([shippedPl011.dtPath, shippedPl011.compatible, shippedPl011.regs, shippedPl011.irqs]);
    expect(p.timer!.ppis.map((x) => x.intid)).toEqual([29, 30, 27, 26]);
    expect(p.psci?.method).toBe('smc'); // QEMU's built-in PSCI: with EL2 (virtualization=on) the conduit is SMC
    // The shipped link address is a place the checker accepts for the same payload.
    expect(checkLoaderLink(facts, BigInt(shipped.loaderLinkAddress!), { payloadSize: 0x200_0000n })).toEqual([]);
    expect(p.loaderLinkAddress).toBe('0x43000000');
  });

  it('orin_agx devices agree with NVIDIA\'s JetPack 6 AGX Orin tree wherever it has the node', async () => {
    const dir = path.join(root, 'tests/fixtures/dts-corpus');
    const NV = 'sradcliffe-nottinghamspirk__t23x-nv-public';
    const tree = parseDtsFile(path.join(dir, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), {
      cpp: true,
      includeDirs: ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(dir, NV, d)),
      readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
    });
    const idx = indexTree(readDtb(writeDtb(tree)));
    const b = await board('orin_agx');
    expect(checkAgainstTree(b, idx)).toBeGreaterThanOrEqual(8);
  });

  it('T234 seed facts: UARTC 0x0c280000 SPI 114 -> INTID 146, UARTI SPI 285 -> 317, MGBE0 SPI 384 -> 416, VIC SPI 206 -> 238, GICv3 0x0f400000 / 0x0f440000', async () => {
    const b = await board('orin_agx');
    const d = (n: string) => b.devices.find((x) => x.name === n)!;
    expect([d('uartc').regs[0]!.address, d('uartc').irqs[0]!.spi + 32]).toEqual(['0xc280000', 146]);
    expect(d('uarti').irqs[0]!.spi + 32).toBe(317);
    expect(d('mgbe0').irqs[0]!.spi + 32).toBe(416);
    expect(d('vic').irqs[0]!.spi + 32).toBe(238);
    expect(b.gic!.regs.map((r) => r.address)).toEqual(['0xf400000', '0xf440000']);
  });
});

describe('GIC interrupt numbers', () => {
  it('SPI n is INTID n + 32; the board device raising an INTID is found through it', () => {
    const board = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, '../boards/qemu_virt_aarch64/board.json'), 'utf8')));
    expect(spiToIntid(1)).toBe(33);
    expect([describeIntid(33), describeIntid(27), describeIntid(3)]).toEqual(['SPI 1', 'PPI 11', 'SGI 3']);
    expect(deviceRaising(board, 33)?.name).toBe('pl011');
    expect(deviceRaising(board, 999)).toBeUndefined();
  });
});
