import type { XmlElement, XmlNode } from './xml';
import { parseXml } from './xml';

/**
 * The explicit Format command: one element per line, 4-space indentation, `name="value"` attributes separated by one
 * space, ` />` for empty elements. What the user wrote stays: the declaration and comments before `<system>` (a
 * licence header), every comment in place (its text verbatim), one blank line wherever the file had blank lines
 * between two siblings, attribute order and each value as written (`0x8_000_000` stays). Throws XmlSyntaxError
 * for a text that does not parse (a file that does not parse is never rewritten).
 */
export function formatSystemText(text: string): string {
  const { root } = parseXml(text);
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const out: string[] = [];
  // Everything before the root element is the user's (declaration, licence header): kept as written.
  const head = text.slice(0, root.offset).replace(/^\uFEFF/, '').replace(/\s+$/, '');
  if (head) out.push(...head.split(/\r?\n/));
  element(root, '', text, out);
  return out.join(eol) + eol;
}

function element(el: XmlElement, pad: string, text: string, out: string[]) {
  const attrs = el.attrs.map((a) => ` ${a.name}="${text.slice(a.valueStart, a.valueEnd).replace(/"/g, '&quot;')}"`).join('');
  const kids = el.children.filter((c) => c.kind !== 'text' || c.text.trim() !== '');
  if (!kids.length) {
    out.push(`${pad}<${el.name}${attrs} />`);
    return;
  }
  out.push(`${pad}<${el.name}${attrs}>`);
  let prev: XmlNode | undefined;
  for (const c of el.children) {
    if (c.kind === 'text' && c.text.trim() === '') {
      // A blank line (or several) between two siblings stays one blank line.
      if (prev && /\n[ \t]*\r?\n/.test(c.text) && c !== el.children[el.children.length - 1]) out.push('');
      continue;
    }
    if (c.kind === 'element') element(c, `${pad}    `, text, out);
    else if (c.kind === 'comment') out.push(`${pad}    <!--${c.text}-->`);
    else out.push(`${pad}    ${text.slice(c.offset, c.offset + rawLength(text, c.offset)).trim()}`);
    prev = c;
  }
  out.push(`${pad}</${el.name}>`);
}

/** Length of raw text content starting at `offset` (up to the next markup). */
function rawLength(text: string, offset: number): number {
  const next = text.indexOf('<', offset);
  return (next < 0 ? text.length : next) - offset;
}
