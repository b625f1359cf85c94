import { fromUtf8 } from '../format/utf8';
import { DtError, joinPath, dirname, preprocess, MAX_INCLUDES, MAX_INCLUDE_DEPTH, MAX_OUTPUT, type SourceLine } from './cpp';
import { evaluate, type Body, type Item } from './merge';
import { cellValue, Scanner } from './scanner';
import { MAX_NODE_DEPTH, newNode, type DtTree, type Property } from './tree';

/**
 * DTS source to a device tree, as dtc builds it: `/dts-v1/`, `/plugin/`, `/memreserve/`, `/include/`, labels,
 * `&label { }` and `&{/path} { }` references, `/delete-node/`, `/delete-property/`, `/omit-if-no-ref/`, `/bits/`,
 * strings, byte strings, cell expressions, phandle and path references. Every node and property keeps its place.
 * The lexer is ./scanner, merging what was read into one tree ./merge, references ./references.
 */
export interface ParseOptions {
  includeDirs?: string[];
  readFile(path: string): string | undefined;
  /** Run the C preprocessor first (what `cpp ... | dtc` does). */
  cpp?: boolean;
  defines?: Record<string, string>;
  /** dtc -@: a __symbols__ node naming every label's path, and a phandle on every labelled node. */
  symbols?: boolean;
}

const HEX_BYTE = /[0-9a-fA-F]{2}/y;

/**
 * Parse one DTS file, or several concatenated (what libvmm's dtscat and the seL4 build do with a board tree and
 * its overlay fragment). Throws {@link DtError} with file:line:column on the first problem, as dtc stops.
 */
export function parseDtsFile(entry: string | string[], opts: ParseOptions): DtTree {
  const files = Array.isArray(entry) ? entry : [entry];
  const lines = files.flatMap((f) =>
    opts.cpp ? preprocess(f, { includeDirs: opts.includeDirs ?? [], readFile: opts.readFile, defines: { __DTS__: '1', ...(opts.defines ?? {}) } }) : rawLines(f, opts.readFile(f)),
  );
  return parseLines(lines, opts);
}

/**
 * A cpp line marker, as dtc's lexer takes it: `# 12 "board.dtsi" 2` (or `#line 12 "board.dtsi"`) says the next line is
 * line 12 of board.dtsi. Text that went through the system cpp carries them; dtc places its errors by them.
 */
const LINE_MARKER = /^#(?:line)?[ \t]+(\d+)[ \t]+"((?:[^"\\]|\\.)*)"(?:[ \t]+\d+)*[ \t]*\r?$/;

function rawLines(file: string, text: string | undefined): SourceLine[] {
  if (text === undefined) throw new DtError('No such file or directory', file, 1);
  const out: SourceLine[] = [];
  let name = file;
  let next = 1;
  for (const t of text.split('\n')) {
    const m = t.startsWith('#') ? LINE_MARKER.exec(t) : null;
    if (m) {
      // The marker itself is no text of the tree; the lines after it are the named file's from line m[1] on.
      out.push({ text: '', file: name, line: next, expanded: false });
      name = m[2]!.replace(/\\(.)/g, '$1');
      next = Number(m[1]);
      continue;
    }
    out.push({ text: t, file: name, line: next++, expanded: false });
  }
  return out;
}

function parseLines(lines: SourceLine[], opts: ParseOptions): DtTree {
  const items: Item[] = [];
  const tree: DtTree = { root: newNode('', { file: lines[0]?.file ?? '<input>', line: 1, column: 1 }), memreserve: [], plugin: false, bootCpuid: 0 };
  let sawVersion = false;
  let sawRoot = false;
  let includes = 0;
  let included = 0;
  const parseInto = (sc: Scanner, depth: number) => {
    while (!sc.atEnd()) {
      const at = sc.pos;
      if (sc.tryEat('/dts-v1/')) {
        sc.eat(';');
        sawVersion = true;
      } else if (sc.tryEat('/plugin/')) {
        sc.eat(';');
        tree.plugin = true;
      } else if (sc.tryEat('/include/')) {
        const name = fromUtf8(sc.string());
        const file = sc.place(at).file;
        const dirs = [dirname(file), ...(opts.includeDirs ?? [])];
        let found: SourceLine[] | undefined;
        for (const d of dirs) {
          const p = joinPath(d, name);
          const t = opts.readFile(p);
          if (t !== undefined) {
            if ((included += t.length) > MAX_OUTPUT) sc.fail(`text read by /include/ is too large (more than ${MAX_OUTPUT} characters in all)`, at);
            found = rawLines(p, t);
            break;
          }
        }
        if (!found) sc.fail(`Couldn't open "${name}": No such file or directory`, at);
        // dtc holds at most 200 files open (srcpos.c MAX_SRCFILE_DEPTH), the first included.
        if (depth + 2 > MAX_INCLUDE_DEPTH) sc.fail(`/include/ nested too deeply (more than ${MAX_INCLUDE_DEPTH} files)`, at);
        if (++includes > MAX_INCLUDES) sc.fail(`too many /include/s (more than ${MAX_INCLUDES} in all)`, at);
        parseInto(new Scanner(found), depth + 1);
      } else {
        const labels = sc.labels();
        if (sc.tryEat('/memreserve/')) {
          const a = cellValue(sc);
          const b = cellValue(sc);
          sc.eat(';');
          tree.memreserve.push({ address: a, size: b });
        } else if (sc.peek('/delete-node/')) {
          sc.eat('/delete-node/');
          items.push({ kind: 'delete', target: sc.ref(), place: sc.place(at) });
          sc.eat(';');
        } else if (sc.peek('/omit-if-no-ref/')) {
          sc.eat('/omit-if-no-ref/');
          items.push({ kind: 'omit', target: sc.ref(), place: sc.place(at) });
          sc.eat(';');
        } else if (sc.peek('/')) {
          sc.eat('/');
          const body = parseBody(sc, 0);
          sc.eat(';');
          if (!sawRoot) tree.root.place = sc.place(at);
          sawRoot = true;
          items.push({ kind: 'node', target: '/', body, place: sc.place(at) });
          if (labels.length) tree.root.labels.push(...labels);
        } else if (sc.peek('&')) {
          const target = sc.ref();
          // Depth below the node it names; merging checks the depth in the whole tree.
          const body = parseBody(sc, 0);
          sc.eat(';');
          items.push({ kind: 'node', target, body, place: sc.place(at) });
        } else sc.fail('syntax error');
      }
      if (!sawVersion && items.length) sc.fail('syntax error: missing /dts-v1/', at);
    }
  };
  parseInto(new Scanner(lines), 0);
  if (!sawVersion) throw new DtError('syntax error: missing /dts-v1/', lines[0]?.file ?? '<input>', 1);
  return evaluate(tree, items, opts.symbols ?? false);
}

/** The body of a node `depth` levels below the root (or below the node a `&ref { }` names). */
function parseBody(sc: Scanner, depth: number): Body {
  const place = sc.place();
  sc.eat('{');
  const body: Body = { entries: [], place };
  for (;;) {
    if (sc.tryEat('}')) return body;
    if (sc.atEnd()) {
      // dtc places an unexpected end of input at the last token it read.
      let i = sc.text.length - 1;
      while (i > 0 && /\s/.test(sc.text[i]!)) i--;
      sc.fail("syntax error: missing '}' before the end of the file", i);
    }
    const at = sc.pos;
    if (sc.tryEat('/delete-property/')) {
      const name = sc.name();
      sc.eat(';');
      body.entries.push({ kind: 'delprop', name, place: sc.place(at) });
      continue;
    }
    if (sc.tryEat('/delete-node/')) {
      const name = sc.name();
      sc.eat(';');
      body.entries.push({ kind: 'delnode', name, place: sc.place(at) });
      continue;
    }
    const labels = sc.labels();
    const omit = sc.tryEat('/omit-if-no-ref/');
    const namePos = sc.pos;
    const labels2 = labels.concat(omit ? sc.labels() : []);
    const name = sc.name();
    const place = sc.place(namePos);
    if (sc.peek('{')) {
      if (depth + 1 > MAX_NODE_DEPTH) sc.fail(`node '${name}' is nested too deeply (more than ${MAX_NODE_DEPTH} levels)`, namePos);
      const child = parseBody(sc, depth + 1);
      sc.eat(';');
      body.entries.push({ kind: 'child', name, labels: labels2, body: child, omit, place: sc.place(at) });
      continue;
    }
    const prop: Property = { name, value: new Uint8Array(0), labels: labels2, refs: [], place };
    if (sc.tryEat('=')) prop.value = parseValue(sc, prop);
    sc.eat(';');
    body.entries.push({ kind: 'prop', prop });
  }
}

function parseValue(sc: Scanner, prop: Property): Uint8Array {
  const parts: number[] = [];
  for (;;) {
    sc.labels();
    sc.ws();
    const at = sc.pos;
    if (sc.peek('"')) {
      for (const b of sc.string()) parts.push(b);
      parts.push(0);
    }
    else if (sc.peek('[')) {
      sc.eat('[');
      for (;;) {
        sc.labels();
        if (sc.tryEat(']')) break;
        sc.ws();
        const m = sc.match(HEX_BYTE);
        if (!m) sc.fail('syntax error: expected a hex byte');
        parts.push(parseInt(m[0], 16));
        sc.pos += 2;
      }
    } else if (sc.peek('&')) {
      const r = sc.ref();
      prop.refs.push({ offset: parts.length, kind: 'path', target: 'label' in r ? r.label : r.path, place: sc.place(at) });
      parts.push(0); // placeholder: the path replaces it on resolution
    } else {
      let bits = 32;
      if (sc.tryEat('/bits/')) {
        bits = Number(cellValue(sc));
        if (![8, 16, 32, 64].includes(bits)) sc.fail('Invalid /bits/ value', at);
      }
      sc.eat('<');
      for (;;) {
        sc.labels();
        if (sc.tryEat('>')) break;
        sc.ws();
        if (sc.peek('&')) {
          const refAt = sc.pos;
          if (bits !== 32) sc.fail('References are only allowed in arrays with 32-bit elements.', refAt);
          const r = sc.ref();
          prop.refs.push({ offset: parts.length, kind: 'phandle', target: 'label' in r ? r.label : r.path, place: sc.place(refAt) });
          parts.push(0xff, 0xff, 0xff, 0xff);
          continue;
        }
        const v = cellValue(sc);
        if (bits === 32) {
          // dtc truncates to the cell; the common case without a BigInt per byte.
          const x = Number(v & 0xffffffffn);
          parts.push((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
          continue;
        }
        const mask = (1n << BigInt(bits)) - 1n;
        if (bits < 64 && v > mask && (v >> BigInt(bits)) !== (1n << BigInt(64 - bits)) - 1n) {
          // dtc truncates; it only warns. Keep dtc's bytes.
        }
        const x = v & mask;
        for (let b = bits - 8; b >= 0; b -= 8) parts.push(Number((x >> BigInt(b)) & 0xffn));
      }
    }
    if (!sc.tryEat(',')) break;
  }
  return new Uint8Array(parts);
}
