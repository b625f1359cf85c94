import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeText, editSystemDoc, openSystemDoc } from '../sdf/document';
import { deleteNodes, setGroupCollapsed, updateProtectionDomain } from './edits';
import { followLayout, inferRenames } from './follow';

const root = path.resolve(import.meta.dirname, '../..');
const template = (name: string) => readFileSync(path.join(root, 'resources/templates', name), 'utf8');
const FILE = 'x.system';

describe('followLayout', () => {
  it('a renamed VMM keeps its group collapsed, under the new id, with the node where it was (inspector rename)', () => {
    let doc = openSystemDoc(template('libvmm-linux.system'), FILE, { nodes: { 'pd:VMM': { x: 10, y: 20 } } });
    doc = editSystemDoc(doc, setGroupCollapsed('group:vmm:VMM', true, 'VMM + VM linux', { 'pd:VMM': { x: 10, y: 20 } }), FILE);
    expect(doc.layout.collapsed).toEqual(['group:vmm:VMM']);
    const at = doc.layout.nodes['group:vmm:VMM'];
    expect(at).toBeDefined();
    doc = editSystemDoc(doc, updateProtectionDomain('VMM', { name: 'linux_vmm' }), FILE);
    expect(doc.text).toContain('name="linux_vmm"');
    expect(doc.layout.collapsed).toEqual(['group:vmm:linux_vmm']);
    expect(doc.layout.nodes['group:vmm:linux_vmm']).toEqual(at);
    expect(doc.layout.nodes['group:vmm:VMM']).toBeUndefined();
    expect(doc.layout.nodes['pd:linux_vmm']).toEqual({ x: 10, y: 20 });
  });

  it('a rename typed in the XML carries the node and the collapsed group', () => {
    const text = template('libvmm-linux.system');
    const before = analyzeText(text, FILE).model!;
    const after = analyzeText(text.replaceAll('"VMM"', '"guest_vmm"'), FILE).model!;
    expect([...inferRenames(before, after)]).toEqual([['pd:VMM', 'pd:guest_vmm']]);
    const layout = followLayout(before, after, { nodes: { 'pd:VMM': { x: 1, y: 2 }, 'group:vmm:VMM': { x: 3, y: 4 } }, collapsed: ['group:vmm:VMM'] });
    expect(layout).toEqual({ nodes: { 'pd:guest_vmm': { x: 1, y: 2 }, 'group:vmm:guest_vmm': { x: 3, y: 4 } }, collapsed: ['group:vmm:guest_vmm'] });
  });

  it('a collapsed group that is gone is no longer listed; unrelated edits leave the layout as it was', () => {
    let doc = openSystemDoc(template('orin-agx-path-b.system'), FILE, { nodes: {} });
    doc = editSystemDoc(doc, setGroupCollapsed('group:vmm:CLIENT_VMM', true, 'VMM', {}), FILE);
    const layout = doc.layout;
    // A priority change: same PDs, same groups.
    doc = editSystemDoc(doc, updateProtectionDomain('eth_driver', { priority: 201 }), FILE);
    expect(doc.layout).toBe(layout);
    doc = editSystemDoc(doc, deleteNodes(['pd:CLIENT_VMM']), FILE);
    expect(doc.layout.collapsed ?? []).toEqual([]);
  });

  it('renames are inferred only when one thing of a kind went and one came', () => {
    const text = template('libvmm-linux.system');
    const a = analyzeText(text, FILE).model!;
    const b = analyzeText(text.replace('name="guest_ram"', 'name="ram"').replace('mr="guest_ram"', 'mr="ram"'), FILE).model!;
    expect([...inferRenames(a, b)]).toEqual([['mr:guest_ram', 'mr:ram']]);
    const twoGone = { ...a, memoryRegions: a.memoryRegions.slice(2) };
    expect(inferRenames(a, { ...twoGone, memoryRegions: [...twoGone.memoryRegions, { ...a.memoryRegions[0]!, name: 'new' }] }).size).toBe(0);
  });
});
