import { QEMU_DEVICES, QEMU_TRACE_ITEMS, QemuOptionsSchema, type QemuOptions } from './command';

/**
 * Machine options typed as QEMU spells them (`-smp 2 -m 1G -netdev user,hostfwd=tcp::5555-:22 -device
 * virtio-rng-device -initrd guest/initrd.cpio -append "console=ttyAMA0"`), read into the typed {@link QemuOptions}
 * the host composes arguments from. What is not on the allow-list is refused, each with why: the panel shows them.
 */
export interface OptionRefusal {
  arg: string;
  reason: string;
}

export interface ParsedOptions {
  options: QemuOptions;
  refused: OptionRefusal[];
}

const SUPERVISED_WHY = 'is set by seL4 Studio (the console, QMP and the paused start depend on it)';
const ELSEWHERE = 'is not on the list the IDE passes (-smp, -m, -netdev user, -device, -drive, -initrd, -append, -gdb, -s, -d); for any QEMU argument run from a terminal: sel4-studio qemu … -- ARGS';

/** Words as a shell splits them: blanks separate, '…' and "…" quote, a backslash escapes one character. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      cur += end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** `-m` as QEMU reads it: MiB by default, or with a suffix (M, G), or `size=…`. */
export function parseMemory(v: string): number | string {
  const m = /^(?:size=)?(\d+)([MG]?)i?B?$/i.exec(v.trim());
  if (!m) return `-m ${v}: give a size such as 512, 512M or 2G`;
  const n = Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1);
  if (n < 16 || n > 1024 * 1024) return `-m ${v}: between 16M and 1024G`;
  return n;
}

/** `-smp N` or `-smp cpus=N`. */
export function parseSmp(v: string): number | string {
  const m = /^(?:cpus=)?(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 64) return `-smp ${v}: give a CPU count from 1 to 64 (other -smp keys are not passed)`;
  return Number(m[1]);
}

/** `user[,id=…][,hostfwd=tcp::HOST-:GUEST]…`: user-mode networking only, forwards listen on 127.0.0.1. */
export function parseNetdev(v: string): NonNullable<QemuOptions['network']> | string {
  const [kind, ...keys] = v.split(',');
  if (kind !== 'user') return `-netdev ${kind}: only user-mode networking (-netdev user) — no host interfaces, bridges or scripts`;
  const hostfwd: NonNullable<QemuOptions['network']>['hostfwd'] = [];
  for (const k of keys) {
    if (/^id=[\w.-]+$/.test(k)) continue;
    const f = /^hostfwd=(tcp|udp)?:(?:127\.0\.0\.1|localhost)?:(\d+)-(?:10\.0\.2\.15)?:(\d+)$/.exec(k);
    if (!f) return `-netdev user,${k}: only hostfwd=tcp::HOSTPORT-:GUESTPORT (listening on 127.0.0.1) may be given`;
    const hostPort = Number(f[2]);
    const guestPort = Number(f[3]);
    if (hostPort < 1024 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) return `${k}: the host port must be 1024–65535 and the guest port 1–65535`;
    hostfwd.push({ protocol: (f[1] ?? 'tcp') as 'tcp' | 'udp', hostPort, guestPort });
  }
  return { hostfwd };
}

const keyed = (v: string): Map<string, string> => new Map(v.split(',').map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));

/** Read the typed options; every argument is either taken into {@link QemuOptions} or refused with its reason. */
export function parseQemuOptionText(text: string): ParsedOptions {
  return parseQemuOptions(splitWords(text));
}

/** The same, from words already split (the command line's flags). */
export function parseQemuOptions(words: readonly string[]): ParsedOptions {
  const o: QemuOptions = {};
  const refused: OptionRefusal[] = [];
  let wantBlk = false;
  let wantNet = false;
  for (let i = 0; i < words.length; i++) {
    const raw = words[i]!;
    const opt = raw.startsWith('--') ? raw.slice(1) : raw;
    const value = (): string | undefined => {
      const v = words[i + 1];
      if (v === undefined) {
        refused.push({ arg: raw, reason: `${opt} needs a value` });
        return undefined;
      }
      i++;
      return v;
    };
    const take = <T>(arg: string, r: T | string, put: (v: T) => void) => (typeof r === 'string' ? refused.push({ arg, reason: r }) : put(r));
    switch (opt) {
      case '-smp': {
        const v = value();
        if (v !== undefined) take(`${raw} ${v}`, parseSmp(v), (n) => (o.smp = n));
        break;
      }
      case '-m': {
        const v = value();
        if (v !== undefined) take(`${raw} ${v}`, parseMemory(v), (n) => (o.memoryMiB = n));
        break;
      }
      case '-netdev':
      case '-nic': {
        const v = value();
        if (v !== undefined) take(`${raw} ${v}`, parseNetdev(v.replace(/,model=virtio(-net-device)?/, '')), (n) => (o.network = { hostfwd: [...(o.network?.hostfwd ?? []), ...n.hostfwd] }));
        break;
      }
      case '-device': {
        const v = value();
        if (v === undefined) break;
        const name = v.split(',')[0]!;
        const keys = keyed(v);
        if (name === 'virtio-rng-device' && v === name) o.rng = true;
        else if (name === 'virtio-net-device') wantNet = true;
        else if (name === 'virtio-blk-device') wantBlk = true;
        else if (name === 'loader' && keys.has('file') && keys.has('addr') && [...keys.keys()].every((k) => ['loader', 'file', 'addr', 'force-raw'].includes(k)) && /^(0x[0-9a-f]+|\d+)$/i.test(keys.get('addr')!)) {
          o.loaders = [...(o.loaders ?? []), { file: keys.get('file')!, addr: Number(keys.get('addr')) }];
        } else if (name in QEMU_DEVICES) refused.push({ arg: `${raw} ${v}`, reason: name === 'loader' ? 'give loader,file=FILE,addr=ADDRESS (no other keys)' : `${name} takes no keys here` });
        else refused.push({ arg: `${raw} ${v}`, reason: `${name} is not on the device list (${Object.keys(QEMU_DEVICES).join(', ')})` });
        break;
      }
      case '-drive': {
        const v = value();
        if (v === undefined) break;
        const keys = keyed(v);
        const ok = keys.has('file') && [...keys.keys()].every((k) => ['file', 'if', 'format', 'id'].includes(k)) && ['none', 'virtio', undefined].includes(keys.get('if')) && ['raw', undefined].includes(keys.get('format'));
        if (ok) o.disk = keys.get('file')!;
        else refused.push({ arg: `${raw} ${v}`, reason: 'only a raw image on a virtio disk: -drive file=IMAGE[,format=raw]' });
        break;
      }
      case '-initrd': {
        const v = value();
        if (v !== undefined) o.initrd = v;
        break;
      }
      case '-append': {
        const v = value();
        if (v !== undefined) o.append = v;
        break;
      }
      case '-gdb': {
        const v = value();
        if (v === undefined) break;
        const m = /^tcp:(?:127\.0\.0\.1|localhost)?:(\d+)$/.exec(v);
        if (m && Number(m[1]) >= 1024 && Number(m[1]) <= 65535) o.gdbPort = Number(m[1]);
        else refused.push({ arg: `${raw} ${v}`, reason: 'the GDB stub listens on 127.0.0.1 only: -gdb tcp::PORT (1024–65535)' });
        break;
      }
      case '-s':
        o.gdbPort = 1234;
        break;
      case '-d': {
        const v = value();
        if (v === undefined) break;
        const items = v.split(',');
        const bad = items.filter((it) => !(QEMU_TRACE_ITEMS as readonly string[]).includes(it));
        if (bad.length) refused.push({ arg: `${raw} ${v}`, reason: `-d items allowed: ${QEMU_TRACE_ITEMS.join(', ')} (not ${bad.join(', ')}); the log goes to build/sel4-studio-qemu-trace.log` });
        else o.trace = items as QemuOptions['trace'];
        break;
      }
      case '-serial':
      case '-monitor':
      case '-qmp':
      case '-mon':
      case '-chardev':
      case '-S':
      case '-daemonize':
      case '-nographic':
      case '-display':
        refused.push({ arg: raw, reason: `${opt} ${SUPERVISED_WHY}` });
        if (!['-S', '-daemonize', '-nographic'].includes(opt) && words[i + 1] !== undefined && !words[i + 1]!.startsWith('-')) i++;
        break;
      case '-kernel':
        refused.push({ arg: raw, reason: 'the kernel is what Start boots: choose "kernel (-kernel)" and the file beside Start' });
        if (words[i + 1] !== undefined && !words[i + 1]!.startsWith('-')) i++;
        break;
      default:
        refused.push({ arg: raw, reason: raw.startsWith('-') ? `${raw} ${ELSEWHERE}` : `${raw} is not an option (options start with -)` });
        // Skip the option's value with it, so one refusal is said once.
        if (raw.startsWith('-') && words[i + 1] !== undefined && !words[i + 1]!.startsWith('-')) i++;
    }
  }
  if (wantNet && !o.network) o.network = { hostfwd: [] };
  if (wantBlk && o.disk === undefined) refused.push({ arg: '-device virtio-blk-device', reason: 'a virtio disk needs its image: add -drive file=IMAGE' });
  const checked = QemuOptionsSchema.safeParse(o);
  if (!checked.success) {
    for (const issue of checked.error.issues) refused.push({ arg: issue.path.join('.'), reason: issue.message });
    return { options: {}, refused };
  }
  return { options: checked.data, refused };
}
