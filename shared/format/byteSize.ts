const UNITS: [bytes: number, unit: string][] = [
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

/**
 * A size for people: the largest binary unit it fills at least once, with at most two decimals and no trailing
 * zeros (`4 KiB`, `1.5 MiB`, `768 B`). Binary units because region and page sizes are powers of two.
 */
export function byteSize(n: number): string {
  for (const [bytes, unit] of UNITS) if (n >= bytes) return `${+(n / bytes).toFixed(2)} ${unit}`;
  return `${n} B`;
}
