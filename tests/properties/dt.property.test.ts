import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { parseDtsFile } from '../../shared/dt/parse';
import { fuzzOneDt, loadDtCorpus } from './dtFuzzTarget';

const corpus = loadDtCorpus(path.resolve(import.meta.dirname, '../fixtures/dts-corpus'));

describe('device-tree engine under mutation', () => {
  it('mutated DTS and DTB inputs never throw out of the engine (2000 inputs)', () => {
    for (let seed = 1; seed <= 2000; seed++) expect(() => fuzzOneDt(corpus, seed), `seed ${seed}`).not.toThrow();
  });

  it.each([
    ['a string ending in a backslash', '/dts-v1/;\n/ { s = "abc\\'],
    ['\\x with no hex digits', '/dts-v1/;\n/ { s = "\\xzz"; };'],
  ])('%s is an error with a place (found by npm run fuzz)', (_n, text) => {
    let err: unknown;
    try {
      parseDtsFile('f.dts', { readFile: () => text });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DtError);
    expect((err as DtError).line).toBe(2);
  });
});
