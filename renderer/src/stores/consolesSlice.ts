import { trimChunks, type ConsoleChunk } from '../../../shared/terminal/render';
import type { SliceFactory } from './slice';

/** A received chunk, numbered across every console (so "since the last clear" and "since this boot" are one number). */
export type ConsoleEntry = ConsoleChunk & { seq: number };

export interface ConsoleViewState {
  timestamps: boolean;
  hex: boolean;
  echo: boolean;
}
export const defaultConsoleView: ConsoleViewState = { timestamps: false, hex: false, echo: false };
export const SCROLLBACK_CHOICES = [1_000, 10_000, 100_000] as const;
/** The Terminal tab's console of the emulator session (the others are serial session ids). */
export const EMULATOR_CONSOLE = 'emulator';
const CONSOLE_LIMIT = 4 * 1024 * 1024;

/** Which console the Terminal tab shows and how; the bytes themselves are kept outside the state (see below). */
export interface ConsolesState {
  /** Which console the Terminal tab shows: EMULATOR_CONSOLE or a serial session id. */
  activeConsole: string;
  /** Per console: stamps, hex dump, local echo (view options; the bytes are kept as received). */
  consoleViews: Record<string, ConsoleViewState>;
  /** Lines each terminal keeps for scrolling back. */
  scrollback: number;
}

export interface ConsolesActions {
  /** Bytes a console received (the emulator's or a serial port's, by session id): kept, and passed to its views. */
  appendConsole(id: string, data: Uint8Array): void;
  /** Everything the console has received since it was last cleared, then each new chunk; returns the detach function. */
  attachConsole(id: string, onChunk: (chunk: ConsoleChunk) => void): () => void;
  /** Clears the screen; the bytes stay in the log file and the boot report. */
  clearConsole(id: string): void;
  /** Everything the console received, as text (for copying or a report). */
  consoleText(id: string): string;
  /** The console's kept chunks and the time (performance.now) of its first byte; chunk times count from it. */
  consoleLog(id: string): { start: number; chunks: readonly ConsoleEntry[] } | undefined;
  /**
   * The console's kept text after chunk number `since`, decoded in order, each piece with its arrival time
   * (performance.now()); false when the console has none kept (a reader then waits for what arrives).
   */
  readConsole(id: string, since: number, onText: (text: string, at: number) => void): boolean;
  /** The number of the newest chunk any console received (0 before the first). */
  consoleSeq(): number;
  showConsole(id: string): void;
  setConsoleView(id: string, patch: Partial<ConsoleViewState>): void;
  setScrollback(lines: number): void;
}

/**
 * The generic console store. Received bytes live here, outside the reactive state: a busy console appends many
 * chunks a second, and the views take them through attachConsole rather than re-rendering on each.
 */
export const createConsolesSlice: SliceFactory<ConsolesState, ConsolesActions> = (_client, set) => {
  /** Every console's received bytes, time-stamped from its first byte (trimmed to CONSOLE_LIMIT from the front). */
  const consoles = new Map<string, { start: number; total: number; chunks: ConsoleEntry[]; clearedAt: number }>();
  const listeners = new Map<string, Set<(chunk: ConsoleChunk) => void>>();
  let seq = 0;
  return {
    state: { activeConsole: EMULATOR_CONSOLE, consoleViews: {}, scrollback: 10_000 },
    actions: {
      appendConsole(id: string, data: Uint8Array) {
        const now = performance.now();
        let c = consoles.get(id);
        if (!c) consoles.set(id, (c = { start: now, total: 0, chunks: [], clearedAt: 0 }));
        const chunk = { seq: ++seq, t: now - c.start, data };
        c.chunks.push(chunk);
        c.total = trimChunks(c.chunks, c.total + data.length, CONSOLE_LIMIT);
        for (const l of listeners.get(id) ?? []) l(chunk);
      },
      attachConsole(id: string, onChunk: (chunk: ConsoleChunk) => void) {
        const c = consoles.get(id);
        for (const chunk of c?.chunks ?? []) if (chunk.seq > c!.clearedAt) onChunk(chunk);
        const mine = listeners.get(id) ?? new Set();
        listeners.set(id, mine);
        mine.add(onChunk);
        return () => mine.delete(onChunk);
      },
      clearConsole(id: string) {
        const c = consoles.get(id);
        if (c) c.clearedAt = seq;
      },
      consoleText(id: string) {
        const dec = new TextDecoder();
        return (consoles.get(id)?.chunks ?? []).map((c) => dec.decode(c.data, { stream: true })).join('') + dec.decode();
      },
      consoleLog(id: string) {
        const c = consoles.get(id);
        return c && { start: c.start, chunks: c.chunks };
      },
      readConsole(id: string, since: number, onText: (text: string, at: number) => void) {
        const c = consoles.get(id);
        if (!c) return false;
        const dec = new TextDecoder();
        for (const chunk of c.chunks) if (chunk.seq > since) onText(dec.decode(chunk.data, { stream: true }), c.start + chunk.t);
        return true;
      },
      consoleSeq() {
        return seq;
      },
      showConsole(id: string) {
        set({ activeConsole: id });
      },
      setConsoleView(id: string, patch: Partial<ConsoleViewState>) {
        set((s) => ({ consoleViews: { ...s.consoleViews, [id]: { ...defaultConsoleView, ...s.consoleViews[id], ...patch } } }));
      },
      setScrollback(lines: number) {
        if (Number.isInteger(lines) && lines >= 0 && lines <= 1_000_000) set({ scrollback: lines });
      },
    },
    dispose() {
      listeners.clear();
    },
  };
};
