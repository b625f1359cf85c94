/**
 * The texts of roxmltree's well-formedness errors, which the Microkit tool prints after `Could not parse '<file>': `
 * (reference/microkit-sdf.md §1). Microkit 2.3.0 uses roxmltree 0.19; these are the `Display` texts of its `Error`
 * enum (src/lib.rs), one function per variant. Each takes the place as roxmltree prints it (`row:col`, both 1-based)
 * where the variant carries one; the variants without a place print none.
 */
export type XmlErrorText = (at: string) => string;

/** Rust's `{:?}` of a `char`, which roxmltree uses for a non-XML character: `'\u{1}'`, `'\0'`. */
function rustCharDebug(c: string): string {
  const cp = c.codePointAt(0)!;
  const named: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 39: "\\'", 92: '\\\\' };
  if (named[cp] !== undefined) return `'${named[cp]}'`;
  if (cp < 0x20 || cp === 0x7f || cp === 0xfffe || cp === 0xffff) return `'\\u{${cp.toString(16)}}'`;
  return `'${c}'`;
}

/** The character roxmltree names in "expected X not 'c'": the byte it stopped at. */
const shown = (c: string | undefined) => c ?? '';

export const roxmltree = {
  unknownToken: (): XmlErrorText => (at) => `unknown token at ${at}`,
  invalidName: (): XmlErrorText => (at) => `invalid name token at ${at}`,
  /** `consume_byte`: one expected character. */
  invalidChar: (expected: string, actual: string | undefined): XmlErrorText => (at) => `expected '${expected}' not '${shown(actual)}' at ${at}`,
  /** `consume_spaces`, `consume_quote` and friends: a described expectation ("a whitespace", "a quote"). */
  invalidChar2: (expected: string, actual: string | undefined): XmlErrorText => (at) => `expected ${expected} not '${shown(actual)}' at ${at}`,
  /** `skip_string`: a missing terminator such as `-->` or `?>`. */
  invalidString: (expected: string): XmlErrorText => (at) => `expected '${expected}' at ${at}`,
  nonXmlChar: (c: string): XmlErrorText => (at) => `a non-XML character ${rustCharDebug(c)} found at ${at}`,
  invalidComment: (): XmlErrorText => (at) => `comment at ${at} contains '--'`,
  invalidCharacterData: (): XmlErrorText => (at) => `']]>' at ${at} is not allowed inside a character data`,
  unexpectedDeclaration: (): XmlErrorText => (at) => `unexpected XML declaration at ${at}`,
  unexpectedCloseTag: (expected: string, actual: string): XmlErrorText => (at) => `expected '${expected}' tag, not '${actual}' at ${at}`,
  malformedEntityReference: (): XmlErrorText => (at) => `malformed entity reference at ${at}`,
  unknownEntityReference: (name: string): XmlErrorText => (at) => `unknown entity reference '${name}' at ${at}`,
  duplicatedAttribute: (name: string): XmlErrorText => (at) => `attribute '${name}' at ${at} is already defined`,
  unknownNamespace: (prefix: string): XmlErrorText => (at) => `an unknown namespace prefix '${prefix}' at ${at}`,
  duplicatedNamespace: (prefix: string): XmlErrorText => (at) => `namespace '${prefix}' at ${at} is already defined`,
  invalidElementNamePrefix: (): XmlErrorText => (at) => `the 'xmlns' prefix is used at ${at}, but it must not be`,
  invalidXmlPrefixUri: (): XmlErrorText => (at) => `'xml' namespace prefix mapped to wrong URI at ${at}`,
  unexpectedXmlUri: (): XmlErrorText => (at) => `the 'xml' namespace URI is used for not 'xml' prefix at ${at}`,
  unexpectedXmlnsUri: (): XmlErrorText => (at) => `the 'xmlns' URI is used at ${at}, but it must not be declared`,
  unexpectedEndOfStream: (): XmlErrorText => () => 'unexpected end of stream',
  noRootNode: (): XmlErrorText => () => 'the document does not have a root node',
  unclosedRootNode: (): XmlErrorText => () => 'the root node was opened but never closed',
  dtdDetected: (): XmlErrorText => () => 'XML with DTD detected',
};

export const NS_XML_URI = 'http://www.w3.org/XML/1998/namespace';
export const NS_XMLNS_URI = 'http://www.w3.org/2000/xmlns/';

/** XML 1.0 `Char` as roxmltree tests it (surrogates cannot occur in a JS string read as UTF-8). */
export function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === 0x9 || cp === 0xa || cp === 0xd;
  return cp !== 0xfffe && cp !== 0xffff;
}

/** The first character of `s` (from `from`) that is not an XML `Char`, as an offset, or -1. */
export function firstNonXmlChar(s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

/**
 * A qualified name `prefix:local` as roxmltree's `consume_qname` accepts it: at most one colon, and both parts (the
 * prefix when present) start with a name-start character. Undefined when it is not one.
 */
const NAME_START = /^[A-Za-z_\u00C0-\uFFFF]/;
export function splitQName(name: string): { prefix: string; local: string } | undefined {
  // Most names have no prefix: no split, no array (this runs for every element and attribute of every parse).
  if (name.indexOf(':') < 0) return NAME_START.test(name) ? { prefix: '', local: name } : undefined;
  const parts = name.split(':');
  if (parts.length > 2) return undefined;
  const [prefix, local] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  if (prefix && !NAME_START.test(prefix)) return undefined;
  if (!NAME_START.test(local)) return undefined;
  return { prefix, local };
}
