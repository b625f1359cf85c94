import { describe, expect, it } from 'vitest';
import { keysText } from './dispatch';
import { filterPalette } from './paletteFilter';
import { COMMANDS } from './registry';

const ITEMS = COMMANDS.map((c) => ({ id: c.id, label: c.label, hint: keysText(c) }));
const ids = (query: string) => filterPalette(ITEMS, query).map((i) => i.id);

describe('the palette filter', () => {
  it('keeps everything, in registry order, for an empty query', () => {
    expect(ids('  ')).toEqual(COMMANDS.map((c) => c.id));
  });

  it('puts labels starting with the query first, then labels with a word starting with it, then the rest', () => {
    expect(ids('build')).toEqual(['build', 'buildRun', 'setBuildConfig', 'cancelBuild']);
    expect(ids('theme')).toEqual(['toggleTheme']);
    const list = [{ id: 'inside', label: 'Auto layout' }, { id: 'word', label: 'Zoom out' }, { id: 'start', label: 'Outline' }];
    expect(filterPalette(list, 'out').map((i) => i.id)).toEqual(['start', 'word', 'inside']);
  });

  it('finds a command by its keys, and needs every word of the query', () => {
    expect(ids('ctrl+shift+b')).toEqual(['build']);
    expect(ids('f5')).toEqual(['buildRun']);
    expect(ids('set board')).toEqual(['setBoard']);
    expect(ids('board set')).toEqual(['setBoard']);
    expect(ids('save nothing')).toEqual([]);
  });
});
