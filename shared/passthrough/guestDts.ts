import type { BoardPack } from '../model/board';
import { hex } from '../format/hex';
import { readBe32 } from '../format/bigEndian';
import { fromUtf8 } from '../format/utf8';
import type { Property } from '../dt/tree';
import { strings } from '../dt/query';
import type { BpmpChannel } from './bpmp';
import type { NamedSpecifier } from './facts';
import type { Plan, PlanInput, PlannedDevice } from './plan';

/**
 * The guest's device tree: CPUs, memory, GIC, timer, the firmware providers the devices' clocks and resets name,
 * and only the devices passed through, at their guest addresses (plus the virtio-net device of Path B). Every choice
 * the plan made (a window kept out, clocks kept or removed) is written as a comment where it applies.
 */
const cells2 = (n: bigint) => `${hex(n >> 32n)} ${hex(n & 0xffffffffn)}`;
const unitOf = (path: string) => path.split('/').pop()!;

/** Properties of the board's node worth carrying into the guest's: they describe the device, not other nodes. */
const CARRY = new Set(['current-speed', 'clock-frequency', 'phy-mode', 'phy-connection-type', 'local-mac-address', 'mac-address', 'reg-shift', 'reg-io-width', 'dma-coherent', 'max-speed', 'fifo-size', 'nvidia,adjust-baud-rates']);
/** Properties the guest's node writes itself, or that only make sense on the host. */
const OWN = /^(compatible|reg|reg-names|interrupts|interrupts-extended|interrupt-names|interrupt-parent|clocks|clock-names|resets|reset-names|power-domains|power-domain-names|status|phandle|linux,phandle|#address-cells|#size-cells|ranges)$/;

function printValue(p: Property): string {
  const v = p.value;
  if (!v.length) return '';
  const printable = [...v].every((c) => (c >= 0x20 && c < 0x7f) || c === 0);
  if (printable && v[v.length - 1] === 0 && v[0] !== 0) return ` = ${fromUtf8(v.subarray(0, v.length - 1)).split('\0').map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(', ')}`;
  if (v.length % 4 === 0) {
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push(hex(readBe32(v, i)));
    return ` = <${cells.join(' ')}>`;
  }
  return ` = [${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** The firmware providers the kept clocks/resets/power domains point at, with the label the guest uses. */
interface Provider {
  path: string;
  label: string;
  compatible: string[];
}

function providersOf(plan: Plan, input: PlanInput): Map<string, Provider> {
  const out = new Map<string, Provider>();
  if (plan.options.firmwareResources !== 'keep') return out;
  for (const pd of plan.devices.filter((d) => d.route === 'direct')) {
    for (const s of [...pd.facts.clocks, ...pd.facts.resets, ...pd.facts.powerDomains]) {
      if (out.has(s.provider)) continue;
      const loc = input.dt?.byPath.get(s.provider);
      const compatible = loc ? strings(loc.node, 'compatible') : [`nvidia,${(input.board.bindingNames?.prefix ?? 'soc').toLowerCase()}-bpmp`];
      const label = (loc?.node.labels[0] ?? unitOf(s.provider).split('@')[0]!).replace(/[^A-Za-z0-9_]/g, '_');
      out.set(s.provider, { path: s.provider, label, compatible });
    }
  }
  return out;
}

function gicNode(board: BoardPack, vcpus: number): string[] {
  const gic = board.gic;
  if (!gic) return [];
  const regs = gic.regs.filter((r) => gic.version === 3 || r.name === 'distributor' || r.name === 'cpu');
  const reg = regs.map((r) => {
    // GICv3: one redistributor frame (0x20000) per vCPU (t234-devices.md §1, libvmm note).
    const size = gic.version === 3 && r.name === 'redistributor' ? BigInt(0x20000 * vcpus) : BigInt(r.size);
    return `<${cells2(BigInt(r.address))} ${cells2(size)}>`;
  });
  return [`\tgic: interrupt-controller@${BigInt(gic.regs[0]!.address).toString(16)} {`, `\t\tcompatible = "${gic.compatible}";`, '\t\t#interrupt-cells = <3>;', '\t\tinterrupt-controller;', `\t\treg = ${reg.join(', ')};`, '\t};', ''];
}

function specList(label: string, list: NamedSpecifier[], providers: Map<string, Provider>): string {
  return list.map((s) => `<&${providers.get(s.provider)?.label ?? label} ${s.id}>`).join(', ');
}

function firmwareLines(pd: PlannedDevice, plan: Plan, providers: Map<string, Provider>): string[] {
  const f = pd.facts;
  const kinds: [string, string, NamedSpecifier[]][] = [
    ['clocks', 'clock-names', f.clocks],
    ['resets', 'reset-names', f.resets],
    ['power-domains', 'power-domain-names', f.powerDomains],
  ];
  const present = kinds.filter(([, , l]) => l.length);
  if (!present.length) return [];
  const named = (l: NamedSpecifier[]) => l.map((s) => `${s.name ?? `#${s.id}`}${s.cellName ? ` "${s.cellName}"` : ''}`).join(', ');
  if (plan.options.firmwareResources === 'remove') {
    return [`\t\t/* Removed (the host leaves them on): ${present.map(([p, , l]) => `${p} ${named(l)}`).join('; ')}. */`];
  }
  const out = [`\t\t/* Requests to the BPMP firmware, proxied by the VMM (the report says what that takes). */`];
  for (const [prop, names, l] of present) {
    out.push(`\t\t${prop} = ${specList('bpmp', l, providers)}; /* ${l.map((s) => s.name ?? s.id).join(', ')} */`);
    if (l.every((s) => s.cellName)) out.push(`\t\t${names} = ${l.map((s) => `"${s.cellName}"`).join(', ')};`);
  }
  return out;
}

/** The planned device a device sits under (VIC under host1x), when both are passed: the guest keeps the nesting. */
function parentOf(pd: PlannedDevice, direct: PlannedDevice[]): PlannedDevice | undefined {
  const path = pd.facts.parentDevice ?? pd.entry.path?.slice(0, pd.entry.path.lastIndexOf('/'));
  return path ? direct.find((d) => d !== pd && d.entry.path === path) : undefined;
}

function deviceNode(pd: PlannedDevice, plan: Plan, input: PlanInput, providers: Map<string, Provider>, direct: PlannedDevice[], depth = 1): string[] {
  const e = pd.entry;
  const t = '\t'.repeat(depth);
  const base = e.path ? unitOf(e.path).split('@')[0] : e.group === 'serial' ? 'serial' : pd.name;
  const lines = [`${t}${pd.name}: ${base}@${pd.guestRegs[0] ? pd.guestRegs[0].address.toString(16) : '0'} {`, `\t\tcompatible = ${e.compatible.map((c) => `"${c}"`).join(', ')};`];
  for (const w of pd.excluded) lines.push(`\t\t/* '${w.name}' ${hex(w.address)}+${hex(w.size)} is not given to the guest: ${w.reason.split(':')[0]} (report.md says what that costs). */`);
  if (pd.guestRegs.length) lines.push(`\t\treg = ${pd.guestRegs.map((r) => `<${cells2(r.address)} ${cells2(r.size)}>`).join(', ')};`);
  if (pd.guestRegs.length && pd.guestRegs.every((r) => r.name)) lines.push(`\t\treg-names = ${pd.guestRegs.map((r) => `"${r.name}"`).join(', ')};`);
  if (pd.irqs.length) {
    lines.push(`\t\tinterrupts = ${pd.irqs.map((i) => `<0 ${i.spi} ${i.trigger === 'edge' ? 1 : 4}>`).join(', ')};`);
    if (pd.irqs.every((i) => i.name)) lines.push(`\t\tinterrupt-names = ${pd.irqs.map((i) => `"${i.name}"`).join(', ')};`);
  }
  lines.push(...firmwareLines(pd, plan, providers));
  const written = new Set<string>();
  for (const p of pd.board?.guestProps ?? []) {
    lines.push(`\t\t${p}`);
    written.add(/^([^\s=;]+)/.exec(p)?.[1] ?? p);
  }
  const node = e.path ? input.dt?.byPath.get(e.path)?.node : undefined;
  for (const p of node?.props ?? []) {
    if (CARRY.has(p.name) && !written.has(p.name)) {
      lines.push(`\t\t${p.name}${printValue(p)};`);
      written.add(p.name);
    }
  }
  if (pd.facts.dmaCoherent && !written.has('dma-coherent')) lines.push('\t\tdma-coherent;');
  lines.push('\t\tstatus = "okay";');
  const children = direct.filter((d) => parentOf(d, direct) === pd);
  if (children.length) {
    // Its clients stay its children (the host1x bus driver finds them there); guest addresses pass through as they are.
    lines.push('\t\t#address-cells = <2>;', '\t\t#size-cells = <2>;', '\t\tranges;', '');
    for (const c of children) lines.push(...deviceNode(c, plan, input, providers, direct, 2));
    if (lines[lines.length - 1] === '') lines.pop();
  }
  lines.push('\t};', '');
  // Properties are written one level in; a child's lines are indented once more.
  return depth === 1 ? lines : lines.map((l, i) => (i === 0 || !l ? l : `\t${l}`));
}

/**
 * The guest's BPMP node, complete as the T234 binding requires (mboxes, shmem), with the HSP and the SYSRAM pages it
 * names at the host's addresses. A passed-through HSP is named as it is (its node is the device's); otherwise each is
 * the VMM's to provide (report.md: the BPMP proxy).
 */
function bpmpNodes(ch: BpmpChannel, direct: PlannedDevice[]): string[] {
  const lines: string[] = [];
  const passedHsp = direct.find((d) => d.entry.path === ch.mbox.path);
  const mboxLabel = passedHsp?.name ?? ch.mbox.label;
  if (!passedHsp) {
    const db = ch.mbox.doorbell;
    lines.push(
      `	/* The BPMP's mailbox as the guest sees it: the VMM's BPMP proxy traps it (not mapped) and rings ${unitOf(ch.mbox.path)}'s doorbell for allowed requests. */`,
      `	${mboxLabel}: ${unitOf(ch.mbox.path)} {`,
      `		compatible = ${ch.mbox.compatible.map((c) => `"${c}"`).join(', ')};`,
      `		reg = <${cells2(ch.mbox.address)} ${cells2(ch.mbox.size)}>;`,
      ...(db ? [`		interrupts = <0 ${db.spi} ${db.trigger === 'edge' ? 1 : 4}>;`, '		interrupt-names = "doorbell";'] : []),
      `		#mbox-cells = <${ch.mbox.args.length}>;`,
      '	};',
      '',
    );
  }
  const lo = ch.shmem.reduce((a, m) => (m.address < a ? m.address : a), ch.shmem[0]!.address);
  const hi = ch.shmem.reduce((a, m) => (m.address + m.size > a ? m.address + m.size : a), 0n);
  lines.push(
    '	/* The BPMP IPC pages (TX, RX) as the guest sees them: memory the VMM provides and copies to and from SYSRAM for allowed requests. */',
    `	sram@${lo.toString(16)} {`,
    '		compatible = "mmio-sram";',
    `		reg = <${cells2(lo)} ${cells2(hi - lo)}>;`,
    '		#address-cells = <1>;',
    '		#size-cells = <1>;',
    `		ranges = <0x0 ${cells2(lo)} ${hex(hi - lo)}>;`,
    '		no-memory-wc;',
  );
  for (const m of ch.shmem) {
    const off = m.address - lo;
    lines.push('', `		${m.label}: ${m.name}@${off.toString(16)} {`, `			reg = <${hex(off)} ${hex(m.size)}>;`, ...(m.labelProp ? [`			label = "${m.labelProp.replace(/["\\]/g, '\\$&')}";`] : []), '			pool;', '		};');
  }
  lines.push(
    '	};',
    '',
    `	/* ${ch.path} of the board: the devices' clocks, resets and power domains are requests to it, through the mailbox and pages above (the VMM's BPMP proxy allows exactly those; report.md). */`,
    `	${ch.label}: ${unitOf(ch.path)} {`,
    `		compatible = ${ch.compatible.map((c) => `"${c}"`).join(', ')};`,
    `		mboxes = <&${mboxLabel} ${ch.mbox.args.map((a) => hex(a)).join(' ')}>;`,
    `		shmem = ${ch.shmem.map((m) => `<&${m.label}>`).join(', ')};`,
    '		#clock-cells = <1>;',
    '		#reset-cells = <1>;',
    '		#power-domain-cells = <1>;',
    '	};',
    '',
  );
  return lines;
}

/** Properties of the board's node that the guest's leaves out (they name other nodes or host-only settings). */
export function notCarried(pd: PlannedDevice, input: PlanInput): string[] {
  const node = pd.entry.path ? input.dt?.byPath.get(pd.entry.path)?.node : undefined;
  if (!node) return [];
  const written = new Set((pd.board?.guestProps ?? []).map((p) => /^([^\s=;]+)/.exec(p)?.[1] ?? p));
  return node.props.filter((p) => !OWN.test(p.name) && !CARRY.has(p.name) && !written.has(p.name)).map((p) => p.name);
}

export function guestDts(plan: Plan, input: PlanInput): string {
  const { board } = input;
  const vm = plan.vm;
  const direct = plan.devices.filter((d) => d.route === 'direct');
  const cpu = board.cpu.replace(/ae$/, '');
  const lines = [
    '/dts-v1/;',
    '',
    `/* Generated by seL4 Studio: guest of '${vm.vm}' (VMM PD '${vm.vmm}') on ${board.name}, with ${direct.map((d) => d.name).join(', ') || 'no devices'} passed through${plan.pathB ? ` and ${plan.pathB.nic.name} behind the trusted driver (virtio-net)` : ''}. */`,
    '/ {',
    '\t#address-cells = <2>;',
    '\t#size-cells = <2>;',
    '\tcompatible = "linux,dummy-virt";',
    '\tinterrupt-parent = <&gic>;',
    '',
    '\tcpus {',
    '\t\t#address-cells = <1>;',
    '\t\t#size-cells = <0>;',
  ];
  for (let i = 0; i < vm.vcpus; i++) lines.push(`\t\tcpu@${i} {`, '\t\t\tdevice_type = "cpu";', `\t\t\tcompatible = "arm,${cpu}";`, `\t\t\treg = <${i}>;`, '\t\t\tenable-method = "psci";', '\t\t};');
  lines.push('\t};', '', '\tpsci {', '\t\tcompatible = "arm,psci-1.0", "arm,psci-0.2";', '\t\tmethod = "hvc";', '\t};', '');
  lines.push(`\tmemory@${vm.ramBase.toString(16)} {`, '\t\tdevice_type = "memory";', `\t\treg = <${cells2(vm.ramBase)} ${cells2(vm.ramSize)}>;`, '\t};', '');
  lines.push('\ttimer {', '\t\tcompatible = "arm,armv8-timer";', '\t\tinterrupts = <1 13 0xf08>, <1 14 0xf08>, <1 11 0xf08>, <1 10 0xf08>;', '\t};', '');
  lines.push(...gicNode(board, vm.vcpus));
  const providers = providersOf(plan, input);
  for (const p of providers.values()) {
    if (plan.bpmp && plan.bpmp.path === p.path) {
      lines.push(...bpmpNodes(plan.bpmp, direct));
      continue;
    }
    lines.push(
      `\t/* ${p.path} of the board: the devices' clocks, resets and power domains are requests to it. The guest's driver needs`,
      '\t * mboxes and shmem for the channel the VMM proxies (a BPMP proxy with an allow-list); until then its consumers defer. */',
      `\t${p.label}: ${unitOf(p.path)} {`,
      `\t\tcompatible = ${p.compatible.map((c) => `"${c}"`).join(', ')};`,
      '\t\t#clock-cells = <1>;',
      '\t\t#reset-cells = <1>;',
      '\t\t#power-domain-cells = <1>;',
      '\t};',
      '',
    );
  }
  for (const pd of direct) if (!parentOf(pd, direct)) lines.push(...deviceNode(pd, plan, input, providers, direct));
  const v = plan.pathB?.virtio;
  if (v) {
    lines.push(
      `\t/* virtio-net, emulated by the VMM (Path B): frames go through client0_net_copier and the sDDF virtualisers to eth_driver. MAC ${v.mac}: the driver's must be the same. */`,
      `\tvirtio_net: virtio@${v.guestAddr.toString(16)} {`,
      '\t\tcompatible = "virtio,mmio";',
      `\t\treg = <${cells2(v.guestAddr)} ${cells2(v.size)}>;`,
      `\t\tinterrupts = <0 ${v.intid - 32} 1>;`,
      '\t\tdma-coherent;',
      '\t};',
      '',
    );
  }
  const uart = direct.find((d) => d.entry.group === 'serial');
  if (uart) lines.push('\tchosen {', `\t\tstdout-path = &${uart.name};`, '\t};');
  lines.push('};', '');
  return lines.join('\n');
}
