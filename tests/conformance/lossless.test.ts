import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addProtectionDomain, deleteNodes, emptyHistory, moveNodes, pushHistory, undo, updateMemoryRegion, updateProtectionDomain, type Edit, type History } from '../../shared/model/edits';
import { addIrq, addVirtualMachine } from '../../shared/model/editsInsidePd';
import { allProtectionDomains } from '../../shared/model/system';
import { analyzeText, editSystemDoc, openSystemDoc, type SystemDoc } from '../../shared/sdf/document';
import type { CorpusEntry } from './sdfCorpus';

const dir = path.resolve(import.meta.dirname, '../fixtures/microkit-corpus');
const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as CorpusEntry[];
const corpus = index.map((e) => ({ file: e.file, text: readFileSync(path.join(dir, e.file), 'utf8') }));
/** Files whose text reads as a model (well-formed, root <system>): the ones the graph can edit. */
const editable = corpus.filter((c) => analyzeText(c.text, c.file).model);

/** The lines that differ: [first changed line, count in a, count in b] after the common head and tail. */
function changedLines(a: string, b: string) {
  const la = a.split('\n');
  const lb = b.split('\n');
  let head = 0;
  while (head < la.length && head < lb.length && la[head] === lb[head]) head++;
  let tail = 0;
  while (tail < la.length - head && tail < lb.length - head && la[la.length - 1 - tail] === lb[lb.length - 1 - tail]) tail++;
  return { at: head, removed: la.slice(head, la.length - tail), added: lb.slice(head, lb.length - tail) };
}

const edit = (doc: SystemDoc, e: Edit, file: string) => {
  const next = editSystemDoc(doc, e, file);
  expect(next.lossy, `${file}: ${e.label} fell back to a canonical export`).toBeUndefined();
  return next;
};

describe('lossless editing over the whole .system corpus', () => {
  it('opening and saving without an edit gives the same bytes (all 314 files, parsable or not)', () => {
    expect(corpus.length).toBe(314);
    let same = 0;
    for (const c of corpus) {
      const doc = openSystemDoc(c.text, c.file, { nodes: {} });
      // A layout-only edit (a drag) leaves the file alone.
      const moved = doc.system.protectionDomains.length ? editSystemDoc(doc, moveNodes({ [`pd:${doc.system.protectionDomains[0]!.name}`]: { x: 1, y: 2 } }), c.file) : doc;
      if (moved.text === c.text) same++;
    }
    expect(same).toBe(corpus.length);
    expect(editable.length).toBeGreaterThan(250);
  });

  it('one attribute edit changes exactly that line, keeping its spelling and quoting', () => {
    let n = 0;
    for (const c of editable) {
      const doc = openSystemDoc(c.text, c.file, { nodes: {} });
      const all = allProtectionDomains(doc.system);
      // A name given twice (a tool test fixture) names both: the edit is meant for one.
      const pd = all.find((p) => all.filter((q) => q.name === p.name).length === 1);
      if (!pd) continue;
      const next = edit(doc, updateProtectionDomain(pd.name, { priority: pd.priority === 77 ? 78 : 77 }), c.file);
      const d = changedLines(c.text, next.text);
      expect(d.removed.length, c.file).toBe(1);
      expect(d.added.length, c.file).toBe(1);
      // Everything but the priority's value is as it was on that line.
      const without = (l: string) => l.replace(/\s*priority=(["'])[^"']*\1/, '');
      expect(without(d.added[0]!), c.file).toBe(without(d.removed[0]!));
      n++;
    }
    expect(n).toBeGreaterThan(250);
  });

  it('adding a protection domain is one contiguous insertion with the file\'s indentation', () => {
    for (const c of editable) {
      const doc = openSystemDoc(c.text, c.file, { nodes: {} });
      const next = edit(doc, addProtectionDomain({ x: 0, y: 0 }, 'added_pd'), c.file);
      const d = changedLines(c.text, next.text);
      expect(d.removed, c.file).toEqual([]);
      expect(d.added.join('\n'), c.file).toMatch(/<protection_domain name="added_pd"[^]*<\/protection_domain>/);
      const sibling = /^([ \t]*)<protection_domain\b/m.exec(c.text)?.[1];
      if (sibling !== undefined) expect(/^([ \t]*)</.exec(d.added[0]!)?.[1], c.file).toBe(sibling);
    }
  });

  it('renaming a region changes only the lines that name it', () => {
    let n = 0;
    for (const c of editable) {
      const doc = openSystemDoc(c.text, c.file, { nodes: {} });
      const mr = doc.system.memoryRegions.find((m) => allProtectionDomains(doc.system).some((p) => p.maps.some((x) => x.mr === m.name)));
      if (!mr) continue;
      const next = edit(doc, updateMemoryRegion(mr.name, { name: `${mr.name}_renamed` }), c.file);
      const la = c.text.split('\n');
      const lb = next.text.split('\n');
      expect(lb.length, c.file).toBe(la.length);
      const changed = la.map((l, i) => [l, lb[i]!] as const).filter(([a, b]) => a !== b);
      expect(changed.length, c.file).toBeGreaterThan(1);
      for (const [a, b] of changed) {
        expect(a, c.file).toContain(`"${mr.name}"`);
        expect(b, c.file).toBe(a.replace(new RegExp(`\\b(name|mr|region_paddr)=(["'])${mr.name}\\2`, 'g'), `$1=$2${mr.name}_renamed$2`));
      }
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  it('deleting a protection domain removes its lines and its channels, nothing else', () => {
    for (const c of editable) {
      const doc = openSystemDoc(c.text, c.file, { nodes: {} });
      const pd = doc.system.protectionDomains.at(-1);
      if (!pd) continue;
      const next = edit(doc, deleteNodes([`pd:${pd.name}`]), c.file);
      expect(next.text.length).toBeLessThan(c.text.length);
      // Only whole lines went: every line of the result is a line of the original.
      const before = new Set(c.text.split('\n'));
      for (const l of next.text.split('\n')) expect(before.has(l), `${c.file}: ${l}`).toBe(true);
    }
  });

  it('a sequence of edits undone gives back the original bytes; each step reads back as the model it meant', () => {
    for (const c of editable.slice(0, 120)) {
      let doc = openSystemDoc(c.text, c.file, { nodes: {} });
      let history: History<SystemDoc> = emptyHistory();
      const pds = allProtectionDomains(doc.system);
      const steps: Edit[] = [addProtectionDomain({ x: 0, y: 0 }, 'p_new'), addIrq('p_new', 200), addVirtualMachine('p_new')];
      if (pds[0]) steps.push(updateProtectionDomain(pds[0].name, { name: `${pds[0].name}_x`, budget: 1000 }));
      if (doc.system.memoryRegions[0]) steps.push(updateMemoryRegion(doc.system.memoryRegions[0].name, { size: 0x2000 }));
      steps.push(deleteNodes(['pd:p_new']));
      for (const s of steps) ({ doc, history } = pushHistory(doc, history, edit(doc, s, c.file), s.label));
      while (history.past.length) ({ doc, history } = undo(doc, history));
      expect(doc.text === c.text, c.file).toBe(true);
    }
  });
});

describe('Format over the corpus', () => {
  it('keeps what the tool reads and every comment, and is idempotent', async () => {
    const { formatSystemText } = await import('../../shared/sdf/format');
    const { sameSystem } = await import('../../shared/sdf/document');
    for (const c of editable) {
      const f = formatSystemText(c.text);
      const model = analyzeText(f, c.file).model!;
      expect(sameSystem(model, analyzeText(c.text, c.file).model!), c.file).toBe(true);
      expect((f.match(/<!--/g) ?? []).length, c.file).toBe((c.text.match(/<!--/g) ?? []).length);
      expect(formatSystemText(f), c.file).toBe(f);
    }
  });
});

describe('the Microkit 1.x migration over the corpus', () => {
  it('changes only the migrated attributes (pp moved to channel ends, VM ids to vCPUs): every other line stays', async () => {
    const { migrateToV2 } = await import('../../shared/sdf/migrate');
    let migrated = 0;
    for (const c of editable) {
      const r = migrateToV2(c.text);
      if (!r.legacy) {
        expect(r.text, c.file).toBe(c.text);
        continue;
      }
      migrated++;
      const before = c.text.split('\n');
      const after = r.text.split('\n');
      const removed = before.filter((l) => !after.includes(l));
      const added = after.filter((l) => !before.includes(l));
      // A changed line is a migrated one: it lost a pp/id attribute, gained pp="true", or is a new <vcpu>/closing tag.
      for (const l of removed) expect(l, `${c.file}: ${l}`).toMatch(/\b(pp|id|vm_id)=|<virtual_machine\b/);
      for (const l of added) expect(l, `${c.file}: ${l}`).toMatch(/pp="true"|<vcpu |<\/virtual_machine>|<protection_domain |<virtual_machine\b/);
      expect(added.length + removed.length, c.file).toBeGreaterThan(0);
    }
    expect(migrated).toBeGreaterThan(5);
  });
});
