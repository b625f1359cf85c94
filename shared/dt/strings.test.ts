import { describe, expect, it } from 'vitest';
import { utf8 } from '../format/utf8';
import { Bytes, StringTable } from './strings';

/** dtc's own algorithm (flattree.c stringtable_insert): the first offset where the name and a NUL are, else appended. */
function dtcTable(names: string[], block: number[] = []): { offsets: number[]; bytes: number[] } {
  const bytes = [...block];
  const offsets = names.map((name) => {
    const want = [...utf8(name), 0];
    outer: for (let i = 0; i + want.length <= bytes.length; i++) {
      for (let k = 0; k < want.length; k++) if (bytes[i + k] !== want[k]) continue outer;
      return i;
    }
    bytes.push(...want);
    return bytes.length - want.length;
  });
  return { offsets, bytes };
}

function ours(names: string[], block?: number[]): { offsets: number[]; bytes: number[] } {
  const bytes = new Bytes();
  const table = new StringTable(bytes);
  if (block) table.append(block);
  const offsets = names.map((n) => table.offsetOf(n));
  return { offsets, bytes: [...bytes.bytes()] };
}

describe('the strings block', () => {
  it('shares names as dtc does: a name that is the tail of one already there reuses it', () => {
    const names = ['linux,phandle', 'phandle', 'compatible', 'reg', 'interrupts', 'rupts', 'phandle', '', 'le', 'e'];
    expect(ours(names)).toEqual(dtcTable(names));
    expect(ours(names).offsets.slice(0, 2)).toEqual([0, 6]);
  });

  it('agrees with dtc on random names: short and long (past the tail map), non-ASCII, after a block read from a blob', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['a', 'b', 'c', ',', '-', 'é', '中', '😀'];
    const word = (max: number) => Array.from({ length: Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * (rand() < 0.9 ? 5 : 8))]).join('');
    for (let round = 0; round < 200; round++) {
      const pool = Array.from({ length: 12 }, () => word(rand() < 0.2 ? 150 : 8));
      // Names drawn from the pool and from tails of it, so that sharing happens.
      const names = Array.from({ length: 30 }, () => {
        const w = pool[Math.floor(rand() * pool.length)]!;
        return rand() < 0.5 ? w : [...w].slice(Math.floor(rand() * [...w].length)).join('');
      });
      const block = rand() < 0.3 ? [...utf8(pool.slice(0, 3).join('\0')), 0] : undefined;
      expect(ours(names, block), `round ${round}`).toEqual(dtcTable(names, block));
    }
  });

  it('a block that is not UTF-8 stays findable by the spelling its names read back as', () => {
    const block = [0x61, 0xff, 0x62, 0, 0x63, 0];
    const { offsets, bytes } = ours(['a\ufffdb', 'c', 'b', 'd'], block);
    // "b" is the tail of the first entry's bytes, as dtc finds it.
    expect(offsets).toEqual([0, 4, 2, 6]);
    expect(bytes).toEqual([...block, 0x64, 0]);
  });
});
