import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { keysText, runnableCommands } from './dispatch';
import { filterPalette, type PaletteItem } from './paletteFilter';
import type { CommandRunner } from './runner';
import type { Command } from './types';

interface Props {
  runner: CommandRunner;
  /** Open at this command's values (the board in the status bar), instead of the list of commands. */
  initialCommand?: string;
  onClose(): void;
}

/** The items of a stage: the commands, or the values of the chosen command (the current one marked). */
function itemsOf(runner: CommandRunner, chosen: Command | undefined): PaletteItem[] {
  const ctx = runner.context();
  if (!chosen) return runnableCommands(runner.commands, ctx).filter((c) => c.id !== 'palette').map((c) => ({ id: c.id, label: c.label, hint: keysText(c) }));
  const current = chosen.current?.(ctx.state);
  return (chosen.choices?.(ctx.state) ?? []).map((v) => ({ id: v.value, label: v.label, hint: v.value === current ? 'current' : v.value === v.label ? '' : v.value }));
}

/**
 * Every command that can run now, with its keys, filtered as you type; Enter runs the highlighted one, arrows move,
 * Escape closes. A command that takes a value (board, build configuration, SDK folder) asks for it next.
 */
export function CommandPalette({ runner, initialCommand, onClose }: Props) {
  const [chosen, setChosen] = useState<Command | undefined>(() => runner.commands.find((c) => c.id === initialCommand));
  const [query, setQuery] = useState(() => (chosen?.takesText ? (chosen.current?.(runner.context().state) ?? '') : ''));
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // Focus goes back where it was when the palette closes (unless the command moved it, as a dialog does).
  const before = useRef(document.activeElement);
  const items = useMemo(() => (chosen?.takesText ? [] : filterPalette(itemsOf(runner, chosen), query)), [runner, chosen, query]);
  const at = Math.min(active, Math.max(items.length - 1, 0));
  // Braces: an effect returns nothing but a clean-up (Chromium's scrollIntoView returns a promise).
  useEffect(() => {
    input.current?.focus();
  }, [chosen]);
  useEffect(() => {
    void document.getElementById(`command-option-${at}`)?.scrollIntoView({ block: 'nearest' });
  }, [at]);

  const close = () => {
    onClose();
    if (before.current instanceof HTMLElement && before.current.isConnected) before.current.focus();
  };
  const runAndClose = (command: Command, arg?: string) => {
    close();
    command.run(runner.context(), arg);
  };
  const choose = (item: PaletteItem | undefined) => {
    if (chosen?.takesText) runAndClose(chosen, query);
    else if (chosen && item) runAndClose(chosen, item.id);
    else if (item) {
      const command = runner.commands.find((c) => c.id === item.id)!;
      if (!command.choices && !command.takesText) return runAndClose(command);
      // A command that takes a value: its values (or its text, starting from the current one) next.
      setChosen(command);
      setQuery(command.takesText ? (command.current?.(runner.context().state) ?? '') : '');
      setActive(0);
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (move && items.length) setActive((at + move + items.length) % items.length);
    else if (e.key === 'Enter') choose(items[at]);
    else if (e.key === 'Escape') close();
    else return;
    // The palette's own keys: not a shortcut of the window (Escape must not also leave presentation mode).
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="command-palette" role="dialog" aria-label="Command palette" data-testid="command-palette">
        <input
          ref={input}
          role="combobox"
          aria-expanded
          aria-controls="command-options"
          aria-activedescendant={items.length ? `command-option-${at}` : undefined}
          data-testid="command-palette-input"
          placeholder={chosen?.takesText?.placeholder ?? (chosen ? `${chosen.label.replace(/…$/, '')}: choose a value` : 'Type a command')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        {!chosen?.takesText && (
          <ul id="command-options" role="listbox" aria-label={chosen ? chosen.label : 'Commands'}>
            {items.map((item, i) => (
              <li
                key={item.id}
                id={`command-option-${i}`}
                role="option"
                aria-selected={i === at}
                className={i === at ? 'active' : ''}
                data-testid={`command-${item.id || 'default'}`}
                onMouseMove={() => i !== at && setActive(i)}
                onClick={() => choose(item)}
              >
                <span>{item.label}</span>
                {item.hint && <kbd>{item.hint}</kbd>}
              </li>
            ))}
            {!items.length && <li className="muted">No command matches</li>}
          </ul>
        )}
      </div>
    </div>
  );
}
