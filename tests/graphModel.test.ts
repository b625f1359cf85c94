import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSystem } from '../shared/sdf/import';
import { drawnPositions } from '../shared/model/layout';
import { checkSystem } from '../shared/sdf/check';
import { kernelConfig } from '../shared/sdf/kernelConfig';
import { problemsByKey } from '../shared/model/graphKeys';
import { applyView, channelSides, toFlow } from '../renderer/src/features/graph/graphModel';

const root = path.resolve(import.meta.dirname, '..');
const open = (rel: string) => {
  const sys = importSystem(readFileSync(path.join(root, rel), 'utf8'), rel).model!;
  return toFlow({ system: sys, layout: { nodes: {} } }, [], new Map());
};

describe('model → graph', () => {
  it('a VM is drawn inside its VMM PD; its maps leave from the VM, the VMM’s own maps from the PD; IRQs on the PD', () => {
    const { nodes, edges } = open('resources/templates/libvmm-linux.system');
    const vmm = nodes.find((n) => n.id === 'pd:VMM')!;
    expect(vmm.data).toMatchObject({ vm: { name: 'linux', vcpus: [0] }, irqs: ['irq 33 → id 1'] });
    expect(edges.filter((e) => e.sourceHandle === 'vm').map((e) => [e.target, e.label])).toEqual([
      ['mr:guest_ram', 'VM 0x40000000 rwx'],
      ['mr:serial', 'VM 0x9000000 rw'],
      ['mr:gic_vcpu', 'VM 0x8010000 rw'],
    ]);
    expect(edges.filter((e) => e.source === 'pd:VMM' && e.sourceHandle === 'pd').map((e) => e.target)).toEqual(['mr:guest_ram']);
  });

  it('child PDs are nodes of their own under their parent, joined by a "child id N" edge', () => {
    const { nodes, edges } = open('tests/fixtures/microkit-corpus/seL4__microkit/example/hierarchy/hierarchy.system');
    expect(nodes.map((n) => n.id)).toEqual(['pd:restarter', 'pd:crasher', 'pd:hello']);
    expect(nodes[1]!.data).toMatchObject({ parent: { name: 'restarter', id: 1 } });
    expect(nodes[1]!.position.x).toBeGreaterThan(nodes[0]!.position.x);
    expect(edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['pd:restarter', 'pd:crasher', 'child id 1'],
      ['pd:restarter', 'pd:hello', 'child id 2'],
    ]);
  });

  it('every edge of every template ends at a node (channels, maps, VM maps, children)', () => {
    for (const t of ['hello', 'shared-memory', 'libvmm-linux', 'sddf-serial', 'orin-agx-path-b']) {
      const { nodes, edges } = open(`resources/templates/${t}.system`);
      const ids = new Set(nodes.map((n) => n.id));
      for (const e of edges) expect(ids.has(e.source) && ids.has(e.target), `${t}: ${e.id}`).toBe(true);
    }
  });

  it('nodes sit where shared/model/layout draws them, stored or not', () => {
    const sys = importSystem(readFileSync(path.join(root, 'resources/templates/libvmm-linux.system'), 'utf8'), 'x').model!;
    const doc = { system: sys, layout: { nodes: { 'pd:VMM': { x: 700, y: 20 } } } };
    const { nodes } = toFlow(doc, [], new Map());
    expect(Object.fromEntries(nodes.map((n) => [n.id, n.position]))).toEqual(drawnPositions(doc));
    expect(nodes.find((n) => n.id === 'pd:VMM')!.position).toEqual({ x: 700, y: 20 });
  });
});

describe('channel edges use the facing sides', () => {
  it('stacked PDs connect bottom to top, side-by-side ones right to left', () => {
    expect(channelSides({ x: 0, y: 0 }, { x: 10, y: 200 })).toEqual({ sourceHandle: 'out-bottom', targetHandle: 'in-top' });
    expect(channelSides({ x: 0, y: 200 }, { x: 10, y: 0 })).toEqual({ sourceHandle: 'out-top', targetHandle: 'in-bottom' });
    expect(channelSides({ x: 0, y: 0 }, { x: 300, y: 20 })).toEqual({ sourceHandle: 'pd', targetHandle: 'in' });
    expect(channelSides({ x: 300, y: 0 }, { x: 0, y: 20 })).toEqual({ sourceHandle: 'out-left', targetHandle: 'in-right' });
  });
});

describe('setvar edges', () => {
  it('a setvar is an edge from its PD to the region whose address it receives', () => {
    const sys = importSystem('<system><memory_region name="dma" size="0x1000" /><protection_domain name="drv"><program_image path="d.elf" /><setvar symbol="dma_paddr" region_paddr="dma" /></protection_domain></system>', 'x').model!;
    const { edges } = toFlow({ system: sys, layout: { nodes: {} } }, [], new Map());
    expect(edges.map((e) => [e.id, e.source, e.target, e.label])).toEqual([['setvar:drv:0', 'pd:drv', 'mr:dma', 'setvar dma_paddr']]);
  });
});

describe('channel edges take their colour from the checker', () => {
  it("a channel the checker faults is red with the checker's message; the others are not", () => {
    const xml = `<system>
  <protection_domain name="server" priority="100"><program_image path="s.elf" /></protection_domain>
  <protection_domain name="client" priority="100"><program_image path="c.elf" /></protection_domain>
  <channel><end pd="server" id="0" /><end pd="client" id="0" /></channel>
  <channel>
    <end pd="client" id="1" pp="true" />
    <end pd="server" id="1" />
  </channel>
</system>`;
    const { model, sources } = importSystem(xml, 'x.system');
    const { diagnostics } = checkSystem(xml, 'x.system', kernelConfig({ arch: 'aarch64' }));
    const { edges } = toFlow({ system: model!, layout: { nodes: {} } }, [], new Map(), problemsByKey(diagnostics, sources));
    const channel = (id: string) => edges.find((e) => e.id === id)!;
    expect(channel('ch:0').className).toBe('edge-channel');
    expect(channel('ch:1').className).toBe('edge-channel edge-pp edge-bad');
    expect(channel('ch:1').label).toBe('ch 1↔1 (pp →) ✗');
    expect(channel('ch:1').data!.problem).toMatch(/^Error: PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd client \(priority: 100\)/);
  });
});

describe('graph view: hide by kind, focus', () => {
  const flow = () => open('resources/templates/orin-agx-path-b.system');
  it('hiding regions takes their edges; hiding maps keeps the regions; hiding IRQs empties the chips', () => {
    const f = flow();
    const noRegions = applyView(f, { hideRegions: true }, []);
    expect(noRegions.nodes.every((n) => n.type === 'pd')).toBe(true);
    expect(noRegions.edges.length).toBeGreaterThan(0);
    expect(noRegions.edges.every((e) => e.target.startsWith('pd:') && e.source.startsWith('pd:'))).toBe(true);
    const noMaps = applyView(f, { hideMaps: true }, []);
    expect(noMaps.nodes).toHaveLength(f.nodes.length);
    expect(noMaps.edges.filter((e) => e.target.startsWith('mr:'))).toEqual([]);
    expect(f.nodes.some((n) => n.type === 'pd' && n.data.irqs.length)).toBe(true);
    expect(applyView(f, { hideIrqs: true }, []).nodes.every((n) => n.type !== 'pd' || n.data.irqs.length === 0)).toBe(true);
  });
  it('focus fades all but the selection and its neighbours; nothing selected fades nothing', () => {
    const f = flow();
    expect(applyView(f, { focus: true }, []).nodes.some((n) => n.className?.includes('faded'))).toBe(false);
    const v = applyView(f, { focus: true }, ['pd:net_virt_rx']);
    const clear = v.nodes.filter((n) => !n.className?.includes('faded')).map((n) => n.id);
    const neighbours = new Set(f.edges.filter((e) => e.source === 'pd:net_virt_rx' || e.target === 'pd:net_virt_rx').flatMap((e) => [e.source, e.target]));
    expect(new Set(clear)).toEqual(neighbours);
    expect(v.edges.filter((e) => !e.className?.includes('faded')).every((e) => neighbours.has(e.source) && neighbours.has(e.target))).toBe(true);
  });
});
