import { fromUtf8, utf8 } from '../format/utf8';
import { DtError, evalIntExpr, joinPath, dirname, preprocess, type SourceLine } from './cpp';
import { newNode, nodeByPath, type DtNode, type DtTree, type Place, type Property, type Ref } from './tree';

/**
 * DTS source to a device tree, as dtc builds it: `/dts-v1/`, `/plugin/`, `/memreserve/`, `/include/`, labels,
 * `&label { }` and `&{/path} { }` references, `/delete-node/`, `/delete-property/`, `/omit-if-no-ref/`, `/bits/`,
 * strings, byte strings, cell expressions, phandle and path references. Every node and property keeps its place.
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

type Item =
  | { kind: 'node'; target: '/' | { label: string } | { path: string }; body: Body; place: Place }
  | { kind: 'delete'; target: { label: string } | { path: string }; place: Place }
  | { kind: 'omit'; target: { label: string } | { path: string }; place: Place };

interface Body {
  entries: (
    | { kind: 'prop'; prop: Property }
    | { kind: 'child'; name: string; labels: string[]; body: Body; omit: boolean; place: Place }
    | { kind: 'delprop'; name: string; place: Place }
    | { kind: 'delnode'; name: string; place: Place }
  )[];
  place: Place;
}

const NAME_CHARS = /[A-Za-z0-9,._+*#?@-]/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*):(?!:)/y;
const INT_LITERAL = /(0[xX][0-9a-fA-F]+|[0-9]+)([uU]?[lL]{0,2}|[lL]{1,2}[uU]?)/y;
const HEX_BYTE = /[0-9a-fA-F]{2}/y;

class Scanner {
  pos = 0;
  private lineStarts: number[] = [];
  readonly text: string;
  constructor(private readonly lines: SourceLine[]) {
    let off = 0;
    for (const l of lines) {
      this.lineStarts.push(off);
      off += l.text.length + 1;
    }
    this.text = lines.map((l) => l.text).join('\n');
  }
  place(at = this.pos): Place {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const l = this.lines[lo] ?? { file: '<input>', line: 1, expanded: false };
    return { file: l.file, line: l.line, column: l.expanded ? 1 : at - (this.lineStarts[lo] ?? 0) + 1 };
  }
  fail(msg: string, at = this.pos): never {
    const p = this.place(at);
    throw new DtError(msg, p.file, p.line, p.column);
  }
  /** Whitespace and comments (dtc's lexer reads C comments itself when no preprocessor ran). */
  ws() {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.pos++;
      else if (c === '/' && this.text[this.pos + 1] === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 2;
      } else if (c === '/' && this.text[this.pos + 1] === '/') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else return;
    }
  }
  peek(s: string) {
    this.ws();
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string) {
    if (!this.peek(s)) this.fail(`syntax error: expected '${s}'`);
    this.pos += s.length;
  }
  tryEat(s: string) {
    if (this.peek(s)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }
  atEnd() {
    this.ws();
    return this.pos >= this.text.length;
  }
  name(): string {
    this.ws();
    const s = this.pos;
    while (this.pos < this.text.length && NAME_CHARS.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === s) this.fail('syntax error: expected a name');
    return this.text.slice(s, this.pos);
  }
  /** Match a sticky regex at the current position without copying the text. */
  match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.text);
  }
  /** `label:` prefixes. */
  labels(): string[] {
    const out: string[] = [];
    for (;;) {
      this.ws();
      const m = this.match(LABEL);
      if (!m) return out;
      out.push(m[1]!);
      this.pos += m[0].length;
    }
  }
  ref(): { label: string } | { path: string } {
    this.eat('&');
    if (this.text[this.pos] === '{') {
      const end = this.text.indexOf('}', this.pos);
      if (end < 0) this.fail('syntax error: unterminated &{...} reference');
      const path = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { path };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!m) this.fail('syntax error: expected a label after &');
    this.pos += m[0].length;
    return { label: m[0] };
  }
  string(): Uint8Array {
    this.eat('"');
    const bytes: number[] = [];
    for (;;) {
      if (this.pos >= this.text.length || this.text[this.pos] === '\n') this.fail('unterminated string');
      const c = this.text[this.pos++]!;
      if (c === '"') break;
      if (c === '\\') bytes.push(...this.escape());
      else if (c.charCodeAt(0) < 0x80) bytes.push(c.charCodeAt(0));
      else bytes.push(...utf8(c));
    }
    return new Uint8Array(bytes);
  }
  escape(): number[] {
    if (this.pos >= this.text.length) this.fail('unterminated escape sequence');
    const c = this.text[this.pos++]!;
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '\\': 92, '"': 34, "'": 39 };
    if (c in simple) return [simple[c]!];
    if (c === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(this.text.slice(this.pos, this.pos + 2));
      if (!m) this.fail('\\x used with no following hex digits');
      this.pos += m[0].length;
      return [parseInt(m[0], 16)];
    }
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{0,2}/.exec(this.text.slice(this.pos, this.pos + 2))!;
      this.pos += m[0].length;
      return [parseInt(c + m[0], 8) & 0xff];
    }
    return [c.charCodeAt(0)];
  }
}

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

function rawLines(file: string, text: string | undefined): SourceLine[] {
  if (text === undefined) throw new DtError('No such file or directory', file, 1);
  return text.split('\n').map((t, i) => ({ text: t, file, line: i + 1, expanded: false }));
}

function parseLines(lines: SourceLine[], opts: ParseOptions): DtTree {
  const items: Item[] = [];
  const tree: DtTree = { root: newNode('', { file: lines[0]?.file ?? '<input>', line: 1, column: 1 }), memreserve: [], plugin: false, bootCpuid: 0 };
  let sawVersion = false;
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
            found = rawLines(p, t);
            break;
          }
        }
        if (!found) sc.fail(`Couldn't open "${name}": No such file or directory`, at);
        if (depth > 100) sc.fail('/include/ nested too deeply', at);
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
          const body = parseBody(sc);
          sc.eat(';');
          if (!items.some((i) => i.kind === 'node' && i.target === '/')) tree.root.place = sc.place(at);
          items.push({ kind: 'node', target: '/', body, place: sc.place(at) });
          if (labels.length) tree.root.labels.push(...labels);
        } else if (sc.peek('&')) {
          const target = sc.ref();
          const body = parseBody(sc);
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

function cellValue(sc: Scanner): bigint {
  sc.ws();
  const m = sc.match(INT_LITERAL);
  if (m) {
    sc.pos += m[0].length;
    const lit = m[1]!;
    if (/^0[0-7]+$/.test(lit)) return BigInt(`0o${lit.slice(1)}`);
    if (/^0\d/.test(lit)) sc.fail(`invalid octal literal ${lit}`);
    return BigInt(lit);
  }
  if (sc.text[sc.pos] === "'") {
    sc.pos++;
    const c = sc.text[sc.pos] === '\\' ? (sc.pos++, sc.escape()[0]!) : sc.text.charCodeAt(sc.pos++);
    sc.eat("'");
    return BigInt(c);
  }
  if (sc.text[sc.pos] === '(') {
    // A parenthesised C expression: find its end, then evaluate.
    let depth = 0;
    let i = sc.pos;
    for (; i < sc.text.length; i++) {
      if (sc.text[i] === '(') depth++;
      else if (sc.text[i] === ')' && --depth === 0) break;
    }
    if (depth !== 0) sc.fail('syntax error: unbalanced parentheses');
    const expr = sc.text
      .slice(sc.pos + 1, i)
      .replace(/'(\\.|[^'])'/g, (_m, ch: string) => String(ch.length === 2 ? ch.charCodeAt(1) : ch.charCodeAt(0)))
      .replace(/(0[xX][0-9a-fA-F]+|\d+)[uUlL]+/g, '$1')
      .replace(/\b0([0-7]+)\b/g, (_m, o: string) => String(parseInt(o, 8)));
    const start = sc.pos;
    sc.pos = i + 1;
    try {
      return evalIntExpr(expr);
    } catch (e) {
      sc.fail(`syntax error in expression: ${(e as Error).message}`, start);
    }
  }
  return sc.fail('syntax error: expected a number');
}

function parseBody(sc: Scanner): Body {
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
      const child = parseBody(sc);
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

// ---------------------------------------------------------------------------------------------------------------

function evaluate(tree: DtTree, items: Item[], symbols: boolean): DtTree {
  const root = tree.root;
  const labels = () => {
    const m = new Map<string, DtNode>();
    const rec = (n: DtNode) => {
      if (n.deleted) return;
      for (const l of n.labels) if (!m.has(l)) m.set(l, n);
      n.children.forEach(rec);
    };
    rec(root);
    return m;
  };
  const resolve = (t: { label: string } | { path: string }, place: Place): DtNode => {
    const node = 'label' in t ? labels().get(t.label) : nodeByPath(root, t.path);
    if (!node) throw new DtError(`Label or path ${'label' in t ? t.label : t.path} not found`, place.file, place.line, place.column);
    return node;
  };
  // dtc marks deleted nodes and properties instead of removing them; a later definition with the same name revives
  // them in their old place (livetree.c merge_nodes / delete_node).
  const merge = (node: DtNode, body: Body) => {
    node.deleted = false;
    for (const e of body.entries) {
      if (e.kind === 'prop') {
        const old = node.props.find((p) => p.name === e.prop.name);
        if (old) {
          old.value = e.prop.value;
          old.refs = e.prop.refs;
          old.place = e.prop.place;
          old.deleted = false;
          for (const l of e.prop.labels) if (!old.labels.includes(l)) old.labels.push(l);
        } else node.props.push({ ...e.prop });
      } else if (e.kind === 'delprop') {
        const p = node.props.find((x) => x.name === e.name && !x.deleted);
        if (p) {
          p.deleted = true;
          p.labels = [];
        }
      } else if (e.kind === 'delnode') {
        const c = node.children.find((x) => x.name === e.name && !x.deleted);
        if (c) markDeleted(c);
      } else {
        let child = node.children.find((c) => c.name === e.name);
        if (!child) {
          child = newNode(e.name, e.place);
          child.labels = [...e.labels];
          node.children.push(child);
        } else {
          // dtc keeps labels in a list that later definitions prepend to (livetree.c add_label).
          for (const l of e.labels) if (!child.labels.includes(l)) child.labels.unshift(l);
        }
        if (e.omit) child.omitIfNoRef = true;
        merge(child, e.body);
      }
    }
  };
  for (const item of items) {
    if (item.kind === 'node') {
      if (item.target === '/') merge(root, item.body);
      else if (tree.plugin && 'label' in item.target && !labels().has(item.target.label)) {
        // In an overlay, `&label { }` targets the base tree: kept as a fragment, as dtc does.
        addFragment(tree, { label: item.target.label }, item.body, merge, item.place);
      } else if (tree.plugin && 'path' in item.target && !nodeByPath(root, item.target.path)) {
        addFragment(tree, { path: item.target.path }, item.body, merge, item.place);
      } else merge(resolve(item.target, item.place), item.body);
    } else if (item.kind === 'delete') {
      markDeleted(resolve(item.target, item.place));
    } else {
      resolve(item.target, item.place).omitIfNoRef = true;
    }
  }
  prune(root);
  resolveRefs(tree, symbols);
  return tree;
}

function markDeleted(n: DtNode) {
  n.deleted = true;
  n.labels = [];
  for (const p of n.props) {
    p.deleted = true;
    p.labels = [];
  }
  n.children.forEach(markDeleted);
}

/** Drop what stayed deleted, so everything after parsing sees the tree dtc writes. */
function prune(n: DtNode) {
  n.props = n.props.filter((p) => !p.deleted);
  n.children = n.children.filter((c) => !c.deleted);
  n.children.forEach(prune);
}

let fragmentCounter = 0;
function addFragment(tree: DtTree, target: { label: string } | { path: string }, body: Body, merge: (n: DtNode, b: Body) => void, place: Place) {
  const n = tree.root.children.filter((c) => c.name.startsWith('fragment@')).length;
  fragmentCounter++;
  const frag = newNode(`fragment@${n}`, place);
  frag.props.push(
    'label' in target
      ? { name: 'target', value: new Uint8Array([0xff, 0xff, 0xff, 0xff]), labels: [], refs: [{ offset: 0, kind: 'phandle' as const, target: target.label, place }], place }
      : { name: 'target-path', value: new Uint8Array([...utf8(target.path), 0]), labels: [], refs: [], place },
  );
  const ov = newNode('__overlay__', place);
  frag.children.push(ov);
  tree.root.children.push(frag);
  merge(ov, body);
}

/** Phandles and paths, as dtc's fixup_phandle_references / fixup_path_references do, in tree order. */
function resolveRefs(tree: DtTree, symbols: boolean) {
  const root = tree.root;
  const byLabel = new Map<string, DtNode>();
  const pathOf = new Map<DtNode, string>();
  const phandles = new Map<DtNode, number>();
  const used = new Set<number>();
  const rec = (n: DtNode, p: string) => {
    pathOf.set(n, p);
    for (const l of n.labels) if (!byLabel.has(l)) byLabel.set(l, n);
    const ph = n.props.find((x) => x.name === 'phandle' || x.name === 'linux,phandle');
    if (ph && ph.value.length === 4 && ph.refs.length === 0) {
      const v = ((ph.value[0]! << 24) | (ph.value[1]! << 16) | (ph.value[2]! << 8) | ph.value[3]!) >>> 0;
      phandles.set(n, v);
      used.add(v);
    }
    for (const c of n.children) rec(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
  };
  rec(root, '/');
  // Unresolved labels in an overlay become __fixups__; here a missing target is an error unless it is a plugin.
  let next = 1;
  const phandleOf = (n: DtNode): number => {
    const have = phandles.get(n);
    if (have !== undefined) return have;
    while (used.has(next)) next++;
    const v = next;
    used.add(v);
    phandles.set(n, v);
    n.props.push({ name: 'phandle', value: be32(v), labels: [], refs: [], place: n.place });
    return v;
  };
  const target = (r: Ref): DtNode | undefined => (r.target.startsWith('/') ? nodeByPath(root, r.target) : byLabel.get(r.target));
  const fixups: { label: string; path: string; prop: string; offset: number }[] = [];
  const localFixups: { path: string; prop: string; offset: number }[] = [];
  const visit = (n: DtNode, p: string) => {
    for (const prop of n.props) {
      if (!prop.refs.length) continue;
      let value = prop.value;
      // Path references change lengths: apply from the end so earlier offsets stay right.
      const refs = [...prop.refs].sort((a, b) => b.offset - a.offset);
      for (const r of refs.filter((x) => x.kind === 'path')) {
        const t = target(r);
        if (!t) throw refError(n, p, prop.name, r);
        const s = new Uint8Array(utf8(pathOf.get(t)!));
        const nv = new Uint8Array(value.length - 1 + s.length + 1);
        nv.set(value.subarray(0, r.offset), 0);
        nv.set(s, r.offset);
        nv[r.offset + s.length] = 0;
        nv.set(value.subarray(r.offset + 1), r.offset + s.length + 1);
        for (const o of prop.refs) if (o !== r && o.offset > r.offset) o.offset += s.length;
        value = nv;
      }
      for (const r of prop.refs.filter((x) => x.kind === 'phandle')) {
        const t = target(r);
        if (!t) {
          if (tree.plugin) {
            fixups.push({ label: r.target, path: p, prop: prop.name, offset: r.offset });
            continue;
          }
          throw refError(n, p, prop.name, r);
        }
        value.set(be32(phandleOf(t)), r.offset);
        if (tree.plugin) localFixups.push({ path: p, prop: prop.name, offset: r.offset });
      }
      prop.value = value;
    }
    for (const c of n.children) visit(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
  };
  visit(root, '/');
  void fragmentCounter;
  if (symbols) {
    // dtc generate_label_tree: tree order, a node's labels in dtc's list order; labelled nodes get phandles.
    const sym = newNode('__symbols__', root.place);
    const label = (n: DtNode, p: string) => {
      for (const l of n.labels) {
        phandleOf(n);
        sym.props.push({ name: l, value: new Uint8Array([...utf8(p), 0]), labels: [], refs: [], place: n.place });
      }
      for (const c of n.children) label(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
    };
    label(root, '/');
    if (sym.props.length) root.children.push(sym);
  }
  if (fixups.length) {
    const fx = newNode('__fixups__', root.place);
    for (const f of fixups) {
      const entry = `${f.path}:${f.prop}:${f.offset}`;
      const old = fx.props.find((p) => p.name === f.label);
      const add = new Uint8Array(utf8(`${entry}\0`));
      if (old) {
        const v = new Uint8Array(old.value.length + add.length);
        v.set(old.value);
        v.set(add, old.value.length);
        old.value = v;
      } else fx.props.push({ name: f.label, value: add, labels: [], refs: [], place: root.place });
    }
    root.children.push(fx);
  }
  if (localFixups.length) {
    // Overlays: where phandles to the overlay's own nodes sit, mirrored under __local_fixups__ (dtc checks.c).
    const lf = newNode('__local_fixups__', root.place);
    for (const f of localFixups) {
      let n = lf;
      for (const seg of f.path.split('/').filter(Boolean)) {
        let c = n.children.find((x) => x.name === seg);
        if (!c) {
          c = newNode(seg, root.place);
          n.children.push(c);
        }
        n = c;
      }
      const old = n.props.find((x) => x.name === f.prop);
      const add = be32(f.offset);
      if (old) {
        const v = new Uint8Array(old.value.length + 4);
        v.set(old.value);
        v.set(add, old.value.length);
        old.value = v;
      } else n.props.push({ name: f.prop, value: add, labels: [], refs: [], place: root.place });
    }
    root.children.push(lf);
  }
}

/** Reported, as dtc does, at the node that holds the property; the property and its own line are in the message. */
function refError(node: DtNode, path: string, prop: string, r: Ref): DtError {
  return new DtError(`${path}: property '${prop}' (line ${r.place.line}): Reference to non-existent node or label "${r.target}"`, node.place.file, node.place.line, node.place.column);
}

export function be32(v: number): Uint8Array {
  return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}
