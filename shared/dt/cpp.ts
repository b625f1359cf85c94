import { fromUtf8, utf8 } from '../format/utf8';

/**
 * The C preprocessor subset device-tree sources rely on (`cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp`):
 * `#include` with search paths, object- and function-like `#define` (with `#` and `##`), `#undef`,
 * `#if/#ifdef/#ifndef/#elif/#else/#endif` with integer expressions and `defined`, `#error`. As in assembler mode, a
 * `#` line that is not a directive (`#address-cells = <1>;`) passes through. Pure: files come from `readFile`.
 *
 * Bounded as real preprocessors are, with an error at the line instead of a hang: includes nest at most
 * {@link MAX_INCLUDE_DEPTH} deep (gcc's limit) and number at most {@link MAX_INCLUDES} in all (a diamond of includes
 * doubles at each level); one line's expansion takes at most {@link MAX_EXPANSIONS} macro expansions, nests at most
 * {@link MAX_MACRO_NESTING} deep and yields at most {@link MAX_LINE_OUTPUT} characters (a macro that doubles at each
 * level grows exponentially); a whole preprocessing takes at most {@link MAX_TOTAL_EXPANSIONS} expansions (160 times
 * what the largest real tree takes) and yields at most {@link MAX_OUTPUT} characters (200 times the largest real tree's).
 */
export const MAX_INCLUDE_DEPTH = 200;
export const MAX_INCLUDES = 10_000;
export const MAX_EXPANSIONS = 100_000;
export const MAX_TOTAL_EXPANSIONS = 500_000;
export const MAX_MACRO_NESTING = 256;
export const MAX_LINE_OUTPUT = 1 << 20;
export const MAX_OUTPUT = 64 << 20;
/** Parentheses and unary operators nest at most this deep in an integer expression. */
export const MAX_EXPR_NESTING = 256;
export interface SourceLine {
  text: string;
  /** The file errors name: the file read, or the one a line marker (`# 12 "foo.dtsi" 1`) says the line came from. */
  file: string;
  line: number;
  /** True when macros changed the text, so columns no longer match the source. */
  expanded: boolean;
  /** The file actually read, which a line marker may call another (`/include/` and `#include "..."` search beside it). */
  source?: string;
}

export interface CppOptions {
  includeDirs?: string[];
  defines?: Record<string, string>;
  readFile(path: string): string | undefined;
  /** How deep includes may nest (default {@link MAX_INCLUDE_DEPTH}). */
  maxDepth?: number;
}

export class DtError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column = 1,
  ) {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = 'DtError';
  }
}

interface Macro {
  params?: string[];
  variadic?: boolean;
  body: string;
  /** What followed the name in its #define, until the macro is first expanded (settle() reads it then). */
  raw?: string;
}

/**
 * A macro's parameters and body from what follows its name, as `^NAME(\(([^)]*)\))?\s*(.*)$` reads a #define: the
 * headers a tree includes define thousands of macros and expand a few, so this waits for the first expansion.
 */
function settle(m: Macro) {
  const raw = m.raw!;
  m.raw = undefined;
  let rest = raw;
  const close = raw.charCodeAt(0) === 40 ? raw.indexOf(')') : -1;
  if (close > 0) {
    const ps = raw
      .slice(1, close)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (ps[ps.length - 1] === '...') {
      m.variadic = true;
      ps.pop();
    }
    m.params = ps;
    rest = raw.slice(close + 1);
  }
  m.body = rest.trim();
}

/** `#define` and its name at the start of a line (spaces and tabs around the '#'). */
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)/;
const UPPER = /[A-Z]/;
/** A line break character, which the directive pattern's `(.*)$` does not take: such lines go the general way. */
const BROKEN_DEFINE = /[\r\u2028\u2029]/;

const DIRECTIVE = /^\s*#\s*([A-Za-z_]+)\b(.*)$/;
const DIRECTIVES = new Set(['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error', 'warning', 'pragma', 'line', 'include_next']);

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return normalize(rel);
  return normalize(`${dir}/${rel}`);
}

function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.');
}

/**
 * A line marker as dtc's lexer takes it (dtc-lexer.l): `#` at the very start of a line, `line` or not, a line number, a
 * quoted file name with C escapes, any flags (`# 12 "foo.dtsi" 1`, `#line 7 "x.dts"`, what `cpp -E` writes). The line
 * after it is that line of that file.
 */
export const DTC_LINE_MARKER = /^#(?:line)?[ \t]+([0-9]+)[ \t]+"((?:[^\\"]|\\.)*)"(?:[ \t]+[0-9]+)*[ \t]*$/;
/** The same as the C preprocessor takes it: spaces allowed around `#`, the file name optional (`#line 12`). */
const CPP_LINE_MARKER = /^\s*#\s*(?:line\s+)?([0-9]+)(?:\s+"((?:[^\\"]|\\.)*)")?(?:\s+[0-9]+)*\s*$/;

/** A quoted file name's C escapes (`\\`, `\"`, `\x41`, `\101`, `\n` ...), as dtc and cpp read them. */
export function unescapeCString(s: string): string {
  if (!s.includes('\\')) return s;
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13 };
  const bytes: number[] = [];
  let run = 0;
  for (let i = s.indexOf('\\'); i >= 0 && i + 1 < s.length; i = s.indexOf('\\', run)) {
    bytes.push(...utf8(s.slice(run, i)));
    const e = s[i + 1]!;
    const hex = e === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2, i + 4)) : null;
    const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4));
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      run = i + 2 + hex[0].length;
    } else if (oct) {
      bytes.push(parseInt(oct[0], 8) & 0xff);
      run = i + 1 + oct[0].length;
    } else {
      bytes.push(...utf8(e));
      if (e in simple) bytes[bytes.length - 1] = simple[e]!;
      run = i + 2;
    }
  }
  bytes.push(...utf8(s.slice(run)));
  return fromUtf8(bytes);
}

/**
 * A string (to its closing quote or the end of its line; a backslash takes the next character, a newline too), a block
 * comment (to its end or the end of the text) or a line comment: what comment removal has to tell apart.
 */
const COMMENT_OR_STRING = /"(?:[^"\\\n]|\\[\s\S]?)*(?:"|(?=\n)|$)|\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*/g;

/**
 * Remove comments (keeping line structure) and join backslash-continued lines onto their first line: the lines, and
 * their line numbers when a join made them differ from their places in the list.
 */
function logicalLines(text: string): { texts: string[]; numbers?: number[] } {
  // A block comment becomes a space and the newlines it held; a line comment goes; strings stay as they are.
  const s = text.includes('/')
    ? text.replace(COMMENT_OR_STRING, (m) => (m.charCodeAt(0) === 34 ? m : m.charCodeAt(1) !== 42 ? '' : m.includes('\n') ? ` ${m.replace(/[^\n]+/g, '')}` : ' '))
    : text;
  const raw = s.split('\n');
  if (!s.includes('\\')) return { texts: raw };
  const texts: string[] = [];
  const numbers: number[] = [];
  for (let k = 0; k < raw.length; k++) {
    const start = k;
    let t = raw[k]!;
    if (t.endsWith('\\') && k + 1 < raw.length) {
      // Each join drops the last character of what was joined so far (the backslash) and appends the next line.
      // Kept as parts with a count of characters dropped from their ends: re-slicing one growing string at each
      // continuation would copy it each time.
      const parts: { s: string; cut: number }[] = [{ s: t, cut: 0 }];
      // Parts with nothing left are dropped at once, so the last part holds the last character.
      const last = () => parts[parts.length - 1];
      const lastChar = () => {
        const p = last();
        return p ? p.s[p.s.length - p.cut - 1] : undefined;
      };
      while (lastChar() === '\\' && k + 1 < raw.length) {
        last()!.cut++;
        if (last()!.cut === last()!.s.length) parts.pop();
        const next = raw[++k]!;
        if (next) parts.push({ s: next, cut: 0 });
      }
      t = parts.map((p) => p.s.slice(0, p.s.length - p.cut)).join('');
    }
    texts.push(t);
    numbers.push(start + 1);
  }
  return { texts, numbers };
}


/** What a character can start, as expand() reads a line: a name, a number, quoted text, or nothing. */
const NAME_START = 1;
const DIGIT = 2;
const QUOTE = 3;
const CHAR_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CHAR_KIND[c] = /[A-Za-z_]/.test(ch) ? NAME_START : /[0-9]/.test(ch) ? DIGIT : ch === '"' || ch === "'" ? QUOTE : 0;
}

const isNameChar = (c: number) => c < 128 && (CHAR_KIND[c] === NAME_START || CHAR_KIND[c] === DIGIT);


export function preprocess(entry: string, opts: CppOptions): SourceLine[] {
  const cpp = new Preprocessor(opts);
  const text = cpp.read(entry);
  if (text === undefined) throw new DtError('No such file or directory', entry, 1);
  cpp.run(entry, text);
  return cpp.out;
}

/**
 * One preprocessing: its macros, files and counters. A class rather than closures made per call, so that the code
 * the engine optimizes for one tree serves the next (a closure made anew per call is compiled anew).
 */
class Preprocessor {
  readonly out: SourceLine[] = [];
  private readonly macros = new Map<string, Macro>();
  // Whether a macro name without an upper-case letter was ever defined. Until one is (device-tree macros are
  // upper-case), a line without an upper-case letter names no macro: one regex test passes over most lines of a tree.
  private lowerName = false;
  // Each file is read once (headers are included again and again behind their guards; include paths are probed).
  private readonly files = new Map<string, string | undefined>();
  private readonly stack: string[] = [];
  private readonly maxDepth: number;
  private includes = 0;
  private outputSize = 0;
  // One line's expansion: macros being expanded (not expanded again inside themselves: a count above 0), how many
  // expansions so far. Counts go back to 0 as expansions end (entries stay: a map that shrinks allocates).
  private readonly hide = new Map<string, number>();
  private expansions = 0;
  private totalExpansions = 0;
  private nesting = 0;

  constructor(private readonly opts: CppOptions) {
    this.maxDepth = opts.maxDepth ?? MAX_INCLUDE_DEPTH;
    for (const [k, v] of Object.entries(opts.defines ?? {})) this.define(k, { params: undefined, variadic: undefined, body: v, raw: undefined });
  }

  private define(name: string, m: Macro) {
    this.macros.set(name, m);
    if (!this.lowerName && !UPPER.test(name)) this.lowerName = true;
  }
  /** Whether `text` names a macro where expand() would expand one (names; not numbers, not quoted text). */
  private namesMacro(text: string): boolean {
    if (!this.lowerName && !UPPER.test(text)) return false;
    const n = text.length;
    for (let i = 0; i < n; ) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? CHAR_KIND[c]! : 0;
      if (kind === NAME_START) {
        let j = i + 1;
        while (j < n && isNameChar(text.charCodeAt(j))) j++;
        if (this.macros.has(text.slice(i, j))) return true;
        i = j;
      } else if (kind === DIGIT) {
        // A number and the name characters stuck to it (0x1f, 10UL): no name starts inside.
        i++;
        while (i < n && text.charCodeAt(i) < 128 && (CHAR_KIND[text.charCodeAt(i)] === NAME_START || CHAR_KIND[text.charCodeAt(i)] === DIGIT)) i++;
      } else if (kind === QUOTE) {
        // To the same quote, a backslash taking the next character, or to the end of the line.
        i++;
        while (i < n && text.charCodeAt(i) !== c) i += text.charCodeAt(i) === 92 ? 2 : 1;
        i++;
      } else i++;
    }
    return false;
  }
  read(p: string) {
    if (this.files.has(p)) return this.files.get(p);
    const t = this.opts.readFile(p);
    this.files.set(p, t);
    return t;
  }
  private expandLine(text: string, file: string, line: number): string {
    // Most lines name no macro: they are kept as they are.
    if (!this.namesMacro(text)) return text;
    this.expansions = 0;
    this.nesting = 0;
    return this.expand(text, file, line);
  }
  private tooBig(file: string, line: number, what: string): never {
    throw new DtError(`macro expansion of this line is too large (${what})`, file, line);
  }
  /** Expand with `name` hidden (its body, once its arguments are in). */
  private expandHiding(name: string, text: string, file: string, line: number): string {
    if (++this.expansions > MAX_EXPANSIONS) this.tooBig(file, line, `more than ${MAX_EXPANSIONS} macro expansions`);
    if (++this.totalExpansions > MAX_TOTAL_EXPANSIONS) throw new DtError(`too many macro expansions (more than ${MAX_TOTAL_EXPANSIONS} in all)`, file, line);
    if (++this.nesting > MAX_MACRO_NESTING) this.tooBig(file, line, `macros nested more than ${MAX_MACRO_NESTING} deep`);
    this.hide.set(name, (this.hide.get(name) ?? 0) + 1);
    try {
      return this.expand(text, file, line);
    } finally {
      this.hide.set(name, this.hide.get(name)! - 1);
      this.nesting--;
    }
  }
  private expand(text: string, file: string, line: number): string {
    // The text is copied in runs: from `copied` up to each macro that expands, then its expansion.
    let res = '';
    let copied = 0;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? CHAR_KIND[c]! : 0;
      if (kind === QUOTE) {
        // Quoted text, to the same quote (a backslash takes the next character): nothing in it expands.
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== c) j += text.charCodeAt(j) === 92 ? 2 : 1;
        i = j + 1;
        continue;
      }
      if (kind !== NAME_START) {
        i++;
        continue;
      }
      // A name starts here unless a name or number character comes right before (the x of 0x10).
      const before = i > 0 ? text.charCodeAt(i - 1) : 0;
      if (before < 128 && (CHAR_KIND[before] === NAME_START || CHAR_KIND[before] === DIGIT)) {
        i++;
        continue;
      }
      const start = i;
      for (i++; i < n && isNameChar(text.charCodeAt(i)); i++);
      const name = text.slice(start, i);
      const macro = this.macros.get(name);
      if (!macro || this.hide.get(name)) continue;
      if (macro.raw !== undefined) settle(macro);
      if (!macro.params) {
        res += text.slice(copied, start) + this.expandHiding(name, macro.body, file, line);
        copied = i;
        if (res.length > MAX_LINE_OUTPUT) this.tooBig(file, line, `more than ${MAX_LINE_OUTPUT} characters`);
        continue;
      }
      let j = i;
      while (j < n && /\s/.test(text[j]!)) j++;
      if (text[j] !== '(') continue;
      const args: string[] = [];
      let depth = 0;
      let from = ++j;
      for (; j < text.length; j++) {
        const ch = text.charCodeAt(j);
        if (ch === 40) depth++;
        else if (ch === 41 && depth-- === 0) break;
        else if (ch === 44 && depth === 0) {
          args.push(text.slice(from, j));
          from = j + 1;
        }
      }
      if (j >= text.length) throw new DtError(`unterminated argument list invoking macro "${name}"`, file, line);
      args.push(text.slice(from, j));
      i = j + 1;
      const params = macro.params;
      if (params.length === 0 && args.length === 1 && args[0]!.trim() === '') args.length = 0;
      if (!macro.variadic && args.length !== params.length) {
        throw new DtError(`macro "${name}" passed ${args.length} arguments, but takes ${params.length}`, file, line);
      }
      const argOf = (p: string) => {
        if (macro.variadic && p === '__VA_ARGS__') return args.slice(params.length).join(',');
        const k = params.indexOf(p);
        return k < 0 ? undefined : args[k]!.trim();
      };
      // Substitute parameters: `#p` stringifies, `a ## b` pastes, others are fully expanded first.
      let body = macro.body;
      if (body.includes('#')) {
        body = body.replace(/#\s*([A-Za-z_]\w*)/g, (all, p: string, off: number, src: string) => {
          if (src[off + 1] === '#' || (off > 0 && src[off - 1] === '#')) return all;
          const a = argOf(p);
          return a === undefined ? all : JSON.stringify(a);
        });
        body = body.replace(/([A-Za-z_]\w*)?\s*##\s*([A-Za-z_]\w*)?/g, (_all, a?: string, b?: string) => `${a ? (argOf(a) ?? a) : ''}${b ? (argOf(b) ?? b) : ''}`);
      }
      body = body.replace(/[A-Za-z_]\w*/g, (p) => {
        const a = argOf(p);
        if (a === undefined) return p;
        if (++this.nesting > MAX_MACRO_NESTING) this.tooBig(file, line, `macros nested more than ${MAX_MACRO_NESTING} deep`);
        try {
          return this.expand(a, file, line);
        } finally {
          this.nesting--;
        }
      });
      if (body.length > MAX_LINE_OUTPUT) this.tooBig(file, line, `more than ${MAX_LINE_OUTPUT} characters`);
      res += text.slice(copied, start) + this.expandHiding(name, body, file, line);
      copied = i;
      if (res.length > MAX_LINE_OUTPUT) this.tooBig(file, line, `more than ${MAX_LINE_OUTPUT} characters`);
    }
    return copied === 0 ? text : res + text.slice(copied);
  }

  private evalCondition(expr: string, file: string, line: number): boolean {
    let e = expr.replace(/defined\s*\(\s*([A-Za-z_]\w*)\s*\)|defined\s+([A-Za-z_]\w*)/g, (_m, a?: string, b?: string) => (this.macros.has((a ?? b)!) ? '1' : '0'));
    e = this.expandLine(e, file, line);
    // Identifiers left after expansion are 0, as in C; \b keeps the x of 0x1000 out of it.
    e = e.replace(/(\d+|0[xX][0-9a-fA-F]+)[uUlL]+\b/g, '$1').replace(/\b[A-Za-z_]\w*/g, '0');
    try {
      return evalIntExpr(e) !== 0n;
    } catch (err) {
      throw new DtError(`invalid #if expression: ${(err as Error).message}`, file, line);
    }
  }

  run(file: string, text: string) {
    if (this.stack.length >= this.maxDepth) throw new DtError(`#include nested too deeply (more than ${this.maxDepth} files)`, file, 1);
    if (this.stack.includes(file)) throw new DtError(`#include loop: ${[...this.stack, file].join(' -> ')}`, file, 1);
    this.stack.push(file);
    // Conditional state: [active, anyTaken, parentActive]
    const cond: [boolean, boolean, boolean][] = [];
    // A branch is taken only inside taken branches: the innermost condition says it all.
    const active = () => (cond.length ? cond[cond.length - 1]![0] : true);
    // A line marker (`# 12 "foo.dtsi" 1`, `#line 12`) renames the lines after it, in this file only, as cpp does.
    let mark: { file: string; line: number; at: number } | undefined;
    const { texts, numbers } = logicalLines(text);
    for (let k = 0; k < texts.length; k++) {
      const lineText = texts[k]!;
      const physical = numbers ? numbers[k]! : k + 1;
      const where = mark ? mark.file : file;
      const line = mark ? mark.line + (physical - mark.at - 1) : physical;
      // `#define NAME ...`, most lines of a header: the macro is kept with the text after its name.
      const def = DEFINE.exec(lineText);
      if (def) {
        const raw = lineText.slice(def[0].length);
        if (!BROKEN_DEFINE.test(raw)) {
          if (active()) this.define(def[1]!, { params: undefined, variadic: undefined, body: '', raw });
          continue;
        }
      }
      // Directives and markers hold a '#' (most lines of a tree do not).
      const hash = lineText.includes('#');
      const lm = hash ? CPP_LINE_MARKER.exec(lineText) : null;
      if (lm) {
        if (active()) mark = { file: lm[2] !== undefined ? unescapeCString(lm[2]) : where, line: Number(lm[1]), at: physical };
        continue;
      }
      const d = hash ? DIRECTIVE.exec(lineText) : null;
      if (d && DIRECTIVES.has(d[1]!)) {
        const [, name, rest] = d as unknown as [string, string, string];
        const arg = rest.trim();
        switch (name) {
          case 'ifdef':
          case 'ifndef': {
            const on = active() && this.macros.has(arg.split(/\s/)[0]!) === (name === 'ifdef');
            cond.push([on, on, active()]);
            break;
          }
          case 'if': {
            const on = active() && this.evalCondition(arg, where, line);
            cond.push([on, on, active()]);
            break;
          }
          case 'elif': {
            const top = cond[cond.length - 1];
            if (!top) throw new DtError('#elif without #if', where, line);
            const on = top[2] && !top[1] && this.evalCondition(arg, where, line);
            top[0] = on;
            top[1] ||= on;
            break;
          }
          case 'else': {
            const top = cond[cond.length - 1];
            if (!top) throw new DtError('#else without #if', where, line);
            top[0] = top[2] && !top[1];
            top[1] = true;
            break;
          }
          case 'endif':
            if (!cond.pop()) throw new DtError('#endif without #if', where, line);
            break;
          default:
            if (!active()) break;
            if (name === 'define') {
              const md = /^([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$/.exec(arg);
              if (!md) throw new DtError('macro names must be identifiers', where, line);
              const macro: Macro = { params: undefined, variadic: undefined, body: md[4]!.trim(), raw: undefined };
              if (md[2] !== undefined) {
                const ps = md[3]!.split(',').map((p) => p.trim()).filter(Boolean);
                if (ps[ps.length - 1] === '...') {
                  macro.variadic = true;
                  ps.pop();
                }
                macro.params = ps;
              }
              this.define(md[1]!, macro);
            } else if (name === 'undef') this.macros.delete(arg);
            else if (name === 'include' || name === 'include_next') {
              const inc = /^(?:"([^"]+)"|<([^>]+)>)/.exec(this.expandLine(arg, where, line).trim());
              if (!inc) throw new DtError('#include expects "FILENAME" or <FILENAME>', where, line);
              const target = inc[1] ?? inc[2]!;
              const dirs = inc[1] !== undefined ? [dirname(file), ...(this.opts.includeDirs ?? [])] : (this.opts.includeDirs ?? []);
              let found: string | undefined;
              let content: string | undefined;
              for (const dir of dirs) {
                const p = joinPath(dir, target);
                content = this.read(p);
                if (content !== undefined) {
                  found = p;
                  break;
                }
              }
              if (found === undefined || content === undefined) throw new DtError(`${target}: No such file or directory`, where, line, lineText.indexOf(target) + 1);
              if (this.stack.length >= this.maxDepth) throw new DtError(`#include nested too deeply (more than ${this.maxDepth} files)`, where, line, lineText.indexOf(target) + 1);
              if (++this.includes > MAX_INCLUDES) throw new DtError(`too many #includes (more than ${MAX_INCLUDES} in all)`, where, line, lineText.indexOf(target) + 1);
              this.run(found, content);
            } else if (name === 'error') throw new DtError(`#error ${arg}`, where, line);
            // #warning, #pragma and #line are accepted and ignored.
        }
        continue;
      }
      if (!active()) continue;
      const expanded = this.expandLine(lineText, where, line);
      if ((this.outputSize += expanded.length + 1) > MAX_OUTPUT) throw new DtError(`preprocessed output is too large (more than ${MAX_OUTPUT} characters)`, where, line);
      this.out.push({ text: expanded, file: where, line, expanded: expanded !== lineText, source: file });
    }
    if (cond.length) throw new DtError('unterminated #if', file, 1);
    this.stack.pop();
  }
}

/** Integer expressions of #if and of DTS cell expressions (C precedence, 64-bit unsigned wrap). */
export function evalIntExpr(src: string): bigint {
  const toks = src.match(/0[xX][0-9a-fA-F]+|\d+|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>!~&|^?:]/g) ?? [];
  if (toks.join('') !== src.replace(/\s+/g, '')) throw new Error(`unexpected characters in "${src.trim()}"`);
  let p = 0;
  const M = (1n << 64n) - 1n;
  const peek = () => toks[p];
  const eat = (t?: string) => {
    const x = toks[p++];
    if (t !== undefined && x !== t) throw new Error(`expected ${t}`);
    return x!;
  };
  // Parentheses, unary operators and ?: nest by recursion: bounded, so a deep expression is an error, not a crash.
  let nest = 0;
  const nested = <T>(f: () => T): T => {
    if (++nest > MAX_EXPR_NESTING) throw new Error(`expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)`);
    try {
      return f();
    } finally {
      nest--;
    }
  };
  const primary = (): bigint => nested(primary1);
  const primary1 = (): bigint => {
    const t = eat();
    if (t === '(') {
      const v = ternary();
      eat(')');
      return v;
    }
    if (t === '-') return -primary() & M;
    if (t === '+') return primary();
    if (t === '!') return primary() === 0n ? 1n : 0n;
    if (t === '~') return ~primary() & M;
    if (t === undefined || !/^\d|^0[xX]/.test(t)) throw new Error(`unexpected ${t ?? 'end of expression'}`);
    return BigInt(t) & M;
  };
  // Precedence climbing (C's binary operators, all left-associative): one call per operator read, where a call per
  // precedence level per operand made every cell expression ten calls deep.
  const binary = (min: number): bigint => {
    let left = primary();
    for (;;) {
      const op = peek();
      const prec = op === undefined ? undefined : PRECEDENCE.get(op);
      if (prec === undefined || prec < min) return left;
      p++;
      left = apply(op!, left, binary(prec + 1)) & M;
    }
  };
  const ternary = (): bigint => {
    const c = binary(1);
    if (peek() !== '?') return c;
    eat('?');
    const a = nested(ternary);
    eat(':');
    const b = nested(ternary);
    return c !== 0n ? a : b;
  };
  const v = ternary();
  if (p !== toks.length) throw new Error(`unexpected ${toks[p]}`);
  return v;
}

const PRECEDENCE = new Map<string, number>([
  ...['*', '/', '%'].map((o): [string, number] => [o, 10]),
  ...['+', '-'].map((o): [string, number] => [o, 9]),
  ...['<<', '>>'].map((o): [string, number] => [o, 8]),
  ...['<', '>', '<=', '>='].map((o): [string, number] => [o, 7]),
  ...['==', '!='].map((o): [string, number] => [o, 6]),
  ['&', 5],
  ['^', 4],
  ['|', 3],
  ['&&', 2],
  ['||', 1],
]);

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '*': return a * b;
    case '/': if (b === 0n) throw new Error('division by zero'); return a / b;
    case '%': if (b === 0n) throw new Error('division by zero'); return a % b;
    case '+': return a + b;
    case '-': return a - b;
    case '<<': return a << (b & 63n);
    case '>>': return a >> (b & 63n);
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '&': return a & b;
    case '^': return a ^ b;
    case '|': return a | b;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new Error(`unknown operator ${op}`);
}
