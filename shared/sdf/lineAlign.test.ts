import { describe, expect, it } from 'vitest';
import { alignLine } from './lineAlign';

const verbatimText = (out: string, src: string) =>
  alignLine(out, src)
    .filter((p) => p.verbatim)
    .map((p) => {
      const text = out.slice(p.outStart, p.outEnd);
      expect(src.slice(p.srcStart, p.srcStart + text.length)).toBe(text);
      return text;
    });

describe('which parts of a preprocessed line are the source', () => {
  it('text around a macro is verbatim, the expansion is not', () => {
    const src = '    <memory_region name="ram" size=RAM_SIZE page_size="0x200_000" />';
    const out = '    <memory_region name="ram" size="0x1000" page_size="0x200_000" />';
    expect(verbatimText(out, src)).toEqual(['    <memory_region name="ram" size=', ' page_size="0x200_000" />']);
    const gen = alignLine(out, src).find((p) => !p.verbatim)!;
    expect(out.slice(gen.outStart, gen.outEnd)).toBe('"0x1000"');
    expect(gen.srcStart).toBe(src.indexOf('RAM_SIZE'));
  });

  it("GNU cpp's respacing and dropped comments only cost the blanks", () => {
    const src = '\t<map mr="x"    vaddr=V perms="rw" /> /* shared */   ';
    const out = ' <map mr="x" vaddr="0x10" perms="rw" /> ';
    expect(verbatimText(out, src)).toEqual(['<map mr="x"', 'vaddr=', ' perms="rw" /> ']);
  });

  it('an alignment that pairs tokens by chance is not trusted', () => {
    // Nothing a preprocessor does turns `= "1"` into `= "2"`; a "verbatim" `=` here would be a coincidence.
    expect(verbatimText('a = "2"', 'b = "1"')).toEqual([]);
  });
});
