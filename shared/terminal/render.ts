/**
 * What a console shows for the bytes it received: plain text, text with a time stamp at the start of each line, or a
 * hex dump. Pure and incremental: the terminal view feeds every chunk as it arrives, and feeds the whole history
 * again into a fresh renderer when the user flips a view option, so both give the same screen.
 */
import { utf8 } from '../format/utf8';

export interface ConsoleChunk {
  /** Milliseconds since the console's first byte. */
  t: number;
  data: Uint8Array;
}

/** A streaming UTF-8 decoder (the platform's TextDecoder; shared/ does not assume platform APIs). */
export interface StreamDecoder {
  decode(input: Uint8Array, options: { stream: boolean }): string;
}

export interface ConsoleViewOptions {
  timestamps: boolean;
  hex: boolean;
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const HEX_ROW = 16;

/** `[   12.345]`: seconds since the first byte, like the kernel's printk stamps. */
export function formatStamp(ms: number): string {
  return `[${(ms / 1000).toFixed(3).padStart(9)}] `;
}

export class ConsoleRenderer {
  private atLineStart = true;
  private offset = 0;
  private row: number[] = [];

  constructor(
    private readonly opts: ConsoleViewOptions,
    private readonly decoder: StreamDecoder,
  ) {}

  /** Terminal text (with SGR dimming for stamps and offsets) for one chunk. */
  feed(chunk: ConsoleChunk): string {
    return this.opts.hex ? this.hex(chunk.data) : this.text(chunk);
  }

  private text(chunk: ConsoleChunk): string {
    const text = this.decoder.decode(chunk.data, { stream: true });
    if (!this.opts.timestamps) return text;
    let out = '';
    let from = 0;
    // Line by line (indexOf, not a loop over characters: a 10 MiB burst stays fast).
    while (from < text.length) {
      const nl = text.indexOf('\n', from);
      const end = nl < 0 ? text.length : nl + 1;
      const line = text.slice(from, end);
      // A stamp goes before the first character of a line, so it tells when that line started arriving.
      if (this.atLineStart) {
        const lead = /^[\r\n]*/.exec(line)![0].length;
        if (lead < line.length) {
          out += line.slice(0, lead) + DIM + formatStamp(chunk.t) + RESET + line.slice(lead);
          this.atLineStart = false;
        } else out += line;
      } else out += line;
      if (nl >= 0) this.atLineStart = true;
      from = end;
    }
    return out;
  }

  private hex(data: Uint8Array): string {
    let out = '';
    for (const b of data) {
      if (this.row.length === 0) out += `${DIM}${this.offset.toString(16).padStart(8, '0')}${RESET}  `;
      this.row.push(b);
      this.offset++;
      out += b.toString(16).padStart(2, '0') + (this.row.length === 8 ? '  ' : ' ');
      if (this.row.length === HEX_ROW) {
        out += ` ${DIM}|${ascii(this.row)}|${RESET}\r\n`;
        this.row = [];
      }
    }
    return out;
  }
}

function ascii(row: number[]): string {
  return row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

/** Every chunk through one renderer: what a fresh terminal shows for the whole history. */
export function renderConsole(chunks: readonly ConsoleChunk[], opts: ConsoleViewOptions, decoder: StreamDecoder): string {
  const r = new ConsoleRenderer(opts, decoder);
  let out = '';
  for (const c of chunks) out += r.feed(c);
  return out;
}

/** The text from the start of its last `lines` lines (all of it when it has no more). */
export function tailLines(text: string, lines: number): string {
  let at = text.length;
  for (let n = 0; n <= lines; n++) {
    if (at <= 0) return text;
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return text;
  }
  return text.slice(at + 1);
}

/** Local echo: what the user typed, as the terminal should show it (Enter starts a new line, DEL rubs out). */
export function localEcho(typed: string): string {
  return typed.replace(/\r\n?|\n/g, '\r\n').replace(/\x7f/g, '\b \b');
}

export interface PasteCheck {
  bytes: number;
  lines: number;
}

/**
 * Keystrokes arrive a few bytes at a time; a paste arrives whole. A paste of more than one line or `maxBytes` goes to
 * a board (a U-Boot prompt, a root shell) only after the user confirms it.
 */
export function pasteNeedsConfirmation(data: string, maxBytes = 256): PasteCheck | undefined {
  const START = '\x1b[200~';
  const END = '\x1b[201~';
  let body = data.startsWith(START) ? data.slice(START.length) : data;
  if (body.endsWith(END)) body = body.slice(0, -END.length);
  const bytes = utf8(body).length;
  const lines = body.split(/\r\n|\r|\n/).filter((l, i, all) => l.length > 0 || i < all.length - 1).length;
  return bytes > maxBytes || lines > 1 ? { bytes, lines } : undefined;
}

/** Keeps a console's history under `limit` bytes by dropping whole chunks from the front. */
export function trimChunks(chunks: ConsoleChunk[], total: number, limit: number): number {
  while (total > limit && chunks.length > 1) total -= chunks.shift()!.data.length;
  return total;
}
