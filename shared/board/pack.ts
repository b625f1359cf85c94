import { hex } from '../format/hex';
import { BoardPackSchema, type BoardPack, type Device } from '../model/board';
import type { DeviceEntry } from '../passthrough/devices';
import { checkLoaderLink, proposeLoaderLink, treeSource, type LinkProposal, type TreeFacts, type UartFacts } from './fromTree';

/**
 * A board pack from a device tree's facts (fromTree.ts): the last step of the board wizard and of
 * `sel4-studio board from-dt`. Every fact carries its source (`device tree <file>: <node path>`, in `factSources`
 * and on the GIC, timer, PSCI, CPUs and devices); what the tree cannot say (the gcc CPU when the core is unknown,
 * the link address the user typed) is in `unsourced` with the reason.
 */
export interface PackOptions {
  name: string;
  title?: string;
  /** Bytes the loader image carries (the proposal's room); default 32 MiB. */
  payloadSize?: bigint;
  /** Bytes at the start of RAM kept for the kernel and its copies (default: the payload + fromTree KERNEL_MARGIN). */
  kernelArea?: bigint;
  /** A link address the user chose instead of the proposal (checked, not replaced). */
  loaderLinkAddress?: bigint;
  /** Cores for the smp-* configurations; default: the tree's CPU count when more than one. */
  smpCores?: number;
  /** Hypervisor support (KernelArmHypervisorSupport); default on for AArch64 with a GIC that can virtualise, as Microkit. */
  hypervisor?: boolean;
  /** Extra devices (node paths) for the pack, from the device picker; the UARTs are always in. */
  devices?: string[];
  /** The devices the picker listed, to resolve `devices` (pickableDevices). */
  catalogue?: readonly DeviceEntry[];
}

export interface PackResult {
  pack?: BoardPack;
  link: LinkProposal;
  /** Why no pack was made, or what in it is doubtful (with the schema's paths). */
  problems: string[];
}

export const DEFAULT_PAYLOAD = 0x200_0000n;

/** `cortex-a53` from `arm,cortex-a53` (gcc's -mcpu); undefined for a core gcc does not name that way. */
export function gccCpu(compatible: string): string | undefined {
  const m = /^arm,(cortex-a\d+(?:ae)?)(?:-64bit)?$/.exec(compatible);
  return m ? m[1] : undefined;
}

const deviceName = (path: string, used: Set<string>) => {
  const leaf = path.split('/').pop()!;
  const [base, unit] = leaf.split('@') as [string, string | undefined];
  let name = `${base}${unit ? `_${unit}` : ''}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  for (let k = 2; used.has(name); k++) name = `${name}_${k}`;
  used.add(name);
  return name;
};

function uartDevice(u: UartFacts, file: string, used: Set<string>): Device {
  const name = deviceName(u.path, used);
  const notes = [u.stdout ? 'the console (stdout-path)' : '', u.kernel ? "the kernel's UART (seL4,kernel-devices)" : '', u.status !== 'okay' ? `status "${u.status}" in the tree` : ''].filter(Boolean);
  return {
    name,
    title: `${u.compatible[0] ?? 'UART'} ${u.labels[0] ?? ''}`.trim(),
    kind: 'uart',
    compatible: u.compatible,
    dtPath: u.path,
    regs: u.regs.map((r) => ({ address: hex(r.base), size: hex(r.size) })),
    irqs: u.intids.filter((i) => i >= 32).map((i) => ({ spi: i - 32, trigger: 'level' as const })),
    clocks: [],
    resets: [],
    powerDomains: [],
    dma: false,
    passthrough: u.stdout || u.kernel ? 'with-care' : 'yes',
    requires: [],
    guestProps: [],
    notes: u.stdout || u.kernel ? [...notes, 'the loader and the kernel print on it: give a guest another UART, or share it through a console virtualiser'] : notes,
    sources: [treeSource(file, u.path)],
  };
}

export function boardPackFromFacts(facts: TreeFacts, opts: PackOptions): PackResult {
  const problems: string[] = facts.problems.filter((p) => p.severity === 'error').map((p) => `${p.path}: ${p.message}`);
  const payloadSize = opts.payloadSize ?? DEFAULT_PAYLOAD;
  const linkOpts = { payloadSize, ...(opts.kernelArea !== undefined ? { kernelArea: opts.kernelArea } : {}) };
  const link: LinkProposal = opts.loaderLinkAddress !== undefined ? { address: opts.loaderLinkAddress, reason: `${hex(opts.loaderLinkAddress)}: given`, problems: checkLoaderLink(facts, opts.loaderLinkAddress, linkOpts) } : proposeLoaderLink(facts, linkOpts);
  problems.push(...link.problems.map((p) => `loaderLinkAddress: ${p}`));
  if (!facts.arch) problems.push(`arch: the CPU compatibles (${facts.cpus.models.map((m) => m.compatible).join(', ') || 'none'}) name neither an Arm Cortex-A core nor a RISC-V hart`);
  if (problems.length && (!facts.arch || !facts.memory.length)) return { link, problems };

  const file = facts.file;
  const src = (path: string) => treeSource(file, path);
  const factSources: Record<string, string> = {};
  const unsourced: Record<string, string> = {};
  const arch = facts.arch!;
  factSources.arch = src(facts.cpus.paths[0] ?? '/cpus');

  const coreModel = facts.cpus.models.find((m) => gccCpu(m.compatible)) ?? facts.cpus.models[0];
  let cpu = coreModel ? gccCpu(coreModel.compatible) : undefined;
  if (cpu) factSources.cpu = src(facts.cpus.paths[0]!);
  else {
    cpu = arch === 'riscv64' ? 'rv64imac' : 'generic';
    unsourced.cpu = `the tree's core (${coreModel?.compatible ?? 'none'}) has no gcc -mcpu name here: "${cpu}" is a placeholder`;
  }

  const used = new Set<string>();
  const devices: Device[] = facts.uarts.map((u) => uartDevice(u, file, used));
  for (const path of opts.devices ?? []) {
    const e = opts.catalogue?.find((d) => d.path === path);
    if (!e) {
      problems.push(`devices: ${path} is not a device of the tree`);
      continue;
    }
    if (facts.uarts.some((u) => u.path === path)) continue;
    devices.push({
      name: deviceName(path, used),
      title: e.compatible[0] ?? e.name,
      kind: 'other',
      compatible: e.compatible,
      dtPath: path,
      regs: e.regs.filter((r) => r.translated).map((r) => ({ ...(r.name ? { name: r.name } : {}), address: hex(r.address), size: hex(r.size) })),
      irqs: e.irqs.filter((i) => i.kind === 'SPI').map((i) => ({ ...(i.name ? { name: i.name } : {}), spi: i.number!, trigger: i.trigger ?? 'level' })),
      clocks: [],
      resets: [],
      powerDomains: [],
      dma: false,
      passthrough: e.notPassable ? 'no' : 'yes',
      requires: [],
      guestProps: [],
      notes: e.notPassable ? [e.notPassable] : [],
      sources: [src(path)],
    });
  }

  const hypervisor = opts.hypervisor ?? (arch === 'aarch64' && (facts.gic?.virtualization ?? false));
  factSources.hypervisor =
    opts.hypervisor !== undefined ? 'given' : arch === 'aarch64' ? `Microkit builds AArch64 kernels with KernelArmHypervisorSupport=ON (reference/microkit-sdf.md §9)${facts.gic ? `; ${src(facts.gic.path)} ${facts.gic.virtualization ? 'has' : 'lacks'} the virtual CPU interface` : ''}` : 'Microkit: no hypervisor on RISC-V';
  const smpCores = opts.smpCores ?? (facts.cpus.count > 1 ? facts.cpus.count : undefined);
  if (smpCores) factSources.smpCores = opts.smpCores !== undefined ? 'given' : `${src('/cpus')} (${facts.cpus.count} cores)`;

  const first = facts.memory[0]!;
  factSources.memory = [...new Set(facts.memory.map((b) => b.path))].map(src).join('; ') + (facts.reserved.length ? `; ${[...new Set(facts.reserved.map((r) => r.path))].map(src).join('; ')}` : '');
  if (link.address !== undefined) factSources.loaderLinkAddress = opts.loaderLinkAddress !== undefined ? 'given' : `proposed from ${src('/memory')} and /reserved-memory: ${link.reason}`;
  if (facts.addressWidth.paBits) factSources.paBits = facts.addressWidth.how;

  const pack: Record<string, unknown> = {
    name: opts.name,
    title: opts.title ?? facts.model ?? opts.name,
    arch,
    cpu,
    ...(arch === 'aarch64' && facts.addressWidth.paBits ? { paBits: facts.addressWidth.paBits } : {}),
    ...(smpCores ? { smpCores } : {}),
    hypervisor,
    ...(link.address !== undefined && !link.problems.length ? { loaderLinkAddress: hex(link.address) } : {}),
    defaultImage: arch === 'riscv64' ? 'uimage' : 'binary',
    experimental: true,
    memory: {
      base: hex(first.base),
      banks: facts.memory.map((b) => ({ base: hex(b.base), size: hex(b.size) })),
      reserved: facts.reserved.map((r) => ({ base: hex(r.base), size: hex(r.size), noMap: r.noMap, name: r.path })),
      notes: [`${facts.memory.length} RAM bank(s), ${hex(facts.memory.reduce((s, b) => s + b.size, 0n))} bytes in all`],
    },
    ...(facts.gic
      ? {
          gic: {
            version: facts.gic.version,
            compatible: facts.gic.compatible,
            regs: facts.gic.regs.map((r) => ({ name: r.name, address: hex(r.address), size: hex(r.size) })),
            ...(facts.gic.maintenanceIntid !== undefined ? { maintenanceIntid: facts.gic.maintenanceIntid } : {}),
            source: src(facts.gic.path),
          },
        }
      : {}),
    ...(facts.timer ? { timer: { compatible: facts.timer.compatible, ppis: facts.timer.ppis, source: src(facts.timer.path) } } : {}),
    ...(facts.psci ? { psci: { method: facts.psci.method, source: src(facts.psci.path) } } : {}),
    cpus: { count: facts.cpus.count, models: facts.cpus.models, source: src('/cpus') },
    devices,
    notes: [
      'made from a device tree: not an upstream Microkit board until the SDK has a build of it (the port guide lists the steps)',
      ...(link.address !== undefined ? [`loader link address: ${link.reason}`] : []),
      `physical-address width: ${facts.addressWidth.how}`,
    ],
    sources: [`device tree ${file}`],
    factSources,
  };
  const consoleDevice = facts.console ? devices.find((d) => d.dtPath === facts.console!.path) : undefined;
  if (consoleDevice) pack.console = { device: consoleDevice.name, source: src(facts.console!.stdout ? '/chosen' : facts.console!.path) };
  if (arch === 'aarch64' && !facts.addressWidth.paBits) unsourced.paBits = 'not derivable';
  if (facts.gic) pack.interrupts = { controller: facts.gic.version === 3 ? 'gic-v3' : 'gic-v2', source: src(facts.gic.path) };
  unsourced['interrupts.maxIrq'] = "the kernel's MAX_IRQ is a kernel platform setting (src/plat/<platform>/config.cmake), not in a device tree";
  if (link.problems.length) unsourced.loaderLinkAddress = link.problems.join('; ');
  pack.unsourced = unsourced;

  const r = BoardPackSchema.safeParse(pack);
  if (!r.success) return { link, problems: [...problems, ...r.error.issues.map((i) => `${i.path.join('.') || '(pack)'}: ${i.message}`)] };
  return { pack: r.data, link, problems };
}
