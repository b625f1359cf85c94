import { describe, expect, it } from 'vitest';
import { applyEdit, emptyHistory, undo, type EditorDoc } from './edits';
import { copyFragment, deleteKeys, deletePreview, pasteFragment } from './clipboard';
import { importSystem } from '../sdf/import';
import { exportSystem } from '../sdf/export';
import { checkSystem } from '../sdf/check';
import { kernelConfig } from '../sdf/kernelConfig';

const doc = (): EditorDoc => ({
  system: importSystem(`<system>
  <memory_region name="shared" size="0x1000" />
  <memory_region name="priv" size="0x1000" />
  <protection_domain name="server" priority="200"><program_image path="s.elf" /><map mr="shared" vaddr="0x1000000" /></protection_domain>
  <protection_domain name="client" priority="100">
    <program_image path="c.elf" />
    <map mr="shared" vaddr="0x1000000" setvar_vaddr="buf" /><map mr="priv" vaddr="0x2000000" />
    <irq irq="40" id="3" />
    <protection_domain name="worker" id="0" priority="50"><program_image path="w.elf" /><map mr="priv" vaddr="0x3000000" /></protection_domain>
  </protection_domain>
  <channel><end pd="client" id="0" pp="true" /><end pd="server" id="0" /></channel>
  <channel><end pd="client" id="1" /><end pd="worker" id="1" /></channel>
</system>`).model!,
  layout: { nodes: { 'pd:client': { x: 100, y: 100 }, 'mr:priv': { x: 400, y: 100 } } },
});
const errors = (d: EditorDoc) => checkSystem(exportSystem(d.system), 't.system', kernelConfig({ arch: 'aarch64' })).diagnostics.filter((x) => x.severity === 'error').map((x) => x.message);

describe('copy, paste, duplicate', () => {
  it('a PD with its child and a private region: copies rename consistently, shared maps stay shared, IRQs stay behind', () => {
    const d = doc();
    const frag = copyFragment(d, ['pd:client', 'mr:priv', 'pd:worker'])!;
    expect(frag.pds.map((p) => p.name)).toEqual(['client']); // worker comes with its parent
    expect(frag.channels).toHaveLength(1); // client↔worker; client↔server needs server
    const paste = pasteFragment(frag, { x: 40, y: 40 });
    expect(paste.label).toBe('Paste (1 IRQ not copied: an interrupt goes to one PD)');
    expect(paste.names(d)).toEqual(['pd:client_copy1', 'pd:worker_copy1', 'mr:priv_copy1']);
    const { doc: after, history } = applyEdit(d, emptyHistory(), paste);
    const copy = after.system.protectionDomains[2]!;
    expect(copy.maps.map((m) => m.mr)).toEqual(['shared', 'priv_copy1']);
    expect(copy.irqs).toEqual([]);
    expect(copy.children![0]!.maps[0]!.mr).toBe('priv_copy1');
    expect(after.system.channels[2]!.ends.map((e) => e.pd)).toEqual(['client_copy1', 'worker_copy1']);
    expect(after.layout.nodes['pd:client_copy1']).toEqual({ x: 140, y: 140 });
    expect(after.layout.nodes['mr:priv_copy1']).toEqual({ x: 440, y: 100 + 40 });
    expect(errors(after)).toEqual([]);
    expect(undo(after, history).doc).toBe(d);
    // Pasting again gives the next names, never a clash.
    const again = applyEdit(after, emptyHistory(), pasteFragment(frag)).doc;
    expect(again.layout.nodes['pd:client_copy2']).toEqual({ x: 130, y: 100 + 140 });
    expect(again.system.protectionDomains.map((p) => p.name)).toEqual(['server', 'client', 'client_copy1', 'client_copy2']);
    expect(errors(again)).toEqual([]);
  });
  it('nothing copyable selected gives nothing', () => {
    expect(copyFragment(doc(), ['ch:0'])).toBeUndefined();
  });
});

describe('delete with what goes with it', () => {
  // A VMM with its VM, IRQs and a child PD; a server with a setvar; shared and private regions; two channels.
  const rich = (): EditorDoc => ({
    system: importSystem(`<system>
  <memory_region name="shared" size="0x1000" />
  <memory_region name="priv" size="0x1000" />
  <memory_region name="ram" size="0x10000000" />
  <memory_region name="spare" size="0x1000" />
  <protection_domain name="server" priority="200"><program_image path="s.elf" /><map mr="shared" vaddr="0x1000000" /><setvar symbol="priv_paddr" region_paddr="priv" /></protection_domain>
  <protection_domain name="client" priority="100">
    <program_image path="c.elf" />
    <map mr="shared" vaddr="0x1000000" /><map mr="priv" vaddr="0x2000000" />
    <irq irq="40" id="3" />
    <irq irq="41" id="4" />
    <virtual_machine name="linux"><vcpu id="0" /><map mr="ram" vaddr="0x40000000" /></virtual_machine>
    <protection_domain name="worker" id="1" priority="50"><program_image path="w.elf" /><map mr="priv" vaddr="0x3000000" /><irq irq="42" id="0" /></protection_domain>
  </protection_domain>
  <channel><end pd="client" id="0" pp="true" /><end pd="server" id="0" /></channel>
  <channel><end pd="client" id="1" /><end pd="worker" id="1" /></channel>
</system>`).model!,
    layout: { nodes: {} },
  });
  it('the preview is what the delete edit removes, less what was asked: a VMM PD with its VM, IRQs, maps and child', () => {
    expect(deletePreview(rich(), ['pd:client'])).toEqual([
      'virtual machine linux',
      'map of ram into linux at 0x40000000',
      'IRQ 40 (id 3) of client',
      'IRQ 41 (id 4) of client',
      'map of shared into client at 0x1000000',
      'map of priv into client at 0x2000000',
      'child PD worker',
      'IRQ 42 (id 0) of worker',
      'map of priv into worker at 0x3000000',
      'channel client (id 0) ↔ server (id 0)',
      'channel client (id 1) ↔ worker (id 1)',
    ]);
    // Selecting the child as well asks for it: it is no longer news.
    expect(deletePreview(rich(), ['pd:client', 'pd:worker'])).not.toContain('child PD worker');
    expect(deletePreview(rich(), ['vm:client'])).toEqual(['map of ram into linux at 0x40000000']);
  });
  it('a region takes its maps, and a setvar naming it is reported as left dangling (the delete keeps it)', () => {
    expect(deletePreview(rich(), ['mr:priv'])).toEqual(['map of priv into client at 0x2000000', 'map of priv into worker at 0x3000000', 'setvar priv_paddr of server (left naming a missing region)']);
    const after = deleteKeys(['mr:priv']).apply(rich());
    expect(after.system.protectionDomains[0]!.setvars).toEqual([{ symbol: 'priv_paddr', regionPaddr: 'priv' }]);
  });
  it('nothing else goes: no preview (the delete happens without asking)', () => {
    expect(deletePreview(rich(), ['mr:spare'])).toEqual([]);
    expect(deletePreview(rich(), ['map:client:1', 'ch:0', 'irq:client:0'])).toEqual([]);
  });
  it('parts are matched by what they are, not where they are: deleting the first of two maps does not report the second', () => {
    const d = rich();
    expect(deletePreview(d, ['map:client:0'])).toEqual([]);
    expect(deletePreview(d, ['setvar:server:0'])).toEqual([]);
  });
  it('deletes a setvar edge', () => {
    const d = doc();
    const withSv: EditorDoc = { ...d, system: { ...d.system, protectionDomains: d.system.protectionDomains.map((p) => (p.name === 'server' ? { ...p, setvars: [{ symbol: 'a', regionPaddr: 'shared' }, { symbol: 'b', regionPaddr: 'priv' }] } : p)) } };
    const after = applyEdit(withSv, emptyHistory(), deleteKeys(['setvar:server:0'])).doc;
    expect(after.system.protectionDomains[0]!.setvars).toEqual([{ symbol: 'b', regionPaddr: 'priv' }]);
  });
  it('deletes edges, parts and nodes in one step, indices from the top down', () => {
    const d = doc();
    const { doc: after, history } = applyEdit(d, emptyHistory(), deleteKeys(['map:client:0', 'map:client:1', 'ch:0', 'irq:client:0', 'mr:shared']));
    const client = after.system.protectionDomains[1]!;
    expect(client.maps).toEqual([]);
    expect(client.irqs).toEqual([]);
    expect(after.system.channels.map((c) => c.ends[1].pd)).toEqual(['worker']);
    expect(after.system.memoryRegions.map((m) => m.name)).toEqual(['priv']);
    expect(after.system.protectionDomains[0]!.maps).toEqual([]);
    expect(undo(after, history).doc).toBe(d);
  });
});
