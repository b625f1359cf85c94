import { describe, expect, it } from 'vitest';
import { chordName, matchesKey, parseChord, sameChord, type KeyLike } from './keys';

const press = (key: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('matchesKey', () => {
  it('matches a letter with Ctrl, whatever its case (Shift makes it upper case)', () => {
    expect(matchesKey(press('s', { ctrlKey: true }), 'Ctrl+S')).toBe(true);
    expect(matchesKey(press('B', { ctrlKey: true, shiftKey: true }), 'Ctrl+Shift+B')).toBe(true);
    expect(matchesKey(press('b', { ctrlKey: true, shiftKey: true }), 'Ctrl+Shift+B')).toBe(true);
  });

  it('takes Cmd (macOS) for Ctrl', () => {
    expect(matchesKey(press('z', { metaKey: true }), 'Ctrl+Z')).toBe(true);
    expect(matchesKey(press('P', { metaKey: true, shiftKey: true }), 'Ctrl+Shift+P')).toBe(true);
  });

  it('wants every other modifier exactly as written', () => {
    expect(matchesKey(press('Z', { ctrlKey: true, shiftKey: true }), 'Ctrl+Z')).toBe(false);
    expect(matchesKey(press('s', { ctrlKey: true }), 'Ctrl+Shift+S')).toBe(false);
    expect(matchesKey(press('f', { ctrlKey: true }), 'F')).toBe(false);
    expect(matchesKey(press('f'), 'Ctrl+F')).toBe(false);
    expect(matchesKey(press('f', { altKey: true }), 'F')).toBe(false);
    expect(matchesKey(press('F5', { ctrlKey: true }), 'F5')).toBe(false);
  });

  it('matches named keys by their KeyboardEvent.key', () => {
    expect(matchesKey(press('F5'), 'F5')).toBe(true);
    expect(matchesKey(press('Delete'), 'Delete')).toBe(true);
    expect(matchesKey(press('Backspace'), 'Delete')).toBe(false);
    expect(matchesKey(press('Escape'), 'Escape')).toBe(true);
    expect(matchesKey(press('f'), 'F5')).toBe(false);
  });

  it('ignores Shift for a symbol the layout types with it (?)', () => {
    expect(matchesKey(press('?', { shiftKey: true }), '?')).toBe(true);
    expect(matchesKey(press('?'), '?')).toBe(true);
    expect(matchesKey(press('?', { ctrlKey: true, shiftKey: true }), '?')).toBe(false);
    expect(matchesKey(press('/'), '?')).toBe(false);
  });
});

describe('chords', () => {
  it('parse into modifiers and a key, in any order and case', () => {
    expect(parseChord('shift+ctrl+b')).toEqual({ ctrl: true, shift: true, alt: false, key: 'b' });
    expect(parseChord('F5')).toEqual({ ctrl: false, shift: false, alt: false, key: 'f5' });
  });

  it('refuse unknown modifiers and chords without a key', () => {
    expect(() => parseChord('Cmd+S')).toThrow(/unknown modifier "cmd"/);
    expect(() => parseChord('Ctrl+Shift')).toThrow(/names no key/);
  });

  it('have one canonical spelling, so two spellings of one chord are the same chord', () => {
    expect(chordName('shift+ctrl+b')).toBe('Ctrl+Shift+B');
    expect(chordName('delete')).toBe('Delete');
    expect(chordName('Shift+?')).toBe('?');
    expect(sameChord('Ctrl+Shift+Z', 'shift+ctrl+z')).toBe(true);
    expect(sameChord('Ctrl+Z', 'Ctrl+Shift+Z')).toBe(false);
  });
});
