/**
 * Which parts of a preprocessed line are its source line verbatim. The C preprocessor replaces macro names (with
 * their arguments) and comments, and GNU cpp also respaces a line (tabs and runs of blanks become one space); the
 * rest of the line is the source's text. Tokens of the two lines are aligned by longest common subsequence; runs
 * of equal tokens are verbatim, the rest is generated and placed where it differs in the source.
 */
export interface LinePiece {
  /** [outStart, outEnd) of the preprocessed line. */
  outStart: number;
  outEnd: number;
  /** Where in the source line it is (or, when generated, where the difference starts). */
  srcStart: number;
  verbatim: boolean;
}

interface Token {
  text: string;
  start: number;
  space: boolean;
}

const TOKEN = /[A-Za-z0-9_]+|[ \t\f\v\r]+|[\s\S]/g;
/** Beyond this many token pairs a line is aligned by common prefix and suffix only. */
const MAX_CELLS = 1_000_000;

function tokens(s: string): Token[] {
  return [...s.matchAll(TOKEN)].map((m) => ({ text: m[0], start: m.index, space: /^[ \t\f\v\r]/.test(m[0]) }));
}

/** Pairs of token indices (out, src) of a longest common subsequence; blank runs pair with blank runs. */
function commonTokens(out: Token[], src: Token[]): [number, number][] {
  const n = out.length;
  const m = src.length;
  const same = (a: Token, b: Token) => a.text === b.text || (a.space && b.space);
  const table = new Int32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] = same(out[i]!, src[j]!) ? table[at(i + 1, j + 1)]! + 1 : Math.max(table[at(i + 1, j)]!, table[at(i, j + 1)]!);
    }
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (same(out[i]!, src[j]!) && table[at(i, j)] === table[at(i + 1, j + 1)]! + 1) pairs.push([i++, j++]);
    else if (table[at(i + 1, j)]! >= table[at(i, j + 1)]!) i++;
    else j++;
  }
  return pairs;
}

/**
 * A macro replaces a name (and its arguments) and a comment starts with `/`: source text the alignment left out
 * must begin so (after blanks), or the alignment paired tokens by chance and nothing of the line is trusted.
 */
function plausible(src: Token[], pairs: [number, number][]): boolean {
  let next = 0;
  for (const [, j] of [...pairs, [0, src.length] as [number, number]]) {
    // Blanks may go (GNU cpp drops trailing ones); what follows them must be a name or a comment.
    while (next < j && src[next]!.space) next++;
    if (next < j && !/^[A-Za-z_/]/.test(src[next]!.text)) return false;
    next = j + 1;
  }
  return true;
}

function byPrefixAndSuffix(out: string, src: string): LinePiece[] {
  let p = 0;
  while (p < out.length && p < src.length && out[p] === src[p]) p++;
  let s = 0;
  while (s < out.length - p && s < src.length - p && out[out.length - 1 - s] === src[src.length - 1 - s]) s++;
  const pieces: LinePiece[] = [];
  if (p) pieces.push({ outStart: 0, outEnd: p, srcStart: 0, verbatim: true });
  if (out.length - s > p) pieces.push({ outStart: p, outEnd: out.length - s, srcStart: p, verbatim: false });
  if (s) pieces.push({ outStart: out.length - s, outEnd: out.length, srcStart: src.length - s, verbatim: true });
  return pieces;
}

export function alignLine(out: string, src: string): LinePiece[] {
  if (out === src) return out ? [{ outStart: 0, outEnd: out.length, srcStart: 0, verbatim: true }] : [];
  const o = tokens(out);
  const s = tokens(src);
  if (o.length * s.length > MAX_CELLS) return byPrefixAndSuffix(out, src);
  const pairs = commonTokens(o, s);
  if (!plausible(s, pairs)) return out ? [{ outStart: 0, outEnd: out.length, srcStart: 0, verbatim: false }] : [];
  const pieces: LinePiece[] = [];
  const push = (outStart: number, outEnd: number, srcStart: number, verbatim: boolean) => {
    if (outEnd <= outStart) return;
    const last = pieces[pieces.length - 1];
    if (last && last.verbatim === verbatim && last.outEnd === outStart && (!verbatim || last.srcStart + (last.outEnd - last.outStart) === srcStart)) last.outEnd = outEnd;
    else pieces.push({ outStart, outEnd, srcStart, verbatim });
  };
  let i = 0;
  // Output without a partner is generated, placed where the source that produced it starts (a macro's name).
  let srcGap = 0;
  for (const [oi, sj] of pairs) {
    if (oi > i) push(o[i]!.start, o[oi]!.start, srcGap, false);
    const tok = o[oi]!;
    push(tok.start, tok.start + tok.text.length, s[sj]!.start, tok.text === s[sj]!.text);
    i = oi + 1;
    srcGap = s[sj]!.start + s[sj]!.text.length;
  }
  if (i < o.length) push(o[i]!.start, out.length, srcGap, false);
  return pieces;
}
