import { tailLines } from './render';

/**
 * How a console's text reaches its terminal: at most one piece of `piece` characters per animation frame, the next
 * only after the terminal has parsed the last (so the terminal never holds a queue of its own, which it would work
 * off in long tasks of its own, frames missed meanwhile).
 *
 * The terminal stays current. While frames come, text that waited longer than `maxLagMs` means the console runs
 * faster than the terminal draws (a PD printing in a loop): the backlog is cut to what arrived in the last half of
 * that time, at a line's start, behind a marker line that says how many lines were not drawn — rather than showing
 * output seconds old while the graph already shows the fault at its end. Without frames (a hidden page) nothing is
 * drawn and nothing is cut for lag; a backlog over `trimAt` characters is cut to the lines the terminal would keep
 * (`keepLines`: scroll-back and screen), silently: the lines before would have scrolled out of it anyway. When frames
 * come again, that backlog is drawn in full.
 * Nothing is lost either way: the console store keeps every byte (Copy, the log file, the boot report and the live
 * view read them all).
 */
export interface TerminalFeedOptions {
  /** Characters given to the terminal per frame at most. */
  piece: number;
  /** How long text may wait while frames come before the backlog is cut (ms). */
  maxLagMs: number;
  /** While the user interacts, a piece every this many frames (a drag's frames come first). */
  yieldEvery: number;
  trimAt: number;
  keepLines: () => number;
}

export const DEFAULT_FEED: Omit<TerminalFeedOptions, 'keepLines'> = {
  // ~3-6 ms of xterm parsing on this project's 2-core test machine under a fast console (npm run bench -- --only live).
  piece: 16 * 1024,
  maxLagMs: 500,
  // A drag of a node of the 250-node system while the console streams 2 MiB/s: pointer to screen p95 1.77x the
  // quiet drag when the terminal took every frame, 1.16-1.20x with one in four (npm run bench -- --only live).
  yieldEvery: 4,
  trimAt: 4 << 20,
};

/** The line put where lines were cut (dim, on a line of its own). */
export function skippedMarker(lines: number, chars: number, midLine = false): string {
  const size = chars >= 1 << 20 ? `${(chars / (1 << 20)).toFixed(1)} MiB` : `${Math.max(1, Math.round(chars / 1024))} KiB`;
  return `${midLine ? '\r\n' : ''}\x1b[2m── ${lines.toLocaleString('en')} line${lines === 1 ? '' : 's'} (${size}) not drawn: the console ran faster than the terminal draws; Copy and the log file have them ──\x1b[0m\r\n`;
}

export interface TerminalFeedHost {
  /** Give the terminal text; `parsed` is called once it has been processed. */
  write(text: string, parsed: () => void): void;
  /** Run `cb` at the next animation frame; returns a cancel function. */
  frame(cb: () => void): () => void;
  /** ms, monotonic. */
  now(): number;
  /** Whether the page is shown (a hidden page gets no frames). */
  visible(): boolean;
  /** Whether the user is in the middle of something (a drag): the terminal then takes one frame in `yieldEvery`. */
  interacting?(): boolean;
}

export class TerminalFeed {
  /** Text waiting, oldest first, with when it arrived. */
  private backlog: { text: string; at: number; marker?: { lines: number; chars: number } }[] = [];
  private queued = 0;
  /** Writes given to the terminal and not parsed yet. */
  private inFlight = 0;
  private cancelFrame: (() => void) | undefined;
  /** Text waited while the page was hidden. */
  private waitedHidden = false;
  /** The terminal was given a line's head and not its end yet. */
  private midLine = false;
  private disposed = false;
  /** Characters and lines cut for lag so far (never drawn; a marker line says where). */
  skipped = { chars: 0, lines: 0 };
  /** Characters cut while no frames came (beyond the terminal's scroll-back). */
  trimmed = 0;

  constructor(
    private readonly host: TerminalFeedHost,
    private readonly opts: TerminalFeedOptions,
  ) {}

  /** Characters waiting for the terminal. */
  get pending(): number {
    return this.queued;
  }

  push(text: string): void {
    if (!text || this.disposed) return;
    const now = this.host.now();
    this.backlog.push({ text, at: now });
    this.queued += text.length;
    if (this.host.visible()) this.keepCurrent(now);
    else {
      this.waitedHidden = true;
      if (this.queued > this.opts.trimAt) this.trim();
    }
    this.schedule();
  }

  /**
   * Everything queued, now, in one write (before local echo: what the user typed must come after what arrived).
   * A piece still being parsed stays ahead of it: the terminal parses writes in order.
   */
  flush(): void {
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    if (!this.queued) return;
    const text = this.take(Infinity);
    this.inFlight++;
    this.host.write(text, () => this.parsed());
  }

  dispose(): void {
    this.disposed = true;
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    this.backlog = [];
    this.queued = 0;
  }

  private schedule() {
    if (this.cancelFrame || this.inFlight || !this.queued || this.disposed) return;
    let frames = 0;
    const onFrame = () => {
      if (this.host.interacting?.() && ++frames < this.opts.yieldEvery) {
        this.cancelFrame = this.host.frame(onFrame);
        return;
      }
      this.cancelFrame = undefined;
      const now = this.host.now();
      // Shown again: what waited while hidden is drawn in full (it is bounded by the scroll-back), not cut for having
      // waited; it counts as arriving when its drawing will be done.
      if (this.waitedHidden) {
        this.waitedHidden = false;
        const done = now + (this.queued / this.opts.piece) * (1000 / 60);
        this.backlog = this.backlog.map((c) => ({ ...c, at: done }));
      }
      this.pump(now);
    };
    this.cancelFrame = this.host.frame(onFrame);
  }

  /** Text waiting longer than maxLagMs: cut to what arrived in the last half of it (a burst that came all at once
   * is only found too old here, at a frame, after it stopped arriving). */
  private keepCurrent(now: number) {
    if (this.backlog.length && now - this.backlog[0]!.at > this.opts.maxLagMs) this.cut(now - this.opts.maxLagMs / 2);
  }

  private pump(now: number) {
    if (this.inFlight || !this.queued || this.disposed) return;
    this.keepCurrent(now);
    const text = this.take(this.opts.piece, true);
    this.inFlight++;
    this.host.write(text, () => this.parsed());
  }

  private parsed() {
    this.inFlight--;
    this.schedule();
  }

  /**
   * Drop what arrived before `since` (at least one piece is kept, so the newest lines are always drawn), from a line's
   * start, and put the marker line in its place.
   */
  private cut(since: number) {
    // A marker not drawn yet is cut too: the new one counts what it counted (already in `skipped`). Markers only ever
    // lead the backlog.
    let before = { lines: 0, chars: 0 };
    let newline = this.midLine;
    let chunks = this.backlog;
    if (chunks[0]?.marker) {
      before = chunks[0].marker;
      newline = chunks[0].text.startsWith('\r\n');
      chunks = chunks.slice(1);
    }
    let old = 0;
    for (const c of chunks) {
      if (c.at >= since) break;
      old += c.text.length;
    }
    const all = chunks.map((c) => c.text).join('');
    let from = Math.max(0, Math.min(old, all.length - this.opts.piece));
    // From a line's start: the rest of the line cut into goes too, unless that leaves nothing (then its last line).
    if (from > 0 && all[from - 1] !== '\n') {
      const nl = all.indexOf('\n', from);
      from = nl >= 0 && nl + 1 < all.length ? nl + 1 : all.lastIndexOf('\n', all.length - 2) + 1;
    }
    if (from <= 0) return;
    let lines = 0;
    for (let i = all.indexOf('\n'); i >= 0 && i < from; i = all.indexOf('\n', i + 1)) lines++;
    // The first line cut may be the end of one whose head the terminal already has: not a line it missed (and the
    // marker starts a line of its own).
    if (this.midLine && lines) lines--;
    this.midLine = false;
    this.skipped.chars += from;
    this.skipped.lines += lines;
    const total = { lines: lines + before.lines, chars: from + before.chars };
    const at = chunks.find((c) => c.at >= since)?.at ?? since;
    const rest = all.slice(from);
    this.backlog = [{ text: skippedMarker(total.lines, total.chars, newline), at, marker: total }, { text: rest, at }];
    this.queued = this.backlog[0]!.text.length + rest.length;
  }

  private trim() {
    const all = this.backlog.map((c) => c.text).join('');
    let text = tailLines(all, this.opts.keepLines());
    if (text.length > this.opts.trimAt / 2) text = text.slice(-this.opts.trimAt / 2);
    this.trimmed += all.length - text.length;
    this.backlog = [{ text, at: this.backlog[this.backlog.length - 1]!.at }];
    this.queued = text.length;
  }

  /**
   * Up to `max` characters from the front of the backlog; `wholeLines`: ending at a line's end when there is one in
   * them (so a piece does not leave half a line on screen, for a frame or before a marker).
   */
  private take(max: number, wholeLines = false): string {
    const out: string[] = [];
    let n = 0;
    while (this.backlog.length && n < max) {
      const c = this.backlog[0]!;
      const room = max - n;
      if (c.text.length <= room) {
        out.push(c.text);
        n += c.text.length;
        this.backlog.shift();
      } else {
        let head = c.text.slice(0, room);
        if (wholeLines) {
          const nl = head.lastIndexOf('\n');
          // No line ends in this chunk's part: an earlier chunk's line end will do, else (a line longer than a piece)
          // the piece ends mid-line.
          if (nl >= 0) head = head.slice(0, nl + 1);
          else if (out.some((t) => t.includes('\n'))) head = '';
        }
        if (head) out.push(head);
        n += head.length;
        // A marker given in part is no longer one to merge: the rest is plain text.
        this.backlog[0] = { text: c.text.slice(head.length), at: c.at };
        break;
      }
    }
    this.queued -= n;
    const text = out.join('');
    if (text) this.midLine = !text.endsWith('\n');
    return text;
  }
}
