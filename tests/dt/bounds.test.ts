import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtError, MAX_EXPANSIONS, MAX_INCLUDES, MAX_TOTAL_EXPANSIONS, preprocess } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';
import { printDts } from '../../shared/dt/print';
import { decodeInterrupts, decodeReg, indexTree, supplierClosure, type Index } from '../../shared/dt/query';
import { MAX_NODE_DEPTH, walk } from '../../shared/dt/tree';
import { deepDtb, deepDts, diamondIncludes, doublingMacros, longNameDtb, overrides } from '../attack/dtInputs';
import { files, queryAll, thrown } from '../support/crafted';

/**
 * Inputs that hung or killed the device-tree readers (issue 13): each ends in an error at its place (file:line:col,
 * naming the node and the property) or in a result, quickly. How the time grows with size: tests/attack/dos.test.ts.
 */
/** The preprocessed lines with text (each file's last newline leaves an empty one). */
const texts = (lines: { text: string }[]) => lines.map((l) => l.text).filter(Boolean);
const parse = (src: string, opts: { cpp?: boolean; extra?: Record<string, string> } = {}) =>
  parseDtsFile('t.dts', { readFile: files({ 't.dts': src, ...(opts.extra ?? {}) }), cpp: opts.cpp ?? false });
const node = (idx: Index, p: string) => idx.byPath.get(p)!.node;
const haveDtc = spawnSync('dtc', ['--version']).status === 0;
const haveCpp = spawnSync('cpp', ['--version']).status === 0;


describe('#…-cells values a decode cannot use: an error naming the node and property, at its place', () => {
  it('#interrupt-cells = <0> (190 bytes; ran out of memory): an error at the controller\'s property', () => {
    const src = '/dts-v1/;\n/ {\n\tinterrupt-parent = <&gic>;\n\tgic: interrupt-controller@0 {\n\t\tcompatible = "arm,gic-400";\n\t\tinterrupt-controller;\n\t\t#interrupt-cells = <0>;\n\t};\n\tuart@1000 { interrupts = <0 33 4>; };\n};\n';
    expect(src.length).toBeLessThan(200);
    const idx = indexTree(parse(src));
    const e = thrown(() => decodeInterrupts(idx, node(idx, '/uart@1000')));
    expect(e).toBeInstanceOf(DtError);
    expect(e).toMatchObject({ file: 't.dts', line: 7, column: 3 });
    expect(e.message).toBe("t.dts:7:3: /interrupt-controller@0: property '#interrupt-cells' is <0>: 'interrupts' of /uart@1000 cannot be decoded (an interrupt needs at least one cell)");
    // From a DTB the place is the property's byte offset.
    const fromBlob = indexTree(readDtb(writeDtb(parse(src))));
    const b = thrown(() => decodeInterrupts(fromBlob, node(fromBlob, '/uart@1000')));
    expect(b).toBeInstanceOf(DtbError);
    expect(b.message).toMatch(/^\/interrupt-controller@0: property '#interrupt-cells' is <0>: .* \(at byte 0x[0-9a-f]+\)$/);
    // interrupts-extended with a 0-cell controller is well-formed: one phandle per interrupt.
    const ext = indexTree(parse(src.replace('interrupts = <0 33 4>', 'interrupts-extended = <&gic &gic>')));
    expect(decodeInterrupts(ext, node(ext, '/uart@1000'))).toEqual([
      { controller: '/interrupt-controller@0', cells: [] },
      { controller: '/interrupt-controller@0', cells: [] },
    ]);
  });

  it('#address-cells = <0> with #size-cells = <0> (78 bytes; ran out of memory): an error at the reg', () => {
    const src = '/dts-v1/;\n/ { #address-cells = <0>; #size-cells = <0>; n { reg = <1>; }; };';
    expect(src.length).toBeLessThan(80);
    const e = thrown(() => queryAll(parse(src)));
    expect(e).toMatchObject({ line: 2, column: 50 });
    expect(e.message).toBe("t.dts:2:50: /n: property 'reg' cannot be decoded: its bus / has #address-cells = <0> and #size-cells = <0>");
    // #address-cells = <0> alone is legal: a size-only reg.
    const ok = indexTree(parse('/dts-v1/;\n/ { #address-cells = <0>; n { reg = <0x10>; }; };'));
    expect(decodeReg(ok, node(ok, '/n'))).toEqual([{ address: 0n, size: 0x10n, translated: true }]);
  });

  it('ranges whose entries have no cells (hung): an error at the ranges', () => {
    const src = `/dts-v1/;
/ {
	#address-cells = <0>;
	#size-cells = <0>;
	bus2 {
		#address-cells = <0>;
		#size-cells = <0>;
		ranges = <1>;
		bus1 {
			#address-cells = <1>;
			#size-cells = <1>;
			ranges;
			dev@10 { reg = <0x10 4>; };
		};
	};
};
`;
    const idx = indexTree(parse(src));
    const e = thrown(() => decodeReg(idx, node(idx, '/bus2/bus1/dev@10')));
    expect(e).toMatchObject({ line: 8, column: 3 });
    expect(e.message).toMatch(/^t\.dts:8:3: \/bus2: property 'ranges' cannot be decoded: its entries have no cells/);
  });

  it('empty reg, interrupts and ranges with 0-cell entries (found by the structure-aware fuzzer: they hung)', () => {
    const idx = indexTree(
      parse(`/dts-v1/;
/ {
	#address-cells = <0>;
	#size-cells = <0>;
	interrupt-parent = <&c>;
	c: c { interrupt-controller; #interrupt-cells = <0>; };
	n { reg; interrupts; };
	b {
		#address-cells = <0>;
		#size-cells = <0>;
		ranges = [00 01];
		b1 {
			#address-cells = <1>;
			#size-cells = <1>;
			ranges;
			m { reg = <1 2>; };
		};
	};
};
`),
    );
    expect(decodeReg(idx, node(idx, '/n'))).toEqual([]);
    expect(decodeInterrupts(idx, node(idx, '/n'))).toEqual([]);
    // b's ranges (two bytes, not a whole cell) have no entries: the address stays a bus address.
    expect(decodeReg(idx, node(idx, '/b/b1/m'))).toEqual([{ address: 1n, size: 2n, translated: false }]);
  });

  it('absurd sizes: more than 4 address/size cells or 16 specifier cells are errors at the property', () => {
    const big = indexTree(parse('/dts-v1/;\n/ {\n\t#address-cells = <0xffffffff>;\n\tn { reg = <1 2 3>; };\n};'));
    expect(thrown(() => decodeReg(big, node(big, '/n'))).message).toBe("t.dts:3:2: /: property '#address-cells' is <4294967295>: 'reg' of /n cannot be decoded with more than 4 cells");
    const five = indexTree(parse('/dts-v1/;\n/ {\n\t#size-cells = <5>;\n\tn { reg = <1 2 3 4 5 6 7>; };\n};'));
    expect(thrown(() => decodeReg(five, node(five, '/n'))).message).toMatch(/^t\.dts:3:2: \/: property '#size-cells' is <5>/);
    const irq = indexTree(parse('/dts-v1/;\n/ {\n\tinterrupt-parent = <&c>;\n\tc: c { #interrupt-cells = <17>; };\n\tn { interrupts = <1>; };\n};'));
    expect(thrown(() => decodeInterrupts(irq, node(irq, '/n'))).message).toBe("t.dts:4:9: /c: property '#interrupt-cells' is <17>: 'interrupts' of /n cannot be decoded with more than 16 cells");
    const clk = indexTree(parse('/dts-v1/;\n/ {\n\tc: c { #clock-cells = <0x100000>; };\n\tn { clocks = <&c 1>; };\n};'));
    expect(thrown(() => supplierClosure(clk, node(clk, '/n'))).message).toMatch(/^t\.dts:3:9: \/c: property '#clock-cells' is <1048576>: 'clocks' of \/n cannot/);
    // Four cells (PCI uses three) still decode.
    const four = indexTree(parse('/dts-v1/;\n/ { #address-cells = <4>; #size-cells = <4>; n { reg = <0 0 0 1 0 0 0 2>; }; };'));
    expect(decodeReg(four, node(four, '/n'))).toEqual([{ address: 1n, size: 2n, translated: true }]);
  });

  it('ranges decoded once per bus give what a search of the entries in order gives (first match wins, overlaps)', () => {
    const src = `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	bus {
		#address-cells = <1>;
		#size-cells = <1>;
		ranges = <0x100 0x9000 0x100  0x0 0x1000 0x1000  0x180 0x7000 0x10  0x2000 0x3000 0>;
		a@0 { reg = <0x0 4>; };
		b@100 { reg = <0x100 4>; };
		c@180 { reg = <0x180 4>; };
		d@1fc { reg = <0x1fc 4>; };
		e@fff { reg = <0xfff 1>; };
		f@1000 { reg = <0x1000 4>; };
		g@2000 { reg = <0x2000 4>; };
	};
};
`;
    const idx = indexTree(parse(src));
    const at = (p: string) => decodeReg(idx, node(idx, p)).map((r) => (r.translated ? r.address : `bus ${r.address}`));
    expect(at('/bus/a@0')).toEqual([0x1000n]);
    expect(at('/bus/b@100')).toEqual([0x9000n]); // the first entry, although the second covers it too
    expect(at('/bus/c@180')).toEqual([0x9080n]); // the first entry, not the later 0x180 one
    expect(at('/bus/d@1fc')).toEqual([0x90fcn]);
    expect(at('/bus/e@fff')).toEqual([0x1fffn]);
    expect(at('/bus/f@1000')).toEqual(['bus 4096']); // past every entry
    expect(at('/bus/g@2000')).toEqual(['bus 8192']); // a zero-sized entry covers nothing
  });
});

describe('label overrides, many properties, long shared names', () => {
  it('16,000 &label { } overrides (hung): the tree, with every override applied', () => {
    const tree = parse(overrides(16_000));
    const idx = indexTree(tree);
    expect(idx.byPath.size).toBe(16_001);
    expect(decodeReg(idx, node(idx, '/n15999@3e7f'))).toEqual([{ address: 0x3e7fn, size: 4n, translated: true }]);
    expect(node(idx, '/n15999@3e7f').props.map((p) => p.name)).toEqual(['reg', 'status']);
  });

  it('labels keep naming the first live holder in tree order: duplicates, deletions, nodes under deleted ones', () => {
    // dtc refuses a label on two nodes in the final tree; before that, &label names the first in tree order.
    const t = parse(`/dts-v1/;
/ {
	a { z: y { }; };
	b { };
};
&{/b} { x: c { }; };
&{/a} { x: d { }; };
/delete-node/ &z;
&x { mark = "first"; };
/delete-node/ &x;
&x { mark = "second"; };
`);
    const idx = indexTree(t);
    expect(idx.byPath.has('/a/y')).toBe(false);
    // /a/d comes before /b/c in tree order although it was labelled later.
    expect(idx.byPath.has('/a/d')).toBe(false);
    expect(node(idx, '/b/c').props.map((p) => [p.name, String.fromCharCode(...p.value.subarray(0, -1))])).toEqual([['mark', 'second']]);
    // Deleted nodes are not found by path either (dtc's get_node_by_path skips them): neither below a deleted node
    // nor the deleted node itself a second time; its parent's body revives it.
    expect(() => parse('/dts-v1/;\n/ { a { b { }; }; };\n/delete-node/ &{/a};\n&{/a/b} { l: c { }; };\n')).toThrow(/^t\.dts:4:1: Label or path \/a\/b not found$/);
    expect(() => parse('/dts-v1/;\n/ { a { }; };\n/delete-node/ &{/a};\n/delete-node/ &{/a};\n')).toThrow(/^t\.dts:4:1: Label or path \/a not found$/);
    expect(printDts(parse('/dts-v1/;\n/ { a { b { }; c { }; }; };\n/delete-node/ &{/a};\n/ { a { c { z; }; }; };\n'))).toBe('/dts-v1/;\n\n/ {\n\n\ta {\n\n\t\tc {\n\t\t\tz;\n\t\t};\n\t};\n};\n');
    if (haveDtc) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-bounds-'));
      const src = '/dts-v1/;\n/ { a { }; b { }; };\n&{/b} { x: c { }; };\n&{/a} { x: d { }; };\n/delete-node/ &x;\n';
      writeFileSync(path.join(dir, 'l.dts'), src);
      const theirs = spawnSync('dtc', ['-q', '-O', 'dts', path.join(dir, 'l.dts')]).stdout.toString();
      expect(printDts(parse(src))).toBe(theirs);
      const revived = '/dts-v1/;\n/ { a { b { }; c { }; }; };\n/delete-node/ &{/a};\n/ { a { c { z; }; }; };\n';
      writeFileSync(path.join(dir, 'r.dts'), revived);
      expect(printDts(parse(revived))).toBe(spawnSync('dtc', ['-q', '-O', 'dts', path.join(dir, 'r.dts')]).stdout.toString());
      for (const bad of ['/dts-v1/;\n/ { a { b { }; }; };\n/delete-node/ &{/a};\n&{/a/b} { l: c { }; };\n', '/dts-v1/;\n/ { a { }; };\n/delete-node/ &{/a};\n/delete-node/ &{/a};\n']) {
        writeFileSync(path.join(dir, 'bad.dts'), bad);
        const r = spawnSync('dtc', ['-q', '-O', 'dts', path.join(dir, 'bad.dts')]);
        expect(r.status).not.toBe(0);
        // dtc places it at the reference, we at the statement: the same line.
        expect(r.stderr.toString()).toMatch(/bad\.dts:4\.\d+-\d+ Label or path \/a(\/b)? not found/);
      }
    }
  });

  it('one node with 20,000 properties and 20,000 children, and a property of 5,000 path references', () => {
    let body = '';
    for (let i = 0; i < 20_000; i++) body += `p${i} = <${i}>; c${i} { };\n`;
    const t = parse(`/dts-v1/;\n/ { n { ${body} }; l: m { }; q = ${Array(5000).fill('&l').join(', ')}; };`);
    expect(t.root.children[0]!.props).toHaveLength(20_000);
    expect(t.root.children[0]!.children).toHaveLength(20_000);
    expect(Buffer.from(t.root.props[0]!.value).toString()).toBe('/m\0'.repeat(5000));
    const bytes = writeDtb(t);
    expect(Buffer.compare(Buffer.from(writeDtb(readDtb(bytes))), Buffer.from(bytes))).toBe(0);
  });

  it('a DTB whose properties share one long name (ran out of memory): read once, written back to the same bytes', () => {
    const blob = longNameDtb(20_000, 20_000);
    expect(blob.length).toBeLessThan(400_000);
    const tree = readDtb(blob);
    expect(tree.root.props).toHaveLength(20_000);
    expect(new Set(tree.root.props.map((p) => p.name)).size).toBe(1);
    expect(Buffer.compare(Buffer.from(writeDtb(tree)), Buffer.from(blob))).toBe(0);
  });

  it('names that end other names share their bytes as dtc shares them', () => {
    const src = '/dts-v1/;\n/ { linux,phandle = <1>; n { phandle = <2>; a-b-c = <1>; b-c = <2>; c = <3>; x,c; }; };';
    const tree = parse(src);
    const blob = writeDtb(tree);
    if (haveDtc) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-bounds-'));
      writeFileSync(path.join(dir, 's.dts'), src);
      expect(Buffer.compare(Buffer.from(blob), spawnSync('dtc', ['-q', '-O', 'dtb', path.join(dir, 's.dts')]).stdout)).toBe(0);
    }
    // The strings block is "linux,phandle\0a-b-c\0x,c\0": phandle, b-c and c reuse tails.
    const dv = new DataView(blob.buffer, blob.byteOffset);
    expect(Buffer.from(blob.subarray(dv.getUint32(12), dv.getUint32(12) + dv.getUint32(32))).toString()).toBe('linux,phandle\0a-b-c\0x,c\0');
  });
});

describe('nesting: 256 levels of nodes, deeper is an error at the node', () => {
  it(`a DTS nested 10,000 deep (overflowed the stack): an error at the node ${MAX_NODE_DEPTH + 1} levels down`, () => {
    const e = thrown(() => parse(deepDts(10_000)));
    expect(e).toBeInstanceOf(DtError);
    expect(e.message).toBe(`t.dts:2:${4 + 4 * MAX_NODE_DEPTH + 1}: node 'n' is nested too deeply (more than ${MAX_NODE_DEPTH} levels)`);
  });

  it('a tree exactly 256 deep goes through every reader, walk, query, printer and writer', () => {
    const tree = parse(deepDts(MAX_NODE_DEPTH));
    const idx = queryAll(tree);
    expect(idx.byPath.size).toBe(MAX_NODE_DEPTH + 1);
    expect([...walk(tree.root)]).toHaveLength(MAX_NODE_DEPTH + 1);
    const back = readDtb(writeDtb(tree));
    expect(printDts(back)).toBe(printDts(tree));
    expect(idx.byPath.get(`/${Array(MAX_NODE_DEPTH).fill('n').join('/')}`)!.parents).toHaveLength(MAX_NODE_DEPTH);
    if (haveDtc) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-bounds-'));
      writeFileSync(path.join(dir, 'd.dts'), deepDts(MAX_NODE_DEPTH));
      expect(printDts(tree)).toBe(spawnSync('dtc', ['-q', '-O', 'dts', path.join(dir, 'd.dts')]).stdout.toString());
    }
  });

  it('an override that nests a body below a deep node, and a DTB nested 10,000 deep: errors at the node', () => {
    // The label on the node 200 levels down; the override's 57th level is the 257th.
    const src = `/dts-v1/;\n/ {${' n {'.repeat(199)} l: n {${' };'.repeat(200)} };\n&l {${' m {'.repeat(100)}${' };'.repeat(100)} };\n`;
    const e = thrown(() => parse(src));
    expect(e.message).toMatch(new RegExp(`^t\\.dts:3:\\d+: node 'm' is nested too deeply \\(more than ${MAX_NODE_DEPTH} levels\\)$`));
    const b = thrown(() => readDtb(deepDtb(10_000)));
    expect(b).toBeInstanceOf(DtbError);
    expect(b.message).toMatch(/^node 'n' is nested too deeply \(more than 256 levels\) \(at byte 0x[0-9a-f]+\)$/);
  });

  it('/include/ files nest at most 200 deep, as dtc refuses', () => {
    const nested = (n: number) => {
      const map: Record<string, string> = { 't.dts': '/dts-v1/;\n/include/ "f0.dtsi"\n/ { };\n' };
      for (let i = 0; i < n; i++) map[`f${i}.dtsi`] = `/include/ "f${i + 1}.dtsi"\n`;
      map[`f${n}.dtsi`] = '\n';
      return map;
    };
    // t.dts and f0..f198 are 200 files: dtc's limit.
    expect(() => parseDtsFile('t.dts', { readFile: files(nested(198)) })).not.toThrow();
    expect(thrown(() => parseDtsFile('t.dts', { readFile: files(nested(199)) })).message).toBe('f198.dtsi:1:1: /include/ nested too deeply (more than 200 files)');
    if (haveDtc) {
      for (const [n, ok] of [[198, true], [199, false]] as const) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-bounds-'));
        for (const [f, text] of Object.entries(nested(n))) writeFileSync(path.join(dir, f), text);
        expect(spawnSync('dtc', ['-q', '-O', 'dts', path.join(dir, 't.dts')]).status === 0).toBe(ok);
      }
    }
  });
});

describe('the C preprocessor: bounded like cpp and dtc, errors at the line', () => {
  it(`macros that double 24 times: an error after ${MAX_EXPANSIONS} expansions, at the line that uses them`, () => {
    const t0 = performance.now();
    const e = thrown(() => preprocess('m.dts', { readFile: files({ 'm.dts': doublingMacros(24) }) }));
    expect(e).toMatchObject({ file: 'm.dts', line: 26, column: 1 });
    expect(e.message).toBe(`m.dts:26:1: macro expansion of this line is too large (more than ${MAX_EXPANSIONS} macro expansions)`);
    expect(performance.now() - t0).toBeLessThan(2000);
    // 15 levels (65,535 expansions) is within the bounds: the whole expansion.
    expect(texts(preprocess('m.dts', { readFile: files({ 'm.dts': doublingMacros(15) }) })).at(-1)!.split(' ').filter((w) => w === 'x')).toHaveLength(32_768);
    // A function-like macro whose argument appears twice, nested 30 deep.
    const f = `#define F(a) a a\n${'F('.repeat(30)}x${')'.repeat(30)}\n`;
    expect(thrown(() => preprocess('f.dts', { readFile: files({ 'f.dts': f }) })).message).toMatch(/^f\.dts:2:1: macro expansion of this line is too large/);
    // 10,000 macros each naming the next: nesting is bounded (was a stack overflow).
    let chain = '#define M0 x\n';
    for (let i = 1; i <= 10_000; i++) chain += `#define M${i} M${i - 1}\n`;
    expect(thrown(() => preprocess('c.dts', { readFile: files({ 'c.dts': `${chain}M10000\n` }) })).message).toBe('c.dts:10002:1: macro expansion of this line is too large (macros nested more than 256 deep)');
  });

  it(`a file that expands a 32,767-expansion macro on every line: an error once ${MAX_TOTAL_EXPANSIONS} expansions are made in all`, () => {
    const text = `${doublingMacros(14).replace(/A14\n$/, '')}${'A14\n'.repeat(40)}`;
    const t0 = performance.now();
    // 15 uses are 491,505 expansions; the 16th use (line 31) passes the bound.
    expect(thrown(() => preprocess('t.dts', { readFile: files({ 't.dts': text }) })).message).toBe(`t.dts:31:1: too many macro expansions (more than ${MAX_TOTAL_EXPANSIONS} in all)`);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it(`a diamond of includes 20 levels deep: an error at the include after ${MAX_INCLUDES} includes`, () => {
    const t0 = performance.now();
    const e = thrown(() => preprocess('f0.h', { readFile: files(diamondIncludes(20)) }));
    expect(e.message).toMatch(new RegExp(`^f\\d+\\.h:[12]:11: too many #includes \\(more than ${MAX_INCLUDES} in all\\)$`));
    expect(performance.now() - t0).toBeLessThan(2000);
    // With include guards (what real headers have) the same diamond is 40 includes.
    const guarded = Object.fromEntries(Object.entries(diamondIncludes(20)).map(([f, t]) => [f, `#ifndef G_${f.replace('.', '_')}\n#define G_${f.replace('.', '_')}\n${t}#endif\n`]));
    expect(texts(preprocess('f0.h', { readFile: files(guarded) }))).toEqual(['x']);
  });

  it('#includes nest at most 200 files deep, as gcc refuses', () => {
    const nested = (n: number) => {
      const map: Record<string, string> = {};
      for (let i = 0; i < n; i++) map[`f${i}.h`] = `#include "f${i + 1}.h"\n`;
      map[`f${n}.h`] = 'x\n';
      return map;
    };
    expect(texts(preprocess('f0.h', { readFile: files(nested(199)) }))).toEqual(['x']);
    expect(thrown(() => preprocess('f0.h', { readFile: files(nested(200)) })).message).toBe('f199.h:1:11: #include nested too deeply (more than 200 files)');
    if (haveCpp) {
      for (const [n, ok] of [[199, true], [200, false]] as const) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-bounds-'));
        for (const [f, text] of Object.entries(nested(n))) writeFileSync(path.join(dir, f), text);
        expect(spawnSync('cpp', ['-x', 'assembler-with-cpp', path.join(dir, 'f0.h')]).status === 0).toBe(ok);
      }
    }
  });

  it('deep expressions, 100,000 continuation lines and 10,000 nested #ifs', () => {
    const deep = `/dts-v1/;\n/ { x = <${'('.repeat(10_000)}1${')'.repeat(10_000)}>; };`;
    expect(thrown(() => parse(deep)).message).toBe('t.dts:2:10: syntax error in expression: expression nested too deeply (more than 256 levels)');
    expect(thrown(() => preprocess('i.dts', { readFile: files({ 'i.dts': `#if ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n#endif\n` }) })).message).toMatch(/^i\.dts:1:1: invalid #if expression: expression nested too deeply/);
    const cont = `#define LONG ${Array(100_000).fill('a').join(' \\\n')}\nLONG\n`;
    expect(texts(preprocess('c.dts', { readFile: files({ 'c.dts': cont }) })).at(-1)!.length).toBe(199_999);
    const ifs = `${'#if 1\n'.repeat(10_000)}x\n${'#endif\n'.repeat(10_000)}`;
    expect(texts(preprocess('n.dts', { readFile: files({ 'n.dts': ifs }) }))).toEqual(['x']);
  });
});
