import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkSystem } from '../../shared/sdf/check';
import { exportSystem } from '../../shared/sdf/export';
import { importSystem } from '../../shared/sdf/import';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';
import { migrateToV2 } from '../../shared/sdf/migrate';
import { XmlSyntaxError } from '../../shared/sdf/xml';
import { mutate, prng } from './mutate';

/** One fuzz input per seed: a mutated corpus file through every .system entry point. Throws on a real bug. */
export function loadCorpus(dir: string) {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { file: string; check_2_3_0: { config: string } }[];
  return index.map((e) => ({ text: readFileSync(path.join(dir, e.file), 'utf8'), config: kernelConfigFromLabel(e.check_2_3_0.config) }));
}

export function fuzzOne(corpus: ReturnType<typeof loadCorpus>, seed: number): void {
  const rand = prng(seed);
  const pick = corpus[Math.floor(rand() * corpus.length)]!;
  const input = mutate(pick.text, rand);
  const imported = importSystem(input, 'f.system');
  const checked = checkSystem(input, 'f.system', pick.config);
  for (const d of [...imported.diagnostics, ...checked.diagnostics]) {
    if (!(d.line! > 0 && d.column! > 0)) throw new Error(`diagnostic without a place: ${d.message}`);
  }
  if (imported.model) exportSystem(imported.model);
  try {
    migrateToV2(input);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
  }
}
