import { SDF_SCHEMA, type AttrSpec } from './schema';

/**
 * Completion and hover for `.system` text being typed: works on text that does not parse (the usual state while
 * typing), by scanning the tags before the cursor. Pure, so the editor adapter stays a thin mapping.
 */
export type SdfContext =
  | { kind: 'element'; parent: string; prefix: string }
  | { kind: 'attribute'; element: string; present: string[]; prefix: string }
  | { kind: 'value'; element: string; attribute: string; prefix: string }
  | { kind: 'none' };

export interface SdfCompletion {
  label: string;
  kind: 'element' | 'attribute' | 'value' | 'reference';
  /** Text inserted in place of the prefix. */
  insert: string;
  detail: string;
}

const NAME = /[A-Za-z_][\w.-]*/y;

/** What the cursor at `offset` is in the middle of. */
export function sdfContext(text: string, offset: number): SdfContext {
  const stack: string[] = [];
  let i = 0;
  while (i < offset) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt >= offset) return { kind: 'none' };
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0 || end + 3 > offset) return { kind: 'none' };
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', lt) || text.startsWith('<!', lt)) {
      const end = text.indexOf('>', lt);
      if (end < 0 || end >= offset) return { kind: 'none' };
      i = end + 1;
      continue;
    }
    const close = tagEnd(text, lt + 1, offset);
    if (close === undefined) return inTag(text, lt, offset, stack);
    const closing = text[lt + 1] === '/';
    NAME.lastIndex = lt + (closing ? 2 : 1);
    const name = NAME.exec(text)?.[0] ?? '';
    if (closing) {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else if (text[close - 1] !== '/') stack.push(name);
    i = close + 1;
  }
  return { kind: 'none' };
}

/** The `>` closing the tag that starts before `from`, skipping quoted values; undefined if not before `limit`. */
function tagEnd(text: string, from: number, limit: number): number | undefined {
  let quote = '';
  for (let j = from; j < limit; j++) {
    const c = text[j]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
    else if (c === '<') return undefined;
  }
  return undefined;
}

function inTag(text: string, lt: number, offset: number, stack: string[]): SdfContext {
  const body = text.slice(lt + 1, offset);
  if (body.startsWith('/')) return { kind: 'none' };
  const nameMatch = /^[\w.-]*/.exec(body)![0];
  if (nameMatch.length === body.length) return { kind: 'element', parent: stack[stack.length - 1] ?? '', prefix: nameMatch };
  const element = nameMatch;
  const rest = body.slice(nameMatch.length);
  const present: string[] = [];
  const attr = /\s*([\w:.-]+)\s*(=\s*("[^"]*"|'[^']*')?)?/y;
  let pos = 0;
  for (;;) {
    attr.lastIndex = pos;
    const m = attr.exec(rest);
    if (!m || m.index + m[0].length === pos) break;
    const end = pos + m[0].length;
    if (end === rest.length) {
      // The cursor is inside this attribute: in its name, or in an open value.
      if (m[2] === undefined) return /\s$/.test(rest) ? { kind: 'attribute', element, present: [...present, m[1]!], prefix: '' } : { kind: 'attribute', element, present, prefix: m[1]! };
      if (m[3] !== undefined) return { kind: 'attribute', element, present: [...present, m[1]!], prefix: '' };
      break;
    }
    present.push(m[1]!);
    pos = end;
  }
  const open = /([\w:.-]+)\s*=\s*(["'])([^"']*)$/.exec(rest);
  if (open) return { kind: 'value', element, attribute: open[1]!, prefix: open[3]! };
  if (/\s$/.test(rest) || rest === '') return { kind: 'attribute', element, present, prefix: '' };
  return { kind: 'none' };
}

/** PD, MR and domain names declared in the text (it need not parse). */
export function declaredNames(text: string): { pd: string[]; mr: string[]; domain: string[] } {
  const out = { pd: [] as string[], mr: [] as string[], domain: [] as string[] };
  const re = /<(protection_domain|memory_region|domain)\b[^>]*?\bname\s*=\s*(["'])([^"']*)\2/g;
  for (const m of text.matchAll(re)) {
    const list = m[1] === 'protection_domain' ? out.pd : m[1] === 'memory_region' ? out.mr : out.domain;
    if (!list.includes(m[3]!)) list.push(m[3]!);
  }
  return out;
}

export function sdfCompletions(text: string, offset: number): SdfCompletion[] {
  const ctx = sdfContext(text, offset);
  const starts = (s: string, p: string) => s.startsWith(p);
  if (ctx.kind === 'element') {
    const allowed = ctx.parent ? (SDF_SCHEMA[ctx.parent]?.children ?? []) : ['system'];
    return allowed.filter((n) => starts(n, ctx.prefix)).map((n) => ({ label: n, kind: 'element', insert: n, detail: SDF_SCHEMA[n]?.doc ?? '' }));
  }
  if (ctx.kind === 'attribute') {
    const spec = SDF_SCHEMA[ctx.element];
    if (!spec) return [];
    return Object.entries(spec.attrs)
      .filter(([n]) => !ctx.present.includes(n) && starts(n, ctx.prefix))
      .sort(([, a], [, b]) => Number(Boolean(b.required)) - Number(Boolean(a.required)))
      .map(([n, a]) => ({ label: n, kind: 'attribute', insert: `${n}="`, detail: attrDetail(a) }));
  }
  if (ctx.kind === 'value') {
    const a = SDF_SCHEMA[ctx.element]?.attrs[ctx.attribute];
    if (!a) return [];
    if (a.ref) {
      const names = declaredNames(text)[a.ref];
      return names.filter((n) => starts(n, ctx.prefix)).map((n) => ({ label: n, kind: 'reference', insert: n, detail: `${a.ref === 'pd' ? 'protection domain' : a.ref === 'mr' ? 'memory region' : 'domain'} ${n}` }));
    }
    return (a.values ?? []).filter((v) => starts(v, ctx.prefix)).map((v) => ({ label: v, kind: 'value', insert: v, detail: a.doc }));
  }
  return [];
}

function attrDetail(a: AttrSpec): string {
  return `${a.required ? 'required. ' : ''}${a.doc}${a.since ? ` (Microkit ${a.since}+)` : ''}`;
}

/** The explanation of the element or attribute name under the cursor, with the range of that name. */
export function sdfHover(text: string, offset: number): { title: string; doc: string; start: number; end: number } | undefined {
  let s = offset;
  let e = offset;
  while (s > 0 && /[\w.-]/.test(text[s - 1]!)) s--;
  while (e < text.length && /[\w.-]/.test(text[e]!)) e++;
  if (s === e) return undefined;
  const word = text.slice(s, e);
  const before = text[s - 1];
  if (before === '<' || (before === '/' && text[s - 2] === '<')) {
    const spec = SDF_SCHEMA[word];
    return spec ? { title: `<${word}>`, doc: spec.doc, start: s, end: e } : undefined;
  }
  // An attribute name is followed by `=` and sits inside a tag.
  if (!/^\s*=/.test(text.slice(e, e + 8))) return undefined;
  const ctx = sdfContext(text, s);
  if (ctx.kind !== 'attribute') return undefined;
  const a = SDF_SCHEMA[ctx.element]?.attrs[word];
  return a ? { title: `${ctx.element} ${word}`, doc: attrDetail(a), start: s, end: e } : undefined;
}
