import { z } from 'zod';
import { kernelConfig, type KernelConfig } from '../sdf/kernelConfig';

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
    notes: z.array(z.string()).default([]),
    sources: z.array(z.string()).min(1),
  })
  .strict()
  .refine((b) => b.arch !== 'aarch64' || b.paBits !== undefined, { message: 'AArch64 boards need paBits', path: ['paBits'] });
export type BoardPack = z.infer<typeof BoardPackSchema>;

export const BUILD_CONFIGS = ['debug', 'release', 'benchmark'] as const;

/** Configurations the SDK builds for a board: debug/release/benchmark, and smp-* where it has SMP cores. */
export function boardConfigs(board: BoardPack): string[] {
  return board.smpCores ? [...BUILD_CONFIGS, ...BUILD_CONFIGS.map((c) => `smp-${c}`)] : [...BUILD_CONFIGS];
}

/** The kernel facts the Microkit tool applies for a board and configuration (microkit-sdf.md §9). */
export function kernelConfigForBoard(board: BoardPack, config = 'debug'): KernelConfig {
  const smp = config.startsWith('smp-');
  if (smp && !board.smpCores) throw new Error(`board ${board.name} has no SMP configuration (${config})`);
  return kernelConfig({
    arch: board.arch,
    hypervisor: board.hypervisor,
    paBits: board.paBits ?? 40,
    numCores: smp ? board.smpCores! : 1,
    // smp-* configurations set KernelNumDomains=1 (§9).
    numDomains: smp ? 1 : 16,
  });
}
