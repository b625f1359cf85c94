/**
 * Key chords as the registry writes them ('Ctrl+Shift+B', 'F5', 'Delete', '?') and their matching against a
 * keyboard event. Pure: the event is anything with KeyboardEvent's fields, so tests need no DOM.
 */

/** The fields of a KeyboardEvent a chord is matched against. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Chord {
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
  /** The key itself, lower case ('b', 'f5', 'delete', '?'). */
  key: string;
}

const MODIFIERS = new Set(['ctrl', 'shift', 'alt']);

/** 'Ctrl+Shift+B' → { ctrl, shift, key: 'b' }. A chord names at most one key, after its modifiers. */
export function parseChord(chord: string): Chord {
  const parts = chord.split('+').map((p) => p.trim().toLowerCase());
  const key = parts.pop() ?? '';
  for (const p of parts) if (!MODIFIERS.has(p)) throw new Error(`unknown modifier "${p}" in key chord "${chord}"`);
  if (!key || MODIFIERS.has(key)) throw new Error(`key chord "${chord}" names no key`);
  return { ctrl: parts.includes('ctrl'), shift: parts.includes('shift'), alt: parts.includes('alt'), key };
}

/**
 * A printable symbol that is not a letter ('?', '/'): the layout decides whether Shift is needed to type it, so Shift
 * is not part of its chord.
 */
function isShiftedSymbol(key: string): boolean {
  return key.length === 1 && !/[a-z0-9]/.test(key);
}

/**
 * Whether the event is the chord. Ctrl in a chord is Ctrl or Cmd (macOS), as it has always been here; every other
 * modifier must be exactly as written, so 'F' does not fire on Ctrl+F and 'Ctrl+Z' not on Ctrl+Shift+Z. Letters
 * compare case-insensitively (Shift turns 'b' into 'B').
 */
export function matchesKey(e: KeyLike, chord: string | Chord): boolean {
  const c = typeof chord === 'string' ? parseChord(chord) : chord;
  if (e.key.toLowerCase() !== c.key) return false;
  if ((e.ctrlKey || e.metaKey) !== c.ctrl || e.altKey !== c.alt) return false;
  return isShiftedSymbol(c.key) || e.shiftKey === c.shift;
}

/** A chord's canonical spelling (modifiers in the order Ctrl, Shift, Alt; one-letter keys upper case). */
export function chordName(chord: string | Chord): string {
  const c = typeof chord === 'string' ? parseChord(chord) : chord;
  const key = c.key.length === 1 ? c.key.toUpperCase() : c.key[0]!.toUpperCase() + c.key.slice(1);
  return [c.ctrl && 'Ctrl', c.shift && !isShiftedSymbol(c.key) && 'Shift', c.alt && 'Alt', key].filter(Boolean).join('+');
}

/** Whether one key press can match both chords (the same chord, however it was spelt). */
export function sameChord(a: string, b: string): boolean {
  return chordName(a) === chordName(b);
}
