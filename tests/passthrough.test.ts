import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDtb } from '../shared/dt/dtb';
import { parseDtsFile } from '../shared/dt/parse';
import { indexTree } from '../shared/dt/query';
import type { BoardPack } from '../shared/model/board';
import { planPassthrough, type PlanInput } from '../shared/passthrough/plan';
import { renderPassthrough } from '../shared/passthrough/render';
import { checkSystem } from '../shared/sdf/check';
import { kernelConfigForBoard } from '../shared/model/board';
import { loadBoards } from '../electron/services/boards';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.join(root, 'tests/fixtures/dts-corpus');
const NV = 'sradcliffe-nottinghamspirk__t23x-nv-public';
const nvInc = ['nv-platform', 'include/kernel', 'include/nvidia-oot', 'include/platforms', '', 'nv-soc'].map((d) => path.join(corpus, NV, d));
const tool = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
const need = (cmd: string) => {
  if (!tool(cmd) && process.env.CI === 'true') throw new Error(`${cmd} is required in CI`);
  return tool(cmd);
};
let boards: BoardPack[];
beforeAll(async () => {
  boards = (await loadBoards(path.join(root, 'boards'))).boards;
});
const board = (n: string) => boards.find((b) => b.name === n)!;

/** The AGX libvmm passthrough of reference/field-notes.md §1 (Path A), with 768 MiB of 1:1 guest RAM at 0xc2000000. */
const agx = (): PlanInput => ({
  board: board('orin_agx'),
  devices: ['uartc', 'hsp_top0', 'hsp_aon', 'bpmp_shmem', 'mgbe0', 'host1x', 'vic'],
  vm: { name: 'linux', vmm: 'vmm', ramBase: 0xc2000000n, ramSize: 0x30000000n, ramPhys: 0xc2000000n },
  firstId: 2,
});

describe('passthrough planner on the AGX Orin', () => {
  it('the field-notes set comes out: UARTC + IRQ, HSP TOP0 + AON and their IRQs, BPMP shared memory, MGBE0 ranges + IRQ, host1x ranges + IRQs, VIC + IRQ', () => {
    const plan = planPassthrough(agx());
    expect(plan.messages.filter((m) => m.severity === 'error')).toEqual([]);
    const region = (a: bigint) => plan.regions.find((r) => r.physAddr === a);
    for (const [addr, size] of [[0x0c280000n, 0x10000n], [0x03c00000n, 0xa0000n], [0x0c150000n, 0x90000n], [0x40070000n, 0x1000n], [0x40071000n, 0x1000n], [0x06800000n, 0x10000n], [0x06810000n, 0x10000n], [0x068a0000n, 0x10000n], [0x13e00000n, 0x10000n], [0x13e10000n, 0x10000n], [0x13e40000n, 0x10000n], [0x15340000n, 0x40000n]] as const) {
      expect(region(addr), `region at 0x${addr.toString(16)}`).toMatchObject({ size, guestAddr: addr });
    }
    const intids = plan.irqs.map((i) => i.intid);
    expect(intids).toEqual(expect.arrayContaining([146, 416, 238, 295, ...[152, 153, 154, 155, 156, 157, 158, 159, 208], 165, 166, 167, 168, 480, 487]));
    // Channel ids from 2 upwards, unique, within 0-61 (the AGX port used channels 2-25 for its table).
    const ids = plan.irqs.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBe(2);
    expect(Math.max(...ids)).toBeLessThanOrEqual(61);
    // BPMP dependencies are flagged with the trusted-driver route for the NIC.
    expect(plan.messages.find((m) => m.device === 'mgbe0' && /BPMP/.test(m.message))?.message).toMatch(/Path B/);
  });

  it('warns when a bus master gets guest RAM that is not 1:1, refuses the TCU and a device chosen twice', () => {
    const input = agx();
    delete input.vm.ramPhys;
    expect(planPassthrough(input).messages.some((m) => m.device === 'mgbe0' && /1:1/.test(m.message))).toBe(true);
    const bad = planPassthrough({ ...agx(), devices: ['tcu', 'uarti', 'uarti', 'nonesuch'] });
    expect(bad.messages.filter((m) => m.severity === 'error').map((m) => m.device)).toEqual(['tcu', 'uarti', 'nonesuch']);
  });

  it('VIC alone is told it needs host1x; remapping moves the guest addresses and the guest DT with them', () => {
    const plan = planPassthrough({ ...agx(), devices: ['uarti', 'vic'], remap: { uarti: 0x09000000n } });
    expect(plan.messages.some((m) => m.device === 'vic' && /needs host1x/.test(m.message))).toBe(true);
    expect(plan.regions.find((r) => r.physAddr === 0x031d0000n)?.guestAddr).toBe(0x09000000n);
    const files = renderPassthrough(plan, { ...agx(), devices: ['uarti', 'vic'], remap: { uarti: 0x09000000n } });
    expect(files['guest.dts']).toContain('uarti: serial@9000000 {');
    expect(files['passthrough.system']).toContain('<map mr="uarti" vaddr="0x9000000" perms="rw" cached="false" />');
  });

  it('takes the facts from the running board\'s DT when it has the node (MGBE0 power domain and regs from JetPack 6)', () => {
    const tree = parseDtsFile(path.join(corpus, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts'), { cpp: true, includeDirs: nvInc, readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined) });
    const plan = planPassthrough({ ...agx(), dt: indexTree(tree) });
    expect(plan.devices.find((d) => d.device.name === 'mgbe0')?.from).toBe('dt');
    expect(plan.devices.find((d) => d.device.name === 'uartc')?.from).toBe('board pack');
    expect(plan.irqs.filter((i) => i.device === 'mgbe0').map((i) => i.intid)).toEqual([416, 417, 418, 419, 420, 421, 422, 423]);
  });
});

describe('generated files work with the real tools', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'passthrough-'));
  it.runIf(need('dtc'))('guest.dts compiles with dtc, and with our compiler to the same bytes', () => {
    for (const [name, input] of [
      ['agx', agx()],
      ['qemu', { board: board('qemu_virt_aarch64'), devices: ['pl011', 'virtio_mmio0'], vm: { name: 'linux', vmm: 'vmm', ramBase: 0x40000000n, ramSize: 0x10000000n, ramPhys: 0x40000000n, vcpus: 2 } }],
    ] as [string, PlanInput][]) {
      const files = renderPassthrough(planPassthrough(input), input);
      const f = path.join(dir, `${name}-guest.dts`);
      writeFileSync(f, files['guest.dts']);
      const theirs = execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', f]);
      const ours = writeDtb(parseDtsFile(f, { readFile: (p) => readFileSync(p, 'utf8') }));
      expect(Buffer.compare(Buffer.from(ours), theirs), name).toBe(0);
    }
  });

  it.runIf(need('fdtoverlay') && need('dtc') && need('cpp'))('host-overlay.dts applies with fdtoverlay onto the T234 tree built with dtc -@', () => {
    const input = { ...agx(), devices: ['uarti', 'mgbe0', 'hsp_aon'] };
    const files = renderPassthrough(planPassthrough(input), input);
    const src = path.join(corpus, NV, 'nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts');
    const pre = execFileSync('cpp', ['-nostdinc', ...nvInc.flatMap((d) => ['-I', d]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', src]);
    const base = path.join(dir, 'base.dtb');
    writeFileSync(base, execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pre }));
    const ovSrc = path.join(dir, 'host-overlay.dts');
    writeFileSync(ovSrc, files['host-overlay.dts']);
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

  it.runIf(need('aarch64-linux-gnu-gcc'))('vmm_irqs.c compiles for AArch64 against the libvmm and Microkit prototypes', () => {
    const files = renderPassthrough(planPassthrough(agx()), agx());
    const inc = path.join(dir, 'include');
    mkdirSync(path.join(inc, 'libvmm'), { recursive: true });
    writeFileSync(path.join(inc, 'microkit.h'), 'typedef unsigned int microkit_channel;\n');
    // The libvmm 0.2 prototypes (libvmm include/libvmm/virq.h).
    writeFileSync(path.join(inc, 'libvmm/virq.h'), '#include <stdbool.h>\n#include <stddef.h>\nbool virq_register_passthrough(size_t vcpu_id, size_t irq, microkit_channel irq_ch);\nbool virq_handle_passthrough(microkit_channel irq_ch);\n');
    const c = path.join(dir, 'vmm_irqs.c');
    writeFileSync(c, files['vmm_irqs.c']);
    const r = spawnSync('aarch64-linux-gnu-gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-ffreestanding', '-I', inc, '-c', c, '-o', path.join(dir, 'vmm_irqs.o')]);
    expect(r.status, r.stderr.toString()).toBe(0);
  });

  it('passthrough.system, merged into a VMM system, passes the Microkit checks for orin_agx', () => {
    const files = renderPassthrough(planPassthrough(agx()), agx());
    const frag = files['passthrough.system'];
    const regions = frag.match(/<memory_region [^>]*\/>/g)!.join('\n');
    const irqs = frag.match(/<irq [^>]*\/>/g)!.join('\n');
    const maps = frag.match(/<map [^>]*\/>/g)!.join('\n');
    const system = `<system>
${regions}
<memory_region name="guest_ram" size="0x30000000" phys_addr="0xc2000000" page_size="0x200000" />
<protection_domain name="vmm" priority="254"><program_image path="vmm.elf" />
<map mr="guest_ram" vaddr="0x20000000" perms="rw" />
${irqs}
<virtual_machine name="linux"><vcpu id="0" /><map mr="guest_ram" vaddr="0xc2000000" perms="rwx" />
${maps}
</virtual_machine></protection_domain></system>`;
    const r = checkSystem(system, 'agx.system', kernelConfigForBoard(board('orin_agx')));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
