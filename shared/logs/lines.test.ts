import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from './lines';

/** Feed `text` cut at every given offset; collect what the splitter returns. */
const fed = (text: string, cuts: number[], rewrites: 'each' | 'last' = 'each') => {
  const s = new LineSplitter(rewrites);
  const out: string[] = [];
  let at = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...s.push(text.slice(at, c)));
    at = c;
  }
  return [...out, ...s.end()];
};

describe('one line splitter for streamed output', () => {
  it('LF, CRLF and a final line without a terminator', () => {
    expect(splitLines('a\nb\r\nc')).toEqual(['a', 'b', 'c']);
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });

  it('a line and a CRLF cut across chunks at every place give the same lines', () => {
    const text = 'hello.c:3:5: error: x\r\nmake: *** [Makefile:4: all] Error 1\r\n';
    const whole = splitLines(text);
    expect(whole).toEqual(['hello.c:3:5: error: x', 'make: *** [Makefile:4: all] Error 1']);
    for (let i = 0; i <= text.length; i++) expect(fed(text, [i])).toEqual(whole);
    for (let i = 0; i <= text.length; i++) for (let j = i; j <= text.length; j += 7) expect(fed(text, [i, j])).toEqual(whole);
  });

  it('complete lines come out as soon as their chunk arrives; the rest waits', () => {
    const s = new LineSplitter();
    expect(s.push('[1/3] cc a.c\n[2/3] c')).toEqual(['[1/3] cc a.c']);
    expect(s.push('c b.c\r')).toEqual([]);
    expect(s.push('\n')).toEqual(['[2/3] cc b.c']);
    expect(s.end()).toEqual([]);
  });

  it("a lone CR rewrites the line: 'each' gives every state, 'last' the one left on screen", () => {
    const text = '[1/3] a\r[2/3] b\r[3/3] c\nLinking\n';
    expect(splitLines(text, 'each')).toEqual(['[1/3] a', '[2/3] b', '[3/3] c', 'Linking']);
    expect(splitLines(text, 'last')).toEqual(['[3/3] c', 'Linking']);
    // A meter that ends with its CR (then a newline) leaves its last state.
    expect(splitLines(' 50%\r100%\r\ndone', 'last')).toEqual(['100%', 'done']);
    expect(splitLines(' 50%\r100%\r', 'last')).toEqual(['100%']);
    expect(splitLines(' 50%\r100%\r', 'each')).toEqual([' 50%', '100%']);
    for (let i = 0; i <= text.length; i++) expect(fed(text, [i], 'last')).toEqual(['[3/3] c', 'Linking']);
  });
});
