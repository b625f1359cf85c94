import type { Diagnostic } from '../api/diagnostics';
import { dirname, joinPath } from '../dt/cpp';
import { CompositeBuilder, plainComposite, type CompositeSource } from './composite';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml';
import { localName } from './xmlNames';

/**
 * XInclude as `xmllint --xinclude` resolves it, which is how generated systems (HAMR/INSPECTA models: a main
 * `microkit.system` with `<xi:include href="microkit.schedule.xml"/>`, reference/microkit-sdf.md §8.1) become the
 * one file the Microkit tool reads. The result is a composite source: every element keeps the text of the file that
 * holds it, so places and edits lead back there.
 *
 * Like xmllint: `parse="xml"` (the default) puts the included document's top-level nodes (comments, processing
 * instructions, its root element) in place of the include; `parse="text"` its text; hrefs are relative to the
 * including file; includes nest; a failed include falls back to its `<xi:fallback>` content, and without one it is
 * an error and the include stays; a root element included from another directory gets `xml:base="dir/file"`
 * (which the Microkit tool then refuses as attribute `base`). `xpointer` is not supported.
 *
 * Bounded: includes nest at most {@link MAX_XINCLUDE_DEPTH} deep (xmllint's limit), at most {@link MAX_XINCLUDES}
 * are resolved in all and the text they make is at most {@link MAX_XINCLUDE_OUTPUT} characters (a file that includes
 * the next one twice doubles at each level); past a bound the include is an error and stays as written. Each file is
 * read and parsed once.
 */
export const MAX_XINCLUDE_DEPTH = 40;
export const MAX_XINCLUDES = 10_000;
export const MAX_XINCLUDE_OUTPUT = 64 << 20;

export const XINCLUDE_NAMESPACES = ['http://www.w3.org/2001/XInclude', 'http://www.w3.org/2003/XInclude'];

/** A text that declares the XInclude namespace (what `resolveXIncludes` is for). */
export function hasXInclude(text: string): boolean {
  return /xmlns(?::[\w.-]+)?\s*=\s*["']http:\/\/www\.w3\.org\/200[13]\/XInclude["']/.test(text);
}

type ReadFile = (path: string) => string | undefined;

interface Loaded {
  text: string;
  root: XmlElement;
}

/** `to` relative to directory `from` (both normalized the same way). */
function relativePath(from: string, to: string): string {
  const a = from === '.' ? [] : from.split('/');
  const b = to.split('/');
  let k = 0;
  while (k < a.length && k < b.length - 1 && a[k] === b[k]) k++;
  return [...a.slice(k).map(() => '..'), ...b.slice(k)].join('/');
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The offset just past an element's start tag (a `>` outside quoted values). */
function startTagEnd(text: string, el: XmlElement): number {
  let quote: string | undefined;
  for (let i = el.offset; i < el.end; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return el.end;
}

export function resolveXIncludes(main: string, readFile: ReadFile): { composite?: CompositeSource; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const builder = new CompositeBuilder(main);
  const error = (file: string, at: { line: number; column: number }, message: string, rule = 'xinclude') =>
    diagnostics.push({ severity: 'error', rule, file, line: at.line, column: at.column, message });

  const loaded = new Map<string, Loaded | XmlSyntaxError | undefined>();
  const load = (file: string): Loaded | undefined => {
    if (!loaded.has(file)) {
      const text = readFile(file);
      try {
        if (text === undefined) loaded.set(file, undefined);
        else {
          loaded.set(file, { text, root: parseXml(text).root });
          builder.addFile(file, text);
        }
      } catch (e) {
        if (!(e instanceof XmlSyntaxError)) throw e;
        loaded.set(file, e);
      }
    }
    const doc = loaded.get(file);
    if (doc instanceof XmlSyntaxError) {
      error(file, doc, `Could not parse '${file}': ${doc.message}`, 'xml');
      return undefined;
    }
    return doc;
  };
  let includes = 0;

  const mainText = readFile(main);
  if (mainText === undefined) return { diagnostics: [{ severity: 'error', rule: 'read', file: main, message: `cannot read '${main}'` }] };
  const mainDoc = (() => {
    try {
      return parseXml(mainText).root;
    } catch (e) {
      if (e instanceof XmlSyntaxError) return undefined;
      throw e;
    }
  })();
  // A main file that is not XML is the checker's to report, as the tool would.
  if (!mainDoc) return { composite: plainComposite(main, mainText), diagnostics };
  builder.addFile(main, mainText);

  /** The XInclude elements (`include`, `fallback`) under `el`, outermost first, with the namespaces in scope. */
  const isXi = (el: XmlElement, scope: Map<string, string>, name: string) => {
    const colon = el.name.indexOf(':');
    const uri = scope.get(colon < 0 ? '' : el.name.slice(0, colon));
    return localName(el.name) === name && uri !== undefined && XINCLUDE_NAMESPACES.includes(uri);
  };
  const scopeOf = (el: XmlElement, outer: Map<string, string>) => {
    // Copied only by an element that declares a namespace.
    let scope = outer;
    for (const a of el.attrs) {
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      if (scope === outer) scope = new Map(outer);
      if (a.name === 'xmlns') scope.set('', a.value);
      else scope.set(a.name.slice(6), a.value);
    }
    return scope;
  };
  const includesUnder = (el: XmlElement, outer: Map<string, string>, found: { el: XmlElement; scope: Map<string, string> }[]) => {
    const scope = scopeOf(el, outer);
    if (isXi(el, scope, 'include')) found.push({ el, scope });
    else for (const c of el.children) if (c.kind === 'element') includesUnder(c, scope, found);
    return found;
  };

  /** `file`'s text in [from, to) — inside element `within` — with each include in it replaced by what it includes. */
  const emitRange = (file: string, text: string, from: number, to: number, within: XmlElement, scope: Map<string, string>, stack: string[]) => {
    let cursor = from;
    const found = includesUnder(within, scope, []).filter((f) => f.el.offset >= from && f.el.end <= to);
    for (const { el, scope: s } of found) {
      builder.verbatim(file, cursor, text.slice(cursor, el.offset));
      include(file, text, el, s, stack);
      cursor = el.end;
    }
    builder.verbatim(file, cursor, text.slice(cursor, to));
  };

  const include = (file: string, text: string, inc: XmlElement, scope: Map<string, string>, stack: string[]) => {
    const attr = (n: string) => inc.attrs.find((a) => a.name === n)?.value;
    const keep = () => builder.verbatim(file, inc.offset, text.slice(inc.offset, inc.end));
    const fallback = () => {
      const fb = inc.children.find((c): c is XmlElement => c.kind === 'element' && isXi(c, scopeOf(c, scope), 'fallback'));
      if (!fb) return false;
      const inner = startTagEnd(text, fb);
      if (inner < fb.end) emitRange(file, text, inner, text.lastIndexOf('<', fb.end - 1), fb, scopeOf(fb, scope), stack);
      return true;
    };
    const href = attr('href') ?? '';
    if (attr('xpointer') !== undefined) {
      error(file, inc, 'XInclude error : xpointer is not supported by seL4 Studio');
      return keep();
    }
    if (href === '') {
      error(file, inc, `XInclude error : detected a local recursion with no xpointer in ${file}`);
      return keep();
    }
    const target = joinPath(dirname(file), href);
    if (stack.includes(target)) {
      error(file, inc, `XInclude error : detected a recursion in ${href} (${[...stack, target].join(' -> ')})`);
      return keep();
    }
    if (stack.length > MAX_XINCLUDE_DEPTH) {
      error(file, inc, `XInclude error : detected a recursion in ${href} (includes nested more than ${MAX_XINCLUDE_DEPTH} deep)`);
      return keep();
    }
    if (++includes > MAX_XINCLUDES || builder.size > MAX_XINCLUDE_OUTPUT) {
      error(file, inc, `XInclude error : too many includes (more than ${MAX_XINCLUDES}, or more than ${MAX_XINCLUDE_OUTPUT} characters in all)`);
      return keep();
    }
    const parse = attr('parse') ?? 'xml';
    if (parse === 'text') {
      const content = readFile(target);
      if (content !== undefined) return builder.generated(file, inc.offset, escapeText(content));
    } else if (parse === 'xml') {
      const doc = load(target);
      if (doc) return emitDocument(target, doc, file, inc, [...stack, target]);
    } else {
      error(file, inc, `XInclude error : invalid value ${parse} for 'parse'`);
      return keep();
    }
    if (fallback()) return;
    error(file, inc, `XInclude error : could not load ${href}, and no fallback was found`);
    keep();
  };

  /** An included document's top-level nodes, in order, with nothing between them (as xmllint copies them). */
  const emitDocument = (file: string, doc: Loaded, including: string, inc: XmlElement, stack: string[]) => {
    const { text, root } = doc;
    const misc = (from: number, to: number) => {
      for (const m of text.slice(from, to).matchAll(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g)) {
        if (!m[0].startsWith('<?xml ') && !m[0].startsWith('<?xml?')) builder.verbatim(file, from + m.index, m[0]);
      }
    };
    misc(0, root.offset);
    const base = relativePath(dirname(including), file);
    const nameEnd = root.offset + 1 + root.name.length;
    const rootScope = scopeOf(root, new Map());
    if (base.includes('/') && !root.attrs.some((a) => a.name === 'xml:base')) {
      builder.verbatim(file, root.offset, text.slice(root.offset, nameEnd));
      builder.generated(including, inc.offset, ` xml:base="${base}"`);
      emitRange(file, text, nameEnd, root.end, root, rootScope, stack);
    } else emitRange(file, text, root.offset, root.end, root, rootScope, stack);
    misc(root.end, text.length);
  };

  emitRange(main, mainText, 0, mainText.length, mainDoc, new Map(), [main]);
  return { composite: builder.build(), diagnostics };
}
