import type { KeyFocus } from './types';

/** Where a key event's target is, in the terms the commands' key rules use. */
export function keyFocusOf(target: EventTarget | null): KeyFocus {
  const el = target instanceof Element ? target : null;
  return {
    textField: el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement,
    codeEditor: el?.closest('.monaco-editor') != null,
    terminal: el?.closest('.xterm') != null,
    sourceEditor: el?.closest('.source-editor') != null,
  };
}
