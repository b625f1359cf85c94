/* Benchmark of lossless editing, in one process (bundled and run by scripts/benchEdit.mjs):
   - one attribute edit on the largest corpus file: edit -> text patch -> read-back -> Microkit checks + graph keys,
     against the same on the SDK's one-PD hello in the same run;
   - over the whole corpus: does a save without an edit (and after a layout-only edit) give the same bytes, and how
     often does a one-attribute edit fall back to a canonical rewrite. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { moveNodes, updateProtectionDomain } from '../../shared/model/edits';
import { allProtectionDomains, type SystemModel } from '../../shared/model/system';
import { analyzeDocument } from '../../shared/sdf/analyze';
import { editSystemDoc, openSystemDoc } from '../../shared/sdf/document';
import { kernelConfig, type KernelConfig } from '../../shared/sdf/kernelConfig';

export interface Spread {
  p50: number;
  p95: number;
  max: number;
}

export interface EditTiming {
  file: string;
  bytes: number;
  pds: number;
  pd: string;
  iterations: number;
  /** editSystemDoc: the model edit, the text edits that say it, and reading the new text back (parse + import). */
  patch: Spread;
  /** analyzeDocument of the new text: the Microkit checks and the graph key of each line (the import is shared). */
  checks: Spread;
  /** Both: what one inspector edit costs before the canvas, Problems and the XML pane can show it. */
  total: Spread;
  /** CPU time of the process over the same span (all threads): on a shared machine, the work without the waiting. */
  totalCpu: Spread;
}

export interface CorpusIdentity {
  files: number;
  /** Opened and saved with no edit: the saved bytes equal the file's bytes. */
  unchanged: number;
  /** The same after a layout-only edit (a drag), which must not touch the file. */
  afterMove: number;
  changedFiles: string[];
  /** Files with a PD whose name is unique (the ones a one-attribute edit can target). */
  attributeEdited: number;
  /** Of those, the edits written as a canonical rewrite instead of a patch. */
  lossy: string[];
}

const spread = (xs: number[]): Spread => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
};

/** The first PD (nested ones included) whose name no other PD has: an edit by name then means exactly that PD. */
function uniquePd(system: SystemModel) {
  const all = allProtectionDomains(system);
  return all.find((p) => all.filter((q) => q.name === p.name).length === 1);
}

/**
 * Time `iterations` priority edits on one file after `warmup` untimed ones. The priority walks 1..254 (never the
 * current value) rather than alternating two values: analyzeText keeps the last 8 texts and analyzeDocument memoises
 * per analysis, so two alternating texts would be served from the caches after the first round and measure a lookup.
 */
export function timeAttributeEdits(file: string, text: string, config: KernelConfig, iterations: number, warmup: number): EditTiming {
  let doc = openSystemDoc(text, file, { nodes: {} });
  const pd = uniquePd(doc.system);
  if (!pd) throw new Error(`${file}: no protection domain with a unique name to edit`);
  analyzeDocument(doc.text, file, config);
  const patch: number[] = [];
  const checks: number[] = [];
  const total: number[] = [];
  const totalCpu: number[] = [];
  let priority = pd.priority ?? 100;
  for (let i = 0; i < warmup + iterations; i++) {
    priority = (priority % 254) + 1;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const next = editSystemDoc(doc, updateProtectionDomain(pd.name, { priority }), file);
    const t1 = performance.now();
    const shown = analyzeDocument(next.text, file, config);
    const t2 = performance.now();
    const cpu = process.cpuUsage(c0);
    // A benchmark of an edit that did not happen, or happened lossily, would flatter: refuse to report it.
    if (next.lossy || next.text === doc.text) throw new Error(`${file}: priority ${priority} was not patched into the text`);
    if (allProtectionDomains(shown.model!).find((p) => p.name === pd.name)?.priority !== priority) throw new Error(`${file}: the new text does not read back with priority ${priority}`);
    doc = next;
    if (i < warmup) continue;
    patch.push(t1 - t0);
    checks.push(t2 - t1);
    total.push(t2 - t0);
    totalCpu.push((cpu.user + cpu.system) / 1000);
  }
  return { file, bytes: Buffer.byteLength(text), pds: allProtectionDomains(doc.system).length, pd: pd.name, iterations, patch: spread(patch), checks: spread(checks), total: spread(total), totalCpu: spread(totalCpu) };
}

/** Every corpus file read as the host reads it (UTF-8 of its bytes) and saved as the host writes it (the text as UTF-8). */
export function corpusIdentity(dir: string, files: string[]): CorpusIdentity {
  const out: CorpusIdentity = { files: files.length, unchanged: 0, afterMove: 0, changedFiles: [], attributeEdited: 0, lossy: [] };
  for (const file of files) {
    const bytes = readFileSync(path.join(dir, file));
    const doc = openSystemDoc(bytes.toString('utf8'), file, { nodes: {} });
    const same = (text: string) => Buffer.from(text, 'utf8').equals(bytes);
    if (same(doc.text)) out.unchanged++;
    const first = doc.system.protectionDomains[0]?.name ?? 'absent';
    const moved = editSystemDoc(doc, moveNodes({ [`pd:${first}`]: { x: 1, y: 2 } }), file);
    if (same(moved.text)) out.afterMove++;
    if (!same(doc.text) || !same(moved.text)) out.changedFiles.push(file);
    const pd = uniquePd(doc.system);
    if (!pd) continue;
    out.attributeEdited++;
    if (editSystemDoc(doc, updateProtectionDomain(pd.name, { priority: pd.priority === 77 ? 78 : 77 }), file).lossy) out.lossy.push(file);
  }
  return out;
}

export const ONE_PD_FILE = 'seL4__microkit/example/hello/hello.system';

export function benchEdit(corpusDir: string, iterations = 300, warmup = 50) {
  const files = (JSON.parse(readFileSync(path.join(corpusDir, 'index.json'), 'utf8')) as { file: string }[]).map((e) => e.file);
  const largest = files.map((f) => ({ f, size: statSync(path.join(corpusDir, f)).size })).reduce((a, b) => (b.size > a.size ? b : a)).f;
  // The board the UI checks against when the project names none (renderer/src/features/problems/useProblems.ts).
  const config = kernelConfig({ arch: 'aarch64' });
  const read = (f: string) => readFileSync(path.join(corpusDir, f), 'utf8');
  const large = timeAttributeEdits(largest, read(largest), config, iterations, warmup);
  const baseline = timeAttributeEdits(ONE_PD_FILE, read(ONE_PD_FILE), config, iterations, warmup);
  return { config: 'aarch64 (default, no board)', large, baseline, corpus: corpusIdentity(corpusDir, files) };
}
