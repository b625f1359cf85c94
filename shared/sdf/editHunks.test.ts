import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHunks, hunksOf, type EditSpan } from './editHunks';
import { applyTextEdits } from './reconcile';

const haveDiff = spawnSync('diff', ['--version']).status === 0;

/** Every hunk's old side is the text before at oldStart, its new side the text after at newStart. */
function checkSides(before: string, edits: EditSpan[]) {
  const after = applyTextEdits(before, edits);
  const a = before.split('\n');
  const b = after.split('\n');
  for (const h of hunksOf(before, edits)) {
    const olds = h.lines.filter((l) => l.kind !== '+').map((l) => l.text);
    const news = h.lines.filter((l) => l.kind !== '-').map((l) => l.text);
    expect(a.slice(h.oldStart - 1, h.oldStart - 1 + olds.length)).toEqual(olds);
    expect(b.slice(h.newStart - 1, h.newStart - 1 + news.length)).toEqual(news);
  }
}

describe('hunks of text edits', () => {
  const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const at = (line: number) => text.indexOf(`line ${line}\n`);

  it('an insertion of whole lines: only + lines, two lines of context', () => {
    const h = hunksOf(text, [{ start: at(10), end: at(10), text: 'new a\nnew b\n' }]);
    expect(formatHunks(h)).toBe('@@ -8,4 +8,6 @@\n line 8\n line 9\n+new a\n+new b\n line 10\n line 11');
  });

  it('edits close together share a hunk; far apart, they do not; a change inside a line is - and +', () => {
    const edits = [
      { start: at(5) + 5, end: at(5) + 6, text: 'five' },
      { start: at(7), end: at(7), text: 'x\n' },
      { start: at(25), end: at(26), text: '' },
    ];
    const h = hunksOf(text, edits);
    expect(h).toHaveLength(2);
    expect(formatHunks(h)).toBe('@@ -3,6 +3,7 @@\n line 3\n line 4\n-line 5\n+line five\n line 6\n+x\n line 7\n line 8\n@@ -23,5 +24,4 @@\n line 23\n line 24\n-line 25\n line 26\n line 27');
    checkSides(text, edits);
  });

  it('random edits: each side of every hunk is the text before and after', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let round = 0; round < 200; round++) {
      const cuts = [...new Set(Array.from({ length: 1 + rand(4) * 2 }, () => rand(text.length)))].sort((x, y) => x - y);
      const edits: EditSpan[] = [];
      for (let i = 0; i + 1 < cuts.length; i += 2) edits.push({ start: cuts[i]!, end: cuts[i + 1]!, text: ['', 'z', 'q\nr\n', '\n'][rand(4)]! });
      if (cuts.length % 2) edits.push({ start: cuts[cuts.length - 1]!, end: cuts[cuts.length - 1]!, text: 'ins\n' });
      checkSides(text, edits);
    }
  });

  it.runIf(haveDiff)('insertions read as diff -U2 prints them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hunks-'));
    const edits = [
      { start: at(3), end: at(3), text: 'a\n' },
      { start: at(12), end: at(12), text: 'b\nc\n' },
      { start: at(14), end: at(14), text: 'd\n' },
    ];
    writeFileSync(path.join(dir, 'a'), text);
    writeFileSync(path.join(dir, 'b'), applyTextEdits(text, edits));
    const r = spawnSync('diff', ['-U2', path.join(dir, 'a'), path.join(dir, 'b')], { encoding: 'utf8' });
    expect(formatHunks(hunksOf(text, edits))).toBe(r.stdout.split('\n').slice(2).join('\n').trimEnd());
  });
});
