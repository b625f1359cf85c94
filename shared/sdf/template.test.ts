import { describe, expect, it } from 'vitest';
import { placeOf } from './composite';
import { cppSettingsFromArgs, isCppTemplate, templateFromCppOutput, templateFromSubset } from './template';

const files: Record<string, string> = {
  '/p/t.system': '<system>\n#include "h.h"\n  <memory_region name="m" size=SIZE />\n\n\n\n\n\n\n\n\n\n  <protection_domain name="a"/>\n</system>\n',
  '/p/h.h': '/* the size */\n#define SIZE "0x1000"\n',
};
const read = (p: string) => files[p];

describe('cpp templates', () => {
  it('are recognised by a directive line', () => {
    expect(isCppTemplate('<system>\n  #if defined(X)\n</system>')).toBe(true);
    expect(isCppTemplate('<system>\n  <!-- #include is text here -->\n</system>')).toBe(false);
  });

  it('take -D, -U and -I in both spellings, in order', () => {
    expect(cppSettingsFromArgs(['-DA', '-D', 'B=2', '-UA', '-Iinc', '-I', '/abs', '-isystem', 'sys', '-P'])).toEqual({
      settings: { defines: { B: '2' }, includeDirs: ['inc', '/abs', 'sys'] },
      other: ['-P'],
    });
  });

  it("GNU cpp's line markers place every output line, and are left out of the text", () => {
    // What `cpp -x c -undef -nostdinc -I/p /p/t.system` (GNU cpp 12) prints: more than 8 blank lines become a marker.
    const output = ['# 0 "/p/t.system"', '# 0 "<built-in>"', '# 0 "<command-line>"', '# 1 "/p/t.system"', '<system>', '# 1 "/p/h.h" 1', '# 3 "/p/t.system" 2', '  <memory_region name="m" size="0x1000" />', '# 13 "/p/t.system"', '  <protection_domain name="a"/>', '</system>', ''].join('\n');
    const { composite: c } = templateFromCppOutput(output, '/p/t.system', read);
    expect(c!.text).toBe('<system>\n  <memory_region name="m" size="0x1000" />\n  <protection_domain name="a"/>\n</system>\n');
    expect(placeOf(c!, c!.text.indexOf('<protection_domain'))).toMatchObject({ file: '/p/t.system', line: 13, column: 3 });
    expect(placeOf(c!, c!.text.indexOf('"0x1000"'))).toMatchObject({ file: '/p/t.system', line: 3, column: 32 });
    expect(templateFromCppOutput('# 1 "/p/a\\"b.h"\n<x/>\n', '/p/t.system', read).composite!.segments[0]!.file).toBe('/p/a"b.h');
  });

  it('the subset gives the same text of the XML, placed the same', () => {
    const { composite: c } = templateFromSubset('/p/t.system', { defines: {}, includeDirs: [] }, read);
    expect(c!.text).toContain('  <memory_region name="m" size="0x1000" />\n');
    expect(placeOf(c!, c!.text.indexOf('<protection_domain'))).toMatchObject({ file: '/p/t.system', line: 13, column: 3 });
    expect(templateFromSubset('/p/t.system', { defines: {}, includeDirs: [] }, (p) => (p === '/p/h.h' ? undefined : read(p))).diagnostics).toEqual([
      { severity: 'error', rule: 'cpp', file: '/p/t.system', line: 2, column: 11, message: 'h.h: No such file or directory' },
    ]);
  });
});
