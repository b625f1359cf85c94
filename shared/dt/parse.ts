import { fromUtf8 } from '../format/utf8';
import { DtError, DTC_LINE_MARKER, joinPath, dirname, preprocess, unescapeCString, MAX_INCLUDES, MAX_INCLUDE_DEPTH, MAX_OUTPUT, type SourceLine } from './cpp';
import { evaluate, type Body, type Item } from './merge';
import { cellValue, hexDigit, plainCell, Scanner } from './scanner';
import { MAX_NODE_DEPTH, newNode, type DtTree, type Place, type Property } from './tree';

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
  const read = (f: string) =>
    opts.cpp ? preprocess(f, { includeDirs: opts.includeDirs ?? [], readFile: opts.readFile, defines: { __DTS__: '1', ...(opts.defines ?? {}) } }) : rawLines(f, opts.readFile(f));
  const lines = files.length === 1 ? read(files[0]!) : files.flatMap(read);
  return parseLines(lines, opts);
}

function rawLines(file: string, text: string | undefined): SourceLine[] {
  if (text === undefined) throw new DtError('No such file or directory', file, 1);
  const lines = text.split('\n').map((t, i): SourceLine => ({ text: t, file, line: i + 1, expanded: false, source: file }));
  return MAYBE_MARKER.test(text) ? withLineMarkers(lines, text.includes('/*')) : lines;
}

const MAYBE_MARKER = /^#(?:line)?[ \t]+[0-9]/m;
const COMMENT_OR_STRING = /\/\*|\/\/|"(?:[^"\\\n]|\\.)*"?/g;

/**
 * Already-preprocessed text (`cpp -E` output) carries line markers; dtc takes each as a token of its own and places
 * what follows at the line and file it names, in errors too (dtc-lexer.l, srcpos_set_line). A marker line becomes
 * blank; the lines after it are renumbered. A `#` inside a block comment starts no marker (the comment is one token).
 */
function withLineMarkers(lines: SourceLine[], comments: boolean): SourceLine[] {
  let inComment = false;
  let mark: { file: string; line: number; at: number } | undefined;
  // The last line has no newline after it: dtc's marker needs one.
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const m = !inComment && i < lines.length - 1 && l.text.charCodeAt(0) === 35 ? DTC_LINE_MARKER.exec(l.text) : null;
    if (m) {
      mark = { file: unescapeCString(m[2]!), line: Number(m[1]), at: i };
      l.text = '';
      continue;
    }
    if (mark) {
      l.file = mark.file;
      l.line = mark.line + (i - mark.at - 1);
    }
    // cpp's output has no comments left: the lines are not scanned for them.
    if (comments) inComment = endsInComment(l.text, inComment);
  }
  return lines;
}

/** Whether a block comment is still open at the end of this line. */
function endsInComment(text: string, inComment: boolean): boolean {
  let i = 0;
  if (inComment) {
    const e = text.indexOf('*/');
    if (e < 0) return true;
    i = e + 2;
  }
  for (;;) {
    COMMENT_OR_STRING.lastIndex = i;
    const m = COMMENT_OR_STRING.exec(text);
    if (!m || m[0] === '//') return false;
    if (m[0] === '/*') {
      const e = text.indexOf('*/', m.index + 2);
      if (e < 0) return true;
      i = e + 2;
    } else i = m.index + m[0].length;
  }
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
        // Beside the file being read (dtc's current_srcfile->dir), whatever a line marker calls it.
        const dirs = [dirname(sc.sourceFile(at)), ...(opts.includeDirs ?? [])];
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

/**
 * The common entry of a body in one match: labels, a name and what follows it (`=`, `;` or `{`), with spaces only
 * between them. Anything else (comments, `/omit-if-no-ref/`, `/delete-...`, an error) is read token by token below;
 * both read the same text the same way.
 */
const ENTRY = new RegExp(
  String.raw`((?:[A-Za-z_][A-Za-z0-9_]*:(?!:)[ \t\r\n]*)*)([A-Za-z0-9,._+*#?@-]+)[ \t\r\n]*` +
    // `;` or `{`; or `=` and a value with nothing in it to look at twice (then its `;`); or `=` and any value.
    String.raw`(?:([;{])|=[ \t\r\n]*(?:"([^"\\\n\u0080-\uffff]*)"|<((?:[ \t\r\n]*(?:0[xX][0-9a-fA-F]{1,8}|[1-9][0-9]{0,8}|0|&[A-Za-z_][A-Za-z0-9_]*)(?=[ \t\r\n>]))*)[ \t\r\n]*>)[ \t\r\n]*;|(=))`,
  'y',
);
/** The labels of an ENTRY match (its first group: names, each followed by ':'). */
const LABEL_NAME = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * The body of a node `depth` levels below the root (or below the node a `&ref { }` names); `opened` when its `{`
 * was read with the node's name (the body's place is where the name ends).
 */
function parseBody(sc: Scanner, depth: number, opened?: Place): Body {
  let place = opened;
  if (!place) {
    place = sc.place();
    sc.eat('{');
  }
  const body: Body = { entries: [], place };
  const text = sc.text;
  for (;;) {
    sc.ws();
    const at = sc.pos;
    const c = text.charCodeAt(at);
    if (c === 125) {
      sc.pos++;
      return body;
    }
    if (at >= text.length) {
      // dtc places an unexpected end of input at the last token it read.
      let i = text.length - 1;
      while (i > 0 && /\s/.test(text[i]!)) i--;
      sc.fail("syntax error: missing '}' before the end of the file", i);
    }
    if (c !== 47) {
      ENTRY.lastIndex = at;
      const m = ENTRY.exec(text);
      if (m) {
        const labels = m[1] ? m[1].match(LABEL_NAME)! : [];
        const namePos = at + m[1]!.length;
        const name = m[2]!;
        sc.pos = ENTRY.lastIndex;
        if (m[4] !== undefined || m[5] !== undefined) {
          // A plain string or a list of plain cells, and its ';'.
          const prop: Property = { name, value: EMPTY, labels, refs: [], place: sc.place(namePos) };
          prop.value = m[4] !== undefined ? plainString(m[4]) : plainCells(sc, prop, at + m[0].indexOf('<', m[1]!.length + name.length) + 1);
          body.entries.push({ kind: 'prop', prop });
          continue;
        }
        if (m[3] === '{') {
          if (depth + 1 > MAX_NODE_DEPTH) sc.fail(`node '${name}' is nested too deeply (more than ${MAX_NODE_DEPTH} levels)`, namePos);
          const entryPlace = sc.place(at);
          const child = parseBody(sc, depth + 1, sc.place(namePos + name.length));
          sc.eat(';');
          body.entries.push({ kind: 'child', name, labels, body: child, omit: false, place: entryPlace });
          continue;
        }
        const prop: Property = { name, value: new Uint8Array(0), labels, refs: [], place: sc.place(namePos) };
        if (m[6] === '=') {
          prop.value = parseValue(sc, prop);
          sc.eat(';');
        }
        body.entries.push({ kind: 'prop', prop });
        continue;
      }
    }
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

/**
 * A string of ASCII without escapes, and a list of plain cells (numbers that fit a cell, `&label` references) with
 * spaces between: what nearly every value is (readCells reads the cells of such a list).
 */
const PLAIN_STRING = /"([^"\\\n\u0080-\uffff]*)"/y;
const PLAIN_CELLS = /<(?:[ \t\r\n]*(?:0[xX][0-9a-fA-F]{1,8}|[1-9][0-9]{0,8}|0|&[A-Za-z_][A-Za-z0-9_]*)(?=[ \t\r\n>]))*[ \t\r\n]*>/y;

/** The value being read (one at a time), grown as needed. */
let value = new Uint8Array(1024);
let length = 0;
const room = (n: number) => {
  if (length + n <= value.length) return;
  let size = value.length * 2;
  while (size < length + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(value.subarray(0, length));
  value = next;
};
const cell = (x: number) => {
  room(4);
  value[length] = x >>> 24;
  value[length + 1] = (x >>> 16) & 0xff;
  value[length + 2] = (x >>> 8) & 0xff;
  value[length + 3] = x & 0xff;
  length += 4;
};
const byte = (b: number) => {
  room(1);
  value[length++] = b;
};

const EMPTY = new Uint8Array(0);

/** A string ENTRY or PLAIN_STRING matched (quotes excluded: printable ASCII, no escapes): its bytes and the NUL. */
function plainString(str: string): Uint8Array {
  const out = new Uint8Array(str.length + 1);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i);
  return out;
}


/** The cells of a list ENTRY or PLAIN_CELLS matched, from `from` (after its `<`). */
function plainCells(sc: Scanner, prop: Property, from: number): Uint8Array {
  length = 0;
  readCells(sc, prop, from);
  return value.slice(0, length);
}

/** One cell of such a list: a hex number (1), a reference (2) or a decimal number (3); no match at its `>`. */
const CELL = /[ \t\r\n]*(?:0[xX]([0-9a-fA-F]+)|&([A-Za-z_][A-Za-z0-9_]*)|([0-9]+))/y;

function readCells(sc: Scanner, prop: Property, from: number) {
  const text = sc.text;
  CELL.lastIndex = from;
  for (let m = CELL.exec(text); m; m = CELL.exec(text)) {
    if (m[2] !== undefined) {
      const refAt = m.index + m[0].length - m[2].length - 1;
      prop.refs.push({ offset: length, kind: 'phandle', target: m[2], place: sc.place(refAt) });
      cell(0xffffffff);
    } else cell(m[1] !== undefined ? parseInt(m[1], 16) : +m[3]!);
  }
}

/**
 * A byte string of hex pairs and spaces only (`[de ad be ef]`, `[deadbeef]`) from the scanner's `[`, appended to the
 * value: true, the position past its `]`; false with nothing appended if anything else is in it.
 */
function plainBytes(sc: Scanner): boolean {
  const text = sc.text;
  const start = length;
  let i = sc.pos + 1;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
    if (c === 93) {
      sc.pos = i + 1;
      return true;
    }
    const hi = hexDigit(c);
    const lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      length = start;
      return false;
    }
    byte(hi * 16 + lo);
    i += 2;
  }
}

function parseValue(sc: Scanner, prop: Property): Uint8Array {
  length = 0;
  const text = sc.text;
  for (;;) {
    sc.labels();
    sc.ws();
    const at = sc.pos;
    const c = text.charCodeAt(at);
    if (c === 34) {
      PLAIN_STRING.lastIndex = at;
      const m = PLAIN_STRING.exec(text);
      if (m) {
        const str = m[1]!;
        room(str.length + 1);
        for (let i = 0; i < str.length; i++) value[length++] = str.charCodeAt(i);
        sc.pos = PLAIN_STRING.lastIndex;
      } else {
        const bytes = sc.string();
        room(bytes.length + 1);
        value.set(bytes, length);
        length += bytes.length;
      }
      byte(0);
    } else if (c === 60 && ((PLAIN_CELLS.lastIndex = at), PLAIN_CELLS.test(text))) {
      const end = PLAIN_CELLS.lastIndex;
      readCells(sc, prop, at + 1);
      sc.pos = end;
    } else if (c === 91 && plainBytes(sc)) {
      // Read by plainBytes.
    } else if (c === 91) {
      sc.eat('[');
      for (;;) {
        sc.labels();
        if (sc.tryEat(']')) break;
        sc.ws();
        const m = sc.match(HEX_BYTE);
        if (!m) sc.fail('syntax error: expected a hex byte');
        byte(parseInt(m[0], 16));
        sc.pos += 2;
      }
    } else if (c === 38) {
      const r = sc.ref();
      prop.refs.push({ offset: length, kind: 'path', target: 'label' in r ? r.label : r.path, place: sc.place(at) });
      byte(0); // placeholder: the path replaces it on resolution
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
          prop.refs.push({ offset: length, kind: 'phandle', target: 'label' in r ? r.label : r.path, place: sc.place(refAt) });
          cell(0xffffffff);
          continue;
        }
        if (bits === 32) {
          const plain = plainCell(sc);
          if (plain >= 0) {
            cell(plain);
            continue;
          }
        }
        const v = cellValue(sc);
        if (bits === 32) {
          // dtc truncates to the cell; the common case without a BigInt per byte.
          cell(Number(v & 0xffffffffn));
          continue;
        }
        // dtc truncates a value too wide for its /bits/ (it only warns): keep dtc's bytes.
        const x = v & ((1n << BigInt(bits)) - 1n);
        for (let b = bits - 8; b >= 0; b -= 8) byte(Number((x >> BigInt(b)) & 0xffn));
      }
    }
    sc.ws();
    if (text.charCodeAt(sc.pos) !== 44) break;
    sc.pos++;
  }
  return value.slice(0, length);
}
