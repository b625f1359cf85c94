import type { SystemModel } from '../model/system';
import { printNode, systemTree, type TreeNode } from './systemTree';
import type { XmlAttr, XmlElement } from './xml';

/** Replace `text.slice(start, end)` with `text`. Offsets are into the text the edits were computed for. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Apply non-overlapping edits; edits at the same offset keep their order. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  if (!edits.length) return text;
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
  let out = '';
  let at = 0;
  for (const { e } of sorted) {
    if (e.start < at) throw new Error(`overlapping text edits at offset ${e.start}`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/**
 * The smallest text edits that turn `text` (whose parsed tree is `root`, the model `before`) into a file whose
 * model is `after` (DESIGN.md §3.11). Both models are laid out as canonical element trees; what differs between the
 * two trees — an attribute value, an element added or removed — is applied to the user's text, and nothing else is
 * touched: comments, blank lines, attribute order, quoting and number spellings stay as written. A changed number
 * keeps the spelling of the value it replaces (hex stays hex, decimal decimal); a new element is printed with the
 * file's own indentation and line endings beside its siblings; a removed one takes its lines and the comments the
 * model attached to it. Returns undefined when the trees cannot be lined up with the text (the caller re-exports).
 */
export function reconcile(text: string, root: XmlElement, before: SystemModel, after: SystemModel): TextEdit[] | undefined {
  return reconcileTrees(text, root, systemTree(before), systemTree(after));
}

/** {@link reconcile} for canonical trees (a scripted attribute change is made on the tree of the model). */
export function reconcileTrees(text: string, root: XmlElement, before: TreeNode, after: TreeNode): TextEdit[] | undefined {
  const r = new Reconciler(text);
  try {
    r.element(root, before, after, '');
  } catch (e) {
    if (e instanceof Misaligned) return undefined;
    throw e;
  }
  return r.edits;
}

class Misaligned extends Error {}

const nameOf = (n: TreeNode): string | undefined => (n.raw !== undefined ? /\sname\s*=\s*["']([^"']*)["']/.exec(n.raw.slice(0, n.raw.indexOf('>') + 1))?.[1] : n.attrs.find((a) => a[0] === 'name')?.[1]);
const attrOf = (el: XmlElement, name: string): XmlAttr | undefined => el.attrs.find((a) => a.name === name);
const isComment = (n: TreeNode) => n.tag === '#comment';

class Reconciler {
  readonly edits: TextEdit[] = [];
  private readonly eol: string;
  private readonly unit: string;
  private readonly identities = new WeakMap<TreeNode, string>();

  constructor(private readonly text: string) {
    this.eol = /\r\n/.test(text) ? '\r\n' : '\n';
    this.unit = detectIndentUnit(text);
  }

  /** C is the element in the text, O and N the canonical nodes before and after the edit. */
  element(c: XmlElement, o: TreeNode, n: TreeNode, indent: string) {
    if (o.raw !== undefined || n.raw !== undefined) {
      if (o.raw !== n.raw) this.replaceElement(c, n, indent);
      return;
    }
    this.attributes(c, o, n);
    if (o.children || n.children) this.children(c, o.children ?? [], n.children ?? [], indent);
  }

  private attributes(c: XmlElement, o: TreeNode, n: TreeNode) {
    const was = new Map(o.attrs);
    const now = new Map(n.attrs);
    const quote = c.attrs[0]?.quote ?? '"';
    const insertAt = c.attrs.length ? c.attrs[c.attrs.length - 1]!.valueEnd + 1 : c.offset + 1 + c.name.length;
    for (const name of new Set([...now.keys(), ...was.keys()])) {
      const v0 = was.get(name);
      const v1 = now.get(name);
      if (v0 === v1) continue;
      const a = attrOf(c, name);
      if (v1 === undefined) {
        if (!a) continue;
        let start = a.offset;
        while (start > 0 && /[ \t]/.test(this.text[start - 1]!)) start--;
        this.edits.push({ start, end: a.valueEnd + 1, text: '' });
      } else if (a) {
        this.edits.push({ start: a.valueStart, end: a.valueEnd, text: escapeFor(respell(v1, this.text.slice(a.valueStart, a.valueEnd)), a.quote) });
      } else {
        this.edits.push({ start: insertAt, end: insertAt, text: ` ${name}=${quote}${escapeFor(v1, quote)}${quote}` });
      }
    }
  }

  private children(c: XmlElement, olds: TreeNode[], news: TreeNode[], indent: string) {
    const inText = this.lineUp(c, olds);
    const childIndent = this.childIndent(c, indent);
    const pairs = pairUp(olds.filter((x) => !isComment(x)), news.filter((x) => !isComment(x)), (x) => this.identity(x));
    // Where each new node sits in the text: the element its old counterpart lines up with.
    const placed = new Map<TreeNode, XmlElement>();
    const settled = new Set<TreeNode>();
    for (const [o, n] of pairs) {
      if (!o) continue;
      const el = inText.get(o);
      if (!el) {
        // Nothing in the text stands for it (the importer made it up): fine as long as the edit leaves it alone.
        if (n && printNode(o, '').join('\n') === printNode(n, '').join('\n')) {
          settled.add(n);
          continue;
        }
        throw new Misaligned();
      }
      if (n) {
        placed.set(n, el);
        this.element(el, o, n, this.indentOf(el) ?? childIndent);
      } else this.removeElement(el, o.comments?.length ?? 0);
    }
    const newsOnly = news.filter((x) => !isComment(x));
    const added = newsOnly.filter((n) => !placed.has(n) && !settled.has(n));
    if (!added.length) return;
    if (!placed.size) return this.fill(c, added, childIndent);
    newsOnly.forEach((n, i) => {
      if (!placed.has(n) && !settled.has(n)) this.insert(n, i, newsOnly, placed, childIndent);
    });
  }

  /** Which element of the text each old node stands for: by tag and name, then in order among the same tag. */
  private lineUp(c: XmlElement, olds: TreeNode[]): Map<TreeNode, XmlElement> {
    const els = c.children.filter((x): x is XmlElement => x.kind === 'element');
    const used = new Set<XmlElement>();
    const out = new Map<TreeNode, XmlElement>();
    const local = (s: string) => s;
    for (const o of olds) {
      if (isComment(o)) continue;
      const name = nameOf(o);
      if (name === undefined) continue;
      const el = els.find((e) => !used.has(e) && local(e.name) === o.tag && attrOf(e, 'name')?.value === name);
      if (el) {
        used.add(el);
        out.set(o, el);
      }
    }
    for (const o of olds) {
      if (isComment(o) || out.has(o)) continue;
      const el = els.find((e) => !used.has(e) && local(e.name) === o.tag);
      if (el) {
        used.add(el);
        out.set(o, el);
      }
    }
    return out;
  }

  private identity(n: TreeNode): string {
    let id = this.identities.get(n);
    if (id === undefined) {
      const name = nameOf(n);
      id = n.raw !== undefined ? `raw\0${n.raw}` : name !== undefined ? `${n.tag}\0${name}` : printNode({ ...n, comments: undefined }, '', ' ').join('\n');
      this.identities.set(n, id);
    }
    return id;
  }

  private insert(n: TreeNode, i: number, news: TreeNode[], placed: Map<TreeNode, XmlElement>, indent: string) {
    const find = (from: number, step: number, sameTag: boolean) => {
      for (let k = from; k >= 0 && k < news.length; k += step) {
        const el = placed.get(news[k]!);
        if (el && (!sameTag || news[k]!.tag === n.tag)) return el;
      }
      return undefined;
    };
    const lines = printNode(n, indent, this.unit);
    const body = lines.join(this.eol);
    const after = find(i - 1, -1, true);
    const before = after ? undefined : find(i + 1, 1, true);
    const anchorAfter = after ?? (before ? undefined : find(i - 1, -1, false));
    const anchorBefore = before ?? (anchorAfter ? undefined : find(i + 1, 1, false));
    if (anchorAfter) {
      const at = this.endOfLine(anchorAfter.end);
      this.edits.push({ start: at, end: at, text: this.eol + body });
      placed.set(n, anchorAfter);
    } else if (anchorBefore) {
      const ls = this.lineStart(anchorBefore.offset);
      if (ls !== undefined) this.edits.push({ start: ls, end: ls, text: body + this.eol });
      else this.edits.push({ start: anchorBefore.offset, end: anchorBefore.offset, text: body.trimStart() + this.eol + (this.indentOf(anchorBefore) ?? indent) });
    }
  }

  /** Children for an element that has none in the text (a self-closing one is opened). */
  private fill(parent: XmlElement, added: TreeNode[], indent: string) {
    const body = added.map((n) => printNode(n, indent, this.unit).join(this.eol)).join(this.eol);
    const own = this.indentOf(parent) ?? '';
    if (parent.selfClosing) {
      let start = parent.openEnd - 2;
      while (/[ \t]/.test(this.text[start - 1]!)) start--;
      this.edits.push({ start, end: parent.openEnd, text: `>${this.eol}${body}${this.eol}${own}</${parent.name}>` });
    } else {
      // Content before the closing tag on the parent's lines stays where it is: the children go right after `>`.
      this.edits.push({ start: parent.openEnd, end: parent.openEnd, text: this.eol + body });
    }
  }

  /** Replace an element (not its comments) with the canonical print of `n`, at the element's own indentation. */
  private replaceElement(c: XmlElement, n: TreeNode, indent: string) {
    const own = this.indentOf(c) ?? indent;
    const lines = printNode({ ...n, comments: undefined }, own, this.unit);
    this.edits.push({ start: c.offset, end: c.end, text: lines.join(this.eol).slice(own.length) });
  }

  /** Remove an element with its lines when it has them to itself, and the `comments` comments before it. */
  private removeElement(c: XmlElement, comments: number) {
    let start = c.offset;
    let end = c.end;
    const ls = this.lineStart(start);
    const rest = /^[ \t]*(\r?\n|$)/.exec(this.text.slice(end, end + 200));
    if (ls !== undefined && rest) {
      start = ls;
      end += rest[0].length;
    }
    if (comments > 0) {
      // The comments the importer attached to this element (all comments since the previous element).
      let at = start;
      for (let k = 0; k < comments; k++) {
        const open = this.text.lastIndexOf('<!--', at);
        if (open < 0) break;
        at = this.lineStart(open) ?? open;
      }
      start = at;
    }
    this.edits.push({ start, end, text: '' });
  }

  /** The indentation children get: that of an existing child element on its own line, else the parent's plus one unit. */
  private childIndent(c: XmlElement, indent: string): string {
    for (const k of c.children) if (k.kind === 'element') {
      const own = this.indentOf(k);
      if (own !== undefined) return own;
    }
    return (this.indentOf(c) ?? indent) + this.unit;
  }

  /** The whitespace before an element on its line, or undefined when something else precedes it there. */
  private indentOf(el: { offset: number }): string | undefined {
    const ls = this.lineStart(el.offset);
    return ls === undefined ? undefined : this.text.slice(ls, el.offset);
  }

  private lineStart(offset: number): number | undefined {
    let i = offset;
    while (i > 0 && (this.text[i - 1] === ' ' || this.text[i - 1] === '\t')) i--;
    return i === 0 || this.text[i - 1] === '\n' ? i : undefined;
  }

  /** The end of the line `offset` is on when only blanks and comments follow it there, else `offset`. */
  private endOfLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    const stop = nl < 0 ? this.text.length : this.text[nl - 1] === '\r' ? nl - 1 : nl;
    return /^(\s|<!--(?:(?!-->)[\s\S])*-->)*$/.test(this.text.slice(offset, stop)) ? stop : offset;
  }
}

/**
 * Line up the old and new children: unchanged runs at both ends, then a longest common subsequence by identity
 * (name, or the whole element when it has none); what is left in each gap pairs up by tag in order (an edited
 * element), and the rest is removed or added. Returns [old, new] pairs with undefined for a missing side.
 */
export function pairUp<T>(olds: T[], news: T[], id: (x: T) => string, tag: (x: T) => string = (x) => (x as { tag: string }).tag): [T | undefined, T | undefined][] {
  const out: [T | undefined, T | undefined][] = [];
  let head = 0;
  while (head < olds.length && head < news.length && id(olds[head]!) === id(news[head]!)) head++;
  let tail = 0;
  while (tail < olds.length - head && tail < news.length - head && id(olds[olds.length - 1 - tail]!) === id(news[news.length - 1 - tail]!)) tail++;
  for (let k = 0; k < head; k++) out.push([olds[k], news[k]]);
  const mo = olds.slice(head, olds.length - tail);
  const mn = news.slice(head, news.length - tail);
  const matches = mo.length * mn.length <= 4_000_000 ? lcs(mo.map(id), mn.map(id)) : [];
  let io = 0;
  let inn = 0;
  const gap = (oEnd: number, nEnd: number) => {
    const og = mo.slice(io, oEnd);
    const ng = mn.slice(inn, nEnd);
    const taken = new Set<number>();
    let from = 0;
    const paired = new Map<number, T>();
    ng.forEach((n, j) => {
      for (let k = from; k < og.length; k++) {
        if (!taken.has(k) && tag(og[k]!) === tag(n)) {
          taken.add(k);
          paired.set(j, og[k]!);
          from = k + 1;
          return;
        }
      }
    });
    og.forEach((o, k) => {
      if (!taken.has(k)) out.push([o, undefined]);
    });
    ng.forEach((n, j) => out.push([paired.get(j), n]));
  };
  for (const [a, b] of matches) {
    gap(a, b);
    out.push([mo[a], mn[b]]);
    io = a + 1;
    inn = b + 1;
  }
  gap(mo.length, mn.length);
  for (let k = olds.length - tail; k < olds.length; k++) out.push([olds[k], news[k - olds.length + news.length]]);
  return out;
}

function lcs(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push([i, j]);
      i++;
      j++;
    } else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

/** The file's indentation step: the most common increase from a line to the next deeper one. */
export function detectIndentUnit(text: string): string {
  const counts = new Map<string, number>();
  let prev = '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const ind = /^[ \t]*/.exec(line)![0];
    if (ind.length > prev.length && ind.startsWith(prev)) {
      const step = ind.slice(prev.length);
      counts.set(step, (counts.get(step) ?? 0) + 1);
    }
    prev = ind;
  }
  let best = '    ';
  let n = 0;
  for (const [step, c] of counts) if (c > n) [best, n] = [step, c];
  return best;
}

/** A new value written the way the old one was: hex stays hex (its case and `_` grouping too), decimal stays decimal. */
export function respell(value: string, old: string): string {
  const num = parseNumber(value);
  if (num === undefined) return value;
  const hexOld = /^(0[xX])([0-9a-fA-F_]+)$/.exec(old);
  const decOld = /^[0-9][0-9_]*$/.test(old);
  if (!hexOld && !decOld) return value;
  let digits = hexOld ? num.toString(16) : num.toString(10);
  if (hexOld && /[A-F]/.test(hexOld[2]!) && !/[a-f]/.test(hexOld[2]!)) digits = digits.toUpperCase();
  const body = hexOld ? hexOld[2]! : old;
  if (body.includes('_')) {
    const group = body.length - body.lastIndexOf('_') - 1;
    if (group > 0) digits = digits.replace(new RegExp(`\\B(?=([0-9a-fA-F]{${group}})+$)`, 'g'), '_');
  }
  return hexOld ? hexOld[1]! + digits : digits;
}

function parseNumber(v: string): bigint | undefined {
  if (/^0x[0-9a-fA-F]+$/.test(v)) return BigInt(v);
  if (/^[0-9]+$/.test(v)) return BigInt(v);
  return undefined;
}

function escapeFor(v: string, quote: '"' | "'"): string {
  const s = v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return quote === '"' ? s.replace(/"/g, '&quot;') : s.replace(/'/g, '&apos;');
}
