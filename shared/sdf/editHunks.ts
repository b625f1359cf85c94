/**
 * Text edits shown as a unified diff: the lines they touch, before and after, with a few lines of context. Built from
 * the edits themselves (not by diffing two texts), so it shows exactly the bytes the edit changes: a preview of a
 * change to the user's file (the passthrough wizard's) is what will be written.
 */
export interface EditSpan {
  start: number;
  end: number;
  text: string;
}

export interface HunkLine {
  kind: ' ' | '-' | '+';
  text: string;
  /** 1-based line in the text before (context and removed lines). */
  oldLine?: number;
  /** 1-based line in the text after (context and added lines). */
  newLine?: number;
}

export interface Hunk {
  oldStart: number;
  newStart: number;
  lines: HunkLine[];
}

/** Line starts of a text (offsets), with a sentinel past the end. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Index of the line holding `offset` (0-based). */
function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const linesOf = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

export function hunksOf(before: string, edits: readonly EditSpan[], context = 2): Hunk[] {
  if (!edits.length) return [];
  const starts = lineStarts(before);
  const lineEnd = (l: number) => (l + 1 < starts.length ? starts[l + 1]! : before.length);
  // Each edit widened to whole lines; edits on the same or touching lines become one change.
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const changes: { first: number; last: number; edits: EditSpan[] }[] = [];
  for (const e of sorted) {
    const first = lineAt(starts, e.start);
    const last = e.end > e.start ? lineAt(starts, e.end - 1) : first;
    const prev = changes[changes.length - 1];
    if (prev && first <= prev.last) {
      prev.last = Math.max(prev.last, last);
      prev.edits.push(e);
    } else changes.push({ first, last, edits: [e] });
  }
  const hunks: Hunk[] = [];
  const oldLines = linesOf(before);
  let shift = 0; // new line number minus old line number, after the changes so far
  let current: Hunk | undefined;
  let shown = -1; // the last old line (0-based) in `current`
  const context_ = (from: number, to: number) => {
    for (let l = from; l <= to; l++) current!.lines.push({ kind: ' ', text: oldLines[l] ?? '', oldLine: l + 1, newLine: l + 1 + shift });
  };
  const close = () => {
    if (current) context_(shown + 1, Math.min(oldLines.length - 1, shown + context));
  };
  for (const c of changes) {
    const from = starts[c.first]!;
    const to = lineEnd(c.last);
    let after = '';
    let at = from;
    for (const e of c.edits) {
      after += before.slice(at, e.start) + e.text;
      at = e.end;
    }
    after += before.slice(at, to);
    let gone = linesOf(before.slice(from, to));
    let added = linesOf(after);
    // Lines the change leaves as they were (an insertion before a closing tag keeps that tag) are context.
    let head = 0;
    while (head < gone.length && head < added.length && gone[head] === added[head]) head++;
    let tail = 0;
    while (tail < gone.length - head && tail < added.length - head && gone[gone.length - 1 - tail] === added[added.length - 1 - tail]) tail++;
    gone = gone.slice(head, gone.length - tail);
    added = added.slice(head, added.length - tail);
    const first = c.first + head; // the first old line changed (0-based), or the line an insertion goes before
    // Context after the last change and before this one would touch: one hunk (as diff -u joins them).
    if (!current || first - context > shown + context + 1) {
      close();
      const ctxFrom = Math.max(0, first - context);
      current = { oldStart: ctxFrom + 1, newStart: ctxFrom + 1 + shift, lines: [] };
      hunks.push(current);
      shown = ctxFrom - 1;
    }
    context_(shown + 1, first - 1);
    gone.forEach((t, i) => current!.lines.push({ kind: '-', text: t, oldLine: first + i + 1 }));
    added.forEach((t, i) => current!.lines.push({ kind: '+', text: t, newLine: first + shift + i + 1 }));
    shift += added.length - gone.length;
    shown = first + gone.length - 1;
  }
  close();
  return hunks;
}

/** A hunk list as `diff -u` prints it (without the file header). */
export function formatHunks(hunks: readonly Hunk[]): string {
  return hunks
    .map((h) => {
      const olds = h.lines.filter((l) => l.kind !== '+').length;
      const news = h.lines.filter((l) => l.kind !== '-').length;
      return [`@@ -${h.oldStart},${olds} +${h.newStart},${news} @@`, ...h.lines.map((l) => `${l.kind}${l.text}`)].join('\n');
    })
    .join('\n');
}
