import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateProtectionDomain } from '../../shared/model/edits';
import { analyzeDocument } from '../../shared/sdf/analyze';
import { checkSystem } from '../../shared/sdf/check';
import { editSystemDoc, openSystemDoc } from '../../shared/sdf/document';
import { formatSystemText } from '../../shared/sdf/format';
import { importSystem } from '../../shared/sdf/import';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';
import { migrateToV2 } from '../../shared/sdf/migrate';
import { templateFromSubset } from '../../shared/sdf/template';
import { MAX_XINCLUDE_DEPTH, MAX_XINCLUDES, resolveXIncludes } from '../../shared/sdf/xinclude';
import { MAX_ELEMENT_DEPTH, parseXml, XmlSyntaxError } from '../../shared/sdf/xml';
import { printXml } from '../../shared/sdf/xmlPrint';
import { doublingMacros } from '../attack/dtInputs';
import { deepElements, deepPds, legacyPds, manyAttributes, manyNamespaces, xincludeChain, xincludeDiamond } from '../attack/sdfInputs';
import { files, thrown } from '../support/crafted';

/**
 * `.system` inputs that took seconds or overflowed the stack (issue 13): each ends in an error at its place or in a
 * result, quickly. How the time grows with size: tests/attack/dos.test.ts.
 */
const config = kernelConfigFromLabel('qemu_virt_aarch64');
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;

const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

describe('attributes', () => {
  it('64,000 attributes on one element (6 s): read, imported and checked in well under a second each', () => {
    const text = manyAttributes(64_000);
    const [parsed, parseMs] = timed(() => parseXml(text));
    expect(parsed.root.children.find((c) => c.kind === 'element')).toMatchObject({ name: 'protection_domain' });
    const [imported] = timed(() => importSystem(text, 'a.system'));
    expect(imported.model!.protectionDomains).toHaveLength(0);
    expect(imported.model!.extra).toHaveLength(1); // kept verbatim: the attributes are not Microkit's
    const [checked] = timed(() => checkSystem(text, 'a.system', config));
    expect(checked.diagnostics[0]).toMatchObject({ rule: 'unknown-attribute', line: 3, column: 5 });
    expect(parseMs).toBeLessThan(3000);
  });

  it('the 64,000th repeating the first: roxmltree\'s error at that attribute', () => {
    const text = manyAttributes(64_000, true);
    const line3 = text.split('\n')[2]!;
    const column = line3.indexOf(' a0="63999"') + 2;
    const e = thrown(() => parseXml(text));
    expect(e).toBeInstanceOf(XmlSyntaxError);
    expect(e).toMatchObject({ line: 3, column, message: `attribute 'a0' at 3:${column} is already defined` });
    expect(importSystem(text, 'a.system').diagnostics).toEqual([
      { severity: 'error', file: 'a.system', line: 3, column, rule: 'xml', message: `Could not parse 'a.system': attribute 'a0' at 3:${column} is already defined` },
    ]);
  });

  it('10,000 namespace prefixes in scope of 10,000 elements that each declare one more', () => {
    const [parsed, ms] = timed(() => parseXml(manyNamespaces(10_000)));
    expect(parsed.root.children.filter((c) => c.kind === 'element')).toHaveLength(10_000);
    expect(ms).toBeLessThan(1500);
    // A prefix declared on a sibling is not in scope.
    expect(thrown(() => parseXml('<system xmlns:a="urn:a"><b xmlns:c="urn:c" /><d c:x="1" /></system>')).message).toBe("an unknown namespace prefix 'c' at 1:49");
  });
});

describe('migration', () => {
  it('16,000 Microkit 1.x PDs (11 s): one pass, every change reported', () => {
    const text = legacyPds(16_000);
    const [r, ms] = timed(() => migrateToV2(text));
    expect(r.legacy).toBe(true);
    // Each PD loses pp; each channel gains pp on the lower-priority end and drops the other direction.
    expect(r.changes).toHaveLength(32_000);
    expect(r.changes.filter((c) => c.warning)).toHaveLength(8_000);
    expect(r.text).not.toMatch(/<protection_domain[^>]* pp=/);
    expect(r.text.match(/<end pd="p\d+" id="1" pp="true" \/>/g)).toHaveLength(8_000);
    expect(r.text.split('\n')).toHaveLength(text.split('\n').length);
    expect(ms).toBeLessThan(6000);
    // The migrated file is a 2.x file: no legacy syntax left.
    expect(migrateToV2(r.text).legacy).toBe(false);
  });
});

describe('nesting: 256 levels of elements, deeper is an error at the element', () => {
  it('10,000 nested elements (overflowed the stack): an error at the 257th level\'s "<"', () => {
    const text = deepElements(10_000);
    const column = 1 + 3 * (MAX_ELEMENT_DEPTH + 1);
    const message = `the element at 1:${column} is nested too deeply (more than ${MAX_ELEMENT_DEPTH} levels)`;
    expect(thrown(() => parseXml(text))).toMatchObject({ line: 1, column, message });
    expect(importSystem(text, 'd.system').diagnostics).toEqual([{ severity: 'error', file: 'd.system', line: 1, column, rule: 'xml', message: `Could not parse 'd.system': ${message}` }]);
    expect(checkSystem(text, 'd.system', config).diagnostics).toEqual([{ severity: 'error', file: 'd.system', line: 1, column, rule: 'xml', message: `Could not parse 'd.system': ${message}` }]);
    expect(analyzeDocument(text, 'd.system', config).diagnostics[0]).toMatchObject({ line: 1, column, rule: 'xml' });
    // Exactly 256 levels below the root is read.
    expect(() => parseXml(deepElements(MAX_ELEMENT_DEPTH))).not.toThrow();
    expect(() => parseXml(deepPds(MAX_ELEMENT_DEPTH))).toThrow(XmlSyntaxError); // its program_image is level 257
  });

  it('protection domains nested to the limit go through import, the checker, analysis, format, print and an edit', () => {
    const text = deepPds(MAX_ELEMENT_DEPTH - 1);
    const imported = importSystem(text, 'p.system');
    let pd = imported.model!.protectionDomains[0];
    let depth = 0;
    while (pd?.children?.length) {
      pd = pd.children[0];
      depth++;
    }
    expect(depth).toBe(MAX_ELEMENT_DEPTH - 2);
    const checked = checkSystem(text, 'p.system', config);
    expect(checked.diagnostics.map((d) => d.rule)).toContain('max-pds');
    expect(analyzeDocument(text, 'p.system', config).model).toBeDefined();
    const formatted = formatSystemText(text);
    expect(formatSystemText(formatted)).toBe(formatted);
    expect(printXml(parseXml(text).root)).toContain('p254');
    const doc = openSystemDoc(text, 'p.system', { nodes: {} });
    const edited = editSystemDoc(doc, updateProtectionDomain('p254', { priority: 7 }), 'p.system');
    expect(edited.text).toBe(text.replace('name="p254" id="1" priority="1"', 'name="p254" id="1" priority="7"'));
  });
});

describe('XInclude and cpp templates', () => {
  it(`a diamond of XIncludes 20 levels deep: an error at the include after ${MAX_XINCLUDES} includes, not 2^20`, () => {
    const [r, ms] = timed(() => resolveXIncludes('f0.system', files(xincludeDiamond(20))));
    expect(ms).toBeLessThan(3000);
    const errors = r.diagnostics.filter((d) => /too many includes/.test(d.message));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ severity: 'error', rule: 'xinclude', line: 1 });
    expect(errors[0]!.file).toMatch(/^f\d+\.xml$/);
    expect(r.composite!.text.match(/<memory_region/g)!.length).toBeLessThanOrEqual(MAX_XINCLUDES);
  });

  it(`XIncludes nest at most ${MAX_XINCLUDE_DEPTH} deep, where xmllint stops`, () => {
    expect(resolveXIncludes('f0.system', files(xincludeChain(MAX_XINCLUDE_DEPTH))).diagnostics).toEqual([]);
    const deep = resolveXIncludes('f0.system', files(xincludeChain(MAX_XINCLUDE_DEPTH + 1)));
    expect(deep.diagnostics).toEqual([
      { severity: 'error', rule: 'xinclude', file: `f${MAX_XINCLUDE_DEPTH}.xml`, line: 1, column: 47, message: `XInclude error : detected a recursion in f${MAX_XINCLUDE_DEPTH + 1}.xml (includes nested more than ${MAX_XINCLUDE_DEPTH} deep)` },
    ]);
    if (haveXmllint) {
      for (const [depth, ok] of [[MAX_XINCLUDE_DEPTH, true], [MAX_XINCLUDE_DEPTH + 1, false]] as const) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'sdf-bounds-'));
        for (const [f, t] of Object.entries(xincludeChain(depth))) writeFileSync(path.join(dir, f), t);
        const r = spawnSync('xmllint', ['--xinclude', '--noout', path.join(dir, 'f0.system')], { encoding: 'utf8' });
        expect(/XInclude error/.test(r.stderr), r.stderr).toBe(!ok);
      }
    }
  });

  it('a template whose macros double 24 times: a cpp error at the line, not a hang', () => {
    const [r, ms] = timed(() => templateFromSubset('t.system', { defines: {}, includeDirs: [] }, files({ 't.system': `<system>\n${doublingMacros(24)}</system>\n` })));
    expect(ms).toBeLessThan(2000);
    expect(r.composite).toBeUndefined();
    expect(r.diagnostics).toEqual([{ severity: 'error', rule: 'cpp', file: 't.system', line: 27, column: 1, message: 'macro expansion of this line is too large (more than 100000 macro expansions)' }]);
  });
});
