import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addChannel, addMap, addMemoryRegion, addProtectionDomain, deleteNodes, emptyHistory, pushHistory, undo, updateMap, updateMemoryRegion, updateProtectionDomain, type Edit, type History } from '../model/edits';
import { addIrq } from '../model/editsInsidePd';
import { analyzeText, checkAnalysis, editSystemDoc, openSystemDoc, type SystemDoc } from './document';
import { kernelConfig } from './kernelConfig';
import { respell } from './reconcile';
import { xmlParseCount } from './xml';

const FILE = 'x.system';
const SRC = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!-- Copyright 2026, Someone',
  '     SPDX-License-Identifier: BSD-2-Clause -->',
  '<system>',
  "\t<memory_region name='uart' size='0x1_000' phys_addr='0x9_000_000' />",
  '',
  '\t<!-- the driver -->',
  "\t<protection_domain name='drv' priority='254'>",
  "\t\t<program_image path='drv.elf' />",
  "\t\t<map mr='uart' vaddr='0x2_000_000' perms='rw' cached='false' />",
  '\t</protection_domain>',
  "\t<protection_domain name='cli' priority='1'><program_image path='cli.elf'/></protection_domain>",
  '</system>',
  '',
].join('\r\n');

const open = () => openSystemDoc(SRC, FILE, { nodes: {} });
const edit = (d: SystemDoc, e: Edit) => {
  const n = editSystemDoc(d, e, FILE);
  expect(n.lossy).toBeUndefined();
  return n;
};

describe('lossless text edits', () => {
  it('keep quoting, tabs, CRLF, comments and number spellings', () => {
    const d = edit(open(), updateMemoryRegion('uart', { physAddr: 0xa000000 }));
    expect(d.text).toBe(SRC.replace("phys_addr='0x9_000_000'", "phys_addr='0xa_000_000'"));
    const d2 = edit(open(), updateProtectionDomain('drv', { priority: 200, budget: 1000 }));
    expect(d2.text).toBe(SRC.replace("name='drv' priority='254'", "name='drv' priority='200' budget='1000'"));
  });

  it('a new element goes beside its siblings with the file\'s indentation and line endings', () => {
    const d = edit(open(), addMemoryRegion({ x: 0, y: 0 }, 'shared'));
    expect(d.text).toBe(SRC.replace("phys_addr='0x9_000_000' />", "phys_addr='0x9_000_000' />\r\n\t<memory_region name=\"shared\" size=\"0x1000\" />"));
    // An element written on one line gets its new child on its own line, indented like the file.
    const m = edit(edit(open(), addMemoryRegion({ x: 0, y: 0 }, 'q')), addMap('cli', 'q'));
    expect(m.text).toContain("<program_image path='cli.elf'/>\r\n\t\t<map mr=\"q\" vaddr=\"0x4000000\" perms=\"rw\" /></protection_domain>");
  });

  it('a deleted element takes its lines and its comment; a rename touches only references', () => {
    const d = edit(open(), deleteNodes(['pd:drv']));
    expect(d.text).toBe(SRC.replace(/\t<!-- the driver -->[^]*?<\/protection_domain>\r\n/, ''));
    const r = edit(open(), updateMemoryRegion('uart', { name: 'serial' }));
    expect(r.text).toBe(SRC.replace("name='uart'", "name='serial'").replace("mr='uart'", "mr='serial'"));
  });

  it('a self-closing parent opens for its first child', () => {
    const src = '<system>\n  <protection_domain name="a"><program_image path="a.elf"/></protection_domain>\n  <protection_domain name="b"><program_image path="b.elf"/></protection_domain>\n</system>\n';
    let d = openSystemDoc(src, FILE, { nodes: {} });
    d = edit(d, addChannel('a', 'b'));
    expect(d.text).toBe(src.replace('</system>', '  <channel>\n    <end pd="a" id="0" />\n    <end pd="b" id="0" />\n  </channel>\n</system>'));
    d = edit(d, addIrq('a', 40));
    expect(analyzeText(d.text, FILE).model!.protectionDomains[0]!.irqs).toHaveLength(1);
  });

  it('one parse per edit: the new text is read once and the checks reuse that reading', () => {
    let d = open();
    const config = kernelConfig({ arch: 'aarch64' });
    checkAnalysis(analyzeText(d.text, FILE), config);
    const before = xmlParseCount.n;
    d = editSystemDoc(d, updateProtectionDomain('drv', { priority: 100 }), FILE);
    const a = analyzeText(d.text, FILE);
    checkAnalysis(a, config);
    expect(a.sources.get('pd:drv')?.line).toBe(8);
    expect(xmlParseCount.n - before).toBe(1);
  });

  it('respells a number like the one it replaces', () => {
    expect(respell('0x3000', '0x1_000')).toBe('0x3_000');
    expect(respell('0x3000', '4096')).toBe('12288');
    expect(respell('0xabc', '0xFF')).toBe('0xABC');
    expect(respell('rw', 'r')).toBe('rw');
  });

  it('random edit sequences undone give back the original bytes, and no step falls back to a rewrite', () => {
    const step = fc.oneof(
      fc.record({ k: fc.constant('pd' as const), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('prio' as const), n: fc.integer({ min: 0, max: 254 }) }),
      fc.record({ k: fc.constant('mr' as const), n: fc.integer({ min: 1, max: 16 }) }),
      fc.record({ k: fc.constant('map' as const), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ k: fc.constant('unmap' as const), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ k: fc.constant('del' as const), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('ch' as const), n: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        let doc = open();
        let history: History<SystemDoc> = emptyHistory();
        for (const s of steps) {
          const pds = doc.system.protectionDomains.map((p) => p.name);
          const mrs = doc.system.memoryRegions.map((m) => m.name);
          const pd = pds[s.n % Math.max(1, pds.length)];
          const e: Edit | undefined =
            s.k === 'pd' ? addProtectionDomain({ x: 0, y: 0 }) :
            s.k === 'prio' && pd ? updateProtectionDomain(pd, { priority: s.n }) :
            s.k === 'mr' && mrs[0] ? updateMemoryRegion(mrs[0], { size: s.n * 0x1000 }) :
            s.k === 'map' && pd && mrs.length ? addMap(pd, mrs[s.n % mrs.length]!) :
            s.k === 'unmap' && pd ? updateMap(pd, 0, 'pd', null) :
            s.k === 'del' && pd ? deleteNodes([`pd:${pd}`]) :
            s.k === 'ch' && pds.length > 1 ? addChannel(pds[s.n % pds.length]!, pds[(s.n + 1) % pds.length]!) :
            undefined;
          if (!e) continue;
          const next = editSystemDoc(doc, e, FILE);
          if (next.lossy) return false;
          ({ doc, history } = pushHistory(doc, history, next, e.label));
        }
        while (history.past.length) ({ doc, history } = undo(doc, history));
        return doc.text === SRC;
      }),
      { numRuns: 150 },
    );
  });
});
