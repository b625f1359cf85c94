/**
 * A small exact XML reader for `.system` files: elements, attributes, comments and text, each with a 1-based
 * line and column (the column of an element is that of its `<`, as Microkit reports it,
 * reference/microkit-sdf.md §1). No DTD. Namespace prefixes are checked as roxmltree checks them; names are kept
 * as written, prefix included (the checker and importer match local names, xmlNames.ts).
 */
import { firstNonXmlChar, isXmlChar, NS_XML_URI, NS_XMLNS_URI, roxmltree, splitQName, type XmlErrorText } from './xmlErrors';

export interface XmlPos {
  line: number;
  column: number;
  offset: number;
}
export interface XmlAttr extends XmlPos {
  name: string;
  value: string;
  /** The value as written, between `valueStart` and `valueEnd` (inside the quotes). */
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
}
export interface XmlElement extends XmlPos {
  kind: 'element';
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** Offset just past the element's end (its `/>` or closing tag). */
  end: number;
  /** Offset just past its start tag (`>` or `/>`): the text keeps every byte, these offsets address it. */
  openEnd: number;
  selfClosing: boolean;
}
export interface XmlText extends XmlPos {
  kind: 'text';
  text: string;
}
export interface XmlComment extends XmlPos {
  kind: 'comment';
  text: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment;

/**
 * How deep an element may sit below the root element (level 0). Deeper text is refused at the element's `<`, so the
 * reader and everything that walks its tree (import, checks, reconcile, format) stay shallow. roxmltree has no such
 * limit; a Microkit system is a few levels deep.
 */
export const MAX_ELEMENT_DEPTH = 256;
const nestedTooDeeply = (): XmlErrorText => (at) => `the element at ${at} is nested too deeply (more than ${MAX_ELEMENT_DEPTH} levels)`;


export class XmlSyntaxError extends Error {
  /** `message` is roxmltree's text for the error (xmlErrors.ts), its place included where roxmltree prints one. */
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const REFERENCE = /^&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*);/;
/** XML's white space; roxmltree knows no other. */
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Parse a `.system` text. Well-formedness errors are thrown as `XmlSyntaxError` with roxmltree's wording and at
 * roxmltree's place, checked in roxmltree's order, so that the first error is the one the Microkit tool prints.
 */
/** How many texts parseXml has read (the one-parse-per-edit test counts them). */
export const xmlParseCount = { n: 0 };

export function parseXml(src: string): { root: XmlElement; prolog: XmlComment[] } {
  xmlParseCount.n++;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const len = src.length;
  const pos = (): XmlPos => ({ line, column: i - lineStart + 1, offset: i });
  /** The place of any offset; it scans from the start, so only the error path uses it. */
  const posAt = (offset: number): XmlPos => {
    let l = 1;
    let ls = 0;
    for (let k = 0; k < offset; k++) {
      if (src.charCodeAt(k) === 10) {
        l++;
        ls = k + 1;
      }
    }
    return { line: l, column: offset - ls + 1, offset };
  };
  const fail = (text: XmlErrorText, p: XmlPos = pos()): never => {
    throw new XmlSyntaxError(text(`${p.line}:${p.column}`), p.line, p.column);
  };
  const endOfStream = (p?: XmlPos): never => fail(roxmltree.unexpectedEndOfStream(), p);
  const advance = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (src.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
      i++;
    }
  };
  const skipWs = () => {
    while (i < len && isSpace(src[i])) advance(1);
  };
  const expectChar = (c: string) => {
    if (i >= len) endOfStream();
    if (src[i] !== c) fail(roxmltree.invalidChar(c, src[i]));
    advance(1);
  };
  /** Characters up to `end` must be XML `Char`s. */
  const xmlChars = (from: number, end: number) => {
    const bad = firstNonXmlChar(src, from, end);
    if (bad >= 0) fail(roxmltree.nonXmlChar(src[bad]!), posAt(bad));
  };
  const readQName = (): string => {
    const s = i;
    while (i < len && NAME_CHAR.test(src[i]!)) advance(1);
    const name = src.slice(s, i);
    if (!splitQName(name)) fail(roxmltree.invalidName(), posAt(s));
    return name;
  };
  const readEq = () => {
    skipWs();
    expectChar('=');
    skipWs();
  };
  /** A quoted value: its raw text and where that starts. */
  const readQuoted = (): { raw: string; offset: number; quote: '"' | "'" } => {
    if (i >= len) endOfStream();
    const q = src[i]!;
    if (q !== '"' && q !== "'") fail(roxmltree.invalidChar2('a quote', q));
    advance(1);
    const start = i;
    let k = i;
    while (k < len && src[k] !== q && src[k] !== '<') k++;
    xmlChars(start, k);
    advance(k - i);
    expectChar(q);
    return { raw: src.slice(start, k), offset: start, quote: q as '"' | "'" };
  };
  /** Entity and character references in text or an attribute value at `offset`. */
  const decode = (raw: string, offset: number): string => {
    if (!raw.includes('&')) return raw;
    let out = '';
    let k = 0;
    for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', k)) {
      out += raw.slice(k, amp);
      const m = REFERENCE.exec(raw.slice(amp));
      if (!m) return fail(roxmltree.malformedEntityReference(), posAt(offset + amp));
      const ref = m[1]!;
      if (ref.startsWith('#')) {
        const n = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        // roxmltree: a number beyond u32 is malformed; beyond Unicode or a surrogate becomes U+FFFD.
        if (n > 0xffffffff) fail(roxmltree.malformedEntityReference(), posAt(offset + amp));
        const cp = n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? 0xfffd : n;
        if (!isXmlChar(cp)) fail(roxmltree.malformedEntityReference(), posAt(offset + amp));
        out += String.fromCodePoint(cp);
      } else {
        const v = ENTITIES[ref];
        if (v === undefined) fail(roxmltree.unknownEntityReference(ref), posAt(offset + amp));
        out += v;
      }
      k = amp + m[0].length;
    }
    return out + raw.slice(k);
  };
  const readComment = (): XmlComment => {
    const p = pos();
    const close = src.indexOf('-->', i + 4);
    xmlChars(i + 4, close < 0 ? len : close);
    if (close < 0) fail(roxmltree.invalidString('-->'), posAt(len));
    const text = src.slice(i + 4, close);
    advance(close + 3 - i);
    if (text.includes('--') || text.endsWith('-')) fail(roxmltree.invalidComment(), p);
    return { kind: 'comment', text, ...p };
  };
  const skipPi = () => {
    if (src.startsWith('<?xml ', i)) fail(roxmltree.unexpectedDeclaration());
    advance(2);
    if (i >= len || !NAME_START.test(src[i]!)) fail(roxmltree.invalidName());
    while (i < len && NAME_CHAR.test(src[i]!)) advance(1);
    skipWs();
    const close = src.indexOf('?>', i);
    xmlChars(i, close < 0 ? len : close);
    if (close < 0) fail(roxmltree.invalidString('?>'), posAt(len));
    advance(close + 2 - i);
  };
  /** `<?xml version=… encoding=… standalone=…?>`, checked as roxmltree does (the values are not). */
  const readDeclaration = () => {
    const spaces = () => {
      if (isSpace(src[i])) skipWs();
      else if (!src.startsWith('?>', i) && i < len) fail(roxmltree.invalidChar2('a whitespace', src[i]));
    };
    const pseudoAttribute = () => {
      readQName();
      readEq();
      readQuoted();
    };
    advance(5);
    spaces();
    if (!src.startsWith('version', i)) fail(roxmltree.invalidString('version'));
    pseudoAttribute();
    spaces();
    if (src.startsWith('encoding', i)) {
      pseudoAttribute();
      spaces();
    }
    if (src.startsWith('standalone', i)) pseudoAttribute();
    skipWs();
    if (!src.startsWith('?>', i)) fail(roxmltree.invalidString('?>'));
    advance(2);
  };

  // Namespace prefixes in scope (roxmltree rejects an undeclared prefix): each element's own declarations, then its
  // parent's, so that no element copies what it inherits.
  interface Scope {
    own: Map<string, string>;
    parent?: Scope;
  }
  const lookup = (s: Scope, prefix: string): string | undefined => {
    for (let x: Scope | undefined = s; x; x = x.parent) {
      const v = x.own.get(prefix);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const scopes: Scope[] = [{ own: new Map([['xml', NS_XML_URI]]) }];
  /** An `xmlns` or `xmlns:p` attribute: checked and added to `scope` as roxmltree's `process_attribute` does. */
  const declareNamespace = (q: { prefix: string; local: string }, value: string, scope: Map<string, string>, declared: Set<string>, at: XmlPos) => {
    if (value === NS_XMLNS_URI) fail(roxmltree.unexpectedXmlnsUri(), at);
    if (q.prefix === '') {
      if (value === NS_XML_URI) fail(roxmltree.unexpectedXmlUri(), at);
      scope.set('', value);
      return;
    }
    if (q.local === 'xml' ? value !== NS_XML_URI : value === NS_XML_URI) fail(q.local === 'xml' ? roxmltree.invalidXmlPrefixUri() : roxmltree.unexpectedXmlUri(), at);
    if (declared.has(q.local)) fail(roxmltree.duplicatedNamespace(q.local), at);
    declared.add(q.local);
    scope.set(q.local, value);
  };
  const isDeclaration = (q: { prefix: string; local: string }) => q.prefix === 'xmlns' || (q.prefix === '' && q.local === 'xmlns');

  const parseElement = (depth: number): XmlElement => {
    const p = pos();
    if (depth > MAX_ELEMENT_DEPTH) fail(nestedTooDeeply(), p);
    advance(1); // <
    const nameStart = i;
    const name = readQName();
    const prefix = splitQName(name)!.prefix;
    if (prefix === 'xmlns') fail(roxmltree.invalidElementNamePrefix(), posAt(nameStart));
    const attrs: XmlAttr[] = [];
    const inherited = scopes[scopes.length - 1]!;
    let scope = inherited;
    const declared = new Set<string>();
    let empty = false;
    for (;;) {
      // A start tag cut off by the end of the text: roxmltree drops the element and then finds no root, or an open one.
      if (i >= len) fail(depth === 0 ? roxmltree.noRootNode() : roxmltree.unclosedRootNode(), p);
      const spaced = isSpace(src[i]);
      skipWs();
      if (i >= len) endOfStream();
      if (src[i] === '/') {
        advance(1);
        expectChar('>');
        empty = true;
        break;
      }
      if (src[i] === '>') {
        advance(1);
        break;
      }
      if (!spaced) fail(roxmltree.invalidChar2('a whitespace', src[i]));
      const ap = pos();
      const an = readQName();
      readEq();
      const { raw, offset, quote } = readQuoted();
      const value = decode(raw, offset);
      const q = splitQName(an)!;
      if (isDeclaration(q)) {
        if (scope === inherited) scope = { own: new Map(), parent: inherited };
        declareNamespace(q, value, scope.own, declared, ap);
      }
      attrs.push({ name: an, value, valueStart: offset, valueEnd: offset + raw.length, quote, ...ap });
    }
    // Once the start tag ends, roxmltree resolves each attribute's prefix and looks for duplicates, then the tag's.
    const seen = new Set<string>();
    for (const a of attrs) {
      const q = splitQName(a.name)!;
      if (isDeclaration(q)) continue;
      const uri = q.prefix === '' ? '' : lookup(scope, q.prefix);
      if (uri === undefined) fail(roxmltree.unknownNamespace(q.prefix), a);
      const expanded = `${uri}\u0000${q.local}`;
      if (seen.has(expanded)) fail(roxmltree.duplicatedAttribute(q.local), a);
      seen.add(expanded);
    }
    if (prefix !== '' && lookup(scope, prefix) === undefined) fail(roxmltree.unknownNamespace(prefix), posAt(nameStart));
    const openEnd = i;
    if (empty) return { kind: 'element', name, attrs, children: [], end: i, openEnd, selfClosing: true, ...p };
    scopes.push(scope);
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= len) fail(roxmltree.unclosedRootNode(), p);
      if (src.startsWith('</', i)) {
        const cp = pos();
        advance(2);
        const closeName = readQName();
        skipWs();
        expectChar('>');
        if (closeName !== name) fail(roxmltree.unexpectedCloseTag(name, closeName), cp);
        scopes.pop();
        return { kind: 'element', name, attrs, children, end: i, openEnd, selfClosing: false, ...p };
      }
      if (src.startsWith('<!--', i)) children.push(readComment());
      else if (src.startsWith('<![CDATA[', i)) {
        const tp = pos();
        const close = src.indexOf(']]>', i + 9);
        xmlChars(i + 9, close < 0 ? len : close);
        if (close < 0) fail(roxmltree.invalidString(']]>'), posAt(len));
        const text = src.slice(i + 9, close);
        advance(close + 3 - i);
        children.push({ kind: 'text', text, ...tp });
      } else if (src.startsWith('<!', i)) fail(roxmltree.unknownToken());
      else if (src.startsWith('<?', i)) skipPi();
      else if (src[i] === '<') {
        if (i + 1 >= len) fail(roxmltree.unknownToken());
        children.push(parseElement(depth + 1));
      } else {
        const tp = pos();
        const next = src.indexOf('<', i);
        const end = next < 0 ? len : next;
        xmlChars(i, end);
        const raw = src.slice(i, end);
        advance(end - i);
        if (raw.includes(']]>')) fail(roxmltree.invalidCharacterData());
        children.push({ kind: 'text', text: decode(raw, tp.offset), ...tp });
      }
    }
  };

  // document ::= prolog element Misc*, as roxmltree's tokenizer walks it.
  const prolog: XmlComment[] = [];
  const misc = (comments?: XmlComment[]) => {
    for (;;) {
      skipWs();
      if (src.startsWith('<!--', i)) {
        const c = readComment();
        comments?.push(c);
      } else if (src.startsWith('<?', i)) skipPi();
      else break;
    }
  };
  if (src.charCodeAt(0) === 0xfeff) advance(1);
  if (src.startsWith('<?xml ', i)) readDeclaration();
  misc(prolog);
  if (src.startsWith('<!DOCTYPE', i)) fail(roxmltree.dtdDetected());
  const root = src[i] === '<' ? parseElement(0) : undefined;
  misc();
  if (i < len) fail(roxmltree.unknownToken());
  if (!root) return fail(roxmltree.noRootNode(), posAt(0));
  return { root, prolog };
}

/** Escape text for an attribute value in double quotes. */
export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
