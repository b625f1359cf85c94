import { z } from 'zod';

/**
 * A board target: how one board of the user's (on the desk or in a lab) is reached — where the image goes, how the
 * board is powered, where its console is, and what its boot firmware expects. Kept in the folder settings
 * (`boardTargets`), never a secret: a Home Assistant token lives in the user's config (electron/services/boardRun.ts).
 *
 * A custom argv (deploy or power) is the user's own command line, taken from the settings file of a trusted folder
 * only and shown in the run's plan before it runs; no contract method carries one.
 */

/** How targets are named in the settings and on the command line (`sel4-studio run-board --target NAME`). */
export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const TargetNameSchema = z.string().regex(TARGET_NAME, 'a board target name is letters, digits, _ . - (at most 64, not starting with a punctuation mark)');

/** An absolute folder on this machine (or a lab host's share mounted here). */
const AbsFolder = z.string().min(2).max(4096).regex(/^\//, 'an absolute path (starting with /)');

/**
 * The file name the firmware asks for, relative to the deploy folder (`agx/sel4.efi`): no `..`, no leading `/`, no
 * empty or hidden parts, no backslashes.
 */
export const DeployFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((part) => part.length > 0 && part !== '.' && part !== '..' && !part.startsWith('.')), 'a relative file name inside the folder (no "..", no leading "/", no hidden parts)')
  .refine((p) => /^[A-Za-z0-9_.+\-/]+$/.test(p), 'letters, digits and _ . + - / only (what TFTP clients and firmware accept)');

/**
 * A command the user configured: argv, no shell. `{image}` in an argument is replaced by the absolute path of the
 * image to deploy (the only substitution).
 */
export const ArgvSchema = z.array(z.string().max(4096)).min(1, 'a command needs at least the program').max(64).refine((a) => a[0]!.length > 0, 'the program (argv[0]) is empty');

export const DeploySchema = z.discriminatedUnion('kind', [
  /** Copy into the folder a TFTP server serves (tftpd-hpa's /srv/tftp, dnsmasq's --tftp-root), as `fileName`. */
  z.object({ kind: z.literal('tftp'), folder: AbsFolder, fileName: DeployFileNameSchema }).strict(),
  /** Copy onto a removable medium (an SD card's boot partition) mounted at `path`, as `fileName`. */
  z.object({ kind: z.literal('medium'), path: AbsFolder, fileName: DeployFileNameSchema }).strict(),
  /** Run the user's own command (`scp {image} lab:/srv/tftp/agx/sel4.efi`). */
  z.object({ kind: z.literal('command'), argv: ArgvSchema }).strict(),
]);

/**
 * `scheme://host[:port]` of an http(s) URL with nothing else (a trailing `/` allowed), lower-cased scheme and host;
 * undefined for anything more (credentials, path, query, fragment) or less. Pure: no URL class in shared/.
 */
export function haOrigin(u: string): string | undefined {
  const m = /^(https?):\/\/([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?\/?$/i.exec(u);
  if (!m || (m[3] !== undefined && Number(m[3]) > 65535)) return undefined;
  return `${m[1]!.toLowerCase()}://${m[2]!.toLowerCase()}${m[3] !== undefined ? `:${m[3]}` : ''}`;
}

/** Home Assistant's base URL: http(s), host and optional port, no path, query or credentials. */
export const HaBaseUrlSchema = z
  .string()
  .max(512)
  .refine((u) => haOrigin(u) !== undefined, 'an http:// or https:// URL with host and port only, such as http://homeassistant.local:8123');

export const PowerSchema = z.discriminatedUnion('kind', [
  /** Nobody switches the board: the run says when to power it (the console is open by then). */
  z.object({ kind: z.literal('manual') }).strict(),
  /** A smart plug through Home Assistant's REST API: POST /api/services/switch/turn_off|turn_on {entity_id}. */
  z
    .object({
      kind: z.literal('home-assistant'),
      baseUrl: HaBaseUrlSchema,
      entityId: z.string().regex(/^switch\.[a-z0-9_]{1,128}$/, 'a switch entity id, such as switch.orin_plug'),
      /** How long the board stays off in a power-cycle (ms; default 2000). */
      offMs: z.number().int().min(0).max(60_000).optional(),
    })
    .strict(),
  /** The user's own commands per action (a PDU's CLI, `uhubctl`, a relay script); at least `on`, or `cycle`. */
  z
    .object({ kind: z.literal('command'), on: ArgvSchema.optional(), off: ArgvSchema.optional(), cycle: ArgvSchema.optional(), offMs: z.number().int().min(0).max(60_000).optional() })
    .strict()
    .refine((p) => p.on !== undefined || p.cycle !== undefined, 'give an "on" or a "cycle" command'),
]);

export const ConsoleSchema = z.discriminatedUnion('kind', [
  /** A local port (`/dev/ttyACM0`; the Orin's TCU is interface 01, `tcu: true` pads each Enter to 8 bytes). */
  z.object({ kind: z.literal('serial'), path: z.string().regex(/^\/dev\/[A-Za-z0-9_./-]{1,200}$/, 'a device under /dev'), baudRate: z.number().int().positive().max(12_000_000), tcu: z.boolean().optional() }).strict(),
  /** ser2net on a lab host: RFC 2217 (telnet with line settings) or raw TCP. */
  z
    .object({
      kind: z.literal('network'),
      protocol: z.enum(['rfc2217', 'tcp']),
      host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:]+\]$/, 'a host name or address'),
      port: z.number().int().min(1).max(65535),
      baudRate: z.number().int().positive().max(12_000_000),
      tcu: z.boolean().optional(),
    })
    .strict(),
]);

export const FirmwareSchema = z.discriminatedUnion('kind', [
  /** UEFI network boot (the Orin): the firmware fetches an EFI application over TFTP after proxy-DHCP. */
  z.object({ kind: z.literal('uefi-pxe') }).strict(),
  /** U-Boot: loads the image over TFTP at `loadAddress`, then `go` (a raw loader image) or `bootefi` (an EFI one). */
  z
    .object({
      kind: z.literal('u-boot'),
      loadAddress: z.string().regex(/^0x[0-9a-fA-F]{1,16}$/, 'a hex address such as 0x40000000'),
      boot: z.enum(['go', 'bootefi']),
      /** The TFTP server's address, if U-Boot should not take it from DHCP. */
      serverIp: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address').optional(),
    })
    .strict(),
]);

export const BoardTargetSchema = z
  .object({
    /** What is deployed, relative to the folder (default build/loader.img, what the build writes). */
    image: z.string().min(1).max(1024).optional(),
    deploy: DeploySchema,
    power: PowerSchema,
    console: ConsoleSchema,
    firmware: FirmwareSchema,
    /** A console line that means "booted" (default: the Microkit monitor's "completed system invocations"). */
    expect: z.string().min(1).max(200).optional(),
    /** How long the boot may take from power-on to `expect` (ms; default 120 s). */
    bootTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
  })
  .strict();

export type BoardTarget = z.infer<typeof BoardTargetSchema>;
export type DeployConfig = z.infer<typeof DeploySchema>;
export type PowerConfig = z.infer<typeof PowerSchema>;
export type ConsoleConfig = z.infer<typeof ConsoleSchema>;
export type FirmwareConfig = z.infer<typeof FirmwareSchema>;

export const BoardTargetsSchema = z.record(TargetNameSchema, BoardTargetSchema).refine((r) => Object.keys(r).length <= 64, 'at most 64 board targets');

export const DEFAULT_IMAGE = 'build/loader.img';
export const DEFAULT_EXPECT = 'MON|INFO: completed system invocations';
export const DEFAULT_BOOT_TIMEOUT_MS = 120_000;
export const DEFAULT_OFF_MS = 2000;
