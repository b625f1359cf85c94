import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDtb } from '../shared/dt/dtb';
import { parseDtsFile } from '../shared/dt/parse';
import { indexTree, type Index } from '../shared/dt/query';
import { kernelConfigForBoard, type BoardPack } from '../shared/model/board';
import type { SystemModel } from '../shared/model/system';
import { analyzeText, editSystemDoc, openSystemDoc, withSystem } from '../shared/sdf/document';
import { applyEdit, emptyHistory, undo } from '../shared/model/edits';
import { checkSystem } from '../shared/sdf/check';
import { applyAdditions, passthroughEdit, passthroughSystem } from '../shared/passthrough/additions';
import { isBindingHeaderPath, parseBindingHeader, type BindingTable } from '../shared/passthrough/bindings';
import { planPassthrough, type PlanInput } from '../shared/passthrough/plan';
import { renderPassthrough } from '../shared/passthrough/render';
import { loadBoards } from '../electron/services/boards';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.join(root, 'tests/fixtures/dts-corpus');
const NV = 'sradcliffe-nottinghamspirk__t23x-nv-public';
const nvInc = ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(corpus, NV, d));
const jp6 = path.join(corpus, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const template = (f: string) => readFileSync(path.join(root, 'resources/templates', f), 'utf8');
const tool = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
const need = (cmd: string) => {
  if (!tool(cmd) && process.env.CI === 'true') throw new Error(`${cmd} is required in CI`);
  return tool(cmd);
};
let boards: BoardPack[];
let dt: Index;
let tables: BindingTable[];
beforeAll(async () => {
  boards = (await loadBoards(path.join(root, 'boards'))).boards;
  const headers = new Set<string>();
  const tree = parseDtsFile(jp6, {
    cpp: true,
    includeDirs: nvInc,
    readFile: (p) => {
      if (!existsSync(p)) return undefined;
      if (isBindingHeaderPath(p)) headers.add(p);
      return readFileSync(p, 'utf8');
    },
  });
  dt = indexTree(tree);
  tables = [...headers].flatMap((h) => parseBindingHeader(h, readFileSync(h, 'utf8')));
});
const board = (n: string) => boards.find((b) => b.name === n)!;
const dir = mkdtempSync(path.join(os.tmpdir(), 'passthrough-'));

/** The AGX libvmm passthrough of reference/field-notes.md §1 (Path A), with 768 MiB of 1:1 guest RAM at 0xc2000000. */
const agx = (): PlanInput => ({
  board: board('orin_agx'),
  devices: ['uartc', 'hsp_top0', 'hsp_aon', 'bpmp_shmem', 'mgbe0', 'host1x', 'vic'],
  vm: { name: 'linux', vmm: 'vmm', ramBase: 0xc2000000n, ramSize: 0x30000000n, ramPhys: 0xc2000000n },
  firstId: 2,
});
const errors = (text: string, b: string, file = 'x.system') => checkSystem(text, file, kernelConfigForBoard(board(b))).diagnostics.filter((d) => d.severity === 'error');
const modelOf = (text: string): SystemModel => analyzeText(text, 'in.system').model!;
/** Only insertions: every byte of the original is still there, in order (comments, licence header, formatting). */
function onlyAdds(before: string, after: string): boolean {
  let i = 0;
  for (let j = 0; j < after.length && i < before.length; j++) if (after[j] === before[i]) i++;
  return i === before.length;
}
const dtcCompiles = (name: string, dts: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, dts);
  const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', f]);
  expect(r.status, `${name}: ${r.stderr}`).toBe(0);
  // Our own compiler gives dtc's bytes.
  expect(Buffer.compare(Buffer.from(writeDtb(parseDtsFile(f, { readFile: (p) => readFileSync(p, 'utf8') }))), r.stdout), name).toBe(0);
};

describe('passthrough planner on the AGX Orin', () => {
  it("the field-notes set: UARTC, HSP TOP0 + AON, BPMP shared memory, MGBE0, host1x, VIC — without the hypervisor's windows", () => {
    const plan = planPassthrough(agx());
    expect(plan.messages.filter((m) => m.severity === 'error')).toEqual([]);
    const region = (a: bigint) => plan.regions.find((r) => r.physAddr === a);
    for (const [addr, size] of [[0x0c280000n, 0x10000n], [0x03c00000n, 0xa0000n], [0x0c150000n, 0x90000n], [0x40070000n, 0x1000n], [0x40071000n, 0x1000n], [0x06810000n, 0x10000n], [0x068a0000n, 0x10000n], [0x13e40000n, 0x10000n], [0x15340000n, 0x40000n]] as const) {
      expect(region(addr), `region at 0x${addr.toString(16)}`).toMatchObject({ size, guestAddr: addr });
    }
    // MGBE0's and host1x's hypervisor windows, and host1x's "common" (the host1x server's), stay out, with the reason.
    for (const a of [0x06800000n, 0x13e00000n, 0x13e10000n]) expect(region(a), `0x${a.toString(16)}`).toBeUndefined();
    const kept = plan.messages.filter((m) => m.code === 'reserved-window');
    expect(kept.map((m) => m.device)).toEqual(['mgbe0', 'host1x', 'host1x']);
    expect(kept[0]!.message).toMatch(/'hypervisor' 0x6800000\+0x10000 stays out of the guest: .*dwmac-tegra/);
    expect(kept[1]!.message).toMatch(/'common' .*host1x server/);
    const intids = plan.irqs.map((i) => i.intid);
    expect(intids).toEqual(expect.arrayContaining([146, 416, 238, 295, ...[152, 153, 154, 155, 156, 157, 158, 159, 208], 165, 166, 167, 168, 480, 487]));
    const ids = plan.irqs.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBe(2);
    expect(Math.max(...ids)).toBeLessThanOrEqual(61);
    // The NIC's other route is offered; DMA devices are told about SMMU bypass with their stream IDs.
    expect(plan.messages.find((m) => m.device === 'mgbe0' && m.code === 'nic-route')?.message).toMatch(/Path B/);
    expect(plan.messages.find((m) => m.device === 'mgbe0' && m.code === 'dma')?.message).toMatch(/smmu_niso0 stream 0x6 \(TEGRA234_SID_MGBE\).*SMMU bypass.*1:1 here/);
  });

  it('--keep-hypervisor-windows maps them, each with a warning', () => {
    const plan = planPassthrough({ ...agx(), options: { hypervisorWindows: 'keep' } });
    expect(plan.regions.map((r) => r.physAddr)).toEqual(expect.arrayContaining([0x06800000n, 0x13e00000n, 0x13e10000n]));
    expect(plan.messages.filter((m) => m.code === 'reserved-window-kept').map((m) => [m.severity, m.device])).toEqual([['warning', 'mgbe0'], ['warning', 'host1x'], ['warning', 'host1x']]);
  });

  it('warns when a bus master gets guest RAM that is not 1:1, refuses the TCU and a device chosen twice', () => {
    const input = agx();
    delete input.vm!.ramPhys;
    expect(planPassthrough(input).messages.some((m) => m.device === 'mgbe0' && m.code === 'dma' && /not 1:1.*--ram-phys 0xc2000000/.test(m.message))).toBe(true);
    const bad = planPassthrough({ ...agx(), devices: ['tcu', 'uarti', 'uarti', 'nonesuch'] });
    expect(bad.messages.filter((m) => m.severity === 'error').map((m) => m.device)).toEqual(['tcu', 'uarti', 'nonesuch']);
  });

  it('VIC alone is told it needs host1x; remapping moves the guest addresses and the guest DT with them', () => {
    const input = { ...agx(), devices: ['uarti', 'vic'], remap: { uarti: 0x09000000n } };
    const plan = planPassthrough(input);
    expect(plan.messages.some((m) => m.device === 'vic' && /needs host1x/.test(m.message))).toBe(true);
    expect(plan.regions.find((r) => r.physAddr === 0x031d0000n)?.guestAddr).toBe(0x09000000n);
    const files = renderPassthrough(plan, input);
    expect(files['guest.dts']).toContain('uarti: serial@9000000 {');
    expect(files['passthrough.system']).toContain('<map mr="uarti" vaddr="0x9000000" perms="rw" cached="false" />');
  });

  it("takes the facts from the running board's DT when it has the node (MGBE0 IRQs from JetPack 6), devices by path or label", () => {
    const plan = planPassthrough({ ...agx(), devices: ['uartc', 'mgbe0', '/bus@0/serial@31d0000', 'uarta'], dt, tables });
    expect(plan.devices.map((d) => [d.name, d.from])).toEqual([['uartc', 'board pack'], ['mgbe0', 'dt'], ['uarti', 'dt'], ['uarta', 'dt']]);
    expect(plan.irqs.filter((i) => i.device === 'mgbe0').map((i) => i.intid)).toEqual([416, 417, 418, 419, 420, 421, 422, 423]);
  });
});

describe('whole systems, merges and guest trees pass the validator and real dtc', () => {
  const orin = (devices: string[], extra: Partial<PlanInput> = {}): PlanInput => ({ board: board('orin_agx'), devices, dt, tables, vm: { ramPhys: 0xc2000000n }, ...extra });
  const qemu = (devices: string[], extra: Partial<PlanInput> = {}): PlanInput => ({ board: board('qemu_virt_aarch64'), devices, ...extra });
  const freshOrin = template('hello.system');

  const cases: [string, string, () => PlanInput, string | undefined][] = [
    ['agx-direct', 'orin_agx', () => orin(['uarta', 'mgbe0', 'host1x', 'vic']), undefined],
    ['agx-path-b', 'orin_agx', () => orin(['uarta', 'mgbe0'], { options: { nicRoute: 'path-b' } }), undefined],
    ['into-path-b-template', 'orin_agx', () => orin(['uarta', 'mgbe0'], { options: { nicRoute: 'path-b' } }), template('orin-agx-path-b.system')],
    ['into-path-b-template-host1x', 'orin_agx', () => orin(['host1x', 'vic']), template('orin-agx-path-b.system')],
    ['into-fresh-orin', 'orin_agx', () => orin(['uarta', 'mgbe0', 'host1x', 'vic']), freshOrin],
    ['into-fresh-orin-path-b', 'orin_agx', () => orin(['uarta', 'mgbe0'], { options: { nicRoute: 'path-b' } }), freshOrin],
    ['qemu-pl011', 'qemu_virt_aarch64', () => qemu(['pl011']), undefined],
    ['into-qemu-libvmm', 'qemu_virt_aarch64', () => qemu(['pl011', 'virtio_mmio0']), template('libvmm-linux.system')],
    ['into-qemu-hello', 'qemu_virt_aarch64', () => qemu(['pl011']), template('hello.system')],
    // A file of someone else's style: licence header, tabs, CRLF line ends, single quotes.
    ['into-crlf-tabs', 'qemu_virt_aarch64', () => qemu(['pl011']), `<!--\r\n  SPDX-License-Identifier: BSD-2-Clause\r\n  Copyright 2026, someone\r\n-->\r\n<system>\r\n\t<protection_domain name='hello' priority='100'>\r\n\t\t<program_image path='hello.elf' />\r\n\t</protection_domain>\r\n</system>\r\n`],
    // A device only the tree knows (no board-pack entry), by its node path.
    ['agx-tree-only-device', 'orin_agx', () => orin(['/bus@0/i2c@3160000', 'uarti']), undefined],
  ];
  for (const [name, b, make, target] of cases) {
    it.runIf(need('dtc'))(`${name}: zero validator errors${target ? ', only additions to the file' : ''}, guest.dts compiles`, () => {
      const input = make();
      if (target) input.system = modelOf(target);
      const plan = planPassthrough(input);
      expect(plan.messages.filter((m) => m.severity === 'error')).toEqual([]);
      const files = renderPassthrough(plan, input);
      expect(errors(files['passthrough.system'], b)).toEqual([]);
      if (target) {
        const merged = withSystem(openSystemDoc(target, 'in.system', { nodes: {} }), passthroughSystem(plan, input), { nodes: {} }, 'in.system');
        expect(merged.lossy).toBeUndefined();
        expect(onlyAdds(target, merged.text), 'the merge only inserts').toBe(true);
        expect(merged.text.slice(0, target.indexOf('<system>'))).toBe(target.slice(0, target.indexOf('<system>')));
        expect(errors(merged.text, b)).toEqual([]);
      }
      dtcCompiles(`${name}.dts`, files['guest.dts']);
    });
  }

  it('the wizard\'s Apply: one edit of the open document, written with only the bytes it needs, undone to the same bytes', () => {
    const target = template('orin-agx-path-b.system');
    const input = orin(['uarta', 'host1x', 'vic'], { system: modelOf(target) });
    const plan = planPassthrough(input);
    const doc = openSystemDoc(target, 'net.system', { nodes: {} });
    const edit = passthroughEdit(plan, input);
    const next = editSystemDoc(doc, edit, 'net.system');
    expect(next.lossy).toBeUndefined();
    expect(onlyAdds(target, next.text)).toBe(true);
    expect(errors(next.text, 'orin_agx')).toEqual([]);
    const { doc: applied, history } = applyEdit(doc, emptyHistory(), edit);
    expect(history.past.length).toBe(1);
    expect(undo(applied, history).doc).toBe(doc);
  });

  it('into the Path B template: its VMM and VM are used, Path B is already there, only UARTA is added', () => {
    const input = orin(['uarta', 'mgbe0'], { options: { nicRoute: 'path-b' }, system: modelOf(template('orin-agx-path-b.system')) });
    const plan = planPassthrough(input);
    expect([plan.vm.vmm, plan.vm.vm, plan.vm.createVmm, plan.vm.createVm]).toEqual(['CLIENT_VMM', 'client_linux', false, false]);
    expect(plan.pathB?.existing).toBe(true);
    const target = template('orin-agx-path-b.system');
    const merged = withSystem(openSystemDoc(target, 'in.system', { nodes: {} }), passthroughSystem(plan, input), { nodes: {} }, 'in.system').text;
    const added = merged.split('\n').filter((l) => !target.split('\n').includes(l));
    expect(added.map((l) => l.trim())).toEqual([
      "<!-- uarta: device registers passed to VM 'client_linux' -->",
      '<memory_region name="uarta" size="0x10000" phys_addr="0x3100000" />',
      '<!-- uarta: SPI 112 -->',
      '<irq irq="144" id="3" />',
      '<map mr="uarta" vaddr="0x3100000" perms="rw" cached="false" />',
    ]);
  });

  it('a fresh Orin system gets the Path B PDs, regions and channels for MGBE0, and the guest sees virtio-net', () => {
    const input = orin(['mgbe0'], { options: { nicRoute: 'path-b' }, system: modelOf(freshOrin) });
    const plan = planPassthrough(input);
    const sys = passthroughSystem(plan, input);
    expect(sys.protectionDomains.map((p) => [p.name, p.priority])).toEqual([['hello', 100], ['vmm', 100], ['client0_net_copier', 200], ['net_virt_rx', 200], ['net_virt_tx', 200], ['eth_driver', 200]]);
    const drv = sys.protectionDomains.find((p) => p.name === 'eth_driver')!;
    // The trusted driver owns all of MGBE0, the hypervisor window included, and the BPMP channel.
    expect(drv.maps.map((m) => m.mr)).toEqual(expect.arrayContaining(['mgbe0_hypervisor', 'mgbe0_mac', 'mgbe0_xpcs', 'bpmp_tx', 'bpmp_rx', 'hsp_dbell']));
    expect(drv.irqs).toMatchObject([{ irq: 416, id: 0 }, { irq: 208, id: 3 }]);
    expect(sys.channels.filter((c) => c.ends.some((e) => e.pd === 'vmm')).length).toBe(2);
    // Nothing of the NIC is in the guest.
    expect(sys.protectionDomains.find((p) => p.name === 'vmm')!.virtualMachine!.maps.map((m) => m.mr)).toEqual(['guest_ram']);
    const g = renderPassthrough(plan, input)['guest.dts'];
    expect(g).toMatch(/virtio_net: virtio@160000 \{\n\t\tcompatible = "virtio,mmio";/);
    expect(g).not.toMatch(/ethernet@/);
  });

  it('clocks and resets: kept with the BPMP node and an explanation by default, removed with the consequence on request', () => {
    const keep = renderPassthrough(planPassthrough(orin(['uarta'])), orin(['uarta']));
    expect(keep['guest.dts']).toMatch(/clocks = <&bpmp 155>; \/\* TEGRA234_CLK_UARTA \*\/\n\t\tclock-names = "serial";\n\t\tresets = <&bpmp 100>; \/\* TEGRA234_RESET_UARTA \*\/\n\t\treset-names = "serial";/);
    expect(keep['guest.dts']).toMatch(/bpmp: bpmp \{\n\t\tcompatible = "nvidia,tegra234-bpmp", "nvidia,tegra186-bpmp";/);
    expect(keep['report.md']).toMatch(/TEGRA234_CLK_UARTA \("serial"\).*kept in the guest's node.*BPMP proxy/);
    const input = orin(['uarta', 'mgbe0'], { options: { firmwareResources: 'remove' } });
    const files = renderPassthrough(planPassthrough(input), input);
    const uarta = files['guest.dts'].slice(files['guest.dts'].indexOf('uarta: serial@3100000'));
    expect(uarta.slice(0, uarta.indexOf('};'))).not.toMatch(/clocks =|resets =/);
    expect(files['guest.dts']).not.toMatch(/bpmp \{/);
    expect(files['report.md']).toMatch(/removed from the guest's node, so the host must leave them on \(a Linux host needs clk_ignore_unused.*serial-tegra.*"serial" reset/);
    expect(files['report.md']).toMatch(/dwmac-tegra does not probe without its clocks/);
    dtcCompiles('clocks-removed.dts', files['guest.dts']);
  });

  it('host1x keeps VIC as its child in the guest tree, without its hypervisor and common windows', () => {
    const g = renderPassthrough(planPassthrough(orin(['host1x', 'vic'])), orin(['host1x', 'vic']))['guest.dts'];
    const node = g.slice(g.indexOf('host1x: host1x@13e40000 {'));
    expect(node).toMatch(/reg-names = "vm", "actmon";/);
    expect(node).toMatch(/ranges;\n\n\t\tvic: vic@15340000 \{/);
    expect(g).not.toMatch(/0x13e00000 0x0 0x10000>|0x13e10000 0x0 0x10000>/);
  });

  it('the timer PPI of an sDDF timer PD next to the passthrough raises no IRQ warning', () => {
    const withTimer = template('hello.system').replace('</system>', '    <protection_domain name="timer" priority="150">\n        <program_image path="timer.elf" />\n        <irq irq="30" id="0" />\n    </protection_domain>\n</system>');
    const input = qemu(['pl011'], { system: modelOf(withTimer) });
    const text = withSystem(openSystemDoc(withTimer, 'in.system', { nodes: {} }), passthroughSystem(planPassthrough(input), input), { nodes: {} }, 'in.system').text;
    const ds = checkSystem(text, 'in.system', kernelConfigForBoard(board('qemu_virt_aarch64'))).diagnostics;
    expect(ds.filter((d) => d.severity === 'error' || d.rule?.startsWith('arm-irq'))).toEqual([]);
  });

  it('a fragment says so in its first line and validates once merged', () => {
    const target = template('orin-agx-path-b.system');
    const input = orin(['uarta', 'host1x'], { system: modelOf(target) });
    const plan = planPassthrough(input);
    const frag = renderPassthrough(plan, input, { fragment: true, target: 'orin-agx-path-b.system' })['passthrough.system'];
    expect(frag.split('\n')[0]).toMatch(/^<!-- seL4 Studio passthrough FRAGMENT, not a whole system: merge it into orin-agx-path-b\.system/);
    // Only the additions: the target's own regions and PDs are not in it.
    expect(frag).not.toMatch(/guest_ram|eth_driver|net_virt_rx/);
    expect(frag).toMatch(/<memory_region name="host1x_vm"/);
    const merged = applyAdditions(modelOf(target), modelOf(frag));
    const text = withSystem(openSystemDoc(target, 'in.system', { nodes: {} }), merged, { nodes: {} }, 'in.system').text;
    expect(errors(text, 'orin_agx')).toEqual([]);
    expect(onlyAdds(target, text)).toBe(true);
  });

  it('the KVM/Ghaf files only on request, each saying in its first line what it is', () => {
    expect(Object.keys(renderPassthrough(planPassthrough(agx()), agx())).sort()).toEqual(['guest.dts', 'passthrough.system', 'report.md', 'vmm_irqs.c']);
    const files = renderPassthrough(planPassthrough(agx()), agx(), { kvmExtras: true });
    expect(files['host-overlay.dts']!.split('\n')[0]).toMatch(/^\/\* KVM\/Ghaf idiom, not used by Microkit/);
    expect(files['qemu-args.txt']!.split('\n')[0]).toMatch(/^# KVM\/Ghaf idiom, not used by Microkit/);
  });

  it.runIf(need('fdtoverlay') && need('dtc') && need('cpp'))('host-overlay.dts applies with fdtoverlay onto the T234 tree built with dtc -@', () => {
    const input = { ...agx(), devices: ['uarti', 'mgbe0', 'hsp_aon'] };
    const files = renderPassthrough(planPassthrough(input), input, { kvmExtras: true });
    const pre = execFileSync('cpp', ['-nostdinc', ...nvInc.flatMap((d) => ['-I', d]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', jp6]);
    const base = path.join(dir, 'base.dtb');
    writeFileSync(base, execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pre }));
    const ovSrc = path.join(dir, 'host-overlay.dts');
    writeFileSync(ovSrc, files['host-overlay.dts']!);
    const ov = path.join(dir, 'host-overlay.dtbo');
    execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', ov, ovSrc]);
    const merged = path.join(dir, 'merged.dtb');
    const r = spawnSync('fdtoverlay', ['-i', base, '-o', merged, ov]);
    expect(r.status, r.stderr.toString()).toBe(0);
    const dts = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', merged]).toString();
    const node = dts.slice(dts.indexOf('ethernet@6800000 {'), dts.indexOf('};', dts.indexOf('ethernet@6800000 {')));
    expect(node).toContain('compatible = "nvidia,dummy";');
    expect(node).toMatch(/iommus = <0x[0-9a-f]+ 0x7f>;/);
  });

  it.runIf(need('aarch64-linux-gnu-gcc'))('vmm_irqs.c compiles for AArch64 against the libvmm and Microkit prototypes, Path B too', () => {
    const inc = path.join(dir, 'include');
    mkdirSync(path.join(inc, 'libvmm'), { recursive: true });
    writeFileSync(path.join(inc, 'microkit.h'), 'typedef unsigned int microkit_channel;\n');
    // The libvmm 0.2 prototypes (libvmm include/libvmm/virq.h).
    writeFileSync(path.join(inc, 'libvmm/virq.h'), '#include <stdbool.h>\n#include <stddef.h>\nbool virq_register_passthrough(size_t vcpu_id, size_t irq, microkit_channel irq_ch);\nbool virq_handle_passthrough(microkit_channel irq_ch);\n');
    for (const [name, input] of [['agx', agx()], ['pathb', orin(['mgbe0'], { options: { nicRoute: 'path-b' } })]] as const) {
      const c = path.join(dir, `vmm_irqs_${name}.c`);
      writeFileSync(c, renderPassthrough(planPassthrough(input), input)['vmm_irqs.c']);
      const r = spawnSync('aarch64-linux-gnu-gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-ffreestanding', '-I', inc, '-c', c, '-o', path.join(dir, `${name}.o`)]);
      expect(r.status, r.stderr.toString()).toBe(0);
    }
  });
});

describe('sel4-studio passthrough', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--only', 'node', '--quiet'], { stdio: 'inherit' });
  }, 120_000);
  const run = (args: string[]) => spawnSync(process.execPath, [bin, 'passthrough', ...args], { encoding: 'utf8', cwd: root });
  const dtArgs = ['--dt', path.relative(root, jp6), '--cpp', ...nvInc.flatMap((d) => ['-i', path.relative(root, d)])];

  it.runIf(need('dtc'))('--into merges into a copy of the Path B template: only insertions, validated, atomically; again is a no-op', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'pt-into-'));
    const file = path.join(d, 'net.system');
    const before = template('orin-agx-path-b.system');
    writeFileSync(file, before);
    const r = run(['--board', 'orin_agx', ...dtArgs, '--device', 'uarta,mgbe0', '--nic-route', 'path-b', '--into', file, '--out', path.join(d, 'out')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*net\.system, .*guest\.dts, .*vmm_irqs\.c, .*report\.md: 1 memory region, 1 IRQ/);
    const after = readFileSync(file, 'utf8');
    expect(onlyAdds(before, after)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
    expect(existsSync(path.join(d, 'out', 'passthrough.system'))).toBe(false);
    expect(spawnSync(process.execPath, [bin, 'validate', file, '--board', 'orin_agx'], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync('dtc', ['-q', '-o', '/dev/null', path.join(d, 'out', 'guest.dts')]).status).toBe(0);
    expect(readFileSync(path.join(d, 'out', 'report.md'), 'utf8')).toMatch(/TEGRA234_CLK_UARTA \("serial"\)/);
    // No temp file left beside it; a second run finds everything there and leaves the bytes alone.
    expect(spawnSync('ls', ['-A', d], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort()).toEqual(['net.system', 'out']);
    const again = run(['--board', 'orin_agx', ...dtArgs, '--device', 'uarta,mgbe0', '--nic-route', 'path-b', '--into', file, '--out', path.join(d, 'out')]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already had everything/);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('refuses what would not validate and writes nothing: an IRQ another PD owns', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'pt-refuse-'));
    const file = path.join(d, 's.system');
    const text = template('hello.system').replace('<program_image path="hello.elf" />', '<program_image path="hello.elf" />\n        <irq irq="33" id="1" />');
    writeFileSync(file, text);
    const r = run(['--board', 'qemu_virt_aarch64', '--device', 'pl011', '--into', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: pl011: INTID 33 \(SPI 1\) already goes to PD 'hello'/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(path.join(d, 'passthrough'))).toBe(false);
  });

  it.runIf(need('dtc'))('a new qemu_virt_aarch64 system passing the PL011: whole, valid; --fragment and --kvm-extras on request', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'pt-qemu-'));
    const r = run(['--board', 'qemu_virt_aarch64', '--device', 'pl011', '--out', d]);
    expect(r.status, r.stderr).toBe(0);
    expect(spawnSync('ls', [d], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)).toEqual(['guest.dts', 'passthrough.system', 'report.md', 'vmm_irqs.c']);
    expect(spawnSync(process.execPath, [bin, 'validate', path.join(d, 'passthrough.system'), '--board', 'qemu_virt_aarch64'], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync('dtc', ['-q', '-o', '/dev/null', path.join(d, 'guest.dts')]).status).toBe(0);
    const f = mkdtempSync(path.join(os.tmpdir(), 'pt-frag-'));
    expect(run(['--board', 'qemu_virt_aarch64', '--device', 'pl011', '--out', f, '--fragment', '--kvm-extras']).status).toBe(0);
    expect(readFileSync(path.join(f, 'passthrough.system'), 'utf8').split('\n')[0]).toMatch(/FRAGMENT, not a whole system/);
    expect(readFileSync(path.join(f, 'qemu-args.txt'), 'utf8')).toMatch(/^# KVM\/Ghaf idiom[^\n]*\n-device vfio-platform,host=9000000\.pl011\n$/);
  });

  it('--list and --facts show the devices, grouped, with names for clocks and resets', () => {
    const l = run(['--board', 'orin_agx', ...dtArgs, '--list', 'ethernet@6800000']);
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/^Ethernet\n {2}mgbe0 \/bus@0\/ethernet@6800000\n {4}nvidia,tegra234-mgbe \| mac 0x6810000\+0x10000, xpcs 0x68a0000\+0x10000, macsec-base 0x68d0000\+0x10000, hypervisor 0x6800000\+0x10000 \(hypervisor\) \| SPI 384\/INTID 416/);
    const f = run(['--board', 'orin_agx', ...dtArgs, '--facts', 'uarta']);
    expect(f.stdout).toMatch(/clock TEGRA234_CLK_UARTA \("serial"\) = \/bpmp 155\n {2}reset TEGRA234_RESET_UARTA \("serial"\) = \/bpmp 100/);
  });
});
