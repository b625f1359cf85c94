import { hex } from '../format/hex';
import { BoardPackSchema, type BoardPack } from '../model/board';

/**
 * Board packs from what a Microkit SDK holds for a board (`board/<name>/<config>/`, the layout of
 * recorded/microkit/sdk-2.0.1-layout.txt), for the boards of the user's SDK that have no shipped pack. Pure: the host
 * reads the two files and hands their text over.
 *
 * - `include/kernel/gen_config.json`: the kernel's configuration as seL4's CMake writes it (cmake `config_option`s
 *   without the `CONFIG_` prefix; a value is `true`/`false` or a string: `"SEL4_ARCH": "aarch64"`,
 *   `"MAX_NUM_NODES": "4"`, `"ARM_PA_SIZE_BITS_40": true`). The Microkit tool reads the same file for its
 *   architecture, hypervisor and physical-address facts (`SEL4_ARCH`, `ARM_HYPERVISOR_SUPPORT`,
 *   `ARM_PA_SIZE_BITS_40/44`, `MAX_NUM_NODES`).
 * - `platform_gen.json`: the kernel's tools/hardware JSON output, `{"devices": [{"start", "end"}], "memory":
 *   [{"start", "end"}]}` in decimal bytes (end exclusive): the RAM the kernel was built for and the device space
 *   user level may map (every address that is neither RAM nor the kernel's own devices). x86 SDK boards have none.
 *
 * The kernel's MAX_IRQ is compiled into the kernel (its platform's config.cmake); the SDK carries no file with it, so
 * the IRQ range is taken from gen_config.json only when a key holds it (`MAX_IRQ`), else said to be unsourced.
 */

export interface SdkBoardFiles {
  board: string;
  config: string;
  /** include/kernel/gen_config.json's text. */
  genConfig?: string;
  /** platform_gen.json's text (not on x86). */
  platformGen?: string;
  /** An smp-* configuration's gen_config.json (its MAX_NUM_NODES is the core count), with the configuration's name. */
  smp?: { config: string; genConfig: string };
}

export interface SdkBoardResult {
  pack?: BoardPack;
  /** What could not be read, each with the file (relative to the SDK) it is about. */
  problems: { file: string; message: string }[];
}

type ConfigValue = boolean | string;

const genConfigPath = (b: string, c: string) => `board/${b}/${c}/include/kernel/gen_config.json`;
const platformGenPath = (b: string, c: string) => `board/${b}/${c}/platform_gen.json`;

/** Where the JSON parser stopped, as `line L, column C` (JSON.parse names a position in most engines). */
function jsonError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(msg);
  if (!m) return msg;
  const at = Number(m[1]);
  const before = text.slice(0, at).split('\n');
  return `${msg.replace(/ in JSON at position \d+.*$/, '')} (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

export function parseGenConfig(text: string): Record<string, ConfigValue> {
  const raw = JSON.parse(text) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object of configuration keys');
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'boolean' || typeof v === 'string') out[k] = v;
  return out;
}

export interface PlatformGen {
  devices: { start: bigint; end: bigint }[];
  memory: { start: bigint; end: bigint }[];
}

/** platform_gen.json, keeping 64-bit integers exact (JSON.parse would round addresses above 2^53). */
export function parsePlatformGen(text: string): PlatformGen {
  // Quote every bare integer so that none passes through a double.
  const raw = JSON.parse(text.replace(/(:\s*)(\d+)/g, '$1"$2"')) as { devices?: unknown; memory?: unknown };
  const list = (v: unknown, what: string) => {
    if (!Array.isArray(v)) throw new Error(`"${what}" is not a list of {start, end}`);
    return v.map((r: { start?: unknown; end?: unknown }, i) => {
      if (typeof r?.start !== 'string' || typeof r?.end !== 'string') throw new Error(`"${what}"[${i}] has no integer start and end`);
      const start = BigInt(r.start);
      const end = BigInt(r.end);
      if (end <= start) throw new Error(`"${what}"[${i}] ends (${hex(end)}) before it starts (${hex(start)})`);
      return { start, end };
    });
  };
  return { devices: list(raw.devices, 'devices'), memory: list(raw.memory, 'memory') };
}

const truthy = (v: ConfigValue | undefined) => v === true || v === 'ON' || v === 'true';

/** `cortex-a53` from the key `ARM_CORTEX_A53: true` (seL4's KernelArmCortexA53). */
function cpuOf(cfg: Record<string, ConfigValue>): string | undefined {
  for (const [k, v] of Object.entries(cfg)) {
    const m = /^ARM_CORTEX_(A\d+)$/.exec(k);
    if (m && truthy(v)) return `cortex-${m[1]!.toLowerCase()}`;
  }
  return undefined;
}

/**
 * A pack for one SDK board from one of its configurations' files (the debug one, or the first there is). Facts each
 * with the SDK file they came from; the pack is `experimental` unless the board is a Microkit board the caller knows.
 */
export function boardPackFromSdk(files: SdkBoardFiles, opts: { sdkPath: string; version: string; configs: string[] }): SdkBoardResult {
  const problems: SdkBoardResult['problems'] = [];
  const { board, config } = files;
  const gcPath = genConfigPath(board, config);
  const pgPath = platformGenPath(board, config);
  const sdkFile = (rel: string) => `Microkit SDK ${opts.version} (${opts.sdkPath}): ${rel}`;
  if (files.genConfig === undefined) return { problems: [{ file: gcPath, message: 'not in the SDK: the kernel configuration of this board is not known' }] };
  let cfg: Record<string, ConfigValue>;
  try {
    cfg = parseGenConfig(files.genConfig);
  } catch (err) {
    return { problems: [{ file: gcPath, message: `not valid: ${jsonError(files.genConfig, err)}` }] };
  }
  const arch = cfg.SEL4_ARCH;
  if (arch !== 'aarch64' && arch !== 'riscv64' && arch !== 'x86_64') return { problems: [{ file: gcPath, message: `SEL4_ARCH is ${JSON.stringify(arch ?? null)}: not aarch64, riscv64 or x86_64` }] };

  const factSources: Record<string, string> = { arch: `${sdkFile(gcPath)} SEL4_ARCH` };
  const unsourced: Record<string, string> = {};
  let paBits: 40 | 44 | undefined;
  if (arch === 'aarch64') {
    if (truthy(cfg.ARM_PA_SIZE_BITS_40)) paBits = 40;
    else if (truthy(cfg.ARM_PA_SIZE_BITS_44)) paBits = 44;
    else return { problems: [{ file: gcPath, message: 'neither ARM_PA_SIZE_BITS_40 nor ARM_PA_SIZE_BITS_44 is set (the Microkit tool refuses such a board too)' }] };
    factSources.paBits = `${sdkFile(gcPath)} ARM_PA_SIZE_BITS_${paBits}`;
  }
  const hypervisor = arch === 'aarch64' ? truthy(cfg.ARM_HYPERVISOR_SUPPORT) : arch === 'x86_64' ? truthy(cfg.VTX) : false;
  factSources.hypervisor = `${sdkFile(gcPath)} ${arch === 'aarch64' ? 'ARM_HYPERVISOR_SUPPORT' : arch === 'x86_64' ? 'VTX' : '(no hypervisor on RISC-V in Microkit)'}`;
  let cpu = arch === 'aarch64' ? cpuOf(cfg) : undefined;
  if (cpu) factSources.cpu = `${sdkFile(gcPath)} ARM_${cpu.toUpperCase().replace('-', '_')}`;
  else {
    cpu = arch === 'riscv64' ? 'rv64imac' : arch === 'x86_64' ? 'generic' : 'generic';
    unsourced.cpu = `no ARM_CORTEX_* key in ${gcPath}: "${cpu}" is a placeholder`;
  }
  // MAX_NUM_NODES of an smp-* configuration is its core count; the debug one has 1.
  const smpConfig = files.smp?.config ?? opts.configs.find((c) => c.startsWith('smp-'));
  let smpCores: number | undefined;
  if (files.smp) {
    const smpPath = genConfigPath(board, files.smp.config);
    try {
      const nodes = Number(parseGenConfig(files.smp.genConfig).MAX_NUM_NODES ?? '1');
      if (nodes > 1) {
        smpCores = nodes;
        factSources.smpCores = `${sdkFile(smpPath)} MAX_NUM_NODES`;
      }
    } catch (err) {
      problems.push({ file: smpPath, message: `not valid: ${jsonError(files.smp.genConfig, err)}` });
    }
  } else if (smpConfig) unsourced.smpCores = `the SDK has ${smpConfig}; its core count is in board/${board}/${smpConfig}/include/kernel/gen_config.json (MAX_NUM_NODES), not read`;

  const maxIrq = typeof cfg.MAX_IRQ === 'string' && /^\d+$/.test(cfg.MAX_IRQ) ? Number(cfg.MAX_IRQ) : undefined;
  if (maxIrq === undefined) unsourced['interrupts.maxIrq'] = "the SDK carries no MAX_IRQ (it is compiled into the kernel from its platform's config.cmake)";

  let memory: BoardPack['memory'];
  if (arch !== 'x86_64') {
    if (files.platformGen === undefined) problems.push({ file: pgPath, message: 'not in the SDK: the RAM of this board is not known' });
    else {
      try {
        const pg = parsePlatformGen(files.platformGen);
        if (!pg.memory.length) problems.push({ file: pgPath, message: '"memory" is empty' });
        else {
          const banks = [...pg.memory].sort((a, b) => (a.start < b.start ? -1 : 1)).map((m) => ({ base: hex(m.start), size: hex(m.end - m.start) }));
          const total = pg.memory.reduce((s, m) => s + (m.end - m.start), 0n);
          memory = { base: banks[0]!.base, banks, notes: [`${banks.length} RAM bank(s) the kernel was built for, ${hex(total)} bytes in all (the kernel's view: RAM it reserves for itself is already left out)`, `user-mappable device space: ${pg.devices.map((d) => `${hex(d.start)}..${hex(d.end)}`).join(', ') || 'none'}`] };
          factSources.memory = `${sdkFile(pgPath)} memory`;
        }
      } catch (err) {
        problems.push({ file: pgPath, message: `not valid: ${jsonError(files.platformGen, err)}` });
      }
    }
  }
  if (arch === 'aarch64' && !memory) return { problems };

  const plat = typeof cfg.PLAT === 'string' ? cfg.PLAT : typeof cfg.ARM_PLAT === 'string' ? cfg.ARM_PLAT : undefined;
  const pack = {
    name: board,
    title: `${board} (from the Microkit SDK${plat ? `, kernel platform ${plat}` : ''})`,
    arch,
    cpu,
    ...(paBits ? { paBits } : {}),
    ...(smpCores ? { smpCores } : {}),
    hypervisor,
    defaultImage: arch === 'riscv64' ? 'uimage' : arch === 'x86_64' ? 'elf' : 'binary',
    experimental: true,
    ...(memory ? { memory } : {}),
    // The GIC version of an Arm board is not in the SDK's files: its controller is named only off Arm.
    ...(arch !== 'aarch64' ? { interrupts: { controller: arch === 'x86_64' ? 'x86' : 'plic', ...(maxIrq !== undefined ? { maxIrq } : {}), source: `${sdkFile(gcPath)}${maxIrq !== undefined ? ' MAX_IRQ' : ' SEL4_ARCH'}` } } : {}),
    devices: [],
    notes: [
      `made from what Microkit SDK ${opts.version} holds for ${board} (configurations: ${opts.configs.join(', ')}); no device list: the SDK has no device tree`,
      ...(maxIrq !== undefined ? [`MAX_IRQ ${maxIrq} (${gcPath})`] : []),
    ],
    sources: [sdkFile(`board/${board}/${config}/`)],
    factSources,
    unsourced,
  };
  const r = BoardPackSchema.safeParse(pack);
  if (!r.success) return { problems: [...problems, ...r.error.issues.map((i) => ({ file: gcPath, message: `${i.path.join('.') || '(pack)'}: ${i.message}` }))] };
  return { pack: r.data, problems };
}

/** The configuration to read a board from: debug, else release, else the first. */
export function sdkConfigToRead(configs: readonly string[]): string | undefined {
  return configs.find((c) => c === 'debug') ?? configs.find((c) => c === 'release') ?? configs[0];
}
