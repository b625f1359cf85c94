import { DEFAULT_BOOT_TIMEOUT_MS, DEFAULT_EXPECT, DEFAULT_IMAGE, DEFAULT_OFF_MS, type BoardTarget, type ConsoleConfig, haOrigin, type PowerConfig } from './target';

/**
 * Run on board, planned: the steps, and for each what it will do in words the user can check before it runs (every
 * custom argv in full, every URL; never a token). Pure: the host runs exactly this plan (electron/services/boardRun.ts).
 *
 * Order: build → deploy → power off → console → power on → boot. The console opens while the board is off, so not one
 * byte of the boot is lost; a power "cycle" command (no separate off) runs as the power-on step.
 */
export const RUN_STEPS = ['build', 'deploy', 'power-off', 'console', 'power-on', 'boot'] as const;
export type RunStepId = (typeof RUN_STEPS)[number];

export interface PlannedStep {
  id: RunStepId;
  label: string;
  /** What it does, exactly (argv as a list, URLs, files). */
  detail: string;
  /** A step with nothing to do for this target (shown as skipped). */
  skip?: boolean;
  /** The user's own command for this step, run as given (no shell). */
  argv?: string[];
}

export interface RunPlan {
  target: string;
  image: string;
  steps: PlannedStep[];
  expect: string;
  bootTimeoutMs: number;
  /** What the firmware must be told (U-Boot's line), or what it does by itself (UEFI PXE). */
  firmwareNote: string;
}

/** The serial service's name for a console: a device path, `rfc2217://host:port` or `tcp://host:port`. */
export function consoleTarget(c: ConsoleConfig): string {
  return c.kind === 'serial' ? c.path : `${c.protocol}://${c.host}:${c.port}`;
}

/** Where a deploy by copy puts the image: the folder and the name inside it (undefined for a command). */
export function deployDestination(t: BoardTarget): { folder: string; fileName: string } | undefined {
  const d = t.deploy;
  if (d.kind === 'tftp') return { folder: d.folder, fileName: d.fileName };
  if (d.kind === 'medium') return { folder: d.path, fileName: d.fileName };
  return undefined;
}

/** A configured argv with `{image}` replaced by the image's absolute path (the only substitution). */
export function substituteImage(argv: readonly string[], image: string): string[] {
  return argv.map((a) => a.split('{image}').join(image));
}

export type PowerAction = 'on' | 'off';

/** Home Assistant's documented service call for a switch: POST /api/services/switch/turn_on|turn_off {entity_id}. */
export function haServiceCall(baseUrl: string, entityId: string, action: PowerAction): { url: string; method: 'POST'; body: string } {
  const url = `${haOrigin(baseUrl) ?? baseUrl.replace(/\/+$/, '')}/api/services/switch/turn_${action}`;
  return { url, method: 'POST', body: JSON.stringify({ entity_id: entityId }) };
}

/** The argv a command power config runs for the power-off and power-on steps (cycle only: none for off). */
export function powerArgv(p: Extract<PowerConfig, { kind: 'command' }>, step: 'power-off' | 'power-on'): string[] | undefined {
  if (step === 'power-off') return p.off;
  return p.off !== undefined && p.on !== undefined ? p.on : (p.cycle ?? p.on);
}

const show = (argv: readonly string[]) => argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** U-Boot's commands for this target, as the user types them at its prompt (or puts in bootcmd). */
export function ubootLine(t: BoardTarget): string | undefined {
  if (t.firmware.kind !== 'u-boot') return undefined;
  const file = deployDestination(t)?.fileName ?? 'loader.img';
  const server = t.firmware.serverIp ? `setenv serverip ${t.firmware.serverIp}; ` : 'dhcp; ';
  const boot = t.firmware.boot === 'go' ? `go ${t.firmware.loadAddress}` : `bootefi ${t.firmware.loadAddress}`;
  return `${server}tftpboot ${t.firmware.loadAddress} ${file}; ${boot}`;
}

export function planRun(name: string, t: BoardTarget): RunPlan {
  const image = t.image ?? DEFAULT_IMAGE;
  const steps: PlannedStep[] = [{ id: 'build', label: 'Build', detail: `build the folder if it changed since the last build, then deploy ${image}` }];

  const dest = deployDestination(t);
  if (dest) {
    const where = t.deploy.kind === 'tftp' ? 'the TFTP folder' : 'the removable medium at';
    steps.push({ id: 'deploy', label: 'Deploy', detail: `copy ${image} into ${where} ${dest.folder} as ${dest.fileName} (a temp file renamed over it; checked byte for byte)` });
  } else if (t.deploy.kind === 'command') {
    steps.push({ id: 'deploy', label: 'Deploy', detail: `run your command: ${show(t.deploy.argv)} ({image} = the absolute path of ${image})`, argv: t.deploy.argv });
  }

  const p = t.power;
  const offMs = p.kind === 'manual' ? 0 : (p.offMs ?? DEFAULT_OFF_MS);
  if (p.kind === 'home-assistant') {
    const off = haServiceCall(p.baseUrl, p.entityId, 'off');
    const on = haServiceCall(p.baseUrl, p.entityId, 'on');
    steps.push({ id: 'power-off', label: 'Power off', detail: `POST ${off.url} ${off.body} (Home Assistant; token from your config, never the folder)` });
    steps.push({ id: 'console', label: 'Console', detail: consoleDetail(t.console) });
    steps.push({ id: 'power-on', label: 'Power on', detail: `after ${offMs} ms off: POST ${on.url} ${on.body}` });
  } else if (p.kind === 'command') {
    const off = powerArgv(p, 'power-off');
    const on = powerArgv(p, 'power-on')!;
    steps.push(off ? { id: 'power-off', label: 'Power off', detail: `run your command: ${show(off)}`, argv: off } : { id: 'power-off', label: 'Power off', detail: 'no "off" command: the power-on step power-cycles', skip: true });
    steps.push({ id: 'console', label: 'Console', detail: consoleDetail(t.console) });
    steps.push({ id: 'power-on', label: off ? 'Power on' : 'Power-cycle', detail: `${off ? `after ${offMs} ms off: ` : ''}run your command: ${show(on)}`, argv: on });
  } else {
    steps.push({ id: 'power-off', label: 'Power off', detail: 'manual power: nothing to switch', skip: true });
    steps.push({ id: 'console', label: 'Console', detail: consoleDetail(t.console) });
    steps.push({ id: 'power-on', label: 'Power on', detail: 'manual power: reset or power the board on yourself now (the console is open)' });
  }
  const expect = t.expect ?? DEFAULT_EXPECT;
  const bootTimeoutMs = t.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  steps.push({ id: 'boot', label: 'Boot', detail: `watch the console for "${expect}" (at most ${Math.round(bootTimeoutMs / 1000)} s); the timeline follows the boot` });

  const uboot = ubootLine(t);
  const firmwareNote = uboot
    ? `U-Boot: at its prompt (or in bootcmd): ${uboot}`
    : `UEFI PXE: the firmware asks proxy-DHCP for a boot file and fetches ${dest?.fileName ?? 'the EFI application'} over TFTP; ${image} must be an EFI application (PE/COFF), not a raw loader image`;
  return { target: name, image, steps, expect, bootTimeoutMs, firmwareNote };
}

function consoleDetail(c: ConsoleConfig): string {
  const tcu = c.tcu ? ', TCU: each Enter padded to 8 bytes' : '';
  return c.kind === 'serial' ? `open ${c.path} at ${c.baudRate} baud${tcu}` : `connect to ${c.protocol === 'rfc2217' ? 'RFC 2217 (ser2net telnet)' : 'raw TCP'} ${c.host}:${c.port}${c.protocol === 'rfc2217' ? ` at ${c.baudRate} baud` : ''}${tcu}`;
}

/** An image file is an EFI application when it is PE/COFF: "MZ", then "PE\0\0" at the offset in 0x3c. */
export function isPeImage(head: Uint8Array): boolean {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return false;
  const off = head[0x3c]! | (head[0x3d]! << 8) | (head[0x3e]! << 16) | (head[0x3f]! << 24);
  return off + 4 <= head.length && head[off] === 0x50 && head[off + 1] === 0x45 && head[off + 2] === 0 && head[off + 3] === 0;
}
