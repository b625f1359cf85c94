import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
/** Documents of the authors' that do not ship with the app: user-visible text says the fact instead of citing them. */
const UNSHIPPED = /field.notes|reference\/|t234-devices|microkit-sdf|DESIGN\.md|§/i;

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });

/** Every string of a JSON value except where it names its sources (provenance for maintainers, never shown). */
function shownStrings(v: unknown, key = ''): string[] {
  if (key === 'sources' || key === 'source' || key === 'factSources') return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap((x) => shownStrings(x));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => shownStrings(x, k));
  return [];
}

describe('user-visible text cites only what ships', () => {
  it('templates (the New dialog, the files copied into a project) say the fact, not "field notes §1"', () => {
    const files = filesUnder(path.join(repo, 'resources/templates')).filter((f) => !f.endsWith('README.md'));
    const hits = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((l, i) => (UNSHIPPED.test(l) ? [`${path.relative(repo, f)}:${i + 1}: ${l.trim()}`] : [])));
    expect(hits).toEqual([]);
  });

  it('board pack notes (shown by the passthrough wizard), the wizard\'s messages and the port guide cite no unshipped document', () => {
    const boards = readdirSync(path.join(repo, 'boards')).filter((b) => statSync(path.join(repo, 'boards', b)).isDirectory());
    const notes = boards.flatMap((b) => shownStrings(JSON.parse(readFileSync(path.join(repo, 'boards', b, 'board.json'), 'utf8'))).filter((s) => UNSHIPPED.test(s)).map((s) => `${b}: ${s}`));
    expect(notes).toEqual([]);
    // String literals of the passthrough planner (its messages and generated files); comments may cite what they like.
    const code = ['shared/passthrough', 'shared/board/portGuide.ts'].flatMap((d) => (d.endsWith('.ts') ? [path.join(repo, d)] : filesUnder(path.join(repo, d)))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const literals = code.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
        .flatMap((l) => (l.match(/'[^']*'|`[^`]*`|"[^"]*"/g) ?? []).filter((s) => UNSHIPPED.test(s)).map((s) => `${path.basename(f)}: ${s}`)),
    );
    expect(literals).toEqual([]);
  });
});
