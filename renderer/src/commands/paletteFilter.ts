/** What the palette lists: a command (or one of a command's values) with the text it is found by. */
export interface PaletteItem {
  id: string;
  label: string;
  /** Shown at the right and searched too: the keys ('Ctrl+Shift+B') or a value's name. */
  hint?: string;
}

/** How well an item answers a query: lower is better; undefined when it does not. */
function rank(item: PaletteItem, terms: string[], whole: string): number | undefined {
  const label = item.label.toLowerCase();
  const text = `${label} ${(item.hint ?? '').toLowerCase()}`;
  if (!terms.every((t) => text.includes(t))) return undefined;
  if (label.startsWith(whole)) return 0;
  if (label.split(/[^a-z0-9]+/).some((w) => w.startsWith(terms[0]!))) return 1;
  return 2;
}

/**
 * The items a query keeps: every word of the query appears in the label or the hint (case-insensitive); labels that
 * start with the query come first, then labels with a word starting with its first word, each group in list order.
 */
export function filterPalette<T extends PaletteItem>(items: readonly T[], query: string): T[] {
  const whole = query.trim().toLowerCase();
  const terms = whole.split(/\s+/).filter(Boolean);
  if (!terms.length) return [...items];
  return items
    .map((item, i) => ({ item, i, r: rank(item, terms, whole) }))
    .filter((x): x is { item: T; i: number; r: number } => x.r !== undefined)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}
