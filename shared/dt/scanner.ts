import { utf8 } from '../format/utf8';
import { DtError, evalIntExpr, type SourceLine } from './cpp';
import type { Place } from './tree';

/**
 * The DTS lexer: whitespace and comments, names, labels, `&label` and `&{/path}` references, strings with their
 * escapes, and cell values (integer literals, character literals, parenthesised C expressions), each with the
 * file:line:column it came from (through the preprocessor's line map).
 */

/** The characters of a node or property name, by character code. */
const NAME_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789,._+*#?@-') NAME_CHAR[c.charCodeAt(0)] = 1;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*):(?!:)/y;
/** Whitespace, comments and line comments (an unterminated comment is left for ws() to report). */
const WS = /(?:[ \t\n\r\f\v]+|\/\*[\s\S]*?\*\/|\/\/[^\n]*)+/y;
const INT_LITERAL = /(0[xX][0-9a-fA-F]+|[0-9]+)([uU]?[lL]{0,2}|[lL]{1,2}[uU]?)/y;

export const isLabelChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
export const hexDigit = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/**
 * A cell written as a plain number (at most 8 hex or 9 decimal digits, no suffix, not octal) at the scanner's
 * position: its value, the position moved past it; else -1 and the position kept (cellValue reads it).
 */
export function plainCell(sc: Scanner): number {
  const text = sc.text;
  let i = sc.pos;
  const c = text.charCodeAt(i);
  let v = 0;
  let digits = 0;
  if (c === 48 && (text.charCodeAt(i + 1) | 32) === 120) {
    i += 2;
    for (let d = hexDigit(text.charCodeAt(i)); d >= 0; d = hexDigit(text.charCodeAt(++i)), digits++) v = v * 16 + d;
    if (digits === 0 || digits > 8) return -1;
  } else if (c >= 48 && c <= 57) {
    for (let d = c; d >= 48 && d <= 57; d = text.charCodeAt(++i), digits++) v = v * 10 + (d - 48);
    if (digits > 9 || (c === 48 && digits > 1)) return -1;
  } else return -1;
  if (isLabelChar(text.charCodeAt(i))) return -1;
  sc.pos = i;
  return v;
}

export class Scanner {
  pos = 0;
  private readonly lineStarts: Float64Array;
  readonly text: string;
  constructor(private readonly lines: SourceLine[]) {
    const starts = new Float64Array(lines.length);
    const texts = new Array<string>(lines.length);
    let off = 0;
    for (let i = 0; i < lines.length; i++) {
      const t = lines[i]!.text;
      starts[i] = off;
      texts[i] = t;
      off += t.length + 1;
    }
    this.lineStarts = starts;
    this.text = texts.join('\n');
  }
  /** The line last asked for: places are mostly asked for in order, so the next one is usually at or after it. */
  private cursor = 0;
  private lineAt(at: number): number {
    const starts = this.lineStarts;
    let i = this.cursor;
    if (starts[i]! <= at) {
      // Forward a few lines at most; a jump further is searched.
      for (let k = 0; k < 8; k++) {
        if (i + 1 >= starts.length || starts[i + 1]! > at) return (this.cursor = i);
        i++;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return (this.cursor = lo);
  }
  place(at = this.pos): Place {
    const lo = this.lineAt(at);
    const l = this.lines[lo] ?? { file: '<input>', line: 1, expanded: false };
    return { file: l.file, line: l.line, column: l.expanded ? 1 : at - (this.lineStarts[lo] ?? 0) + 1 };
  }
  /** The file the text at `at` was read from (a line marker may name another in places). */
  sourceFile(at = this.pos): string {
    const l = this.lines[this.lineAt(at)];
    return l?.source ?? l?.file ?? '<input>';
  }
  fail(msg: string, at = this.pos): never {
    const p = this.place(at);
    throw new DtError(msg, p.file, p.line, p.column);
  }
  /** Whitespace and comments (dtc's lexer reads C comments itself when no preprocessor ran). */
  ws() {
    const c = this.text.charCodeAt(this.pos);
    // Most calls are at a token already: anything above a space but '/' starts one.
    if (c > 32 && c !== 47) return;
    WS.lastIndex = this.pos;
    if (WS.test(this.text)) this.pos = WS.lastIndex;
    if (this.text.charCodeAt(this.pos) === 47 && this.text.charCodeAt(this.pos + 1) === 42) this.fail('unterminated comment');
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
    while (this.pos < this.text.length && NAME_CHAR[this.text.charCodeAt(this.pos)] === 1) this.pos++;
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
      const c = this.text.charCodeAt(this.pos);
      // A label starts with a letter or '_' (most calls find none).
      if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return out;
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
    // A label: a letter or '_', then letters, digits and '_' (at most 256 characters are read as one).
    const text = this.text;
    const from = this.pos;
    const c = text.charCodeAt(from);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) this.fail('syntax error: expected a label after &');
    let i = from + 1;
    const max = Math.min(text.length, from + 256);
    while (i < max && isLabelChar(text.charCodeAt(i))) i++;
    this.pos = i;
    return { label: text.slice(from, i) };
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

/** One cell: an integer literal (octal as dtc reads it), a character literal or a parenthesised C expression. */
export function cellValue(sc: Scanner): bigint {
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
