import { chordName } from './keys';
import type { Command } from './types';

/** One line of the shortcut list: the keys and what they do. */
export interface ShortcutRow {
  /** The command's id; absent for a note (a mouse gesture, an editor's own key). */
  id?: string;
  keys: string[];
  label: string;
}

/**
 * What the registry does not run but a user should know: mouse gestures on the canvas and the editors' own keys
 * (Monaco handles these inside the XML pane and the source editor).
 */
export const SHORTCUT_NOTES: ShortcutRow[] = [
  { keys: ['Ctrl+click', 'Shift+drag'], label: 'add to the selection, box select' },
  { keys: ['Ctrl+Z', 'Ctrl+Y'], label: 'in the XML pane: the text’s own undo, redo' },
  { keys: ['Ctrl+S'], label: 'in the source editor: save that file' },
  { keys: ['Ctrl+Space'], label: 'in the XML pane: complete element, attribute, PD/region name' },
];

/** The shortcut list: every command that has keys, in registry order, then the notes. */
export function shortcutRows(commands: readonly Command[]): ShortcutRow[] {
  const rows = commands.filter((c) => c.keys?.length).map((c) => ({ id: c.id, keys: c.keys!.map(chordName), label: c.description ?? c.label }));
  return [...rows, ...SHORTCUT_NOTES];
}
