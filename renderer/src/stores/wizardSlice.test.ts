import { describe, expect, it, vi } from 'vitest';
import orin from '../../../boards/orin_agx/board.json';
import qemu from '../../../boards/qemu_virt_aarch64/board.json';
import { StudioError } from '../../../shared/api/errors';
import { writeDtb } from '../../../shared/dt/dtb';
import { parseDtsFile } from '../../../shared/dt/parse';
import { BoardPackSchema } from '../../../shared/model/board';
import { parseFolderSettings, serializeFolderSettings, type FolderSettings } from '../../../shared/model/folderSettings';
import { createStudioStore, type StudioStore } from './studioStore';
import { createFakeClient, settle, type FakeClient } from './testing/fakeClient';
import { memoryDisk, openedStore, snapshot, TWO_PD_SYSTEM } from './testing/fixtures';

const boards = [BoardPackSchema.parse(orin), BoardPackSchema.parse(qemu)];

/** An Orin-shaped tree (UARTA with its BPMP clock and reset, the GIC) as dt.load answers it: a DTB with __symbols__. */
const DTS = `/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	compatible = "nvidia,tegra234";
	interrupt-parent = <&gic>;
	gic: interrupt-controller@f400000 {
		compatible = "arm,gic-v3";
		#interrupt-cells = <3>;
		interrupt-controller;
		reg = <0 0xf400000 0 0x10000>;
	};
	sram@40000000 {
		compatible = "nvidia,tegra234-sysram", "mmio-sram";
		reg = <0 0x40000000 0 0x80000>;
		#address-cells = <1>;
		#size-cells = <1>;
		ranges = <0 0 0x40000000 0x80000>;
		cpu_bpmp_tx: sram@70000 { reg = <0x70000 0x1000>; pool; };
		cpu_bpmp_rx: sram@71000 { reg = <0x71000 0x1000>; pool; };
	};
	bpmp: bpmp {
		compatible = "nvidia,tegra234-bpmp";
		mboxes = <&hsp_top0 0 19>;
		shmem = <&cpu_bpmp_tx>, <&cpu_bpmp_rx>;
		#clock-cells = <1>;
		#reset-cells = <1>;
	};
	bus@0 {
		compatible = "simple-bus";
		#address-cells = <2>;
		#size-cells = <2>;
		ranges = <0 0 0 0 0x100 0>;
		hsp_top0: hsp@3c00000 {
			compatible = "nvidia,tegra234-hsp";
			reg = <0 0x3c00000 0 0xa0000>;
			interrupts = <0 176 4>;
			interrupt-names = "doorbell";
			#mbox-cells = <2>;
		};
		uarta: serial@3100000 {
			compatible = "nvidia,tegra234-uart", "nvidia,tegra20-uart";
			reg = <0 0x3100000 0 0x10000>;
			interrupts = <0 112 4>;
			clocks = <&bpmp 155>;
			clock-names = "serial";
			resets = <&bpmp 100>;
			reset-names = "serial";
		};
	};
};
`;
const toBase64 = (bytes: Uint8Array) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};
const DTB = toBase64(writeDtb(parseDtsFile('orin.dts', { readFile: () => DTS, symbols: true })));
const HEADERS = [
  { path: 'inc/dt-bindings/clock/tegra234-clock.h', text: '#define TEGRA234_CLK_UARTA 155U\n' },
  { path: 'inc/dt-bindings/reset/tegra234-reset.h', text: '#define TEGRA234_RESET_UARTA 100U\n' },
];

async function orinStore(): Promise<{ store: StudioStore; fake: FakeClient; disk: Record<string, string> }> {
  const { store, fake } = await openedStore(snapshot({}, 'orin_agx'));
  store.setState({ boards });
  const disk = memoryDisk(fake, { 'demo.system': TWO_PD_SYSTEM, 'hw/orin.dts': DTS });
  fake.answer('dt.load', ({ path }) => {
    if (path !== 'hw/orin.dts') throw new StudioError('not-found', `cannot read ${path}`);
    return { format: 'dts', by: 'system-cpp', dtb: DTB, includeDirs: ['hw', 'inc'], headers: HEADERS, files: 3, notes: [], ms: 12 };
  });
  return { store, fake, disk };
}

/** The Orin store of a folder whose settings file holds `settings` (a reload of the same folder). */
async function orinStoreWith(settings: FolderSettings): Promise<{ store: StudioStore; fake: FakeClient }> {
  const { store, fake } = await openedStore(snapshot({ settings }, 'orin_agx'));
  store.setState({ boards });
  memoryDisk(fake, { 'demo.system': TWO_PD_SYSTEM, 'hw/orin.dts': DTS });
  fake.answer('dt.load', () => ({ format: 'dts', by: 'system-cpp', dtb: DTB, includeDirs: ['hw', 'inc'], headers: HEADERS, files: 3, notes: [], ms: 12 }));
  return { store, fake };
}

const loaded = (store: StudioStore) => vi.waitFor(() => expect(store.getState().wizard?.tree && !store.getState().wizard!.loading).toBe(true));

describe('passthrough wizard slice', () => {
  it('needs a project and a board pack', async () => {
    const store = createStudioStore(createFakeClient());
    store.actions.openWizard();
    expect(store.getState().wizardOpen).toBe(false);
    expect(store.getState().notice?.message).toMatch(/Open a project first/);
    const { store: s2 } = await openedStore(snapshot({}, 'no_such_board'));
    s2.actions.openWizard();
    expect(s2.getState().notice?.message).toMatch(/No board pack for 'no_such_board'/);
    store.dispose();
    s2.dispose();
  });

  it('asks the host to compile the DTS files step 1 lists when it opens (not .dtsi, not DTBs)', async () => {
    const { store, fake } = await orinStore();
    fake.answer('dt.prefetch', ({ paths }) => ({ queued: paths }));
    store.setState({ workspaceFiles: [{ path: 'hw/orin.dts', kind: 'devicetree' }, { path: 'hw/soc.dtsi', kind: 'devicetree' }, { path: 'hw/dump.dtb', kind: 'devicetree' }, { path: 'demo.system', kind: 'system' }] });
    store.actions.openWizard();
    expect(fake.callsOf('dt.prefetch')).toEqual([{ paths: ['hw/orin.dts'] }]);
    await loaded(store);
    store.dispose();
  });

  it('opens on the board pack; a tree of the folder replaces the catalogue, the chosen device follows; an error keeps the last tree and says where', async () => {
    const { store, fake } = await orinStore();
    store.actions.openWizard();
    expect(store.getState().wizardOpen).toBe(true);
    await loaded(store);
    const w = () => store.getState().wizard!;
    expect(w().tree!.label).toBe('board pack orin_agx');
    expect(w().outDir).toBe('passthrough');
    store.actions.toggleWizardDevice('board:uarta');
    // The TCU is not passable: it is not chosen.
    store.actions.toggleWizardDevice('board:tcu');
    expect(w().chosen).toEqual(['board:uarta']);

    await store.actions.chooseTree({ kind: 'file', path: 'hw/orin.dts' });
    expect(fake.callsOf('dt.load')).toEqual([{ path: 'hw/orin.dts' }]);
    expect(w().tree!.headers).toHaveLength(2);
    expect(w().chosen).toEqual(['/bus@0/serial@3100000']);
    const uarta = w().tree!.entries.find((e) => e.id === '/bus@0/serial@3100000')!;
    expect(uarta).toMatchObject({ boardDevice: 'uarta', labels: ['uarta'] });
    expect(uarta.irqs[0]).toMatchObject({ kind: 'SPI', number: 112, intid: 144 });
    // The IRQ inspector learns who raises INTID 144 from this tree.
    expect(w().tree!.irqSources.find((s) => s.intid === 144)).toMatchObject({ from: 'device tree' });
    expect(w().tree!.loadMs).toBeGreaterThanOrEqual(0);
    store.actions.wizardListShown();
    expect(w().tree!.shownMs).toBeGreaterThanOrEqual(w().tree!.loadMs);

    fake.refuse('dt.load', new StudioError('corrupt', 'hw/soc.dtsi:4:3: syntax error', [{ severity: 'error', file: 'hw/soc.dtsi', line: 4, column: 3, message: 'syntax error', rule: 'dtc' }]));
    await store.actions.chooseTree({ kind: 'file', path: 'hw/orin.dts' });
    expect(w().treeError).toEqual({ message: 'hw/soc.dtsi:4:3: syntax error', diagnostics: [expect.objectContaining({ file: 'hw/soc.dtsi', line: 4, column: 3 })] });
    expect(w().tree!.label).toBe('hw/orin.dts');
    store.dispose();
  });

  it('remembers the tree chosen (and the include folders named) per system file in the folder settings; opens on it again, after a reload too', async () => {
    const { store, fake } = await orinStore();
    fake.answer('workspace.saveSettings', () => ({}));
    const files = [{ path: 'hw/orin.dts', kind: 'devicetree' as const }, { path: 'hw/hdr40.dts', kind: 'devicetree' as const, overlay: true as const }, { path: 'demo.system', kind: 'system' as const }];
    store.setState({ workspaceFiles: files });
    fake.answer('dt.prefetch', ({ paths }) => ({ queued: paths }));
    store.actions.openWizard();
    // Overlays are not compiled ahead: none can be read alone.
    expect(fake.callsOf('dt.prefetch')).toEqual([{ paths: ['hw/orin.dts'] }]);
    await loaded(store);
    // The board pack is the default: nothing to keep.
    expect(fake.callsOf('workspace.saveSettings')).toEqual([]);
    await store.actions.chooseTree({ kind: 'file', path: 'hw/orin.dts', includeDirs: ['hw', 'inc'] });
    await vi.waitFor(() => expect(fake.callsOf('workspace.saveSettings')).toHaveLength(1));
    const saved = fake.callsOf('workspace.saveSettings')[0]!.settings;
    expect(saved.passthroughTrees).toEqual({ 'demo.system': { tree: 'hw/orin.dts', includeDirs: ['hw', 'inc'] } });
    // Round trip through the file's schema.
    expect(parseFolderSettings(serializeFolderSettings(saved)).settings?.passthroughTrees).toEqual(saved.passthroughTrees);
    // The same choice again writes nothing.
    await store.actions.chooseTree({ kind: 'file', path: 'hw/orin.dts', includeDirs: ['hw', 'inc'] });
    await settle();
    expect(fake.callsOf('workspace.saveSettings')).toHaveLength(1);
    store.dispose();

    // A reload: the folder opens with those settings; the wizard starts on that tree (loaded, with its include folders).
    const again = await orinStoreWith(saved);
    again.store.setState({ workspaceFiles: files });
    again.store.actions.openWizard();
    expect(again.store.getState().wizard!.source).toEqual({ kind: 'file', path: 'hw/orin.dts', includeDirs: ['hw', 'inc'] });
    await loaded(again.store);
    expect(again.fake.callsOf('dt.load')).toEqual([{ path: 'hw/orin.dts', includeDirs: ['hw', 'inc'] }]);
    expect(again.store.getState().wizard!.tree!.label).toBe('hw/orin.dts');
    // Back to the board pack: the entry goes.
    again.fake.answer('workspace.saveSettings', () => ({}));
    await again.store.actions.chooseTree({ kind: 'board' });
    await vi.waitFor(() => expect(again.fake.callsOf('workspace.saveSettings')).toHaveLength(1));
    expect(again.fake.callsOf('workspace.saveSettings')[0]!.settings.passthroughTrees).toBeUndefined();
    again.store.dispose();

    // A tree no longer in the folder is not offered: the board pack is.
    const gone = await orinStoreWith(saved);
    gone.store.setState({ workspaceFiles: [{ path: 'demo.system', kind: 'system' }, { path: 'hw/other.dts', kind: 'devicetree' }] });
    gone.store.actions.openWizard();
    expect(gone.store.getState().wizard!.source).toEqual({ kind: 'board' });
    await loaded(gone.store);
    gone.store.dispose();
  });

  it('a device region opens it with its device chosen', async () => {
    const { store } = await orinStore();
    store.actions.openWizard({ physAddr: 0x3100000 });
    await loaded(store);
    expect(store.getState().wizard!.chosen).toEqual(['board:uarta']);
    expect(store.getState().wizard!.focus).toBe('board:uarta');
    store.dispose();
  });

  it('Apply: one undoable edit that is exactly the preview, the files created beside the system; undo restores the bytes', async () => {
    const { store, fake, disk } = await orinStore();
    store.actions.openWizard();
    await loaded(store);
    await store.actions.chooseTree({ kind: 'file', path: 'hw/orin.dts' });
    store.actions.toggleWizardDevice('/bus@0/serial@3100000');
    const before = store.getState().doc.text;
    const p = store.actions.wizardPreview()!;
    expect(p.blockers).toEqual([]);
    expect(p.hunks.flatMap((h) => h.lines).filter((l) => l.kind === '-')).toEqual([]);
    expect(p.files['guest.dts']).toMatch(/clocks = <&bpmp 155>; \/\* TEGRA234_CLK_UARTA \*\//);
    expect(p.files['guest.dts']).toMatch(/mboxes = <&hsp_top0 0x0 0x13>;\n\t\tshmem = <&cpu_bpmp_tx>, <&cpu_bpmp_rx>;/);

    expect(await store.actions.applyWizard()).toBe(true);
    const s = store.getState();
    expect(s.doc.text).toBe(p.text);
    expect(s.history.past.map((h) => h.label)).toEqual(['Pass uarta through to linux']);
    expect(s.wizard!.applied).toEqual({ label: 'Pass uarta through to linux', written: ['passthrough/guest.dts', 'passthrough/vmm_irqs.c', 'passthrough/report.md'], unchanged: [] });
    expect(disk['passthrough/guest.dts']).toBe(p.files['guest.dts']);
    // Created only: no write carried a hash (fs.write then refuses to replace anything).
    expect(fake.callsOf('fs.write').map((c) => c.expectHash)).toEqual([undefined, undefined, undefined]);
    store.actions.undo();
    expect(store.getState().doc.text).toBe(before);
    store.dispose();
  });

  it('files that exist with other bytes are not replaced until the user says so; the same bytes are left alone', async () => {
    const { store, fake, disk } = await orinStore();
    store.actions.openWizard();
    await loaded(store);
    store.actions.toggleWizardDevice('board:uarta');
    const files = store.actions.wizardPreview()!.files;
    disk['passthrough/report.md'] = files['report.md'];
    disk['passthrough/guest.dts'] = '/* mine */\n';
    const text = store.getState().doc.text;
    expect(await store.actions.applyWizard()).toBe(false);
    expect(store.getState().wizard!.conflicts).toEqual(['passthrough/guest.dts']);
    // Nothing happened yet: not the edit, not a file.
    expect(store.getState().doc.text).toBe(text);
    expect(disk['passthrough/guest.dts']).toBe('/* mine */\n');
    expect(fake.callsOf('fs.write')).toEqual([]);

    expect(await store.actions.applyWizard(true)).toBe(true);
    expect(disk['passthrough/guest.dts']).toBe(files['guest.dts']);
    expect(store.getState().wizard!.applied).toMatchObject({ written: ['passthrough/guest.dts', 'passthrough/vmm_irqs.c'], unchanged: ['passthrough/report.md'] });
    expect(fake.callsOf('fs.write').find((c) => c.path === 'passthrough/guest.dts')!.expectHash).toMatch(/^[0-9a-f]{64}$/);
    store.dispose();
  });

  it('Apply is refused with the reason when the plan has an error, and a new project closes the session', async () => {
    const { store, fake } = await orinStore();
    store.actions.openWizard();
    await loaded(store);
    store.actions.toggleWizardDevice('board:uarta');
    store.actions.setWizardVm({ vmm: 'sender' });
    store.actions.setWizardVm({ name: 'other' });
    // 'sender' exists without a VM: it gets one; a PD named like an existing one cannot be created.
    expect(store.actions.wizardPreview()!.blockers).toEqual([]);
    store.actions.setWizardVm({ vmm: undefined, name: undefined, vcpus: 1, ramBase: 0xc2000000n, ramSize: 0x10000000n });
    store.actions.setWizardOptions({ hypervisorWindows: 'keep' });
    expect(store.getState().wizard!.options).toEqual({ hypervisorWindows: 'keep', firmwareResources: 'keep', nicRoute: 'direct' });
    store.actions.toggleWizardDevice('board:uarta');
    expect(store.actions.wizardPreview()!.blockers).toEqual(['no device chosen']);
    expect(await store.actions.applyWizard()).toBe(false);
    expect(store.getState().notice?.message).toBe('Passthrough not applied: no device chosen');
    expect(fake.callsOf('fs.read')).toEqual([]);
    fake.answer('project.open', snapshot({ dir: '/work/other' }, 'orin_agx'));
    await store.actions.openProject('/work/other');
    await settle();
    expect(store.getState().wizard).toBeUndefined();
    expect(store.getState().wizardOpen).toBe(false);
    store.dispose();
  });
});
