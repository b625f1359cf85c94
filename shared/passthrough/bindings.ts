import { evalIntExpr } from '../dt/cpp';

/**
 * Names for the numbers in a device tree's `clocks`, `resets`, `power-domains` and `iommus` specifiers, read back
 * from the dt-bindings headers the tree includes (`TEGRA234_CLK_UARTA` for `<&bpmp 155>`). A DTS writes the names;
 * cpp turns them into numbers, and a DTB only has the numbers: this maps them back. Pure: the host reads the headers
 * (the files the tree's preprocessing opened under `dt-bindings/`) and passes their text.
 */
export type SpecifierKind = 'clock' | 'reset' | 'power-domain' | 'stream-id';

export interface BindingTable {
  /** Where the names come from (a header path, or a board pack's `bindingNames`). */
  source: string;
  kind: SpecifierKind;
  /** The SoC prefix of the names (`TEGRA234`), matched against the provider's compatible (`nvidia,tegra234-bpmp`). */
  prefix: string;
  /** Number -> names, in the header's order (the first is the one shown; the others are aliases). */
  names: Map<number, string[]>;
}

/** The marker in a define's name that says what it numbers: `TEGRA234_CLK_UARTA` is a clock of prefix TEGRA234. */
const MARKERS: [RegExp, SpecifierKind][] = [
  [/^([A-Z0-9]+)_CLK_[A-Z0-9_]+$/, 'clock'],
  [/^([A-Z0-9]+)_(?:RESET|RST)_[A-Z0-9_]+$/, 'reset'],
  [/^([A-Z0-9]+)_POWER_DOMAIN_[A-Z0-9_]+$/, 'power-domain'],
  [/^([A-Z0-9]+)_SID_[A-Z0-9_]+$/, 'stream-id'],
];

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+(.+?)[ \t]*(?:\/\*.*)?$/;

/**
 * The object-like `#define NAME VALUE` lines of a header whose value is an integer (literals with C suffixes,
 * parentheses, arithmetic, earlier defines). Function-like macros and include guards are skipped.
 */
export function parseDefines(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const m = DEFINE.exec(line);
    if (!m) continue;
    const [, name, raw] = m as unknown as [string, string, string];
    const expr = raw
      .replace(/\/\/.*$/, '')
      .replace(/\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b/g, '$1')
      .replace(/\b[A-Za-z_]\w*\b/g, (w) => (out.has(w) ? out.get(w)!.toString() : w));
    if (/[A-Za-z_]/.test(expr.replace(/\b0[xX][0-9a-fA-F]+\b/g, ''))) continue;
    try {
      out.set(name, evalIntExpr(expr));
    } catch {
      // Not an integer expression: not a binding number.
    }
  }
  return out;
}

/** The binding tables of one header: one per kind and prefix it defines numbers for. */
export function parseBindingHeader(source: string, text: string): BindingTable[] {
  const tables = new Map<string, BindingTable>();
  for (const [name, value] of parseDefines(text)) {
    for (const [re, kind] of MARKERS) {
      const m = re.exec(name);
      if (!m) continue;
      const key = `${kind}:${m[1]}`;
      let t = tables.get(key);
      if (!t) tables.set(key, (t = { source, kind, prefix: m[1]!, names: new Map() }));
      const n = Number(value);
      const list = t.names.get(n);
      if (list) list.push(name);
      else t.names.set(n, [name]);
      break;
    }
  }
  return [...tables.values()];
}

/** `dt-bindings/clock/tegra234-clock.h` and friends: the headers worth reading for names. */
export const isBindingHeaderPath = (path: string) => /(^|\/)dt-bindings\/(clock|reset|power|soc|memory)\/[^/]+\.h$/.test(path);

export interface SpecifierName {
  name: string;
  aliases: string[];
  source: string;
}

/** The SoC of a provider from its compatible: `nvidia,tegra234-bpmp` -> `TEGRA234`. */
function socOf(compatible: readonly string[]): string[] {
  return compatible.map((c) => /,([a-z]+\d+)-/.exec(c)?.[1]?.toUpperCase()).filter((s): s is string => !!s);
}

/**
 * Look a specifier number up. The provider's compatible picks the tables of its SoC; a provider without one (the
 * board pack's) uses the tables when they are all of one SoC. For stream IDs, the isochronous
 * SMMU's numbers (`_SID_ISO_`) are preferred when the provider is that SMMU, the others otherwise.
 */
export function nameSpecifier(tables: readonly BindingTable[], kind: SpecifierKind, id: number, provider?: { compatible: readonly string[]; path?: string; labels?: readonly string[] }): SpecifierName | undefined {
  const ofKind = tables.filter((t) => t.kind === kind);
  const socs = provider ? socOf(provider.compatible) : [];
  const bySoc = ofKind.filter((t) => socs.includes(t.prefix));
  const prefixes = new Set(ofKind.map((t) => t.prefix));
  // A provider of a known SoC is named from that SoC's headers only; one without (a board pack's) from the only set.
  const candidates = bySoc.length ? bySoc : !socs.length && prefixes.size === 1 ? ofKind : [];
  for (const t of candidates) {
    let names = t.names.get(id);
    if (!names?.length) continue;
    if (kind === 'stream-id') {
      const iso = [provider?.path ?? '', ...(provider?.labels ?? [])].some((s) => /(^|[^n])iso/i.test(s));
      const preferred = names.filter((n) => /_SID_ISO_/.test(n) === iso);
      if (preferred.length) names = [...preferred, ...names.filter((n) => !preferred.includes(n))];
    }
    return { name: names[0]!, aliases: names.slice(1), source: t.source };
  }
  return undefined;
}

/** Tables from a board pack's `bindingNames` (numbers -> names taken from the headers, with their source). */
export function tablesFromNames(prefix: string, source: string, names: Partial<Record<'clock' | 'reset' | 'powerDomain' | 'streamId', Record<string, string>>>): BindingTable[] {
  const kinds: [keyof typeof names, SpecifierKind][] = [['clock', 'clock'], ['reset', 'reset'], ['powerDomain', 'power-domain'], ['streamId', 'stream-id']];
  return kinds
    .filter(([k]) => names[k] && Object.keys(names[k]!).length)
    .map(([k, kind]) => ({ source, kind, prefix, names: new Map(Object.entries(names[k]!).map(([n, v]) => [Number(n), [v]])) }));
}
