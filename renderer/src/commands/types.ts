import type { StudioActions, StudioState } from '../stores/slice';

/** Where the keyboard focus is when a key is pressed: the facets today's key rules depend on. */
export interface KeyFocus {
  /** An input, textarea or select (the inspector, the find box, a dialog, the palette). */
  textField: boolean;
  /** A Monaco editor (the XML pane or the source editor): its keys are the text's. */
  codeEditor: boolean;
  /** A terminal (xterm): its keys go to the board. */
  terminal: boolean;
  /** The source editor in particular: it saves its own file on Ctrl+S. */
  sourceEditor: boolean;
}

/** No focus of interest: the canvas, a button, the page. Commands run from a button or the palette see this. */
export const NEUTRAL_FOCUS: KeyFocus = { textField: false, codeEditor: false, terminal: false, sourceEditor: false };

/** Keys belong to the text where the focus is: a field, an editor, a terminal. */
export function inText(focus: KeyFocus): boolean {
  return focus.textField || focus.codeEditor || focus.terminal;
}

/** What the graph view offers commands while it is shown (it owns the React Flow instance and the find box). */
export interface CanvasSurface {
  fit(): void;
  focusFind(): void;
  /** `all`: the nodes the user placed by hand too. */
  autoLayout(all?: boolean): void;
  toggleShortcuts(): void;
}

/** The command palette, while the window can show it. */
export interface PaletteSurface {
  /** Open the palette; with a command id, at that command's choices. */
  open(commandId?: string): void;
}

/** Parts of the window that register themselves while they are mounted. */
export interface Surfaces {
  canvas?: CanvasSurface;
  palette?: PaletteSurface;
}

/** What a command sees when it is asked whether it applies and when it runs. */
export interface CommandContext {
  /** The store's state when the key was pressed (or the button clicked). */
  state: StudioState;
  actions: StudioActions;
  focus: KeyFocus;
  surfaces: Surfaces;
}

/** One value a command that takes a value offers (a board, a build configuration). */
export interface CommandChoice {
  value: string;
  label: string;
}

/**
 * A command: what the keyboard, the toolbar, the shortcut list and the palette all run. `when` says where its keys
 * apply (the focus, a shown view); `enabled` says whether it can do anything now (a project is open, there is
 * something to undo) — buttons grey out and the palette hides it, but its keys stay taken where `when` holds, so a
 * key pressed too early gets the action's own answer instead of the browser's (Ctrl+S would save the page).
 */
export interface Command {
  id: string;
  /** Short name (palette, shortcut list, button text). */
  label: string;
  /** Longer explanation for a button's tooltip; the label when absent. */
  description?: string;
  /** Key chords, the first one shown in titles ('Ctrl+Shift+B', 'F5', 'Delete'). */
  keys?: string[];
  when?(ctx: CommandContext): boolean;
  enabled?(state: StudioState): boolean;
  /** Why the command cannot run now, when there is more to say than greying out (its button's tooltip then). */
  blocked?(state: StudioState): string | undefined;
  /** A command that takes a value: the values it offers (the palette lists them after the command). */
  choices?(state: StudioState): CommandChoice[];
  /** The value such a command has now (marked among the choices, or the text to edit). */
  current?(state: StudioState): string | undefined;
  /** A command that takes free text (a path): the palette asks for it. */
  takesText?: { placeholder: string };
  /**
   * Do it. Returning false means the key was not taken after all (Ctrl+C with nothing of ours selected stays the
   * browser's copy).
   */
  run(ctx: CommandContext, arg?: string): unknown;
}
