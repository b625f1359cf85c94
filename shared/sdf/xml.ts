/**
 * A small exact XML reader for `.system` files: elements, attributes, comments and text, each with a 1-based
 * line and column (the column of an element is that of its `<`, as Microkit reports it,
 * reference/microkit-sdf.md §1). No DTD, no namespaces: the SDF has neither.
 */
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

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at ${line}:${column}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** How many texts parseXml has read (the one-parse-per-edit test counts them). */
export const xmlParseCount = { n: 0 };

export function parseXml(src: string): { root: XmlElement; prolog: XmlComment[] } {
  xmlParseCount.n++;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): XmlPos => ({ line, column: i - lineStart + 1, offset: i });
  const fail = (msg: string, p: XmlPos = pos()): never => {
    throw new XmlSyntaxError(msg, p.line, p.column);
  };
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
    while (i < src.length && /\s/.test(src[i]!)) advance(1);
  };
  const readName = (): string => {
    if (i >= src.length || !NAME_START.test(src[i]!)) fail('expected a name');
    const s = i;
    while (i < src.length && NAME_CHAR.test(src[i]!)) advance(1);
    return src.slice(s, i);
  };
  const decode = (raw: string, at: XmlPos): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (m, ent: string | undefined) => {
      if (!ent) return fail('unescaped "&"', at);
      if (ent.startsWith('#')) {
        const cp = ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
        const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        return ok ? String.fromCodePoint(cp) : fail(`invalid character reference "&${ent};"`, at);
      }
      const v = ENTITIES[ent];
      return v ?? fail(`unknown entity "&${ent};"`, at);
    });
  const readComment = (): XmlComment => {
    const p = pos();
    const close = src.indexOf('-->', i + 4);
    if (close < 0) fail('unterminated comment', p);
    const text = src.slice(i + 4, close);
    advance(close + 3 - i);
    return { kind: 'comment', text, ...p };
  };
  const skipPi = () => {
    const p = pos();
    const close = src.indexOf('?>', i + 2);
    if (close < 0) fail('unterminated processing instruction', p);
    advance(close + 2 - i);
  };

  const prolog: XmlComment[] = [];
  if (src.charCodeAt(0) === 0xfeff) advance(1);
  for (;;) {
    skipWs();
    if (src.startsWith('<?', i)) skipPi();
    else if (src.startsWith('<!--', i)) prolog.push(readComment());
    else if (src.startsWith('<!DOCTYPE', i)) fail('DOCTYPE is not allowed in a system description');
    else break;
  }
  if (i >= src.length) fail('the document has no root element');
  if (src[i] !== '<') fail('text before the root element');

  const parseElement = (): XmlElement => {
    const p = pos();
    advance(1); // <
    const name = readName();
    const attrs: XmlAttr[] = [];
    let openEnd = i;
    for (;;) {
      const before = i;
      skipWs();
      if (src.startsWith('/>', i)) {
        advance(2);
        return { kind: 'element', name, attrs, children: [], end: i, openEnd: i, selfClosing: true, ...p };
      }
      if (src[i] === '>') {
        advance(1);
        openEnd = i;
        break;
      }
      if (i >= src.length) fail(`unexpected end of file inside <${name}>`);
      if (i === before) fail('expected whitespace before an attribute');
      const ap = pos();
      const an = readName();
      if (attrs.some((a) => a.name === an)) fail(`duplicate attribute "${an}"`, ap);
      skipWs();
      if (src[i] !== '=') fail(`expected "=" after attribute "${an}"`);
      advance(1);
      skipWs();
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`expected a quoted value for attribute "${an}"`);
      const close = src.indexOf(q!, i + 1);
      if (close < 0) fail(`unterminated value of attribute "${an}"`, ap);
      const raw = src.slice(i + 1, close);
      if (raw.includes('<')) fail(`"<" is not allowed in the value of attribute "${an}"`, ap);
      const vp = pos();
      advance(close + 1 - i);
      attrs.push({ name: an, value: decode(raw, vp), valueStart: vp.offset + 1, valueEnd: close, quote: q as '"' | "'", ...ap });
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= src.length) fail(`element <${name}> is not closed`, p);
      if (src.startsWith('</', i)) {
        const cp = pos();
        advance(2);
        const closeName = readName();
        if (closeName !== name) fail(`expected </${name}> but found </${closeName}>`, cp);
        skipWs();
        if (src[i] !== '>') fail(`expected ">" to close </${name}>`);
        advance(1);
        return { kind: 'element', name, attrs, children, end: i, openEnd, selfClosing: false, ...p };
      }
      if (src.startsWith('<!--', i)) children.push(readComment());
      else if (src.startsWith('<![CDATA[', i)) {
        const tp = pos();
        const close = src.indexOf(']]>', i);
        if (close < 0) fail('unterminated CDATA section', tp);
        const text = src.slice(i + 9, close);
        advance(close + 3 - i);
        children.push({ kind: 'text', text, ...tp });
      } else if (src.startsWith('<?', i)) skipPi();
      else if (src[i] === '<') children.push(parseElement());
      else {
        const tp = pos();
        const next = src.indexOf('<', i);
        const end = next < 0 ? src.length : next;
        const raw = src.slice(i, end);
        advance(end - i);
        children.push({ kind: 'text', text: decode(raw, tp), ...tp });
      }
    }
  };

  const root = parseElement();
  for (;;) {
    skipWs();
    if (i >= src.length) break;
    if (src.startsWith('<!--', i)) readComment();
    else if (src.startsWith('<?', i)) skipPi();
    else fail('content after the root element');
  }
  return { root, prolog };
}

/** Escape text for an attribute value in double quotes. */
export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
