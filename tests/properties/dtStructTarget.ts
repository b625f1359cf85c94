import { DtError } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { applyOverlay } from '../../shared/dt/overlay';
import { parseDtsFile } from '../../shared/dt/parse';
import { printDts } from '../../shared/dt/print';
import { decodeInterrupts, decodeReg, indexTree, supplierClosure } from '../../shared/dt/query';
import type { DtTree } from '../../shared/dt/tree';
import { prng } from './mutate';

/**
 * The structure-aware device-tree fuzzer (`npm run fuzz -- --target dtstruct`): each seed generates source files from
 * a grammar of what DTS has (nodes nested shallow or past the depth limit, labels, phandle and path references,
 * #…-cells values from 0 to huge, reg, ranges, interrupts and interrupts-extended, supplier properties, overrides,
 * /delete-node/, /delete-property/, /omit-if-no-ref/, /include/, /plugin/, /memreserve/, and for the cpp path macros,
 * conditionals, includes, doubling macros and include diamonds), runs the whole pipeline (parse, merge, query every
 * node, print, DTB write and read), then mangles the DTB (header sizes and offsets, tokens, lengths, name offsets,
 * truncation, nesting) and reads that. A bug is anything but an error of the expected kind with a place, or a broken
 * invariant:
 *  - a DTB we wrote reads back and writes again to the same bytes;
 *  - the printed DTS parses back to the same DTB;
 *  - every query of a node gives the same answer (or the same error) from the source tree and from its DTB.
 * Hangs and memory exhaustion are caught by the runner (scripts/fuzzRun.mjs: a per-input time budget, a heap cap).
 */

interface Gen {
  r: () => number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

function gen(seed: number): Gen {
  const r = prng(seed);
  return {
    r,
    int: (n) => Math.floor(r() * n),
    pick: (xs) => xs[Math.floor(r() * xs.length)]!,
    chance: (p) => r() < p,
  };
}

const CELL_COUNTS = [0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 16, 17, 0x100, 0xffffffff];
const CELLS_PROPS = ['#address-cells', '#size-cells', '#interrupt-cells', '#clock-cells', '#reset-cells', '#power-domain-cells', '#iommu-cells', '#mbox-cells', '#dma-cells'];
const SUPPLIERS = ['clocks', 'resets', 'power-domains', 'iommus', 'interconnects', 'mboxes', 'dmas', 'pinctrl-0'];
const COMPATIBLE = ['"arm,gic-400"', '"arm,cortex-a15-gic"', '"arm,sbsa-uart"', '"simple-bus"', '"x,y", "z"'];
const NAMES = ['n', 'bus', 'serial', 'gic', 'clk', 'soc', 'cpu', 'mem', 'a,b', 'x_y', 'q.r', 'fragment', '__overlay__'];

/** What one generated input is made of, as text files. */
interface Source {
  files: Record<string, string>;
  main: string;
  cpp: boolean;
}

/** Generate a DTS (and its included files) from the grammar. */
function generate(g: Gen): Source {
  const cpp = g.chance(0.35);
  const files: Record<string, string> = {};
  const paths: string[] = ['/'];
  let nodes = 0;
  // Most inputs are small (throughput); some stress one dimension.
  const mode = g.chance(0.75) ? 'small' : g.pick(['deep', 'wide', 'labels', 'long', 'refs'] as const);
  const maxNodes = mode === 'wide' ? 300 : mode === 'labels' ? 150 : 50;
  const deepTo = mode === 'deep' ? 245 + g.int(25) : 0;
  const macros: string[] = [];
  let pre = '';
  let doubling = '';
  if (cpp) {
    pre += '#define BASE 0x1000\n#define IRQ(n) (n + 32)\n#define TWICE(a) a a\n#define CAT(a, b) a ## b\n#define STR(x) #x\n';
    macros.push('BASE', 'IRQ(3)', 'TWICE(1)', '(IRQ(BASE) >> 2)');
    if (g.chance(0.3)) {
      files['inc/defs.h'] = `#ifndef DEFS_H\n#define DEFS_H\n#define DEV(n) dev${g.int(9)}@n\n#define ONE 1\n#endif\n`;
      pre += '#include "defs.h"\n#include <defs.h>\n';
      macros.push('ONE');
    }
    if (g.chance(0.04)) {
      // Macros that double, used once: within the expansion bound or past it.
      const levels = 8 + g.int(14);
      pre += '#define D0 1\n';
      for (let i = 1; i <= levels; i++) pre += `#define D${i} D${i - 1} D${i - 1}\n`;
      doubling = `\tdoubled = <D${levels}>;\n`;
    }
    if (g.chance(0.03)) {
      const levels = 6 + g.int(10);
      for (let i = 0; i < levels; i++) files[`inc/d${i}.h`] = `#include "d${i + 1}.h"\n#include "d${i + 1}.h"\n`;
      files[`inc/d${levels}.h`] = '#define DIAMOND 1\n';
      pre += '#include "d0.h"\n';
    }
    if (g.chance(0.1)) pre += `#if ${g.pick(['defined(BASE) && BASE > 0x100', '(1 ? 2 : 3) == 2', 'IRQ(1) == 33', '((((1))))', 'NOPE'])}\n#define COND 1\n#else\n#define COND 2\n#endif\n`;
  }
  const name = () => {
    if (mode === 'long' && g.chance(0.1)) return 'l'.repeat(500 + g.int(5000));
    const base = g.pick(NAMES);
    return g.chance(0.6) ? `${base}@${g.int(0x100000).toString(16)}` : base;
  };
  // References are placeholders until the whole text is made; then each names a label a node took, or a path
  // (forward references included), and one in 300 names nothing.
  const pool = Array.from({ length: mode === 'labels' ? 120 : 4 + g.int(12) }, (_, i) => `L${i}`);
  const taken: string[] = [];
  let nextLabel = 0;
  const label = () => {
    const l = nextLabel < pool.length ? pool[nextLabel++]! : g.pick(pool);
    taken.push(l);
    return l;
  };
  const REF = '\u0001';
  const ref = () => REF;
  // A reference chosen now; what a top-level statement names must exist before it (statements apply in order).
  const topRef = () => {
    if (g.chance(0.003)) return `&nolabel${g.int(3)}`;
    return g.chance(0.85) && taken.length ? `&${g.pick(taken)}` : `&{${g.pick(paths)}}`;
  };
  const resolveRefs = (t: string) => t.split(REF).reduce((out, part, i) => (i ? `${out}${topRef()}${part}` : part), '');
  const num = (): string => {
    switch (g.int(cpp ? 9 : 7)) {
      case 0:
        return String(g.int(8));
      case 1:
        return `0x${g.int(0x100000).toString(16)}`;
      case 2:
        return '0xffffffff';
      case 3:
        return `'${g.pick(['a', 'Z', '\\n', '\\0'])}'`;
      case 4:
        return `(${g.int(16)} << ${g.int(8)})`;
      case 5:
        return g.chance(0.5) ? ref() : String(g.int(4));
      case 6:
        return String(g.int(64));
      default:
        return g.pick(macros);
    }
  };
  const cells = (n: number) => `<${Array.from({ length: n }, num).join(' ')}>`;
  const prop = (): string => {
    const l = g.chance(0.05) ? `P${g.int(9)}: ` : '';
    switch (g.int(22)) {
      case 0:
      case 1:
        return `${g.pick(CELLS_PROPS)} = <${g.pick(CELL_COUNTS)}>;`;
      case 2:
      case 3:
        return `${l}reg = ${cells(g.int(9))};`;
      case 4:
        return g.chance(0.4) ? 'ranges;' : `ranges = ${cells(g.int(13))};`;
      case 5:
        return `interrupts = ${cells(g.int(7))};`;
      case 6:
        return `interrupt-parent = <${ref()}>;`;
      case 7:
        return `interrupts-extended = <${Array.from({ length: 1 + g.int(3), }, () => `${ref()} ${Array.from({ length: g.int(4) }, num).join(' ')}`).join(' ')}>;`;
      case 8:
        return `${g.pick(SUPPLIERS)} = <${Array.from({ length: 1 + g.int(3) }, () => `${ref()} ${g.int(3)}`).join(' ')}>;`;
      case 9:
        return `compatible = ${g.pick(COMPATIBLE)};`;
      case 10:
        return 'interrupt-controller;';
      case 11:
        return `phandle = <${g.int(6)}>;`;
      case 12:
        return `${l}p${g.int(9)} = ${ref()};`;
      case 13:
        return `s${g.int(5)} = "a\\"b\\\\c\\x41\\101", "${'w'.repeat(g.int(40))}";`;
      case 14:
        return `b${g.int(5)} = [${Array.from({ length: g.int(9) }, () => g.int(256).toString(16).padStart(2, '0')).join(' ')}];`;
      case 15:
        return `w${g.int(5)} = /bits/ ${g.pick([8, 16, 32, 64])} <${g.int(300)} 0x1ffff>;`;
      case 16:
        return `status = "${g.pick(['okay', 'disabled'])}";`;
      case 17:
        return `${g.pick(['reg-names', 'interrupt-names'])} = "a", "b", "c";`;
      case 18:
        return `/delete-property/ ${g.pick(['reg', 'ranges', 'interrupts', 'p1', 'status'])};`;
      case 19:
        return `m${g.int(4)} = ${cells(g.int(4))}, "x", [01];`;
      case 20:
        return `linux,phandle = <${g.int(6)}>;`;
      default:
        return `e${g.int(6)};`;
    }
  };
  /** A node's body; `path` is where it is (undefined in an override's body, whose place is not known here). */
  const body = (depth: number, path: string | undefined): string => {
    let s = '';
    const nProps = g.int(6);
    for (let i = 0; i < nProps; i++) s += ` ${prop()}`;
    const kids = depth < deepTo ? 1 : mode === 'wide' && depth < 2 ? 50 + g.int(250) : depth < 4 ? g.int(4) : 0;
    for (let i = 0; i < kids && nodes < maxNodes + deepTo; i++) {
      nodes++;
      const n = name();
      const p = path === undefined ? undefined : path === '/' ? `/${n}` : `${path}/${n}`;
      let l = '';
      if (g.chance(mode === 'labels' ? 0.9 : 0.5)) {
        l = `${label()}: `;
      }
      if (p !== undefined && paths.length < 2000) paths.push(p);
      const omit = g.chance(0.03) ? '/omit-if-no-ref/ ' : '';
      s += `\n${omit}${l}${n} {${body(depth + 1, p)} };`;
      if (g.chance(0.015)) s += ` /delete-node/ ${n};`;
    }
    return s;
  };
  const plugin = g.chance(0.1);
  let text = `${pre}/dts-v1/;\n${plugin ? '/plugin/;\n' : ''}`;
  if (g.chance(0.1)) text += `/memreserve/ 0x${g.int(0x10000).toString(16)} 0x1000;\n`;
  if (g.chance(0.1)) {
    files['inc.dtsi'] = `/ { included { ${prop()} }; };\n`;
    text += '/include/ "inc.dtsi"\n';
  }
  text += `/ {\n${doubling}${body(0, '/')}\n};\n`;
  const tops = mode === 'labels' ? 50 + g.int(200) : g.int(5);
  for (let i = 0; i < tops; i++) {
    switch (g.int(10)) {
      case 0:
        text += `/delete-node/ ${topRef()};\n`;
        break;
      case 1:
        text += `/omit-if-no-ref/ ${topRef()};\n`;
        break;
      case 2:
        text += `/ { ${prop()} };\n`;
        break;
      default:
        text += `${topRef()} {${body(3, undefined)} };\n`;
    }
  }
  if (mode === 'refs') text += `/ { many = ${Array.from({ length: 200 + g.int(1000) }, ref).join(', ')}; };\n`;
  files['main.dts'] = resolveRefs(text);
  if (files['inc.dtsi']) files['inc.dtsi'] = resolveRefs(files['inc.dtsi']);
  return { files, main: 'main.dts', cpp };
}

/** DtError from a source: a place in one of the files, line and column from 1. */
function checkDtError(e: unknown, src: Source): asserts e is DtError {
  if (!(e instanceof DtError)) throw e;
  if (!(e.line >= 1 && e.column >= 1)) throw new Error(`error without a place: ${e.message}`);
  if (!(e.file in src.files)) throw new Error(`error placed in a file that is not one of the input's: ${e.message}`);
}
function checkDtbError(e: unknown): asserts e is DtbError {
  if (!(e instanceof DtbError)) throw e;
  if (!/\(at byte 0x[0-9a-f]+\)$/.test(e.message)) throw new Error(`DTB error without an offset: ${e.message}`);
}

/** The text of a query error without its place (source and DTB trees place it differently). */
const unplaced = (e: unknown) => {
  if (e instanceof DtError) return e.message.slice(`${e.file}:${e.line}:${e.column}: `.length);
  if (e instanceof DtbError) return e.message.replace(/ \(at byte 0x[0-9a-f]+\)$/, '');
  throw e;
};

/** Every query of every node (at most `limit` nodes), as JSON per node: a result or an error's text. */
function queryAll(tree: DtTree, limit = 2000): Map<string, string> {
  const idx = indexTree(tree);
  const out = new Map<string, string>();
  let k = 0;
  for (const loc of idx.byPath.values()) {
    if (k++ >= limit) break;
    const answer: string[] = [];
    for (const q of [decodeReg, decodeInterrupts, supplierClosure] as const) {
      try {
        answer.push(JSON.stringify(q(idx, loc.node), (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v)));
      } catch (e) {
        if (tree.root.place.file === '<dtb>') checkDtbError(e);
        else if (!(e instanceof DtError)) throw e;
        answer.push(`error: ${unplaced(e)}`);
      }
    }
    out.set(loc.path, answer.join('\n'));
  }
  return out;
}

/** Every node and property name is one DTS source can spell. */
function spellable(tree: DtTree): boolean {
  const ok = /^[A-Za-z0-9,._+*#?@-]+$/;
  const stack = [tree.root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== tree.root && !ok.test(n.name)) return false;
    if (n.props.some((p) => !ok.test(p.name))) return false;
    stack.push(...n.children);
  }
  return true;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A DTB with one to three structured mutations. */
function mangle(g: Gen, blob: Uint8Array): Uint8Array {
  let b = blob.slice();
  const dv = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const edge = () => g.pick([0, 1, 3, 4, 40, 56, b.length, b.length - 1, b.length + 4, 0x7fffffff, 0xffffffff, g.int(b.length + 8)]);
  const n = 1 + g.int(3);
  for (let k = 0; k < n && b.length >= 40; k++) {
    const offStruct = dv().getUint32(8);
    const sizeStruct = dv().getUint32(36);
    switch (g.int(7)) {
      case 0: // a header field
        dv().setUint32(4 * g.int(10), g.chance(0.5) ? edge() : (dv().getUint32(4 * g.int(10)) + g.pick([-4, -1, 1, 4])) >>> 0);
        break;
      case 1: {
        // a token in the structure block
        const at = offStruct + 4 * g.int(Math.max(1, sizeStruct / 4));
        if (at + 4 <= b.length) dv().setUint32(at, g.pick([1, 2, 3, 4, 9, 0, 5, 0xffffffff]));
        break;
      }
      case 2: {
        // a property's length or name offset
        for (let at = offStruct; at + 12 <= Math.min(b.length, offStruct + sizeStruct); at += 4) {
          if (dv().getUint32(at) === 3 && g.chance(0.3)) {
            dv().setUint32(at + (g.chance(0.5) ? 4 : 8), edge());
            break;
          }
        }
        break;
      }
      case 3: // cut short
        b = b.slice(0, g.int(b.length));
        break;
      case 4: {
        // the strings block loses its NULs
        const offStrings = dv().getUint32(12);
        for (let i = offStrings; i < b.length; i++) if (b[i] === 0) b[i] = 0x61;
        break;
      }
      case 5: {
        // a run of BEGIN_NODE "n" tokens spliced in: nesting past the limit
        const at = offStruct + 4 * g.int(Math.max(1, sizeStruct / 4));
        const depth = 200 + g.int(200);
        const run = new Uint8Array(depth * 8);
        const rv = new DataView(run.buffer);
        for (let i = 0; i < depth; i++) {
          rv.setUint32(i * 8, 1);
          rv.setUint32(i * 8 + 4, 0x6e000000);
        }
        const next = new Uint8Array(b.length + run.length);
        next.set(b.subarray(0, Math.min(at, b.length)));
        next.set(run, Math.min(at, b.length));
        next.set(b.subarray(Math.min(at, b.length)), Math.min(at, b.length) + run.length);
        new DataView(next.buffer).setUint32(4, next.length);
        if (next.length >= 40) new DataView(next.buffer).setUint32(36, sizeStruct + run.length);
        if (next.length >= 40) new DataView(next.buffer).setUint32(12, dv().getUint32(12) + run.length);
        b = next;
        break;
      }
      default: // a random byte
        if (b.length) b[g.int(b.length)] = g.int(256);
    }
  }
  return b;
}

let small: Uint8Array | undefined;
/** A small valid DTB (for inputs whose source did not parse). */
function smallBlob(): Uint8Array {
  small ??= writeDtb(
    parseDtsFile('s.dts', {
      readFile: () => '/dts-v1/;\n/memreserve/ 0x1000 0x100;\n/ { #address-cells = <1>; #size-cells = <1>; interrupt-parent = <&g>; g: gic { interrupt-controller; #interrupt-cells = <3>; compatible = "arm,gic-400"; }; bus { ranges = <0 0x100 0x10>; #address-cells = <1>; #size-cells = <1>; d@4 { reg = <4 4>; interrupts = <0 1 4>; clocks = <&g 1>; }; }; };\n',
    }),
  );
  return small;
}

/** Exercise a tree read from a blob: queries, printing, writing and reading back. */
function exerciseBlobTree(tree: DtTree) {
  queryAll(tree, 300);
  printDts(tree);
  const again = writeDtb(tree);
  if (!same(writeDtb(readDtb(again)), again)) throw new Error('a DTB written from a read blob does not read back to the same bytes');
}

/** The source files seed `seed` generates (to look at a failing input). */
export function dtStructSource(seed: number): Source {
  return generate(gen(seed));
}

/** One input from `seed`: returns what it ended with (for the statistics); throws on a bug. */
export function fuzzOneDtStruct(seed: number): string {
  const g = gen(seed);
  const src = generate(g);
  const readFile = (p: string) => src.files[p];
  let tree: DtTree;
  try {
    tree = parseDtsFile(src.main, { readFile, cpp: src.cpp, includeDirs: ['inc'] });
  } catch (e) {
    checkDtError(e, src);
    // Still read a mangled copy of a small valid tree, so every input exercises the DTB reader.
    try {
      exerciseBlobTree(readDtb(mangle(g, smallBlob())));
    } catch (x) {
      checkDtbError(x);
    }
    return `dts error: ${unplaced(e).replace(/[0-9]+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 60)}`;
  }
  // The whole pipeline on the tree.
  const fromSource = queryAll(tree);
  const printed = printDts(tree);
  const blob = writeDtb(tree);
  const back = readDtb(blob);
  if (!same(writeDtb(back), blob)) throw new Error('our DTB does not read back and write to the same bytes');
  const fromBlob = queryAll(back);
  for (const [p, answer] of fromSource) {
    if (fromBlob.get(p) !== answer) throw new Error(`query of ${p} differs between the source tree and its DTB:\n${answer}\n---\n${fromBlob.get(p)}`);
  }
  // dtc too prints names it cannot read back (an overlay's __fixups__ entry for a missing &{/path} is named by it).
  if (spellable(tree)) {
    let reparsed: DtTree;
    try {
      reparsed = parseDtsFile('printed.dts', { readFile: (f) => (f === 'printed.dts' ? printed : undefined) });
    } catch (e) {
      throw new Error(`the printed tree does not parse: ${(e as Error).message}`);
    }
    if (!same(writeDtb(reparsed), blob)) throw new Error('the printed tree parses to different bytes');
  }
  if (tree.plugin && g.chance(0.5)) {
    // An overlay: applied to a base that has symbols; refusals are DTB errors.
    try {
      const base = parseDtsFile('base.dts', { readFile: () => '/dts-v1/;\n/ { L1: a { }; L2: b { c { }; }; L3: serial@1 { }; };\n', symbols: true });
      exerciseBlobTree(applyOverlay(readDtb(writeDtb(base)), back));
    } catch (e) {
      checkDtbError(e);
    }
  }
  // Mangled copies of its DTB.
  let outcome = 'parsed';
  for (let k = 0; k < 2; k++) {
    try {
      exerciseBlobTree(readDtb(mangle(g, blob)));
    } catch (e) {
      checkDtbError(e);
      outcome = 'parsed, a mangled DTB refused';
    }
  }
  return outcome;
}
