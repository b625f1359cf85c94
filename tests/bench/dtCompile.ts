/*
 * In-process compile of a device tree (DTS -> DTB bytes) from files already read, as the host's dt.load and the
 * wizard run it. `node dtCompile.cjs warm SPEC.json` prints {files, warmMedianMs, warmMinMs} (after warm-up runs);
 * `node dtCompile.cjs cold SPEC.json` reads the files, then times the process's first compile and prints {coldMs}:
 * what a fresh process (a CLI run, the host's first choice of a tree) pays while the engine's code is not yet
 * compiled. SPEC: { file, includeDirs, cpp, files? } (files: every path the compile reads, from a warm run).
 */
import { readFileSync, statSync } from 'node:fs';
import { writeDtb } from '../../shared/dt/dtb';
import { parseDtsFile } from '../../shared/dt/parse';

interface Spec {
  file: string;
  includeDirs: string[];
  cpp: boolean;
  files?: string[];
}

const [mode, specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile!, 'utf8')) as Spec;
const read = new Map<string, string | undefined>();
const readFile = (p: string) => {
  if (read.has(p)) return read.get(p);
  let text: string | undefined;
  try {
    text = statSync(p, { throwIfNoEntry: false })?.isFile() ? readFileSync(p, 'utf8') : undefined;
  } catch {
    text = undefined;
  }
  read.set(p, text);
  return text;
};
const compile = () => writeDtb(parseDtsFile(spec.file, { readFile, includeDirs: spec.includeDirs, cpp: spec.cpp }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

if (mode === 'cold') {
  if (!spec.files) throw new Error('cold needs the files a warm run read');
  for (const f of spec.files) readFile(f);
  const t0 = performance.now();
  compile();
  console.log(JSON.stringify({ coldMs: performance.now() - t0 }));
} else {
  const bytes = compile().length;
  for (let i = 0; i < 10; i++) compile();
  const runs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    compile();
    runs.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ bytes, files: [...read.keys()], warmMedianMs: median(runs), warmMinMs: Math.min(...runs) }));
}
