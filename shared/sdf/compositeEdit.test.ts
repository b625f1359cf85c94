import { describe, expect, it } from 'vitest';
import { updateProtectionDomain, addProtectionDomain, updateMemoryRegion } from '../model/edits';
import { editComposite } from './compositeEdit';
import { resolveXIncludes } from './xinclude';
import { analyzeText, editSystemDocEdits, openSystemDoc } from './document';

const FILES: Record<string, string> = {
  'main.system': '<?xml version="1.0"?>\n<!-- SPDX-License-Identifier: BSD-2-Clause -->\n<system xmlns:xi="http://www.w3.org/2001/XInclude">\n  <memory_region name="shared" size="0x1_000" />\n  <xi:include href="pds.xml"/>\n</system>\n',
  'pds.xml': '<?xml version="1.0"?>\n<protection_domain name="a" priority="10">\n    <program_image path="a.elf" />\n    <map mr="shared" vaddr="0x4000000" perms="rw" />\n</protection_domain>\n',
};

describe('edits of a composite go into the files that hold the text', () => {
  it('an attribute of an included element changes that file only; the composite stays in step with a fresh resolution', () => {
    const files = { ...FILES };
    let c = resolveXIncludes('main.system', (f) => files[f]).composite!;
    let doc = openSystemDoc(c.text, 'main.system', { nodes: {} });
    for (const e of [updateProtectionDomain('a', { priority: 200 }), updateMemoryRegion('shared', { size: 0x2000 }), updateProtectionDomain('a', { priority: 7 })]) {
      const r = editSystemDocEdits(doc, e, 'main.system');
      const out = editComposite(c, r.edits!);
      if ('unmapped' in out) throw new Error('unmapped');
      c = out.composite;
      doc = r.doc;
      Object.assign(files, c.files);
      // Resolving the edited files again gives the same composite text: the segments moved with the edits.
      expect(resolveXIncludes('main.system', (f) => files[f]).composite!.text).toBe(c.text);
      expect(c.text).toBe(doc.text);
    }
    expect(files['pds.xml']).toBe(FILES['pds.xml']!.replace('priority="10"', 'priority="7"'));
    expect(files['main.system']).toBe(FILES['main.system']!.replace('size="0x1_000"', 'size="0x2_000"'));
    expect(analyzeText(c.text, 'main.system').model!.protectionDomains[0]!.priority).toBe(7);
  });

  it('a new PD goes into a file, and the files resolve to the new text', () => {
    const c = resolveXIncludes('main.system', (f) => FILES[f]).composite!;
    const doc = openSystemDoc(c.text, 'main.system', { nodes: {} });
    const r = editSystemDocEdits(doc, addProtectionDomain({ x: 0, y: 0 }, 'b'), 'main.system');
    const out = editComposite(c, r.edits!);
    expect('unmapped' in out).toBe(false);
    if ('unmapped' in out) return;
    expect(out.fileEdits).toHaveLength(1);
    const files = { ...FILES, ...out.composite.files };
    expect(resolveXIncludes('main.system', (f) => files[f]).composite!.text).toBe(r.doc.text);
    expect(analyzeText(r.doc.text, 'main.system').model!.protectionDomains.map((p) => p.name)).toEqual(['a', 'b']);
  });
});
