import { z } from 'zod';
import { kernelConfig, type KernelConfig } from '../sdf/kernelConfig';
import { classifyIntid, type IntidContext } from './intid';

const Hex = z.string().regex(/^0x[0-9a-f]+$/, 'a lowercase 0x-prefixed hex number');

/** One device of a board, as the passthrough planner needs it; every fact carries its source. */
export const DeviceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/),
    title: z.string(),
    kind: z.enum(['uart', 'console', 'ethernet', 'mailbox', 'shared-memory', 'graphics', 'interrupt-controller', 'rtc', 'gpio', 'virtio', 'other']),
    compatible: z.array(z.string()),
    /** Where the node sits in the board's own device tree, when it has one. */
    dtPath: z.string().optional(),
    regs: z.array(z.object({ name: z.string().optional(), address: Hex, size: Hex })),
    irqs: z.array(z.object({ name: z.string().optional(), spi: z.number().int().min(0).max(987), trigger: z.enum(['level', 'edge']).default('level') })),
    /** BPMP (or other firmware) clock, reset and power-domain ids the device needs. */
    clocks: z.array(z.number().int()).default([]),
    resets: z.array(z.number().int()).default([]),
    powerDomains: z.array(z.number().int()).default([]),
    smmu: z.object({ instance: z.string(), sid: z.number().int() }).optional(),
    /** Bus master: needs guest RAM mapped 1:1 (or an SMMU) to be safe. */
    dma: z.boolean().default(false),
    passthrough: z.enum(['yes', 'no', 'with-care']),
    requires: z.array(z.string()).default([]),
    /** Extra properties for the guest's node (DTS syntax, one per line). */
    guestProps: z.array(z.string()).default([]),
    notes: z.array(z.string()).default([]),
    sources: z.array(z.string()).min(1),
  })
  .strict();
export type Device = z.infer<typeof DeviceSchema>;

/**
 * A board pack (`boards/<name>/board.json`): the facts a validator, a build and an emulator need, each with its
 * source. Devices for passthrough are added by the device-tree planner.
 */
export const BoardPackSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/),
    title: z.string(),
    arch: z.enum(['aarch64', 'riscv64', 'x86_64']),
    cpu: z.string(),
    /** AArch64 physical-address bits; sets the user address-space top at EL2 (microkit-sdf.md §4). */
    paBits: z.union([z.literal(40), z.literal(44)]).optional(),
    /** Cores of the smp-* configurations; absent when the SDK has no SMP configuration for the board. */
    smpCores: z.number().int().positive().optional(),
    hypervisor: z.boolean(),
    loaderLinkAddress: z.string().regex(/^0x[0-9a-f]+$/).optional(),
    defaultImage: z.enum(['binary', 'elf', 'uimage']),
    microkitSince: z.string().optional(),
    /** Not in the upstream Microkit SDK: configurations come from a fork or a port. */
    experimental: z.boolean().default(false),
    qemu: z.array(z.string()).optional(),
    /** Seconds a booted image may stay silent before the QEMU panel says what to check (default 10). */
    firstOutputSeconds: z.number().int().min(1).max(600).optional(),
    gic: z
      .object({
        version: z.union([z.literal(2), z.literal(3)]),
        compatible: z.string(),
        regs: z.array(z.object({ name: z.string(), address: Hex, size: Hex })),
        /** The virtual CPU interface maintenance interrupt (INTID; PPI 9 = 25 on every board seen). */
        maintenanceIntid: z.number().int().min(16).max(31).optional(),
        source: z.string(),
      })
      .optional(),
    /**
     * The interrupt controller the kernel drives and its highest IRQ number (MAX_IRQ of seL4's
     * src/plat/<platform>/config.cmake), for boards whose GIC addresses the pack does not hold.
     */
    interrupts: z.object({ controller: z.enum(['gic-v2', 'gic-v3', 'plic', 'x86']), maxIrq: z.number().int().positive().optional(), source: z.string() }).strict().optional(),
    /** The architected timer's PPIs as INTIDs, in the binding's order (sec-phys, phys, virt, hyp-phys, hyp-virt). */
    timer: z.object({ compatible: z.string(), ppis: z.array(z.object({ name: z.string(), intid: z.number().int().min(16).max(31) }).strict()), source: z.string() }).strict().optional(),
    psci: z.object({ method: z.enum(['smc', 'hvc']), source: z.string() }).strict().optional(),
    /** The cores the device tree lists (a board may have more than seL4 uses: TX2's Denver cores). */
    cpus: z.object({ count: z.number().int().positive(), models: z.array(z.object({ compatible: z.string(), count: z.number().int().positive() }).strict()), source: z.string() }).strict().optional(),
    /** The UART of stdout-path (a device of `devices`), which the loader and the kernel print on. */
    console: z.object({ device: z.string(), source: z.string() }).strict().optional(),
    memory: z
      .object({
        base: Hex,
        /** Every RAM bank, when known (a device tree's /memory); `base` is the first. */
        banks: z.array(z.object({ base: Hex, size: Hex }).strict()).optional(),
        /** /reserved-memory and /memreserve/: `noMap` ranges must not be mapped at all. */
        reserved: z.array(z.object({ base: Hex, size: Hex, noMap: z.boolean(), name: z.string().optional() }).strict()).optional(),
        /** Where a new VM's guest RAM goes by default (the passthrough planner), with its source in `notes`. */
        guestRam: z.object({ base: Hex, size: Hex }).strict().optional(),
        notes: z.array(z.string()).default([]),
      })
      .optional(),
    devices: z.array(DeviceSchema).default([]),
    /**
     * Names of the clock, reset, power-domain and stream ids the devices use, as the SoC's dt-bindings headers
     * define them (shared/passthrough/bindings.ts reads the headers themselves when a device tree is given).
     */
    bindingNames: z
      .object({
        prefix: z.string().regex(/^[A-Z0-9]+$/),
        source: z.string(),
        clock: z.record(z.string(), z.string()).default({}),
        reset: z.record(z.string(), z.string()).default({}),
        powerDomain: z.record(z.string(), z.string()).default({}),
        streamId: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .optional(),
    notes: z.array(z.string()).default([]),
    sources: z.array(z.string()).min(1),
    /** The source of each fact, by field (`paBits`, `loaderLinkAddress`, `memory`, `maxIrq`, ...). */
    factSources: z.record(z.string(), z.string()).optional(),
    /** Facts left out (or stated with a default) because no source was found: field -> what is missing. */
    unsourced: z.record(z.string(), z.string()).optional(),
    /**
     * Where the pack was loaded from, set by the host when it lists packs (never read from a pack's file): shipped with
     * seL4 Studio, the user's own (their config folder's boards/), or made from the chosen SDK's board folder.
     * `replaces`: a user pack of a shipped board's name, which is the one used (the shipped one is listed in `shadowed`).
     */
    origin: z
      .object({ kind: z.enum(['shipped', 'user', 'sdk']), file: z.string().optional(), replaces: z.literal('shipped').optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => b.arch !== 'aarch64' || b.paBits !== undefined, { message: 'AArch64 boards need paBits', path: ['paBits'] });
export type BoardPack = z.infer<typeof BoardPackSchema>;

/** The GIC INTID of a device-tree SPI (what Microkit's `irq` wants): SPI n is INTID n + 32. */
export const spiToIntid = (spi: number) => spi + 32;

/** An INTID as the GIC names it: `SPI 1` (INTID 33), `PPI 11` (INTID 27), `SGI 3` (intid.ts has the whole story). */
export function describeIntid(intid: number): string {
  const c = classifyIntid(intid);
  return c.number !== undefined ? `${c.kind} ${c.number}` : c.label;
}

/** Who raises which INTID according to a board pack, for {@link classifyIntid}. */
export function boardIntidSources(board: BoardPack | undefined): NonNullable<IntidContext['sources']> {
  return (board?.devices ?? []).flatMap((d) => d.irqs.map((i) => ({ intid: spiToIntid(i.spi), name: i.name ? `${d.title} (${i.name})` : d.title, from: 'board pack' as const })));
}

/** The board device that raises an INTID, when the board pack says. */
export function deviceRaising(board: BoardPack | undefined, intid: number): Device | undefined {
  return board?.devices.find((d) => d.irqs.some((i) => spiToIntid(i.spi) === intid));
}

/**
 * Where a guest's RAM goes on a board: `base`, the guest-physical address a new VM's RAM is mapped at (the board's
 * `memory.guestRam`, else the start of its RAM: libvmm guests see the board's memory layout), and `ramStart`, where
 * the board's RAM begins (a region with a `phys_addr` there or above is RAM, one below it a device's registers).
 */
export interface GuestRamFacts {
  base: number;
  ramStart: number;
}
export function guestRamFacts(board: BoardPack | undefined): GuestRamFacts | undefined {
  const m = board?.memory;
  if (!m) return undefined;
  return { base: Number(m.guestRam?.base ?? m.base), ramStart: Number(m.base) };
}

export const BUILD_CONFIGS = ['debug', 'release', 'benchmark'] as const;

/** Configurations the SDK builds for a board: debug/release/benchmark, and smp-* where it has SMP cores. */
export function boardConfigs(board: BoardPack): string[] {
  return board.smpCores ? [...BUILD_CONFIGS, ...BUILD_CONFIGS.map((c) => `smp-${c}`)] : [...BUILD_CONFIGS];
}

/** The kernel facts the Microkit tool applies for a board and configuration (microkit-sdf.md §9). */
export function kernelConfigForBoard(board: BoardPack, config = 'debug'): KernelConfig {
  const smp = config.startsWith('smp-');
  if (smp && !board.smpCores) throw new Error(`board ${board.name} has no SMP configuration (${config})`);
  const ram = guestRamFacts(board);
  return kernelConfig({
    arch: board.arch,
    hypervisor: board.hypervisor,
    paBits: board.paBits ?? 40,
    numCores: smp ? board.smpCores! : 1,
    // smp-* configurations set KernelNumDomains=1 (§9).
    numDomains: smp ? 1 : 16,
    ...(ram ? { guestRam: { base: BigInt(ram.base), ramStart: BigInt(ram.ramStart) } } : {}),
  });
}
