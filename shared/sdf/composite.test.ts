import { describe, expect, it } from 'vitest';
import { CompositeBuilder, compositeOffsetOf, mapEdit, placeDiagnostic, placeOf, plainComposite, renameFiles } from './composite';

/** main.system includes part.xml between its two lines; the macro-like middle of part.xml's line is generated. */
function sample() {
  const main = '<system>\n  <x:include/>\n</system>\n';
  const part = '<!-- p -->\n<pd name=NAME/>\n';
  const b = new CompositeBuilder('main.system');
  b.addFile('main.system', main);
  b.addFile('part.xml', part);
  b.verbatim('main.system', 0, '<system>\n  ');
  b.verbatim('part.xml', 11, '<pd name=');
  b.generated('part.xml', 20, '"a"');
  b.verbatim('part.xml', 24, '/>');
  b.verbatim('main.system', main.indexOf('\n</system>'), '\n</system>\n');
  return b.build();
}

describe('composite sources', () => {
  it('adjacent pieces merge only when they continue each other in one file', () => {
    const b = new CompositeBuilder('f');
    b.verbatim('f', 0, 'ab');
    b.verbatim('f', 2, 'cd');
    b.verbatim('f', 10, 'x');
    b.generated('f', 5, 'yy');
    b.generated('f', 5, 'z');
    expect(b.build().segments).toEqual([
      { start: 0, end: 4, file: 'f', fileStart: 0, verbatim: true },
      { start: 4, end: 5, file: 'f', fileStart: 10, verbatim: true },
      { start: 5, end: 8, file: 'f', fileStart: 5, verbatim: false },
    ]);
  });

  it('places offsets in the file that holds them; generated text at what produced it', () => {
    const c = sample();
    expect(c.text).toBe('<system>\n  <pd name="a"/>\n</system>\n');
    expect(placeOf(c, c.text.indexOf('<pd'))).toEqual({ file: 'part.xml', line: 2, column: 1, offset: 11 });
    expect(placeOf(c, c.text.indexOf('"a"') + 1)).toEqual({ file: 'part.xml', line: 2, column: 10, offset: 20 });
    expect(placeOf(c, c.text.indexOf('</system>'))).toEqual({ file: 'main.system', line: 3, column: 1, offset: 24 });
    expect(compositeOffsetOf(c, 'part.xml', 12)).toBe(c.text.indexOf('<pd') + 1);
    expect(compositeOffsetOf(c, 'part.xml', 21)).toBeUndefined();
  });

  it('maps an edit inside one verbatim range to its file, and refuses one touching generated text', () => {
    const c = sample();
    const at = c.text.indexOf('name');
    expect(mapEdit(c, { start: at, end: at + 4, text: 'id' })).toEqual({ file: 'part.xml', start: 15, end: 19, text: 'id' });
    const q = c.text.indexOf('"a"');
    expect(mapEdit(c, { start: q, end: q + 3, text: '"b"' })).toBeUndefined();
    expect(mapEdit(c, { start: at, end: q + 1, text: '' })).toBeUndefined();
    // An insertion where the included text ends and main's resumes goes to main: "before </system>".
    const end = c.text.indexOf('\n</system>');
    expect(mapEdit(c, { start: end, end, text: '<y/>' })).toEqual({ file: 'main.system', start: 23, end: 23, text: '<y/>' });
  });

  it('places a diagnostic and the places its message quotes', () => {
    const c = sample();
    const line = 2;
    const column = c.text.split('\n')[1]!.indexOf('<pd') + 1;
    const d = placeDiagnostic(c, { severity: 'error', file: 'main.system', line, column, message: `Error: bad on element 'pd': main.system:${line}:${column}` });
    expect(d).toMatchObject({ file: 'part.xml', line: 2, column: 1, message: "Error: bad on element 'pd': part.xml:2:1" });
    const x = placeDiagnostic(c, { severity: 'error', rule: 'xml', file: 'main.system', line: 3, column: 1, message: "Could not parse 'main.system': unknown token at 3:1" });
    expect(x.message).toBe("Could not parse 'main.system': unknown token at 3:1");
    const fixed = { severity: 'error' as const, file: 'f', line: 1, column: 1, message: 'm', fix: { label: 'l', text: 't' } };
    expect(placeDiagnostic(plainComposite('f', 'abc'), fixed).fix).toBeDefined();
    expect(placeDiagnostic(c, { ...fixed, file: 'main.system' }).fix).toBeUndefined();
  });

  it('a plain file is one verbatim segment; files can be renamed', () => {
    const c = plainComposite('a.system', '<system/>\n');
    expect(mapEdit(c, { start: 1, end: 7, text: 'sys' })).toEqual({ file: 'a.system', start: 1, end: 7, text: 'sys' });
    const r = renameFiles(sample(), (f) => `dir/${f}`);
    expect(placeOf(r, r.text.indexOf('<pd')).file).toBe('dir/part.xml');
    expect(Object.keys(r.files)).toEqual(['dir/main.system', 'dir/part.xml']);
  });
});
