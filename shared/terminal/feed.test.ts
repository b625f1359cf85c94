import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED, TerminalFeed, type TerminalFeedOptions } from './feed';

/** A terminal that parses when told to, and frames that run when told to; parse time is set per piece. */
function rig(opts: Partial<TerminalFeedOptions> = {}, msPerKiB = 0) {
  let clock = 0;
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
      now: () => clock,
    },
    { ...DEFAULT_FEED, keepLines: () => 100, ...opts },
  );
  /** The terminal parses everything written so far (taking msPerKiB per KiB). */
  const parse = () => {
    for (const w of writes.splice(0)) {
      clock += (w.text.length / 1024) * msPerKiB;
      w.parsed();
    }
  };
  const frame = () => frames.splice(0).forEach((f) => f());
  return { feed, frames, writes, got, parse, frame };
}

const lines = (n: number, width = 60) => Array.from({ length: n }, (_, i) => `line ${i} ${'x'.repeat(width - 12)}\r\n`).join('');

describe('TerminalFeed', () => {
  it('gives the terminal one piece per frame, the next only once the last was parsed', () => {
    const r = rig();
    const text = lines(2000);
    r.feed.push(text);
    expect(r.got).toEqual([]);
    r.frame();
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.length).toBe(DEFAULT_FEED.firstPiece);
    // Not parsed yet: a frame gives nothing more, and none is even asked for.
    r.frame();
    expect(r.got).toHaveLength(1);
    expect(r.frames).toHaveLength(0);
    for (let i = 0; i < 1000 && r.feed.pending; i++) {
      r.parse();
      r.frame();
    }
    r.parse();
    expect(r.got.join('')).toBe(text);
    expect(r.feed.pending).toBe(0);
  });

  it('halves the piece while parsing takes longer than the budget, doubles it while it is quick', () => {
    const slow = rig({}, 2); // 16 KiB take 32 ms
    slow.feed.push(lines(20_000));
    for (let i = 0; i < 6; i++) {
      slow.frame();
      slow.parse();
    }
    expect(slow.feed.pieceSize).toBe(DEFAULT_FEED.minPiece);
    const quick = rig({}, 0.01);
    quick.feed.push(lines(20_000));
    for (let i = 0; i < 6; i++) {
      quick.frame();
      quick.parse();
    }
    expect(quick.feed.pieceSize).toBe(DEFAULT_FEED.maxPiece);
    // The end of the backlog (a short piece) says nothing of the terminal's speed.
    const end = rig({}, 100);
    end.feed.push('short\r\n');
    end.frame();
    end.parse();
    expect(end.feed.pieceSize).toBe(DEFAULT_FEED.firstPiece);
  });

  it('cuts a backlog the terminal could not keep to its last lines, and counts what it cut', () => {
    const r = rig({ trimAt: 64 * 1024 });
    const text = lines(3000);
    r.feed.push(text);
    const kept = text.split('\r\n').slice(-101).join('\r\n');
    expect(r.feed.pending).toBe(kept.length);
    expect(r.feed.trimmed).toBe(text.length - kept.length);
    for (let i = 0; i < 100 && r.feed.pending; i++) {
      r.frame();
      r.parse();
    }
    expect(r.got.join('')).toBe(kept);
    expect(r.got.join('').startsWith('line 2900 ')).toBe(true);
  });

  it('flush writes everything queued at once, after the piece being parsed', () => {
    const r = rig();
    const text = lines(1000);
    r.feed.push(text);
    r.frame();
    r.feed.flush();
    expect(r.got).toHaveLength(2);
    expect(r.got.join('')).toBe(text);
    expect(r.feed.pending).toBe(0);
    r.parse();
    r.frame();
    expect(r.got).toHaveLength(2);
  });

  it('stops when disposed', () => {
    const r = rig();
    r.feed.push(lines(1000));
    r.feed.dispose();
    r.frame();
    r.feed.push('more\r\n');
    r.frame();
    expect(r.got).toEqual([]);
  });
});
