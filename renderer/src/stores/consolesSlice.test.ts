import { describe, expect, it } from 'vitest';
import type { ConsoleChunk } from '../../../shared/terminal/render';
import { createStudioStore, defaultConsoleView, EMULATOR_CONSOLE } from './studioStore';
import { createFakeClient } from './testing/fakeClient';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (chunks: ConsoleChunk[]) => chunks.map((c) => new TextDecoder().decode(c.data)).join('');

describe('consoles slice', () => {
  it('an attached view gets what came before, then each new chunk; detached, nothing more', () => {
    const store = createStudioStore(createFakeClient());
    const a = store.actions;
    a.appendConsole('serial-1', bytes('boot '));
    const seen: ConsoleChunk[] = [];
    const detach = a.attachConsole('serial-1', (c) => seen.push(c));
    a.appendConsole('serial-1', bytes('ok\n'));
    a.appendConsole('serial-2', bytes('other'));
    expect(text(seen)).toBe('boot ok\n');
    expect(seen[1]!.t).toBeGreaterThanOrEqual(seen[0]!.t);
    detach();
    a.appendConsole('serial-1', bytes('late'));
    expect(text(seen)).toBe('boot ok\n');
    store.dispose();
  });

  it('clear hides what came before from new views; the text and the log keep every byte', () => {
    const store = createStudioStore(createFakeClient());
    const a = store.actions;
    a.appendConsole('qemu-1', bytes('old '));
    a.clearConsole('qemu-1');
    a.appendConsole('qemu-1', bytes('new'));
    const seen: ConsoleChunk[] = [];
    a.attachConsole('qemu-1', (c) => seen.push(c));
    expect(text(seen)).toBe('new');
    expect(a.consoleText('qemu-1')).toBe('old new');
    expect(a.consoleLog('qemu-1')!.chunks.map((c) => c.seq)).toEqual([1, 2]);
    expect(a.consoleSeq()).toBe(2);
    store.dispose();
  });

  it('text decodes a character split across two chunks', () => {
    const store = createStudioStore(createFakeClient());
    const euro = bytes('€');
    store.actions.appendConsole('serial-1', euro.slice(0, 1));
    store.actions.appendConsole('serial-1', euro.slice(1));
    expect(store.actions.consoleText('serial-1')).toBe('€');
    store.dispose();
  });

  it('the Terminal tab starts on the emulator console; views and scrollback are per choice and checked', () => {
    const store = createStudioStore(createFakeClient());
    expect(store.getState().activeConsole).toBe(EMULATOR_CONSOLE);
    store.actions.showConsole('serial-3');
    expect(store.getState().activeConsole).toBe('serial-3');
    store.actions.setConsoleView('serial-3', { hex: true });
    expect(store.getState().consoleViews['serial-3']).toEqual({ ...defaultConsoleView, hex: true });
    store.actions.setScrollback(100_000);
    store.actions.setScrollback(-1);
    store.actions.setScrollback(2.5);
    expect(store.getState().scrollback).toBe(100_000);
    store.dispose();
  });
});
