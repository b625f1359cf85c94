import { afterEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for elkjs's worker API: each layout waits until the test settles it; terminateWorker is recorded. */
const fake = vi.hoisted(() => ({ instances: 0, layouts: [] as { resolve: (g: unknown) => void }[], terminated: 0 }));
vi.mock('elkjs/lib/elk-api.js', () => ({
  default: class {
    constructor() {
      fake.instances++;
    }
    layout(g: unknown) {
      return new Promise((resolve) => fake.layouts.push({ resolve: () => resolve(g) }));
    }
    terminateWorker() {
      fake.terminated++;
    }
  },
}));
vi.mock('elkjs/lib/elk-worker.min.js?url', () => ({ default: '/elk-worker.js' }));

const graph = (n: number) => ({ id: 'root', children: Array.from({ length: n }, (_, i) => ({ id: `n${i}` })) });

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the layout worker warm-up', () => {
  it('runs when the user leaves the page alone, stops (the worker ended) at input, resumes after a quiet moment, never after a user layout', async () => {
    vi.useFakeTimers();
    const window = new EventTarget();
    vi.stubGlobal('window', window);
    const elk = await import('./elkClient');
    const stop = elk.warmLayoutWorker(() => graph(30) as never);
    // Input keeps it waiting.
    await vi.advanceTimersByTimeAsync(600);
    window.dispatchEvent(new Event('pointermove'));
    await vi.advanceTimersByTimeAsync(900);
    expect(fake.layouts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(fake.layouts).toHaveLength(1);
    // Input while it runs: the worker is ended, the run given back.
    window.dispatchEvent(new Event('pointerdown'));
    expect(fake.terminated).toBe(1);
    await vi.advanceTimersByTimeAsync(elk.WARM_UP_QUIET_MS + 200);
    expect(fake.layouts).toHaveLength(2);
    expect(fake.instances).toBe(2);
    // Runs finish: the next one follows, WARM_UP_RUNS in all.
    fake.layouts[1]!.resolve(undefined);
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.layouts).toHaveLength(3);
    // The user asks for a layout: the warm-up in flight finishes, none starts after.
    const mine = elk.userLayout(graph(30) as never);
    fake.layouts[2]!.resolve(undefined);
    fake.layouts[3]!.resolve(undefined);
    await mine;
    await vi.advanceTimersByTimeAsync(5000);
    expect(fake.layouts).toHaveLength(4);
    stop();
  });
});
