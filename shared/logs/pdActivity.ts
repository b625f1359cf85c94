/**
 * What each protection domain of the open system is doing, read from a booting machine's console as it arrives:
 * not started, started, printing (with its last line), faulted (with the Microkit monitor's fault report).
 *
 * Incremental and linear: each byte is looked at a bounded number of times (a line is split once; a line with no
 * newline yet is kept up to {@link MAX_PARTIAL} characters, its head being what names the speaker). Memory is bounded
 * by the number of PDs: per PD its last line (capped), its fault text (capped) and three times.
 *
 * ## Who printed a line
 * - The Microkit monitor starts every PD of the system once its system invocations are done: 2.0.x prints
 *   `MON|INFO: completed system invocations`, later versions (capDL initialiser) `MON|INFO: Microkit Monitor started!`.
 *   Either line marks every PD started. `MON|INFO: PD 'NAME' is now passive!` (older: `NAME is now passive!`) marks
 *   that PD started.
 * - A line that begins with a speaker and `|` or `:` — `NAME|INFO: …`, `NAME|ERROR: …`, `NAME: …`, `NAME | …` — is
 *   that PD's when the speaker names one: the exact name; else the name in another case when exactly one PD has it;
 *   else, when the speaker is as long as the names the monitor and libmicrokit can hold (15 characters in Microkit
 *   2.0.x, 63 later), the PDs whose names start with it. Several such PDs: the line is ambiguous and given to none
 *   (a fault report naming them marks them all, as a suspect: see {@link PdFault.candidates}).
 *   Speakers that are no PD (`UART|…`, `BLK DRIVER|…` of sDDF's drivers) are nobody's.
 * - Any other line after the system started belongs to the only PD when the system has one (the hello example's
 *   `hello, world`); with several PDs it is counted as unattributed.
 * - Lines of the loader (`LDR|`), the kernel before user space, the monitor's own lines and QEMU's own messages
 *   (`qemu-system-…: …`) are nobody's.
 *
 * ## A fault
 * The monitor reports a PD's fault as (Microkit 1.x–2.x): `MON|ERROR: received message 0x… badge: 0x… tcb cap: 0x…`,
 * `MON|ERROR: faulting PD: NAME` (the name cut to the limit above), register lines (`Registers:` / `pc : 0x…`, in
 * newer versions prefixed with `MON|ERROR: `), then the fault: `MON|ERROR: VMFault: ip=… fault_addr=… fsr=… (data
 * fault)`, `MON|ERROR: CapFault: …`, `MON|ERROR: UserException`, `MON|ERROR: Unknown fault`, and detail lines
 * (`MON|ERROR:    ec: …`, `MON|ERROR:    dfsc = …`). The fault text is the fault line; the detail lines follow it.
 */

export type PdPhase = 'not-started' | 'started' | 'printing' | 'faulted';

export interface PdFault {
  /** The fault line without its `MON|ERROR: ` prefix ("VMFault: ip=0x… fault_addr=0x0 …"), or "fault" until it came. */
  text: string;
  /** The monitor's detail lines after it (exception class, DFSC), at most {@link MAX_DETAIL}. */
  detail: string[];
  /** When the report named the PD (ms since the first byte). */
  at: number;
  /** The name as the monitor printed it (cut to its limit). */
  reported: string;
  /** Set when the printed name fits several PDs: every one of them (this PD among them) may be the one. */
  candidates?: string[];
}

export interface PdActivity {
  name: string;
  phase: PdPhase;
  /** ms since the first byte of the console. */
  startedAt?: number;
  firstOutputAt?: number;
  lastAt?: number;
  /** The PD's newest line, at most {@link MAX_LINE} characters. */
  lastLine?: string;
  lines: number;
  fault?: PdFault;
}

/** One change of a PD's phase, in the order it happened. */
export interface PdTransition {
  t: number;
  pd: string;
  phase: PdPhase;
}

export const MAX_LINE = 240;
export const MAX_PARTIAL = 4096;
export const MAX_DETAIL = 4;
/** Transitions kept (the oldest go first); one per PD and phase at most, so this only bounds huge systems. */
export const MAX_TRANSITIONS = 512;
/** The monitor's and libmicrokit's name buffers hold 16 (Microkit 2.0.x) or 64 bytes (later), the last one a NUL. */
const CUT_LENGTHS = [15, 63];

// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-_])|[\x00-\x08\x0b-\x1f\x7f]/g;
/** Whether CONTROL could match: any control character (ESC is one). */
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
const SYSTEM_STARTED = /^MON\|INFO: (?:completed system invocations|Microkit Monitor started!)/;
const PASSIVE = /^(?:MON\|INFO: PD '([^']+)' is now passive!|([^\s']+) is now passive!)/;
const RECEIVED = /^MON\|ERROR: received message 0x[0-9a-fA-F]+\s+badge: 0x[0-9a-fA-F]+/;
const FAULTING = /^MON\|ERROR: faulting PD: (.+?)\s*$/;
/** The fault itself (kind and addresses): VMFault, CapFault, UserException, CHERI…, Unknown fault. */
const FAULT_KIND = /^(?:MON\|ERROR: )?((?:VMFault|CapFault|UserException|Unknown fault|CHERI [\w ]+?|\w+Fault)\b.*)$/;
const REGISTER = /^(?:MON\|ERROR: ?)?\s*(?:Registers:\s*|[a-z][a-z0-9_]{0,9}\s?: (?:0x[0-9a-fA-F]+|0\b).*)$/;
const MONITOR_DETAIL = /^MON\|ERROR: (.+)$/;
const SPEAKER = /^([A-Za-z_][\w.-]{0,63}) ?[|:]/;
const NOBODY = /^(?:LDR\||MON\||qemu-system-\w+: )/;

export class PdActivityTracker {
  private start: number | undefined;
  private partial = '';
  private partialCut = false;
  private systemStarted = false;
  /** A fault report in progress: the PDs it names (after `faulting PD:`), or [] before that line. */
  private report: { pds: string[]; kindSeen: boolean } | undefined;
  private readonly pds = new Map<string, PdActivity>();
  private readonly lower = new Map<string, string[]>();
  private readonly names: string[];
  readonly transitions: PdTransition[] = [];
  /** Lines after the system started that no PD could be named for (several PDs, no speaker), and the newest one. */
  unattributed = 0;
  lastUnattributed: string | undefined;

  constructor(pdNames: readonly string[]) {
    this.names = [...new Set(pdNames)];
    for (const n of this.names) {
      this.pds.set(n, { name: n, phase: 'not-started', lines: 0 });
      const k = n.toLowerCase();
      this.lower.set(k, [...(this.lower.get(k) ?? []), n]);
    }
  }

  get(name: string): PdActivity | undefined {
    return this.pds.get(name);
  }

  all(): PdActivity[] {
    return this.names.map((n) => this.pds.get(n)!);
  }

  /** Whether the monitor has started the system (every PD runs from then on). */
  get started(): boolean {
    return this.systemStarted;
  }

  /**
   * The PDs a printed name stands for: the exact name; a unique case-insensitive match; the PDs a cut name starts.
   * More than one: the name is ambiguous.
   */
  resolve(speaker: string): string[] {
    if (this.pds.has(speaker)) return [speaker];
    const ci = this.lower.get(speaker.toLowerCase());
    if (ci?.length === 1) return ci;
    if (CUT_LENGTHS.includes(speaker.length)) return this.names.filter((n) => n.length > speaker.length && n.startsWith(speaker));
    return [];
  }

  /** Feed received text at time `now` (ms); returns the names of the PDs whose activity changed. */
  feed(text: string, now: number): Set<string> {
    const changed = new Set<string>();
    if (!text) return changed;
    if (this.start === undefined) this.start = now;
    const t = now - this.start;
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      const piece = text.slice(from, nl);
      const line = this.partial ? this.partial + (this.partialCut ? '' : piece.slice(0, MAX_PARTIAL - this.partial.length)) : piece.slice(0, MAX_PARTIAL);
      this.partial = '';
      this.partialCut = false;
      this.line(line, t, changed);
      from = nl + 1;
    }
    if (from < text.length && !this.partialCut) {
      this.partial += text.slice(from, from + MAX_PARTIAL - this.partial.length);
      if (this.partial.length >= MAX_PARTIAL) this.partialCut = true;
    }
    return changed;
  }

  reset(): void {
    this.start = undefined;
    this.partial = '';
    this.partialCut = false;
    this.systemStarted = false;
    this.report = undefined;
    for (const n of this.names) this.pds.set(n, { name: n, phase: 'not-started', lines: 0 });
    this.transitions.length = 0;
    this.unattributed = 0;
    this.lastUnattributed = undefined;
  }

  private line(raw: string, t: number, changed: Set<string>) {
    // The hot path of a fast console: most lines are `NAME|…` with only the CR of CRLF as a control character. The
    // CR goes first (no escape sequence can end in it), the rest is cleaned only where a control character is left;
    // the monitor's lines (`MON|`) and passive notices are looked for only where they can be.
    const cr = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const line = (HAS_CONTROL.test(cr) ? cr.replace(CONTROL, '') : cr).trimEnd();
    // Trailing blanks are gone: an empty line is the only blank one left.
    if (!line) return;
    if (this.report && this.inReport(line, t, changed)) return;
    this.report = undefined;
    const monitor = line.startsWith('MON|');
    if (monitor && SYSTEM_STARTED.test(line)) {
      this.systemStarted = true;
      for (const n of this.names) this.markStarted(n, t, changed);
      return;
    }
    const passive = line.includes(' passive!') ? PASSIVE.exec(line) : null;
    if (passive) {
      for (const n of this.resolve(passive[1] ?? passive[2]!)) this.markStarted(n, t, changed);
      return;
    }
    if (monitor && RECEIVED.test(line)) {
      this.report = { pds: [], kindSeen: false };
      return;
    }
    const faulting = monitor ? FAULTING.exec(line) : null;
    if (faulting) {
      this.report = { pds: [], kindSeen: false };
      this.faulting(faulting[1]!, t, changed);
      return;
    }
    if (monitor || NOBODY.test(line)) return;
    const speaker = SPEAKER.exec(line);
    if (speaker) {
      const who = this.resolve(speaker[1]!);
      if (who.length === 1) return this.printed(who[0]!, line, t, changed);
      if (who.length > 1) return this.unowned(line);
    }
    if (!this.systemStarted) return;
    if (this.names.length === 1) return this.printed(this.names[0]!, line, t, changed);
    this.unowned(line);
  }

  /** A line while a fault report is open: true when it belongs to the report. */
  private inReport(line: string, t: number, changed: Set<string>): boolean {
    const r = this.report!;
    const faulting = FAULTING.exec(line);
    if (faulting && r.pds.length === 0) {
      this.faulting(faulting[1]!, t, changed);
      return true;
    }
    if (!r.kindSeen && REGISTER.test(line)) return true;
    const kind = !r.kindSeen ? FAULT_KIND.exec(line) : null;
    if (kind) {
      r.kindSeen = true;
      for (const n of r.pds) this.setFault(n, { text: cap(kind[1]!) }, changed);
      return true;
    }
    const detail = r.kindSeen ? MONITOR_DETAIL.exec(line) : null;
    if (detail && !RECEIVED.test(line) && !FAULTING.test(line)) {
      for (const n of r.pds) {
        const f = this.pds.get(n)!.fault;
        if (f && f.detail.length < MAX_DETAIL) this.setFault(n, { detail: [...f.detail, cap(detail[1]!.trim())] }, changed);
      }
      return true;
    }
    return false;
  }

  private faulting(reported: string, t: number, changed: Set<string>) {
    const who = this.resolve(reported);
    this.report!.pds = who;
    for (const n of who) {
      const p = this.pds.get(n)!;
      if (p.startedAt === undefined) p.startedAt = t;
      p.fault = { text: 'fault', detail: [], at: t, reported, ...(who.length > 1 ? { candidates: who } : {}) };
      this.phase(p, 'faulted', t);
      changed.add(n);
    }
  }

  private setFault(name: string, patch: Partial<PdFault>, changed: Set<string>) {
    const p = this.pds.get(name)!;
    if (!p.fault) return;
    p.fault = { ...p.fault, ...patch };
    changed.add(name);
  }

  private markStarted(name: string, t: number, changed: Set<string>) {
    const p = this.pds.get(name)!;
    if (p.phase !== 'not-started') return;
    p.startedAt = t;
    this.phase(p, 'started', t);
    changed.add(name);
  }

  private printed(name: string, line: string, t: number, changed: Set<string>) {
    const p = this.pds.get(name)!;
    if (p.startedAt === undefined) p.startedAt = t;
    if (p.firstOutputAt === undefined) p.firstOutputAt = t;
    p.lastAt = t;
    p.lastLine = cap(line);
    p.lines++;
    if (p.phase !== 'faulted' && p.phase !== 'printing') this.phase(p, 'printing', t);
    changed.add(name);
  }

  private unowned(line: string) {
    this.unattributed++;
    this.lastUnattributed = cap(line);
  }

  private phase(p: PdActivity, phase: PdPhase, t: number) {
    p.phase = phase;
    this.transitions.push({ t, pd: p.name, phase });
    if (this.transitions.length > MAX_TRANSITIONS) this.transitions.splice(0, this.transitions.length - MAX_TRANSITIONS);
  }
}

const cap = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s);
