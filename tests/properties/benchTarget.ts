import { checkSystem } from '../../shared/sdf/check';
import { kernelConfig } from '../../shared/sdf/kernelConfig';
import { parseXml } from '../../shared/sdf/xml';
import { loadCorpus } from './fuzzTarget';

const time = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** A synthetic system at Microkit's limit: 63 PDs, each with maps, an IRQ and channels to its neighbours. */
export function synthetic63(): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  for (let i = 0; i < 63; i++) lines.push(`    <memory_region name="buf${i}" size="0x10000" />`);
  for (let i = 0; i < 63; i++) {
    lines.push(`    <protection_domain name="pd${i}" priority="${10 + (i % 200)}" stack_size="0x4000">`);
    lines.push(`        <program_image path="pd${i}.elf" />`);
    lines.push(`        <map mr="buf${i}" vaddr="0x4000000" perms="rw" setvar_vaddr="buf" />`);
    if (i > 0) lines.push(`        <map mr="buf${i - 1}" vaddr="0x5000000" perms="r" setvar_vaddr="prev" />`);
    lines.push(`        <irq irq="${64 + i}" id="0" />`);
    lines.push('    </protection_domain>');
  }
  for (let i = 0; i + 1 < 63; i++) lines.push(`    <channel>\n        <end pd="pd${i}" id="1" />\n        <end pd="pd${i + 1}" id="2" />\n    </channel>`);
  lines.push('</system>', '');
  return lines.join('\n');
}

export function benchSdf(corpusDir: string) {
  const corpus = loadCorpus(corpusDir);
  // Warm up the JIT on the same work, then measure.
  for (const c of corpus) checkSystem(c.text, 'w.system', c.config);
  const parseMs = time(() => corpus.forEach((c) => {
    try {
      parseXml(c.text);
    } catch {
      // malformed inputs count too
    }
  }));
  const checkMs = time(() => corpus.forEach((c) => checkSystem(c.text, 'c.system', c.config)));

  const big = synthetic63();
  const cfg = kernelConfig({ arch: 'aarch64' });
  if (!checkSystem(big, 'big.system', cfg).ok) throw new Error(`synthetic system invalid: ${checkSystem(big, 'big.system', cfg).diagnostics[0]?.message}`);
  for (let i = 0; i < 20; i++) checkSystem(big, 'big.system', cfg);
  const fullRuns: number[] = [];
  const parseRuns: number[] = [];
  const editRuns: number[] = [];
  for (let i = 0; i < 200; i++) {
    fullRuns.push(time(() => checkSystem(big, 'big.system', cfg)));
    parseRuns.push(time(() => parseXml(big)));
    // One-attribute edit (a priority), then re-validate the whole system as the editor does.
    const edited = big.replace(`name="pd${i % 63}" priority="${10 + ((i % 63) % 200)}"`, `name="pd${i % 63}" priority="${(i * 7) % 254}"`);
    editRuns.push(time(() => checkSystem(edited, 'big.system', cfg)));
  }
  return {
    files: corpus.length,
    corpusCheckMsPerFile: checkMs / corpus.length,
    corpusParseMsPerFile: parseMs / corpus.length,
    synthetic63: { bytes: big.length, fullMedianMs: pct(fullRuns, 0.5), parseMedianMs: pct(parseRuns, 0.5), editP95Ms: pct(editRuns, 0.95) },
  };
}

/** DTB read time of the largest blob the corpus compiles to. */
export function benchDtbRead(blob: Uint8Array) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readDtb } = require('../../shared/dt/dtb') as typeof import('../../shared/dt/dtb');
  for (let i = 0; i < 10; i++) readDtb(blob);
  const runs: number[] = [];
  for (let i = 0; i < 50; i++) runs.push(time(() => readDtb(blob)));
  return { bytes: blob.length, medianMs: pct(runs, 0.5) };
}
