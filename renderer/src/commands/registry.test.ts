import { describe, expect, it } from 'vitest';
import { createStudioStore, type StudioStore } from '../stores/studioStore';
import { createFakeClient } from '../stores/testing/fakeClient';
import { openedStore } from '../stores/testing/fixtures';
import { applies, commandForKey } from './dispatch';
import { chordName, parseChord, type KeyLike } from './keys';
import { COMMANDS } from './registry';
import { shortcutRows } from './shortcutList';
import { NEUTRAL_FOCUS, type CanvasSurface, type CommandContext, type KeyFocus, type Surfaces } from './types';

/** The key press a chord describes. */
function pressOf(chord: string): KeyLike {
  const c = parseChord(chord);
  const key = c.key.length === 1 ? c.key : c.key[0]!.toUpperCase() + c.key.slice(1);
  return { key, ctrlKey: c.ctrl, metaKey: false, shiftKey: c.shift, altKey: c.alt };
}

const canvas: CanvasSurface = { fit() {}, focusFind() {}, autoLayout() {}, toggleShortcuts() {} };

/** Every focus the key rules tell apart, each with and without the others. */
const FOCI: KeyFocus[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((b) => ({ textField: Boolean(b & 1), codeEditor: Boolean(b & 2), terminal: Boolean(b & 4), sourceEditor: Boolean(b & 8) }));

/** Contexts over real stores: no project and a project, presentation on and off, canvas and palette shown or not. */
async function everyContext(): Promise<{ contexts: CommandContext[]; stores: StudioStore[] }> {
  const empty = createStudioStore(createFakeClient());
  const { store: opened } = await openedStore();
  const contexts: CommandContext[] = [];
  for (const store of [empty, opened])
    for (const presentation of [false, true])
      for (const surfaces of [{}, { canvas }, { palette: { open() {} } }, { canvas, palette: { open() {} } }] as Surfaces[])
        for (const focus of FOCI) contexts.push({ state: { ...store.getState(), presentation }, actions: store.actions, focus, surfaces });
  return { contexts, stores: [empty, opened] };
}

describe('the command registry', () => {
  it('has unique ids, and every key chord parses', () => {
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) for (const k of c.keys ?? []) expect(() => parseChord(k), `${c.id}: ${k}`).not.toThrow();
  });

  it('every command with keys is in the shortcut list with exactly those keys', () => {
    const rows = shortcutRows(COMMANDS);
    for (const c of COMMANDS.filter((c) => c.keys?.length)) {
      const row = rows.find((r) => r.id === c.id);
      expect(row, c.id).toBeDefined();
      expect(row!.keys, c.id).toEqual(c.keys!.map(chordName));
    }
    // What drifted before: Ctrl+Shift+B builds (it does not just validate), and F5 is listed.
    expect(rows.find((r) => r.keys.includes('Ctrl+Shift+B'))?.label).toMatch(/^Compile the PD programs and run microkit/);
    expect(rows.find((r) => r.keys.includes('F5'))?.label).toMatch(/^Build, then boot/);
  });

  it('no two commands take the same key in any one context', async () => {
    const { contexts, stores } = await everyContext();
    const chords = [...new Set(COMMANDS.flatMap((c) => (c.keys ?? []).map(chordName)))];
    const clashes = new Set<string>();
    for (const ctx of contexts)
      for (const chord of chords) {
        const taking = COMMANDS.filter((c) => c.keys?.some((k) => chordName(k) === chord) && applies(c, ctx)).map((c) => c.id);
        if (taking.length > 1) clashes.add(`${chord}: ${taking.join(', ')}`);
      }
    expect([...clashes]).toEqual([]);
    for (const s of stores) s.dispose();
  });
});

describe("today's key rules", () => {
  const focus = (f: Partial<KeyFocus>): KeyFocus => ({ ...NEUTRAL_FOCUS, ...f });
  const xmlPane = focus({ textField: true, codeEditor: true });
  const sourceEditor = focus({ textField: true, codeEditor: true, sourceEditor: true });
  const terminal = focus({ textField: true, terminal: true });
  const field = focus({ textField: true });

  it('dispatch each key to the command the rules name (or none) for where the focus is', async () => {
    const { store } = await openedStore();
    const at = (chord: string, f: KeyFocus, extra: Partial<CommandContext> = {}) =>
      commandForKey(COMMANDS, pressOf(chord), { state: store.getState(), actions: store.actions, focus: f, surfaces: { canvas }, ...extra })?.id;
    // Files and the build: anywhere, except Ctrl+S in the source editor, which saves that file (Monaco's command).
    expect(at('Ctrl+N', xmlPane)).toBe('new');
    expect(at('Ctrl+O', terminal)).toBe('open');
    expect(at('Ctrl+S', xmlPane)).toBe('save');
    expect(at('Ctrl+S', sourceEditor)).toBeUndefined();
    expect(at('Ctrl+Shift+S', sourceEditor)).toBe('saveAs');
    expect(at('Ctrl+Shift+B', field)).toBe('build');
    expect(at('F5', terminal)).toBe('buildRun');
    // Graph edits: only outside text.
    for (const [chord, id] of [['Ctrl+Z', 'undo'], ['Ctrl+Y', 'redo'], ['Ctrl+Shift+Z', 'redo'], ['Ctrl+C', 'copy'], ['Ctrl+V', 'paste'], ['Ctrl+D', 'duplicate'], ['Ctrl+A', 'selectAll'], ['Delete', 'delete'], ['Backspace', 'delete']]) {
      expect(at(chord!, NEUTRAL_FOCUS), chord).toBe(id);
      for (const f of [field, xmlPane, terminal]) expect(at(chord!, f), `${chord} in text`).toBeUndefined();
    }
    // The canvas: Ctrl+F finds (from a field too, not from an editor or terminal); F fits outside text.
    expect(at('Ctrl+F', NEUTRAL_FOCUS)).toBe('find');
    expect(at('Ctrl+F', field)).toBe('find');
    expect(at('Ctrl+F', xmlPane)).toBeUndefined();
    expect(at('Ctrl+F', terminal)).toBeUndefined();
    expect(at('F', NEUTRAL_FOCUS)).toBe('fit');
    expect(at('F', field)).toBeUndefined();
    // Without the graph shown, Ctrl+F and F are the browser's.
    expect(at('Ctrl+F', NEUTRAL_FOCUS, { surfaces: {} })).toBeUndefined();
    expect(at('F', NEUTRAL_FOCUS, { surfaces: {} })).toBeUndefined();
    // Escape leaves presentation mode (from the terminal too), and is nobody's otherwise.
    expect(at('Escape', terminal, { state: { ...store.getState(), presentation: true } })).toBe('leavePresentation');
    expect(at('Escape', NEUTRAL_FOCUS)).toBeUndefined();
    // The palette: anywhere it is mounted but in a terminal (Ctrl+Shift+P there is the board's).
    expect(at('Ctrl+Shift+P', xmlPane, { surfaces: { palette: { open() {} } } })).toBe('palette');
    expect(at('Ctrl+Shift+P', terminal, { surfaces: { palette: { open() {} } } })).toBeUndefined();
    store.dispose();
  });
});
