/**
 * Work the first screen does not need (the toolchain check, which spawns every tool; fetching the graph's chunks):
 * it runs once the page has been up for a moment and is idle, so it competes neither with the first screen nor with
 * the user's first click. Run at once, the tool check alone held the first screen back by ~40 ms on two cores
 * (npm run bench -- --only startup).
 */
export function afterStartup(run: () => void, settleMs = 1000): void {
  // Outside a browser (unit tests) there is no idle callback: run on the next turn after the pause.
  const idle = typeof requestIdleCallback === 'function' ? (f: () => void) => requestIdleCallback(f, { timeout: 2000 }) : (f: () => void) => setTimeout(f, 0);
  setTimeout(() => idle(run), settleMs);
}
