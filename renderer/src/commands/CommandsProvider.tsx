import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStudio, useStudioStore } from '../stores/context';
import { CommandPalette } from './CommandPalette';
import { isEnabled } from './dispatch';
import { keyFocusOf } from './keyFocus';
import { commandById, commandTitleNow, type CommandId } from './registry';
import { createCommandRunner, type CommandRunner } from './runner';
import type { Surfaces } from './types';

const CommandsContext = createContext<CommandRunner | null>(null);

/**
 * The window's commands: the one keydown listener that dispatches every shortcut, the palette (Ctrl+Shift+P), and
 * the runner that buttons and mounted views reach through `useCommands()` / `useCommandSurface()`.
 */
export function CommandsProvider({ children }: { children: ReactNode }) {
  const store = useStudioStore();
  const runner = useMemo(() => createCommandRunner(store), [store]);
  const [palette, setPalette] = useState<{ commandId?: string }>();
  useEffect(() => runner.register('palette', { open: (commandId) => setPalette({ ...(commandId ? { commandId } : {}) }) }), [runner]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (runner.key(e, keyFocusOf(e.target))) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runner]);
  return (
    <CommandsContext.Provider value={runner}>
      {children}
      {palette && <CommandPalette runner={runner} initialCommand={palette.commandId} onClose={() => setPalette(undefined)} />}
    </CommandsContext.Provider>
  );
}

export function useCommands(): CommandRunner {
  const runner = useContext(CommandsContext);
  if (!runner) throw new Error('CommandsProvider missing');
  return runner;
}

/** Whether a command can do anything now (for a button's `disabled`). */
export function useCommandEnabled(id: CommandId): boolean {
  return useStudio((s) => isEnabled(commandById(id), s));
}

/** A command's button tooltip, following the state: why it cannot run (restricted mode) or what it does. */
export function useCommandTitle(id: CommandId): string {
  return useStudio((s) => commandTitleNow(id, s));
}

/**
 * Offer a view's handlers to the commands while it is mounted. The handlers may change on every render; the
 * registered surface always calls the latest ones.
 */
export function useCommandSurface<K extends keyof Surfaces>(name: K, handlers: NonNullable<Surfaces[K]>): void {
  const runner = useCommands();
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const forward = Object.fromEntries(
      Object.keys(latest.current).map((key) => [key, (...args: unknown[]) => (latest.current as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!(...args)]),
    ) as unknown as NonNullable<Surfaces[K]>;
    return runner.register(name, forward);
  }, [runner, name]);
}
