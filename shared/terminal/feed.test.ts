import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED, skippedMarker, TerminalFeed, type TerminalFeedOptions } from './feed';

/** A terminal that parses when told to, frames that run when told to, and a clock that moves when told to. */
function rig(opts: Partial<TerminalFeedOptions> = {}) {
  const t = { now: 0, visible: true, interacting: false };
  const frames: (() => void)[] = [];
  const writes: { text: string; parsed: () => void }[] = [];
  const got: string[] = [];
  const feed = new TerminalFeed(
    {
      write: (text, parsed) => {
        got.push(text);
        writes.push({ text, parsed });
      },
      frame: (cb) => {
        frames.push(cb);
        return () => frames.splice(frames.indexOf(cb) >>> 0, 1);
      },
      now: () => t.now,
      visible: () => t.visible,
      interacting: () => t.interacting,
    },
    { ...DEFAULT_FEED, keepLines: () => 100, ...opts },
  );
  const parse = () => writes.splice(0).forEach((w) => w.parsed());
  /** A frame 16 ms after the last: it runs, and the terminal parses what it was given. */
  const frame = () => {
    t.now += 16;
    frames.splice(0).forEach((f) => f());
    parse();
  };
  return { feed, t, frames, got, parse, frame };
}

const lines = (from: number, n: number, width = 60) => Array.from({ length: n }, (_, i) => `line ${from + i} ${'x'.repeat(width - 12)}\r\n`).join('');

describe('TerminalFeed', () => {
  it('gives the terminal one piece per frame, the next only once the last was parsed', () => {
    const r = rig();
    const text = lines(0, 1000);
    r.feed.push(text);
    expect(r.got).toEqual([]);
    r.t.now += 16;
    r.frames.splice(0).forEach((f) => f());
    expect(r.got).toHaveLength(1);
    // A piece ends at a line's end: no half line on screen.
    expect(r.got[0]!.length).toBeLessThanOrEqual(DEFAULT_FEED.piece);
    expect(r.got[0]!.length).toBeGreaterThan(DEFAULT_FEED.piece - 100);
    expect(r.got[0]!.endsWith('\r\n')).toBe(true);
    // Not parsed yet: no frame is even asked for, so nothing more is given.
    expect(r.frames).toHaveLength(0);
    r.parse();
    expect(r.frames).toHaveLength(1);
    for (let i = 0; i < 100 && r.feed.pending; i++) r.frame();
    expect(r.got.join('')).toBe(text);
    expect(r.feed.skipped).toEqual({ chars: 0, lines: 0 });
  });

  it('stays current while frames come: text that waited over maxLagMs is cut at a line start, behind a marker saying what', () => {
    const r = rig();
    // The console delivers 200 lines (12 KB) every 10 ms, 1.5x what the terminal takes (16 KiB a frame, a frame each
    // 20 ms here).
    let n = 0;
    for (let step = 0; step < 200; step++) {
      r.feed.push(lines(n, 200));
      n += 200;
      r.t.now += 10;
      if (step % 2) r.frame();
    }
    const { lines: cut, chars } = r.feed.skipped;
    expect(cut).toBeGreaterThan(5000);
    const shown = r.got.join('');
    // The marker is in the text the terminal got, and what follows it starts at a line's start.
    const at = shown.indexOf('not drawn: the console ran faster');
    expect(at).toBeGreaterThan(0);
    expect(shown.slice(shown.indexOf('\r\n', at) + 2)).toMatch(/^line \d+ x/);
    // Nothing older than the lag limit waits now: the terminal is less than maxLagMs behind the console.
    expect(r.feed.pending).toBeLessThan(lines(0, 200).length * (DEFAULT_FEED.maxLagMs / 10));
    // Every line was either drawn or counted as cut, once.
    const drawn = shown.match(/^line \d+ /gm)!.length;
    for (let i = 0; i < 200 && r.feed.pending; i++) r.frame();
    expect(r.got.join('').match(/^line \d+ /gm)!.length + r.feed.skipped.lines).toBe(n);
    // Each marker says how many lines it stands for: the gap in the drawn lines where it is.
    const all = r.got.join('');
    let checked = 0;
    // eslint-disable-next-line no-control-regex
    for (const m of all.matchAll(/^line (\d+) [^\n]*\n(?:\r\n)?\x1b\[2m── ([\d,]+) lines? \([^)]*\) not drawn[^\n]*\n(?:line (\d+) )?/gm)) {
      if (m[3] === undefined) continue;
      expect(Number(m[3]) - Number(m[1]) - 1).toBe(Number(m[2]!.replace(/,/g, '')));
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
    expect(drawn).toBeLessThan(n);
    expect(chars).toBeGreaterThan(cut * 50);
    expect(skippedMarker(1234, 2 << 20)).toContain('1,234 lines (2.0 MiB) not drawn');
    // Pieces end at line ends: the marker needs no line break of its own before it.
    expect(all).not.toContain('\r\n\r\n\x1b[2m');
  });

  it('a burst that arrived all at once is cut at the frame that finds it too old, keeping what came in the last half of maxLagMs', () => {
    const r = rig();
    r.frame();
    r.feed.push(lines(0, 3000)); // 180 KB at once: 11 frames of drawing
    for (let i = 0; i < 40; i++) r.frame(); // 640 ms
    expect(r.feed.skipped.lines).toBe(0); // all drawn within 11 frames: nothing waited too long
    const big = rig();
    big.frame();
    big.feed.push(lines(0, 60_000)); // 3.6 MB at once: 220 frames of drawing
    for (let i = 0; i < 40 && big.feed.pending; i++) big.frame();
    // At the first frame over 500 ms, everything older than 250 ms (all of the burst) was cut but its newest piece:
    // the marker, then the burst's last lines, the very last one included.
    expect(big.feed.skipped.lines).toBeGreaterThan(50_000);
    for (let i = 0; i < 10 && big.feed.pending; i++) big.frame();
    expect(big.feed.pending).toBe(0);
    const shown = big.got.join('');
    const after = shown.slice(shown.indexOf('not drawn'));
    expect(after).toContain(lines(59_999, 1));
    expect(after.split('\r\n')[1]).toMatch(/^line \d+ x/);
    big.feed.push('the end\r\n');
    big.frame();
    expect(big.got.at(-1)).toBe('the end\r\n');
  });

  it('while the user interacts (a drag), the terminal takes one frame in yieldEvery', () => {
    const r = rig();
    r.feed.push(lines(0, 5000));
    r.t.interacting = true;
    for (let i = 0; i < 4 * DEFAULT_FEED.yieldEvery; i++) r.frame();
    expect(r.got).toHaveLength(4);
    r.t.interacting = false;
    for (let i = 0; i < 4; i++) r.frame();
    expect(r.got).toHaveLength(8);
  });

  it('a console slower than the terminal is never cut', () => {
    const r = rig();
    for (let step = 0; step < 300; step++) {
      r.feed.push(lines(step * 20, 20));
      r.frame();
    }
    expect(r.feed.skipped).toEqual({ chars: 0, lines: 0 });
    expect(r.got.join('')).toBe(lines(0, 6000));
  });

  it('a hidden page (no frames) cuts nothing for lag; over trimAt it keeps the lines the terminal would keep, drawn in full once shown', () => {
    const r = rig({ trimAt: 64 * 1024 });
    r.t.visible = false;
    for (let step = 0; step < 100; step++) {
      r.feed.push(lines(step * 30, 30));
      r.t.now += 100;
    }
    expect(r.feed.skipped.lines).toBe(0);
    expect(r.feed.trimmed).toBeGreaterThan(0);
    r.t.visible = true;
    for (let i = 0; i < 100 && r.feed.pending; i++) r.frame();
    expect(r.feed.skipped.lines).toBe(0);
    // What is drawn is the newest lines without a gap, at most what was kept at the last trim and came after.
    const shown = r.got.join('');
    const first = Number(/^line (\d+) /.exec(shown)![1]);
    expect(first).toBeGreaterThan(0);
    expect(shown).toBe(lines(first, 3000 - first));
    expect(shown.length).toBeLessThanOrEqual(64 * 1024 + lines(0, 30).length);
  });

  it('flush writes everything queued at once, after the piece being parsed; dispose stops it', () => {
    const r = rig();
    const text = lines(0, 1000);
    r.feed.push(text);
    r.t.now += 16;
    r.frames.splice(0).forEach((f) => f());
    r.feed.flush();
    expect(r.got).toHaveLength(2);
    expect(r.got.join('')).toBe(text);
    expect(r.feed.pending).toBe(0);
    r.feed.dispose();
    r.feed.push('more\r\n');
    r.frame();
    expect(r.got).toHaveLength(2);
  });
});
