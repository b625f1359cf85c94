import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';
import { printDts } from '../../shared/dt/print';
import { decodeInterrupts, decodeReg, indexTree, supplierClosure } from '../../shared/dt/query';
import { mutate, prng } from './mutate';

/** Small, single-file trees of the corpus (no includes), and the DTBs they compile to. */
export function loadDtCorpus(dir: string) {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { entries: { files: string[] }[] };
  const texts = m.entries
    .filter((e) => e.files.length === 1)
    .map((e) => readFileSync(path.join(dir, e.files[0]!), 'utf8'))
    .filter((t) => !/^\s*#\s*include/m.test(t) && t.length < 120_000);
  const blobs = texts.slice(0, 20).map((t) => writeDtb(parseDtsFile('x.dts', { readFile: () => t })));
  return { texts, blobs };
}

const exercise = (tree: ReturnType<typeof readDtb>) => {
  const idx = indexTree(tree);
  for (const loc of [...idx.byPath.values()].slice(0, 200)) {
    decodeReg(idx, loc.node);
    decodeInterrupts(idx, loc.node);
    supplierClosure(idx, loc.node);
  }
  printDts(tree);
};

/** One input: a mutated DTS through the parser (with cpp) or a mutated DTB through the reader. Throws on a bug. */
export function fuzzOneDt(corpus: ReturnType<typeof loadDtCorpus>, seed: number): void {
  const rand = prng(seed);
  if (rand() < 0.6) {
    const text = mutate(corpus.texts[Math.floor(rand() * corpus.texts.length)]!, rand);
    try {
      const tree = parseDtsFile('f.dts', { readFile: (p) => (p === 'f.dts' ? text : undefined), cpp: rand() < 0.5 });
      writeDtb(tree);
      exercise(tree);
    } catch (e) {
      if (!(e instanceof DtError)) throw e;
      if (!(e.line >= 1 && e.column >= 1)) throw new Error(`error without a place: ${e.message}`);
    }
  } else {
    const blob = corpus.blobs[Math.floor(rand() * corpus.blobs.length)]!.slice();
    const n = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < n; k++) blob[Math.floor(rand() * blob.length)] = Math.floor(rand() * 256);
    const cut = rand() < 0.2 ? blob.subarray(0, Math.floor(rand() * blob.length)) : blob;
    try {
      exercise(readDtb(cut));
    } catch (e) {
      if (!(e instanceof DtbError)) throw e;
    }
  }
}
