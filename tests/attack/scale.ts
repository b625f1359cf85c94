/**
 * The attack and proof suites run short in `npm test` and long in `npm run soak` (SOAK=1): every count and time
 * budget goes through `scale` so both forms run the same code.
 */
export const soak = process.env.SOAK === '1';

/** `short` in `npm test`, `long` in `npm run soak`. */
export function scale(short: number, long: number): number {
  return soak ? long : short;
}

/** A test timeout that fits the form being run (ms). */
export function budget(shortMs: number, longMs: number): number {
  return soak ? longMs : shortMs;
}
