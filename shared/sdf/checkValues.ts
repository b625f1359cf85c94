import type { XmlElement } from './xml';
import type { KernelConfig } from './kernelConfig';
import { SDF_LIMITS } from './schema';

/**
 * Reading attributes the way the Microkit 2.3.0 tool does (reference/microkit-sdf.md §1), and the error every
 * element check throws: {@link SdfError} on the first problem in an element, exactly where the tool stops; the
 * caller records it and goes on with the next element.
 */
export class SdfError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
    readonly rule = 'microkit',
    /** The tool itself would crash here (a panic); we report it as an error. */
    readonly toolPanics = false,
  ) {
    super(message);
  }
  fix?: { label: string; text: string };
  withFix(label: string, text: string | undefined): this {
    if (text !== undefined) this.fix = { label, text };
    return this;
  }
}

export interface Ctx {
  file: string;
  /** The source text, for quick fixes. */
  text: string;
  config: KernelConfig;
  /** A warning (the tool accepts the file), with a quick fix where one is sure. */
  warn(el: XmlElement, message: string, rule: string, fix?: { label: string; text: string }): void;
}

export const loc = (ctx: Ctx, el: { line: number; column: number }) => `${ctx.file}:${el.line}:${el.column}`;
export const at = (el: XmlElement): [number, number] => [el.line, el.column];

export function valueError(ctx: Ctx, el: XmlElement, msg: string, rule = 'value'): SdfError {
  return new SdfError(`Error: ${msg} on element '${el.name}': ${loc(ctx, el)}`, ...at(el), rule);
}

/** The file with one attribute's value replaced (a quick fix), or undefined if the attribute is not there. */
export function withAttr(ctx: Ctx, el: XmlElement, name: string, value: string): string | undefined {
  const a = el.attrs.find((x) => x.name === name);
  if (!a) return undefined;
  const m = /^[\w:.-]+\s*=\s*(["'])/.exec(ctx.text.slice(a.offset));
  if (!m) return undefined;
  const start = a.offset + m[0].length;
  const end = ctx.text.indexOf(m[1]!, start);
  return ctx.text.slice(0, start) + value + ctx.text.slice(end);
}

/** The file with one attribute set: its value replaced, or the attribute added at the end of the start tag. */
export function withAttrSet(ctx: Ctx, el: XmlElement, name: string, value: string): string {
  const replaced = withAttr(ctx, el, name, value);
  if (replaced !== undefined) return replaced;
  let at = el.openEnd - (el.selfClosing ? 2 : 1);
  while (at > el.offset && /\s/.test(ctx.text[at - 1]!)) at--;
  return `${ctx.text.slice(0, at)} ${name}="${value}"${ctx.text.slice(at)}`;
}

export const roundUp = (n: bigint, to: bigint) => ((n + to - 1n) / to) * to;
export const hexOf = (n: bigint) => `0x${n.toString(16)}`;

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

export function checkAttributes(ctx: Ctx, el: XmlElement, allowed: string[]): void {
  for (const a of el.attrs) if (!allowed.includes(a.name)) throw valueError(ctx, el, `invalid attribute '${a.name}'`, 'unknown-attribute');
}

export function required(ctx: Ctx, el: XmlElement, name: string): string {
  const v = attr(el, name);
  if (v === undefined) {
    throw new SdfError(`Error: Missing required attribute '${name}' on element '${el.name}': ${loc(ctx, el)}`, ...at(el), 'required-attribute');
  }
  return v;
}

export const children = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.kind === 'element');

const U64_MAX = (1n << 64n) - 1n;

/** Rust's u64::from_str_radix after sdf_parse_number removed `_` and a lowercase `0x` (§1 "Numbers"). */
export function parseU64(s: string): { value: bigint } | { error: string } {
  let t = s.replace(/_/g, '');
  let radix = 10;
  if (t.startsWith('0x')) {
    t = t.slice(2);
    radix = 16;
  }
  if (t.startsWith('+')) t = t.slice(1);
  else if (t === '') return { error: 'cannot parse integer from empty string' };
  if (t === '') return { error: 'invalid digit found in string' };
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return { error: 'invalid digit found in string' };
  const value = BigInt(radix === 16 ? `0x${t}` : t);
  if (value > U64_MAX) return { error: 'number too large to fit in target type' };
  return { value };
}

export function number(ctx: Ctx, el: XmlElement, s: string): bigint {
  const r = parseU64(s);
  if ('error' in r) throw new SdfError(`Error: failed to parse integer '${s}' on element '${el.name}': ${r.error}`, ...at(el), 'number');
  return r.value;
}

export function optNumber(ctx: Ctx, el: XmlElement, name: string): bigint | undefined {
  const v = attr(el, name);
  return v === undefined ? undefined : number(ctx, el, v);
}

/**
 * Fields the tool reads with `str::parse().unwrap()`: anything but plain decimal crashes it (§1 "Decimal-only
 * fields"). Signed where the tool parses i64.
 */
export function decimal(ctx: Ctx, el: XmlElement, name: string, value: string, signed: boolean): bigint {
  const ok = signed ? /^[+-]?\d+$/.test(value) : /^\+?\d+$/.test(value);
  const n = ok ? BigInt(value) : undefined;
  const max = signed ? (1n << 63n) - 1n : U64_MAX;
  if (n === undefined || n > max || n < -(1n << 63n)) {
    const asNumber = parseU64(value);
    throw new SdfError(
      `Error: ${name} must be a plain decimal number, not '${value}' on element '${el.name}': ${loc(ctx, el)} (the Microkit tool crashes on this value)`,
      ...at(el),
      'decimal-only',
      true,
    ).withFix(`Write ${name} as ${'value' in asNumber ? asNumber.value : '?'}`, 'value' in asNumber ? withAttr(ctx, el, name, String(asNumber.value)) : undefined);
  }
  return n;
}

export function bool(ctx: Ctx, el: XmlElement, name: string): boolean | undefined {
  const v = attr(el, name);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw valueError(ctx, el, `${name} must be 'true' or 'false'`, 'boolean');
}

/** A channel-range id (`end`, `irq`, `ioport`, `vcpu`; §3) out of its range, in the tool's words. */
export function checkIdRange(ctx: Ctx, el: XmlElement, id: bigint): void {
  const r = SDF_LIMITS.channelId;
  if (id > BigInt(r.max)) throw valueError(ctx, el, `id must be < ${r.max + 1}`, 'id-range');
  if (id < BigInt(r.min)) throw valueError(ctx, el, `id must be >= ${r.min}`, 'id-range');
}
