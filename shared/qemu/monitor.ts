/**
 * Which QEMU human-monitor (HMP) commands the UI may send on its own: those that only look at the machine, steer its
 * run, or type into it. Everything that writes a file (memsave, pmemsave, screendump, dump-guest-memory, logfile,
 * savevm, migrate to a file), runs a program (migrate "exec:…", a netdev's script), or adds a device, backend,
 * chardev, netdev, drive or object (device_add, chardev-add, netdev_add, drive_add, object_add, hostfwd_add,
 * gdbserver, nbd_server_start) is not here, nor what writes guest disks (qemu-io, block jobs). Read from QEMU's
 * hmp-commands.hx / hmp-commands-info.hx and checked against `help` of QEMU 7.2.
 */
export const MONITOR_COMMANDS: Readonly<Record<string, string>> = {
  info: 'show the machine state (info registers, info mtree, info qtree, …)',
  help: 'list the monitor commands',
  x: 'dump guest virtual memory (x /fmt addr)',
  xp: 'dump guest physical memory (xp /fmt addr)',
  print: 'print an expression ($reg for a register)',
  p: 'print an expression',
  sum: 'checksum of a memory range',
  gva2gpa: 'guest virtual to guest physical address',
  gpa2hva: 'guest physical to host virtual address',
  gpa2hpa: 'guest physical to host physical address',
  cpu: 'set the CPU the inspection commands look at',
  stop: 'pause the machine',
  s: 'pause the machine',
  cont: 'resume the machine',
  c: 'resume the machine',
  system_reset: 'reset the machine',
  system_powerdown: 'ask the guest to power down',
  system_wakeup: 'wake the guest from suspend',
  sendkey: 'send keys to the guest',
  nmi: 'inject a non-maskable interrupt',
};

/** Commands whose arguments start with `/fmt` right after the name (`x/10i $pc`), as QEMU parses them. */
const SLASH_FORMAT = new Set(['x', 'xp', 'print', 'p']);

export type MonitorCheck = { ok: true; command: string } | { ok: false; command?: string; reason: string };

/**
 * Check one monitor line the way QEMU reads its command word (skip nothing: the line must start with it; the word
 * ends at a space, `/` or the end), but stricter: printable ASCII only (no newline, tab or NUL), one command per line,
 * and the word must be in {@link MONITOR_COMMANDS}. `info` is followed by the name of what to show.
 */
export function checkMonitorCommand(line: string): MonitorCheck {
  if (line.length === 0) return { ok: false, reason: 'the monitor command is empty' };
  if (line.length > 1024) return { ok: false, reason: 'the monitor command is longer than 1024 characters' };
  if (!/^[\x20-\x7e]*$/.test(line)) return { ok: false, reason: 'the monitor command holds a character other than printable ASCII (a newline, tab or control character)' };
  if (line.startsWith(' ')) return { ok: false, reason: 'the monitor command starts with a space' };
  const word = /^[a-z_][a-z0-9_-]*/.exec(line)?.[0];
  const after = word === undefined ? line[0] : line[word.length];
  if (word === undefined || (after !== undefined && after !== ' ' && !(after === '/' && SLASH_FORMAT.has(word)))) {
    return { ok: false, reason: `"${line.slice(0, 40)}" does not start with a monitor command name` };
  }
  if (!Object.prototype.hasOwnProperty.call(MONITOR_COMMANDS, word)) {
    return { ok: false, command: word, reason: `"${word}" is not one of the monitor commands seL4 Studio sends (${Object.keys(MONITOR_COMMANDS).join(', ')}): it could write files, run programs or add devices` };
  }
  if (word === 'info' && line.length > 4 && !/^info [a-z_][a-z0-9_-]*( |$)/.test(line)) {
    return { ok: false, command: word, reason: 'info is followed by one space and the name of what to show (info mtree)' };
  }
  return { ok: true, command: word };
}
