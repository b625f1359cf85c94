import { escapeAttr, type XmlElement, type XmlNode } from './xml';

/**
 * Print an XML tree the way the Microkit examples are laid out: declaration, 4-space indentation, one element per
 * line, attributes in their order, comments kept where they were, whitespace-only text dropped.
 */
export function printXml(root: XmlElement, prolog: { text: string }[] = []): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  for (const c of prolog) out.push(`<!--${c.text}-->`);
  printElement(root, 0, out);
  return `${out.join('\n')}\n`;
}

function printElement(el: XmlElement, depth: number, out: string[]) {
  const pad = '    '.repeat(depth);
  const attrs = el.attrs.map((a) => ` ${a.name}="${escapeAttr(a.value)}"`).join('');
  const kids = el.children.filter((c) => c.kind !== 'text' || c.text.trim() !== '');
  if (kids.length === 0) {
    out.push(`${pad}<${el.name}${attrs} />`);
    return;
  }
  if (kids.length === 1 && kids[0]!.kind === 'text') {
    out.push(`${pad}<${el.name}${attrs}>${escapeText(kids[0]!.text.trim())}</${el.name}>`);
    return;
  }
  out.push(`${pad}<${el.name}${attrs}>`);
  for (const c of kids) printNode(c, depth + 1, out);
  out.push(`${pad}</${el.name}>`);
}

function printNode(n: XmlNode, depth: number, out: string[]) {
  const pad = '    '.repeat(depth);
  if (n.kind === 'element') printElement(n, depth, out);
  else if (n.kind === 'comment') out.push(`${pad}<!--${n.text}-->`);
  else out.push(`${pad}${escapeText(n.text.trim())}`);
}

const escapeText = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
