import { describe, expect, it } from 'vitest';
import { DtError, evalIntExpr, preprocess } from './cpp';
import { writeDtb, readDtb } from './dtb';
import { parseDtsFile } from './parse';
import { printDts } from './print';

const files = (map: Record<string, string>) => (p: string) => map[p];
const compile = (src: string, opts: { cpp?: boolean; extra?: Record<string, string> } = {}) =>
  parseDtsFile('main.dts', { readFile: files({ 'main.dts': src, ...(opts.extra ?? {}) }), cpp: opts.cpp ?? false, includeDirs: ['inc'] });
const dts = (src: string, opts?: Parameters<typeof compile>[1]) => printDts(readDtb(writeDtb(compile(src, opts))));

describe('C preprocessor subset', () => {
  it('object- and function-like macros, # and ##, nested expansion, #if arithmetic and defined()', () => {
    const lines = preprocess('a.dts', {
      readFile: files({
        'a.dts': '#define BASE 0x1000\n#define REG(n) (BASE + (n) * 4)\n#define CAT(a, b) a ## b\n#define STR(x) #x\n#if defined(BASE) && (BASE >> 12) == 1\nyes REG(2) CAT(foo, bar) STR(hi)\n#elif 1\nno\n#else\nno\n#endif\n#ifndef NOPE\nalso\n#endif',
      }),
    });
    expect(lines.map((l) => l.text.replace(/\s+/g, ' ').trim())).toEqual(['yes (0x1000 + (2) * 4) foobar "hi"', 'also']);
    expect(lines[0]!.line).toBe(6);
  });

  it('#include searches the including file\'s folder, then -I; loops and missing files are errors with places', () => {
    const read = files({ 'dir/a.dts': '#include "b.h"\n#include <c.h>\nX Y', 'dir/b.h': '#define X 1', 'inc/c.h': '#define Y 2', 'loop.dts': '#include "loop.dts"', 'm.dts': '\n#include "missing.h"' });
    expect(preprocess('dir/a.dts', { readFile: read, includeDirs: ['inc'] }).map((l) => l.text)).toEqual(['1 2']);
    expect(() => preprocess('loop.dts', { readFile: read })).toThrow(/#include loop/);
    expect(() => preprocess('m.dts', { readFile: read })).toThrow(expect.objectContaining({ line: 2 }));
  });

  it('evaluates C integer expressions with precedence', () => {
    expect(evalIntExpr('1 + 2 * 3 << 1')).toBe(14n);
    expect(evalIntExpr('(0x10 | 0x3) & ~1')).toBe(0x12n);
    expect(evalIntExpr('5 > 3 ? 10 : 20')).toBe(10n);
    expect(() => evalIntExpr('1 / 0')).toThrow(/division by zero/);
  });
});

describe('DTS features', () => {
  it('/bits/, byte strings, char literals, expressions, strings with escapes, labels in values', () => {
    const out = dts('/dts-v1/;\n/ {\n\ta = /bits/ 8 <1 2 0x1ff>;\n\tb = /bits/ 16 <0x1234>;\n\tc = /bits/ 64 <0x100000000>;\n\td = [de ad be ef 00];\n\te = <\'A\' (1 << 4) (0x10 | 1)>;\n\tf = "x\\ty", "z";\n\tg = l1: <1 l2: 2>;\n};');
    expect(out).toContain('a = [01 02 ff];');
    expect(out).toContain('b = [12 34];');
    expect(out).toContain('c = <0x01 0x00>;');
    expect(out).toContain('d = [de ad be ef 00];');
    expect(out).toContain('e = <0x41 0x10 0x11>;');
    expect(out).toContain('f = "x\\ty\\0z";');
  });

  it('merging, &label and &{/path} references, /delete-node/, /delete-property/, /memreserve/, phandles and paths', () => {
    const out = dts(`/dts-v1/;
/memreserve/ 0x10000000 0x1000;
/ {
	soc {
		u: uart@1000 { reg = <0x1000>; extra = "x"; };
		old { };
	};
	consumer { dev = <&u>; path = &u; by-path = <&{/soc/uart@1000}>; };
};
&u { status = "okay"; /delete-property/ extra; };
/ { soc { /delete-node/ old; }; };`);
    expect(out).toContain('/memreserve/\t0x0000000010000000 0x0000000000001000;');
    expect(out).toMatch(/uart@1000 \{\n\t\t\treg = <0x1000>;\n\t\t\tstatus = "okay";\n\t\t\tphandle = <0x01>;/);
    expect(out).not.toContain('extra');
    expect(out).not.toContain('old');
    expect(out).toContain('path = "/soc/uart@1000";');
    expect(out).toContain('dev = <0x01>;');
    expect(out).toContain('by-path = <0x01>;');
  });

  it('/include/ is textual and searched like dtc -i', () => {
    expect(dts('/dts-v1/;\n/include/ "part.dtsi"\n/ { b = <2>; };', { extra: { 'part.dtsi': '/ { a = <1>; };' } })).toMatch(/a = <0x01>;\n\tb = <0x02>;/);
  });

  it('errors name the file, line and column', () => {
    const place = (src: string) => {
      try {
        compile(src);
      } catch (e) {
        return e instanceof DtError ? [e.line, e.column, e.message] : e;
      }
      return undefined;
    };
    expect(place('/dts-v1/;\n/ {\n\ta = <1>\n};')).toEqual([4, 1, expect.stringMatching(/expected ';'/)]);
    expect(place('/dts-v1/;\n/ { a = <&nope>; };')).toEqual([2, 1, expect.stringMatching(/Reference to non-existent node or label "nope"/)]);
    expect(place('/ { };')).toEqual([1, 1, expect.stringMatching(/missing \/dts-v1\//)]);
    expect(place('/dts-v1/;\n/ { a = /bits/ 7 <1>; };')).toEqual([2, 9, expect.stringMatching(/Invalid \/bits\//)]);
  });
});
