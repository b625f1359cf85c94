import { tailLines } from './render';

/**
 * How a console's text reaches its terminal: one piece at a time, the next only after the terminal has parsed the
 * last (so the terminal never holds a queue of its own, which it would work off in long tasks of its own), one piece
 * per animation frame at most, the piece's size adapted so that parsing it takes about `budgetMs`.
 *
 * A backlog longer than `trimAt` characters is cut to the lines the terminal would keep of it (`keepLines`: its
 * scroll-back and screen): the lines before could only scroll out unseen. The console store keeps every byte (Copy,
 * the log file and the boot report have them), so nothing is lost but what the terminal would have dropped itself.
 */
export interface TerminalFeedOptions {
  /** Parse time aimed at per piece (ms). */
  budgetMs: number;
  minPiece: number;
  maxPiece: number;
  /** The first piece's size, before any was timed. */
  firstPiece: number;
  trimAt: number;
  keepLines: () => number;
}

export const DEFAULT_FEED: Omit<TerminalFeedOptions, 'keepLines'> = {
  budgetMs: 4,
  minPiece: 2 * 1024,
  maxPiece: 64 * 1024,
  firstPiece: 16 * 1024,
  trimAt: 4 << 20,
};

export interface TerminalFeedHost {
  /** Give the terminal text; `parsed` is called once it has been processed. */
  write(text: string, parsed: () => void): void;
  /** Run `cb` at the next animation frame; returns a cancel function. */
  frame(cb: () => void): () => void;
  now(): number;
}

export class TerminalFeed {
  private backlog: string[] = [];
  private queued = 0;
  /** Writes given to the terminal and not parsed yet. */
  private inFlight = 0;
  private cancelFrame: (() => void) | undefined;
  private piece: number;
  private disposed = false;
  /** Characters cut from the backlog so far (never drawn: they would have scrolled out of the terminal's keep). */
  trimmed = 0;

  constructor(
    private readonly host: TerminalFeedHost,
    private readonly opts: TerminalFeedOptions,
  ) {
    this.piece = opts.firstPiece;
  }

  /** Characters waiting for the terminal. */
  get pending(): number {
    return this.queued;
  }

  /** The size of the next piece (adapts to how fast the terminal parsed the last ones). */
  get pieceSize(): number {
    return this.piece;
  }

  push(text: string): void {
    if (!text || this.disposed) return;
    this.backlog.push(text);
    this.queued += text.length;
    if (this.queued > this.opts.trimAt) this.trim();
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
    this.cancelFrame = this.host.frame(() => {
      this.cancelFrame = undefined;
      this.pump();
    });
  }

  private pump() {
    if (this.inFlight || !this.queued || this.disposed) return;
    const size = this.piece;
    const text = this.take(size);
    const t0 = this.host.now();
    this.inFlight++;
    this.host.write(text, () => {
      // Only a full piece says how fast the terminal is: a short one (the end of the backlog) would shrink it.
      if (text.length >= size) this.adapt(this.host.now() - t0);
      this.parsed();
    });
  }

  private parsed() {
    this.inFlight--;
    this.schedule();
  }

  /** Halve the piece when parsing it took over 1.5 budgets, double it when it took under half of one. */
  private adapt(ms: number) {
    const { budgetMs, minPiece, maxPiece } = this.opts;
    if (ms > budgetMs * 1.5) this.piece = Math.max(minPiece, this.piece >> 1);
    else if (ms < budgetMs / 2) this.piece = Math.min(maxPiece, this.piece * 2);
  }

  private trim() {
    const all = this.backlog.join('');
    let text = tailLines(all, this.opts.keepLines());
    if (text.length > this.opts.trimAt / 2) text = text.slice(-this.opts.trimAt / 2);
    this.trimmed += all.length - text.length;
    this.backlog = [text];
    this.queued = text.length;
  }

  /** Up to `max` characters from the front of the backlog. */
  private take(max: number): string {
    const out: string[] = [];
    let n = 0;
    while (this.backlog.length && n < max) {
      const c = this.backlog[0]!;
      const room = max - n;
      if (c.length <= room) {
        out.push(c);
        n += c.length;
        this.backlog.shift();
      } else {
        out.push(c.slice(0, room));
        n += room;
        this.backlog[0] = c.slice(room);
      }
    }
    this.queued -= n;
    return out.join('');
  }
}
