import type { Diagnostic } from '../api/diagnostics';
import type { XmlComment, XmlElement, XmlNode } from './xml';

/** Where each model element and attribute came from (see import.ts). */
export type SourceMap = Map<string, { line: number; column: number }>;

/** An element the model cannot represent: kept as written instead. */
export class Unrepresentable extends Error {}

export type ImportCtx = ReturnType<typeof importContext>;

/**
 * What reading one `.system` into the model needs at every element (import.ts, importPd.ts): the source map being
 * filled, diagnostics with places, the attribute reader that notices attributes it does not know, and the raw
 * text of elements kept verbatim.
 */
export function importContext(text: string, file: string, diagnostics: Diagnostic[], sources: SourceMap) {
  const raw = (el: XmlElement) => dedent(text.slice(el.offset, el.end), el.column - 1);
  const rawComment = (c: XmlComment) => dedent(text.slice(c.offset, c.offset + c.text.length + 7), c.column - 1);
  const note = (el: XmlElement, message: string) => {
    diagnostics.push({ severity: 'warning', rule: 'kept-verbatim', file, line: el.line, column: el.column, message });
  };
  const fail = (el: XmlElement, message: string): never => {
    diagnostics.push({ severity: 'error', rule: 'import', file, line: el.line, column: el.column, message: `${message} on element '${el.name}'` });
    throw new Unrepresentable(message);
  };
  const place = (key: string, el: XmlElement) => {
    sources.set(key, { line: el.line, column: el.column });
    for (const a of el.attrs) sources.set(`${key}@${a.name}`, { line: a.line, column: a.column });
  };

  /** Reads one element's attributes: each read is checked off; any attribute left over makes it unrepresentable. */
  const reader = (el: XmlElement) => {
    const used = new Set<string>();
    const get = (name: string) => {
      used.add(name);
      return el.attrs.find((a) => a.name === name)?.value;
    };
    const r = {
      str: get,
      req(name: string): string {
        const v = get(name);
        return v === undefined ? fail(el, `Missing required attribute '${name}'`) : v;
      },
      num(name: string): number | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        const s = v.replace(/_/g, '');
        const n = /^0x[0-9a-fA-F]+$/.test(s) ? parseInt(s.slice(2), 16) : /^\+?\d+$/.test(s) ? Number(s) : NaN;
        if (Number.isNaN(n)) fail(el, `failed to parse integer '${v}'`);
        if (!Number.isSafeInteger(n)) fail(el, `'${v}' is larger than seL4 Studio can edit exactly (2^53)`);
        return n;
      },
      /** Fields the tool reads as plain decimal (§1). */
      dec(name: string): number | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(el, `'${v}' must be a plain decimal number in '${name}'`);
        return Number(v);
      },
      bool(name: string): boolean | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        if (v !== 'true' && v !== 'false') fail(el, `${name} must be 'true' or 'false'`);
        return v === 'true';
      },
      done() {
        const extra = el.attrs.find((a) => !used.has(a.name));
        if (extra) throw new Unrepresentable(`attribute '${extra.name}'`);
      },
    };
    return r;
  };
  return { raw, rawComment, note, fail, place, reader };
}

/** Fills only the fields that have a value, so absent attributes stay absent. */
export const put = <T extends object>(target: T, values: Partial<T>): T => {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
};

/** Walk an element's children, handing each element its leading comments. */
export const eachChild = (el: XmlElement, visit: (child: XmlElement, comments: XmlComment[] | undefined) => void): XmlComment[] => {
  let pending: XmlComment[] = [];
  for (const c of el.children as XmlNode[]) {
    if (c.kind === 'comment') pending.push(c);
    else if (c.kind === 'element') {
      visit(c, pending.length ? pending : undefined);
      pending = [];
    }
  }
  return pending;
};
export const withComments = <T extends object>(x: T, comments: XmlComment[] | undefined): T => (comments ? { ...x, comments: comments.map((c) => c.text) } : x);

/**
 * An element kept verbatim, as it is stored in the model: its first line starts at its `<`, later lines lose the
 * indentation of the element's column, and blank lines are empty, so export and re-import give the same text.
 */
export function dedent(raw: string, column: number): string {
  const lines = raw.split('\n');
  return lines
    .map((l, i) => {
      if (i === 0) return l.trimEnd();
      if (l.trim() === '') return '';
      const lead = /^[ \t]*/.exec(l)![0].length;
      return l.slice(Math.min(lead, column)).trimEnd();
    })
    .join('\n');
}
