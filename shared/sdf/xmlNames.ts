import type { XmlElement } from './xml';

/** `include` of `xi:include`. */
export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** `xmlns` and `xmlns:p` declare namespaces; roxmltree does not list them among an element's attributes. */
export function isNamespaceDeclaration(qname: string): boolean {
  return qname === 'xmlns' || qname.startsWith('xmlns:');
}

/**
 * The element tree as the Microkit tool sees it through roxmltree: elements and attributes by their local names
 * (`include`, not `xi:include`; `base`, not `xml:base`) and no namespace declarations among the attributes
 * (reference/microkit-sdf.md §1: "Tag names are matched on their local name only"). Places and offsets are kept,
 * so everything reported still points into the text as written.
 */
export function withLocalNames(el: XmlElement): XmlElement {
  return {
    ...el,
    name: localName(el.name),
    attrs: el.attrs.filter((a) => !isNamespaceDeclaration(a.name)).map((a) => (a.name.includes(':') ? { ...a, name: localName(a.name) } : a)),
    children: el.children.map((c) => (c.kind === 'element' ? withLocalNames(c) : c)),
  };
}
