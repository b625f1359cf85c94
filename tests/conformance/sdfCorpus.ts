import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkSystem } from '../../shared/sdf/check';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';

export interface CorpusEntry {
  file: string;
  wellformed_xml: boolean;
  is_tool_test_fixture: boolean;
  check_2_3_0: { config: string; result: 'ok' | 'error'; message: string | null };
}

export interface Verdict {
  file: string;
  expected: string;
  got: string;
  match: boolean;
}

/** Our first error against the Microkit 2.3.0 label of one corpus file (file path compared as its base name). */
export function judge(corpusDir: string, entry: CorpusEntry): Verdict {
  const text = readFileSync(path.join(corpusDir, entry.file), 'utf8');
  const base = path.basename(entry.file);
  const result = checkSystem(text, base, kernelConfigFromLabel(entry.check_2_3_0.config));
  const first = result.diagnostics.find((d) => d.severity === 'error');
  const expected = entry.check_2_3_0.result === 'ok' ? 'ok' : entry.check_2_3_0.message ?? '';
  const got = first ? first.message : 'ok';
  let match: boolean;
  if (expected.startsWith('Could not parse')) {
    // The text comes from roxmltree: match the verdict and the line only.
    const line = /(\d+):\d+/.exec(expected)?.[1];
    match = got.startsWith('Could not parse') && (!line || String(first?.line) === line);
  } else {
    match = got === expected;
  }
  return { file: entry.file, expected, got, match };
}
