import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDtsFile } from '../shared/dt/parse';
import { indexTree } from '../shared/dt/query';
import { proposeLoaderLink, treeFacts } from '../shared/board/fromTree';
import { boardPackFromFacts } from '../shared/board/pack';
import { boardPackFromSdk, parsePlatformGen } from '../shared/board/sdkBoards';
import { portGuide, uartKind } from '../shared/board/portGuide';
import { loadAllBoards, loadBoards, saveUserBoard, sdkBoardPacks } from '../electron/services/boards';
import { inspectSdk } from '../electron/services/sdk';
import { FolderSettingsSchema, parseFolderSettings, serializeFolderSettings, defaultFolderSettings } from '../shared/model/folderSettings';

const root = path.resolve(import.meta.dirname, '..');
const shippedDir = path.join(root, 'boards');
const fixtureSdk = path.join(root, 'tests/fixtures/sdk-boards');
const SEL4 = path.join(root, 'tests/fixtures/dts-corpus/seL4__seL4');
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
const kernelTree = (dts: string, overlay: string) => indexTree(parseDtsFile([path.join(SEL4, 'tools/dts', `${dts}.dts`), path.join(SEL4, 'src/plat', `${overlay}.dts`)], { readFile: read }));

describe('board packs from a Microkit SDK (board/<name>/<config>/)', () => {
  it('makes a pack for an SDK board with no shipped pack: architecture, core, PA bits, SMP cores, RAM banks, each with its file', async () => {
    const sdk = (await inspectSdk(fixtureSdk))!;
    expect(sdk.boards).toEqual({ broken_board: ['debug'], qemu_virt_aarch64: ['debug'], rpi5b_2gb: ['debug', 'release', 'smp-debug'] });
    const shipped = new Set((await loadBoards(shippedDir)).boards.map((b) => b.name));
    const { boards, problems } = await sdkBoardPacks(sdk, shipped);
    // qemu_virt_aarch64 has a shipped pack: not made again.
    expect(boards.map((b) => b.name)).toEqual(['rpi5b_2gb']);
    const p = boards[0]!;
    expect([p.arch, p.cpu, p.paBits, p.smpCores, p.hypervisor, p.experimental, p.origin?.kind]).toEqual(['aarch64', 'cortex-a76', 40, 4, true, true, 'sdk']);
    expect(p.memory!.banks).toEqual([
      { base: '0x80000', size: '0x3fb80000' },
      { base: '0x40000000', size: '0x40000000' },
    ]);
    expect(p.factSources!.paBits).toContain('board/rpi5b_2gb/debug/include/kernel/gen_config.json ARM_PA_SIZE_BITS_40');
    expect(p.factSources!.smpCores).toContain('board/rpi5b_2gb/smp-debug/include/kernel/gen_config.json MAX_NUM_NODES');
    expect(p.factSources!.memory).toContain('board/rpi5b_2gb/debug/platform_gen.json');
    expect(p.unsourced!['interrupts.maxIrq']).toMatch(/no MAX_IRQ/);
    // The broken file: a problem at its line (the trailing comma is on line 5: the parser stops at the brace).
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'warning', file: path.join(sdk.path, 'board/broken_board/debug/include/kernel/gen_config.json'), line: 5 });
    expect(problems[0]!.message).toMatch(/^SDK board broken_board: not valid: /);
  });

  it('agrees with the shipped qemu_virt_aarch64 pack on what the SDK says (RAM, PA bits, core, hypervisor)', async () => {
    const dir = path.join(fixtureSdk, 'board/qemu_virt_aarch64/debug');
    const r = boardPackFromSdk(
      { board: 'qemu_virt_aarch64', config: 'debug', genConfig: readFileSync(path.join(dir, 'include/kernel/gen_config.json'), 'utf8'), platformGen: readFileSync(path.join(dir, 'platform_gen.json'), 'utf8') },
      { sdkPath: fixtureSdk, version: '2.3.0', configs: ['debug'] },
    );
    expect(r.problems).toEqual([]);
    const shipped = (await loadBoards(shippedDir)).boards.find((b) => b.name === 'qemu_virt_aarch64')!;
    expect([r.pack!.arch, r.pack!.cpu, r.pack!.paBits, r.pack!.hypervisor, r.pack!.memory!.base]).toEqual([shipped.arch, shipped.cpu, shipped.paBits, shipped.hypervisor, shipped.memory!.base]);
    expect(r.pack!.memory!.banks).toEqual([{ base: '0x40000000', size: '0x80000000' }]); // QEMU_MEMORY=2048
  });

  it('keeps 64-bit addresses exact and refuses a region that ends before it starts', () => {
    const pg = parsePlatformGen('{"devices": [{"start": 18446744073709547520, "end": 18446744073709551615}], "memory": [{"start": 0, "end": 4096}]}');
    expect(pg.devices[0]!.start).toBe(0xffff_ffff_ffff_f000n);
    expect(() => parsePlatformGen('{"devices": [], "memory": [{"start": 4096, "end": 0}]}')).toThrow(/ends \(0x0\) before it starts \(0x1000\)/);
    const noPa = boardPackFromSdk({ board: 'x', config: 'debug', genConfig: '{"SEL4_ARCH": "aarch64"}', platformGen: '{"devices": [], "memory": []}' }, { sdkPath: '/sdk', version: '2.3.0', configs: ['debug'] });
    expect(noPa.problems[0]!.message).toMatch(/neither ARM_PA_SIZE_BITS_40 nor ARM_PA_SIZE_BITS_44/);
  });
});

describe("the user's board packs", () => {
  it('are listed beside the shipped ones; one of a shipped name is used instead of it, said as a warning, the shipped one kept in shadowed; a broken one is placed', async () => {
    const userDir = mkdtempSync(path.join(os.tmpdir(), 'user-boards-'));
    const shipped = (await loadBoards(shippedDir)).boards;
    const virt = shipped.find((b) => b.name === 'qemu_virt_aarch64')!;
    const names = new Set(shipped.map((b) => b.name));
    const mine = { ...virt, title: 'my QEMU virt', origin: { kind: 'shipped' as const } };
    const saved = await saveUserBoard(userDir, mine, names);
    expect(saved).toEqual({ file: path.join(userDir, 'qemu_virt_aarch64', 'board.json'), replaces: 'shipped' });
    // The file holds no origin: where a pack comes from is the host's to say.
    expect(JSON.parse(readFileSync(saved.file, 'utf8')).origin).toBeUndefined();
    await saveUserBoard(userDir, { ...virt, name: 'my_board', title: 'mine' }, names);
    await expect(saveUserBoard(userDir, { ...virt, name: 'my_board', title: 'another' }, names)).rejects.toThrow(/you already have a board pack my_board/);
    mkdirSync(path.join(userDir, 'bad'));
    writeFileSync(path.join(userDir, 'bad', 'board.json'), '{\n  "name": "bad",\n  "title": 3\n}\n');

    const all = await loadAllBoards(shippedDir, userDir);
    const used = all.boards.find((b) => b.name === 'qemu_virt_aarch64')!;
    expect([used.title, used.origin]).toEqual(['my QEMU virt', { kind: 'user', file: saved.file, replaces: 'shipped' }]);
    expect(all.boards.filter((b) => b.name === 'qemu_virt_aarch64')).toHaveLength(1);
    expect(all.shadowed.map((b) => [b.name, b.title])).toEqual([['qemu_virt_aarch64', virt.title]]);
    expect(all.boards.find((b) => b.name === 'my_board')!.origin).toEqual({ kind: 'user', file: path.join(userDir, 'my_board', 'board.json') });
    expect(all.problems.find((p) => p.severity === 'warning')!.message).toMatch(/your board pack qemu_virt_aarch64 is used instead of the shipped one/);
    const bad = all.problems.filter((p) => p.file === path.join(userDir, 'bad', 'board.json'));
    expect(bad.find((p) => p.message.startsWith('title:'))).toMatchObject({ line: 3, column: 3 });
  });
});

describe('the port guide', () => {
  it('ODROID-C4: the SDK entry, the Meson UART at 0xff803000 for the loader, GICv2 and the timer for the kernel, the secure monitor to hide', () => {
    const f = treeFacts(kernelTree('odroidc4', 'odroidc4/overlay-odroidc4'), 'odroidc4.dts');
    const made = boardPackFromFacts(f, { name: 'my_c4' });
    expect(made.pack).toBeDefined();
    const g = portGuide(f, made.pack!, made.link, 0x200_0000n);
    expect(g.items.map((i) => i.id)).toEqual(['sdk-board-entry', 'loader-uart', 'kernel-config', 'kernel-overlay', 'boot-no-loader-output', 'boot-loader-no-kernel', 'boot-kernel-no-pds']);
    const item = (id: string) => g.items.find((i) => i.id === id)!;
    const sdk = item('sdk-board-entry');
    expect(sdk.snippet).toContain('name="my_c4"');
    expect(sdk.snippet).toContain('gcc_cpu="cortex-a55"');
    expect(sdk.snippet).toContain(`loader_link_address=${made.pack!.loaderLinkAddress}`);
    expect(sdk.snippet).toContain('smp_cores=4');
    expect(sdk.snippet).toContain('"KernelPlatform": "my-c4"');
    // The same base and register layout the Microkit loader uses for odroidc4 (its uart.c: 0xff803000, STATUS 0xc, TX_FULL bit 21).
    const uart = item('loader-uart');
    expect(uart.title).toBe('Give the loader its early UART: Amlogic Meson UART at 0xff803000');
    expect(uart.snippet).toContain('#elif defined(CONFIG_PLAT_MY_C4)');
    expect(uart.snippet).toContain('#define UART_BASE 0xff803000');
    expect(uart.snippet).toContain('TX_FULL (bit 21)');
    expect(uart.facts[0]!.path).toBe('/soc/bus@ff800000/serial@3000');
    const kcfg = item('kernel-config');
    expect(kcfg.snippet).toContain('set(KernelArmCortexA55 ON)');
    expect(kcfg.snippet).toContain('INTERRUPT_CONTROLLER arch/machine/gic_v2.h');
    expect(kcfg.facts.find((x) => x.label === 'interrupt controller')).toEqual({ label: 'interrupt controller', value: 'GICv2 (arm,gic-400)', path: '/soc/interrupt-controller@ffc01000' });
    const overlay = item('kernel-overlay');
    expect(overlay.snippet).toContain('seL4,kernel-devices = "serial0", &{/soc/interrupt-controller@ffc01000}, &{/timer};');
    expect(overlay.snippet).toContain('secmon@5000000 { reg = <0x0 0x5000000 0x0 0x300000>; no-map; };');
    expect(item('boot-no-loader-output').snippet).toContain(`go ${made.pack!.loaderLinkAddress}`);
    expect(item('boot-loader-no-kernel').facts).toEqual([{ label: 'RAM bank', value: '0x0..0xf5800000', path: '/memory@0' }]);
  });

  it('MaaXBoard: GICv3 and the i.MX UART at the base the Microkit loader uses (0x30860000)', () => {
    const f = treeFacts(kernelTree('maaxboard', 'maaxboard/overlay-maaxboard'), 'maaxboard.dts');
    const made = boardPackFromFacts(f, { name: 'maax2' });
    const g = portGuide(f, made.pack!, proposeLoaderLink(f, { payloadSize: 0x200_0000n }), 0x200_0000n);
    expect(g.items.find((i) => i.id === 'loader-uart')!.title).toBe('Give the loader its early UART: i.MX UART at 0x30860000');
    expect(g.items.find((i) => i.id === 'kernel-config')!.snippet).toContain('set(KernelArmGicV3 ON)');
    expect(uartKind(['arm,pl011', 'arm,primecell']).kind).toBe('PL011');
  });

  it('ticks are kept in the folder settings per board, and only item ids are accepted', () => {
    const s = { ...defaultFolderSettings(), portGuides: { my_c4: { ticked: ['sdk-board-entry', 'loader-uart'] } } };
    expect(parseFolderSettings(serializeFolderSettings(s)).settings.portGuides).toEqual(s.portGuides);
    expect(FolderSettingsSchema.safeParse({ ...s, portGuides: { my_c4: { ticked: ['<script>'] } } }).success).toBe(false);
  });
});
