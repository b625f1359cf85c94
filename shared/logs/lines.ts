/**
 * Streamed output as lines, the one splitter every output parser uses (build problems, build progress; the store's
 * line counts later). A chunk may end anywhere: in the middle of a line, or between the `\r` and `\n` of a CRLF.
 * Lines end at `\n`, `\r\n`, or a lone `\r`: the last is how progress meters (Ninja on a terminal, CMake, curl)
 * rewrite the line they are on. `rewrites` says what to do with those:
 * - `'each'`: every state is a line of its own (a progress parser wants each count, a problem matcher each message);
 * - `'last'`: only the final state of a rewritten line, as a terminal leaves it to read (the text after the last `\r`).
 * Terminators are not part of the lines.
 */
export type Rewrites = 'each' | 'last';

const BREAK = /\r\n|\r|\n/g;

export class LineSplitter {
  private partial = '';
  /** In 'last' mode: the latest state of a line rewritten with `\r`, shown if nothing follows before its end. */
  private rewritten: string | undefined;

  constructor(private readonly rewrites: Rewrites = 'each') {}

  /** The lines a chunk completes; the rest waits for the next chunk (or {@link end}). */
  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const out: string[] = [];
    let start = 0;
    BREAK.lastIndex = 0;
    for (let m = BREAK.exec(text); m; m = BREAK.exec(text)) {
      // A `\r` at the very end may be the first half of a `\r\n` still on its way: wait for the next chunk.
      if (m[0] === '\r' && m.index === text.length - 1) break;
      this.take(text.slice(start, m.index), m[0] === '\r', out);
      start = m.index + m[0].length;
    }
    this.partial = text.slice(start);
    return out;
  }

  /** The end of the stream: the unterminated last line, if there is one. */
  end(): string[] {
    const out: string[] = [];
    let rest = this.partial;
    this.partial = '';
    if (rest.endsWith('\r')) {
      this.take(rest.slice(0, -1), true, out);
      rest = '';
    }
    if (rest !== '' || this.rewritten !== undefined) this.take(rest, false, out);
    return out;
  }

  private take(line: string, rewrite: boolean, out: string[]) {
    if (this.rewrites === 'each') {
      // A bare `\r` right after another (`50%\r\r`) rewrites nothing new.
      if (!(rewrite && line === '')) out.push(line);
      return;
    }
    if (rewrite) {
      if (line !== '') this.rewritten = line;
      return;
    }
    out.push(line === '' && this.rewritten !== undefined ? this.rewritten : line);
    this.rewritten = undefined;
  }
}

/** A whole text's lines (a final line without a terminator included). */
export function splitLines(text: string, rewrites: Rewrites = 'each'): string[] {
  const s = new LineSplitter(rewrites);
  return [...s.push(text), ...s.end()];
}
