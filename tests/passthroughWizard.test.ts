import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDtb } from '../shared/dt/dtb';
import { parseDtsFile } from '../shared/dt/parse';
import { indexTree, type Index } from '../shared/dt/query';
import type { BoardPack } from '../shared/model/board';
import { addProtectionDomain, applyEdit, emptyHistory, undo } from '../shared/model/edits';
import { emptySystem } from '../shared/model/system';
import { exportSystem } from '../shared/sdf/export';
import { editSystemDoc, openSystemDoc } from '../shared/sdf/document';
import { formatHunks } from '../shared/sdf/editHunks';
import { isBindingHeaderPath, parseBindingHeader, type BindingTable } from '../shared/passthrough/bindings';
import { previewPassthrough, type WizardChoice } from '../shared/passthrough/preview';
import { howToSet, type Setting } from '../shared/passthrough/words';
import { loadBoards } from '../electron/services/boards';

// The wizard's preview and Apply (shared/passthrough/preview.ts) on the systems the e2e runs it on: the Path B
// template and a fresh project on the AGX Orin with the JetPack tree, the PL011 on qemu_virt_aarch64.
const root = path.resolve(import.meta.dirname, '..');
const NV = path.join(root, 'tests/fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public');
const nvInc = ['nv-platform', 'include/kernel', 'include/nvidia-oot'].map((d) => path.join(NV, d)).concat(NV);
const haveDtc = spawnSync('dtc', ['--version']).status === 0;
if (!haveDtc && process.env.CI === 'true') throw new Error('dtc is required in CI');
let boards: BoardPack[];
let dt: Index;
let tables: BindingTable[];
beforeAll(async () => {
  boards = (await loadBoards(path.join(root, 'boards'))).boards;
  const headers = new Set<string>();
  dt = indexTree(
    parseDtsFile(path.join(NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), {
      cpp: true,
      includeDirs: nvInc,
      readFile: (p) => (existsSync(p) ? (isBindingHeaderPath(p) && headers.add(p), readFileSync(p, 'utf8')) : undefined),
    }),
  );
  tables = [...headers].flatMap((h) => parseBindingHeader(h, readFileSync(h, 'utf8')));
});
const board = (n: string) => boards.find((b) => b.name === n)!;
const template = (f: string) => readFileSync(path.join(root, 'resources/templates', f), 'utf8');
/** The system `New project` writes: one PD. */
const fresh = () => exportSystem(addProtectionDomain({ x: 120, y: 120 }, 'main').apply({ system: emptySystem(), layout: { nodes: {} } }).system);
/** Only insertions: every byte of the original is still there, in order. */
function onlyAdds(before: string, after: string): boolean {
  let i = 0;
  for (let j = 0; j < after.length && i < before.length; j++) if (after[j] === before[i]) i++;
  return i === before.length;
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'wizard-'));
function dtcAgrees(dts: string) {
  const f = path.join(dir, `g${Math.random().toString(36).slice(2)}.dts`);
  writeFileSync(f, dts);
  const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', f]);
  expect(r.status, r.stderr.toString()).toBe(0);
  expect(Buffer.compare(Buffer.from(writeDtb(parseDtsFile(f, { readFile: (p) => readFileSync(p, 'utf8') }))), r.stdout)).toBe(0);
}

function run(boardName: string, text: string, choice: WizardChoice, withTree = true) {
  const doc = openSystemDoc(text, 'x.system', { nodes: {} });
  const p = previewPassthrough({ board: board(boardName), ...(withTree ? { dt, tables } : {}), doc, file: 'x.system', choice });
  return { doc, p };
}

/** Apply as the slice does (one undoable edit of the document), then undo. */
function applyAndUndo(doc: ReturnType<typeof openSystemDoc>, p: ReturnType<typeof previewPassthrough>) {
  const after = editSystemDoc(doc, p.edit, 'x.system');
  expect(after.text).toBe(p.text);
  const h = applyEdit(doc, emptyHistory(), { label: p.edit.label, apply: () => after });
  expect(undo(h.doc, h.history).doc.text).toBe(doc.text);
}

describe.runIf(haveDtc)('the passthrough wizard preview', () => {
  it('UARTA into the Path B template: a minimal insertion (diff shown as it is written), 0 errors, the guest DTS compiles as dtc compiles it, undo restores the bytes', () => {
    const { doc, p } = run('orin_agx', template('orin-agx-path-b.system'), { devices: ['uarta'] });
    expect(p.blockers).toEqual([]);
    expect(p.errors).toEqual([]);
    expect(p.lossy).toBe(false);
    expect(onlyAdds(doc.text, p.text)).toBe(true);
    expect(p.hunks.length).toBeGreaterThan(0);
    const diff = formatHunks(p.hunks);
    expect(diff).toMatch(/^\+\s*<memory_region name="uarta" size="0x10000" phys_addr="0x3100000" \/>$/m);
    expect(diff).toMatch(/^\+\s*<irq irq="144" id="\d+" \/>/m);
    expect(diff.split('\n').filter((l) => l.startsWith('-'))).toEqual([]);
    // Names from the tree's headers, not numbers.
    expect(p.files['guest.dts']).toMatch(/TEGRA234_CLK_UARTA/);
    expect(p.guest.ok).toBe(true);
    dtcAgrees(p.files['guest.dts']);
    applyAndUndo(doc, p);
  });

  it('MGBE0 on the Path B template: direct is refused (eth_driver owns its interrupt), Path B is already there', () => {
    const direct = run('orin_agx', template('orin-agx-path-b.system'), { devices: ['mgbe0'] }).p;
    expect(direct.blockers.join('\n')).toMatch(/INTID 416 .*eth_driver/);
    const pathB = run('orin_agx', template('orin-agx-path-b.system'), { devices: ['mgbe0'], options: { nicRoute: 'path-b' } }).p;
    expect(pathB.unchanged).toBe(true);
    expect(pathB.blockers.join('\n')).toMatch(/already has everything/);
    expect(pathB.plan.messages.some((m) => m.code === 'path-b-existing')).toBe(true);
  });

  it('a fresh Orin project: MGBE0 direct and through Path B, host1x with VIC: whole VMs, 0 errors, guest DTS with dtc', () => {
    for (const choice of [{ devices: ['mgbe0'] }, { devices: ['mgbe0'], options: { nicRoute: 'path-b' as const } }, { devices: ['host1x', 'vic'] }]) {
      const { doc, p } = run('orin_agx', fresh(), choice);
      expect(p.blockers, JSON.stringify(choice)).toEqual([]);
      expect(onlyAdds(doc.text, p.text)).toBe(true);
      if (choice.options) expect(p.text).toMatch(/<protection_domain name="eth_driver"/);
      else expect(p.text).toMatch(/<virtual_machine name="linux"/);
      dtcAgrees(p.files['guest.dts']);
      applyAndUndo(doc, p);
    }
    // The hypervisor windows stay out unless asked for; asking maps them with a warning.
    const kept = run('orin_agx', fresh(), { devices: ['host1x', 'vic'], options: { hypervisorWindows: 'keep' } }).p;
    expect(kept.text).toMatch(/phys_addr="0x13e10000"/);
    expect(run('orin_agx', fresh(), { devices: ['host1x', 'vic'] }).p.text).not.toMatch(/phys_addr="0x13e10000"/);
  });

  it('the PL011 on qemu_virt_aarch64 (board pack, no tree): into the libvmm template and into a fresh project', () => {
    for (const text of [template('libvmm-linux.system'), fresh()]) {
      const { doc, p } = run('qemu_virt_aarch64', text, { devices: ['pl011'] }, false);
      if (text === fresh()) {
        expect(p.blockers).toEqual([]);
        expect(p.text).toMatch(/<irq irq="33" id="\d+" \/>/);
        dtcAgrees(p.files['guest.dts']);
        applyAndUndo(doc, p);
      } else {
        // The template passes the PL011 already.
        expect(p.unchanged).toBe(true);
      }
    }
  });

  it('a virtio-mmio slot of qemu_virt_aarch64 (as libvmm’s QEMU example passes one): valid, its guest node compiles', () => {
    const { doc, p } = run('qemu_virt_aarch64', fresh(), { devices: ['virtio_mmio0'] }, false);
    expect(p.blockers).toEqual([]);
    expect(p.text).toMatch(/<memory_region name="virtio_mmio0" size="0x1000" phys_addr="0xa000000" \/>/);
    expect(p.files['guest.dts']).toMatch(/compatible = "virtio,mmio"/);
    dtcAgrees(p.files['guest.dts']);
    applyAndUndo(doc, p);
  });

  it('the report the wizard writes names its steps and fields, never a CLI flag; the CLI’s report keeps its flags (one generator)', () => {
    // MGBE0 direct without 1:1 guest RAM (DMA), host1x+VIC (hypervisor windows kept out), the KVM/Ghaf files.
    for (const devices of [['mgbe0'], ['host1x', 'vic']]) {
      const p = run('orin_agx', fresh(), { devices, kvmExtras: true }).p;
      const wizard = [p.files['report.md'], p.files['host-overlay.dts']!, p.files['qemu-args.txt']!, ...p.plan.messages.map((m) => m.message)].join('\n');
      expect(wizard).not.toMatch(/--[a-z]/);
      const cli = previewPassthrough({ board: board('orin_agx'), dt, tables, doc: openSystemDoc(fresh(), 'x.system', { nodes: {} }), file: 'x.system', choice: { devices, kvmExtras: true }, audience: 'cli' });
      if (devices[0] === 'mgbe0') {
        expect(p.files['report.md']).toMatch(/Guest RAM is not 1:1: .*\(step 4 \(VM\): tick “1:1” \(guest RAM at physical 0x[0-9a-f]+\)\)/);
        expect(p.files['report.md']).toMatch(/for the other: step 3 \(Dependencies and risks\): “The NIC goes…” behind a trusted driver PD \(Path B\)/);
        expect(cli.files['report.md']).toMatch(/--ram-phys 0x[0-9a-f]+/);
        expect(cli.files['report.md']).toMatch(/--nic-route path-b/);
      } else {
        expect(p.files['report.md']).toMatch(/To keep it anyway: step 3 \(Dependencies and risks\): tick “Map the hypervisor’s windows into the guest anyway”/);
        expect(cli.files['report.md']).toMatch(/To keep it anyway: --keep-hypervisor-windows/);
      }
      expect(p.files['report.md']).toMatch(/^Options \(step 3, Dependencies and risks\): /m);
      expect(p.files['host-overlay.dts']).toMatch(/only on request \(step 5 \(Preview\): tick “KVM\/Ghaf files too”\)/);
      expect(cli.files['host-overlay.dts']).toMatch(/only on request \(--kvm-extras\)/);
    }
  });

  it('the wizard’s words quote labels its steps show (they stay in step with the UI)', () => {
    const ui = ['Wizard.tsx', 'RisksStep.tsx', 'VmStep.tsx', 'PreviewStep.tsx'].map((f) => readFileSync(path.join(root, 'renderer/src/features/wizard', f), 'utf8')).join('\n');
    const steps = readFileSync(path.join(root, 'renderer/src/stores/wizardSlice.ts'), 'utf8');
    const settings: Setting[] = [{ kind: 'ram-phys', address: 0xc2000000n }, { kind: 'nic-path-b' }, { kind: 'which-vm' }, { kind: 'keep-hypervisor-windows' }, { kind: 'remove-clocks' }, { kind: 'kvm-extras' }];
    for (const s of settings) {
      const words = howToSet(s, 'wizard');
      const title = /^step \d \(([^)]+)\)/.exec(words)?.[1];
      expect(steps, words).toContain(`title: '${title}'`);
      for (const [, label] of words.matchAll(/“([^”]+)”/g)) expect(ui.replace(/\s+/g, ' '), words).toContain(label!.replace(/…$/, ''));
      expect(howToSet(s, 'cli')).toMatch(/^--[a-z]/);
    }
  });

  it('clocks kept: the guest’s BPMP node is complete (mboxes to the HSP doorbell, shmem to the TX/RX SRAM pages, as the tree has them); real dtc compiles it; the report lists what the VMM must provide', () => {
    const { p } = run('orin_agx', fresh(), { devices: ['uarta'] });
    const g = p.files['guest.dts'];
    expect(p.plan.bpmp).toMatchObject({ path: '/bpmp', mbox: { path: '/bus@0/hsp@3c00000', label: 'hsp_top0', address: 0x3c00000n, size: 0xa0000n, args: [0, 19], doorbell: { spi: 176, intid: 208 } } });
    expect(p.plan.bpmp!.shmem.map((m) => [m.label, m.address, m.size])).toEqual([['cpu_bpmp_tx', 0x40070000n, 0x1000n], ['cpu_bpmp_rx', 0x40071000n, 0x1000n]]);
    const bpmp = g.slice(g.indexOf('\tbpmp: bpmp {'), g.indexOf('\t};', g.indexOf('\tbpmp: bpmp {')));
    expect(bpmp).toMatch(/mboxes = <&hsp_top0 0x0 0x13>;\n\t\tshmem = <&cpu_bpmp_tx>, <&cpu_bpmp_rx>;/);
    expect(g).toMatch(/hsp_top0: hsp@3c00000 \{\n\t\tcompatible = "nvidia,tegra234-hsp", "nvidia,tegra194-hsp";\n\t\treg = <0x0 0x3c00000 0x0 0xa0000>;\n\t\tinterrupts = <0 176 4>;\n\t\tinterrupt-names = "doorbell";\n\t\t#mbox-cells = <2>;/);
    expect(g).toMatch(/sram@40070000 \{\n\t\tcompatible = "mmio-sram";[\s\S]*cpu_bpmp_tx: sram@0 \{\n\t\t\treg = <0x0 0x1000>;\n\t\t\tlabel = "cpu-bpmp-tx";\n\t\t\tpool;[\s\S]*cpu_bpmp_rx: sram@1000 \{/);
    expect(g).toMatch(/clocks = <&bpmp 155>; \/\* TEGRA234_CLK_UARTA \*\//);
    dtcAgrees(g);
    // Nothing of the proxy goes into the .system: no region at the HSP or SYSRAM.
    expect(p.text).not.toMatch(/phys_addr="0x3c00000"|phys_addr="0x4007[01]000"/);
    const r = p.files['report.md'];
    expect(r).toMatch(/## BPMP proxy: what the VMM must provide/);
    expect(r).toMatch(/\| hsp_top0 \(mailbox, mboxes <0 19>\) \| 0x3c00000 \| 0xa0000 \| leaves it unmapped: .*injects INTID 208/);
    expect(r).toMatch(/\| cpu_bpmp_tx \(shmem\) \| 0x40070000 \| 0x1000 \|/);
    expect(r).toMatch(/The allow-list: clocks TEGRA234_CLK_UARTA \("serial"\); resets TEGRA234_RESET_UARTA \("serial"\)/);
    expect(p.plan.messages.find((m) => m.code === 'bpmp-proxy')?.message).toMatch(/libvmm has no BPMP proxy/);
  });

  it('the BPMP IPC passed through too (HSP TOP0 chosen): the guest’s mboxes name the passed HSP, no second node', () => {
    const { p } = run('orin_agx', fresh(), { devices: ['uarta', 'hsp_top0'] });
    const g = p.files['guest.dts'];
    expect(g.match(/hsp@3c00000 \{/g)).toHaveLength(1);
    expect(g).toMatch(/mboxes = <&hsp_top0 0x0 0x13>;/);
    expect(p.files['report.md']).toMatch(/\| hsp_top0 \(mailbox\) \| 0x3c00000 \| 0xa0000 \| passed through above/);
    dtcAgrees(g);
  });

  it('without the board’s tree (board pack only) a complete BPMP node is impossible: clocks and resets are removed instead, and the preview says why and what it costs; dtc compiles', () => {
    const { p } = run('orin_agx', fresh(), { devices: ['uarta'] }, false);
    const g = p.files['guest.dts'];
    expect(p.plan.bpmp).toBeUndefined();
    expect(p.plan.options.firmwareResources).toBe('remove');
    expect(g).not.toMatch(/bpmp \{|clocks =|resets =/);
    expect(g).toMatch(/Removed \(the host leaves them on\): clocks TEGRA234_CLK_UARTA/);
    const why = p.plan.messages.find((m) => m.code === 'bpmp-incomplete')!;
    expect(why.message).toMatch(/cannot be complete \(the T234 binding requires mboxes and shmem\): the board pack does not describe .* choose the board's device tree in step 1/);
    expect(p.plan.messages.find((m) => m.code === 'firmware-resources')?.message).toMatch(/removed from the guest's node.*clk_ignore_unused.*serial-tegra/);
    expect(p.files['report.md']).toMatch(/cannot be complete/);
    expect(p.blockers).toEqual([]);
    dtcAgrees(g);
  });

  it('KVM/Ghaf files only on request, labelled', () => {
    expect(Object.keys(run('orin_agx', fresh(), { devices: ['uarta'] }).p.files).sort()).toEqual(['guest.dts', 'report.md', 'vmm_irqs.c']);
    const k = run('orin_agx', fresh(), { devices: ['uarta'], kvmExtras: true }).p.files;
    expect(k['host-overlay.dts']).toMatch(/^\/\* KVM\/Ghaf idiom, not used by Microkit/);
    expect(k['qemu-args.txt']).toMatch(/^# KVM\/Ghaf idiom, not used by Microkit/);
  });
});
