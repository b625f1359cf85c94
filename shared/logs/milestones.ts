/**
 * Boot milestones recognised in a serial stream, stamped from its first byte: the seL4 loader, the kernel, the
 * Microkit monitor, protection domains, a Linux guest. Feed it chunks as they arrive; it keeps partial lines.
 */
export interface Milestone {
  /** Milliseconds since the first byte. */
  t: number;
  lane: string;
  label: string;
  line: string;
}

export interface Pattern {
  re: RegExp;
  lane: string | ((m: RegExpExecArray) => string);
  label: string | ((m: RegExpExecArray) => string);
}

/** A login prompt waits at the end of a line that has no newline yet. */
const LOGIN_PROMPT = /\blogin: ?$/;
/**
 * A shell prompt: what a shell prints before the user types, without a newline ("/ # ", "guest# ",
 * "root@debian:~# ", "$ "). Only looked for once a Linux guest has run its init, and only the first one counts.
 */
const SHELL_PROMPT = /^(?:[\w@:~/.\-[\]]{0,60} ?)?[#$] ?$/;
/** Terminal control sequences (colours, busybox's cursor-position query) do not count as text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-_])/g;
/** A control sequence cut off at the end of a chunk (the rest comes with the next one). */
// eslint-disable-next-line no-control-regex
const CONTROL_CUT = /\x1b(?:\[[0-9;?]*[ -/]*|\][^\x07]*)?$/;

export const DEFAULT_PATTERNS: Pattern[] = [
  { re: /^LDR\|INFO: (?:alt|elf)?loader for seL4 starting/, lane: 'loader', label: 'Loader started' },
  { re: /^ELF-loader started/, lane: 'loader', label: 'ELF loader started' },
  { re: /^LDR\|INFO: jumping to kernel|^Jumping to kernel-image entry point/, lane: 'loader', label: 'Jumping to the kernel' },
  { re: /^Bootstrapping kernel/, lane: 'kernel', label: 'Kernel bootstrapping' },
  { re: /^Booting all finished, dropped to user space/, lane: 'kernel', label: 'User space' },
  { re: /^MON\|INFO: Microkit Bootstrap/, lane: 'monitor', label: 'Microkit monitor' },
  { re: /^MON\|INFO: completed system invocations/, lane: 'monitor', label: 'System ready' },
  { re: /^MON\|ERROR: (.*)/, lane: 'monitor', label: (m) => `Monitor error: ${m[1]}` },
  // libvmm's VMM prints "NAME|INFO: …" with its PD's name (LOG_VMM) and "NAME|ERROR (fn:line): …" (LOG_VMM_ERR).
  { re: /^([A-Za-z][\w-]{0,31})\|INFO: Copying guest kernel image to (0x[0-9a-fA-F]+)/, lane: (m) => m[1]!.toLowerCase(), label: (m) => `Guest kernel copied to ${m[2]}` },
  { re: /^([A-Za-z][\w-]{0,31})\|INFO: starting guest at (0x[0-9a-fA-F]+)/, lane: (m) => m[1]!.toLowerCase(), label: (m) => `Guest started at ${m[2]}` },
  { re: /^([A-Za-z][\w-]{0,31})\|ERROR(?: \([^)]*\))?: (.*)/, lane: (m) => m[1]!.toLowerCase(), label: (m) => `Error: ${m[2]!.length > 40 ? `${m[2]!.slice(0, 40)}…` : m[2]}` },
  { re: /^(?:\[\s*[\d.]+\]\s*)?Booting Linux on physical CPU/, lane: 'linux', label: 'Linux booting' },
  { re: /^(?:\[\s*[\d.]+\]\s*)?Linux version (\S+)/, lane: 'linux', label: (m) => `Linux ${m[1]}` },
  { re: /^(?:\[\s*[\d.]+\]\s*)?Kernel panic - not syncing: (.*)/, lane: 'linux', label: (m) => `Kernel panic: ${m[1]!.length > 40 ? `${m[1]!.slice(0, 40)}…` : m[1]}` },
  { re: /^(?:\[\s*[\d.]+\]\s*)?Freeing unused kernel (?:image )?memory/, lane: 'linux', label: 'Kernel init done' },
  { re: /^(?:\[\s*[\d.]+\]\s*)?Run (\S+) as init process/, lane: 'linux', label: (m) => `Run ${m[1]}` },
  { re: LOGIN_PROMPT, lane: 'linux', label: 'Login prompt' },
  // Libraries and drivers that say who speaks: "VMM|INFO: ...", "UART|...", "ETH|...".
  // (The loader's and the monitor's own lines have the milestones above; their other lines are detail.)
  { re: /^(?!LDR\||MON\|)([A-Z][A-Z0-9_]{1,15})\|(?:INFO|ERROR|WARN|LOG)?:? ?(.*)/, lane: (m) => m[1]!.toLowerCase(), label: (m) => (m[2]!.length > 40 ? `${m[2]!.slice(0, 40)}…` : m[2]!) },
];

export class MilestoneTracker {
  private start: number | undefined;
  private partial = '';
  private afterMonitor = false;
  /** A Linux guest ran its init: its first shell prompt is a milestone. */
  private guestInit = false;
  private promptSeen = false;
  private readonly seenPd = new Set<string>();
  readonly milestones: Milestone[] = [];

  constructor(private readonly patterns: Pattern[] = DEFAULT_PATTERNS) {}

  /** Feed received text at time `now` (ms); returns the milestones it completed. */
  feed(text: string, now: number): Milestone[] {
    if (this.start === undefined && text.length) this.start = now;
    const t = now - (this.start ?? now);
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    const found: Milestone[] = [];
    const consider = (raw: string, complete: boolean) => {
      const line = raw.replace(CONTROL, '').replace(complete ? '' : CONTROL_CUT, '').replace(/\r/g, '');
      if (!line.trim()) return;
      if (!complete && !LOGIN_PROMPT.test(line)) {
        // Only a prompt counts before its newline: a login prompt, or the guest's first shell prompt after its init.
        if (this.guestInit && !this.promptSeen && SHELL_PROMPT.test(line)) {
          this.promptSeen = true;
          found.push({ t, lane: 'linux', label: 'Shell prompt', line });
        }
        return;
      }
      if (/Run \S+ as init process/.test(line)) this.guestInit = true;
      else if (this.guestInit && !this.promptSeen && raw.includes('\x1b') && SHELL_PROMPT.test(raw.slice(0, raw.indexOf('\x1b')))) {
        // A prompt and what was typed after it in one line (the output was read late): the shell's terminal query
        // (busybox asks for the cursor position right after its prompt) ends the prompt.
        this.promptSeen = true;
        found.push({ t, lane: 'linux', label: 'Shell prompt', line: raw.slice(0, raw.indexOf('\x1b')) });
        return;
      }
      for (const p of this.patterns) {
        const m = p.re.exec(line);
        if (!m) continue;
        if (!complete && p.re !== LOGIN_PROMPT) return;
        const ms: Milestone = { t, lane: typeof p.lane === 'string' ? p.lane : p.lane(m), label: typeof p.label === 'string' ? p.label : p.label(m), line };
        if (ms.lane === 'monitor' && ms.label === 'System ready') this.afterMonitor = true;
        found.push(ms);
        return;
      }
      // After the monitor has started the system, other lines come from protection domains: note the first one.
      if (complete && this.afterMonitor && !this.seenPd.has('pd')) {
        this.seenPd.add('pd');
        found.push({ t, lane: 'pd', label: `First PD output: ${line.length > 40 ? `${line.slice(0, 40)}…` : line}`, line });
      }
    };
    for (const l of lines) consider(l, true);
    const tail = this.partial.replace(CONTROL, '').replace(CONTROL_CUT, '').replace(/\r/g, '');
    if (LOGIN_PROMPT.test(tail) || (this.guestInit && !this.promptSeen && SHELL_PROMPT.test(tail))) {
      consider(this.partial, false);
      this.partial = '';
    }
    this.milestones.push(...found);
    return found;
  }

  reset() {
    this.start = undefined;
    this.partial = '';
    this.afterMonitor = false;
    this.guestInit = false;
    this.promptSeen = false;
    this.seenPd.clear();
    this.milestones.length = 0;
  }
}

/** Parse user patterns written as `label = /regex/` lines (the timeline settings). */
export function parseUserPatterns(text: string): { patterns: Pattern[]; errors: { line: number; message: string }[] } {
  const patterns: Pattern[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split('\n').forEach((l, i) => {
    if (!l.trim() || l.trim().startsWith('#')) return;
    const m = /^\s*([^=]+?)\s*=\s*\/(.*)\/([imsu]*)\s*$/.exec(l);
    if (!m) return void errors.push({ line: i + 1, message: 'expected: label = /regular expression/' });
    try {
      patterns.push({ re: new RegExp(m[2]!, m[3]), lane: 'user', label: m[1]! });
    } catch (e) {
      errors.push({ line: i + 1, message: (e as Error).message });
    }
  });
  return { patterns, errors };
}
