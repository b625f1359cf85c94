import { describe, expect, it } from 'vitest';
import { importSystem } from '../../../../shared/sdf/import';
import { recogniseGroups } from '../../../../shared/model/groups';
import { GROUP_PAD } from '../../../../shared/model/elkLayout';
import { applyGroups, applyView, groupFrames, toFlow } from './graphModel';

import pathB from '../../../../resources/templates/orin-agx-path-b.system?raw';

const doc = () => ({ system: importSystem(pathB, 'b.system').model!, layout: { nodes: {} } });

describe('groups on the canvas', () => {
  it('a collapsed group is one node at its members’ corner; its outside edges leave from it, aggregated per other end', () => {
    const d = doc();
    const groups = recogniseGroups(d.system);
    const flow = toFlow(d, [], new Map());
    const out = applyGroups(flow, groups, new Set(['group:vmm:CLIENT_VMM']), {});
    expect(out.nodes.length).toBe(flow.nodes.length - 1);
    const node = out.nodes.find((n) => n.id === 'group:vmm:CLIENT_VMM')!;
    const members = flow.nodes.filter((n) => n.id === 'pd:CLIENT_VMM' || n.id === 'mr:guest_ram');
    expect(node.position).toEqual({ x: Math.min(...members.map((n) => n.position.x)), y: Math.min(...members.map((n) => n.position.y)) });
    // The VMM's 6 queue/data maps and its 2 channels, each to a different node: 8 edges of one each; the VM's and the
    // VMM's maps of guest RAM are inside.
    const agg = out.edges.filter((e) => e.id.startsWith('agg:'));
    expect(agg.length).toBe(8);
    expect(agg.every((e) => (e.data?.members as string[]).length === 1)).toBe(true);
    expect(out.edges.some((e) => e.source === 'pd:CLIENT_VMM' || e.target === 'pd:CLIENT_VMM' || e.target === 'mr:guest_ram')).toBe(false);
    expect(node.data).toMatchObject({ kind: 'group', pds: 1, mrs: 1, links: 8 });
    // The net group collapsed: everything is in it, one node and no edge.
    const all = applyGroups(flow, groups, new Set(['group:sddf:net']), {});
    expect(all.nodes.map((n) => n.id)).toEqual(['group:sddf:net']);
    expect(all.edges).toEqual([]);
  });

  it('frames hold their members and the frames inside them, padded', () => {
    const d = doc();
    const groups = recogniseGroups(d.system);
    const { nodes } = toFlow(d, [], new Map());
    const frames = groupFrames(nodes, groups, new Set());
    expect(frames.map((f) => f.id)).toEqual(['group:sddf:net', 'group:vmm:CLIENT_VMM']);
    const [net, vmm] = frames;
    expect(net!.members.length).toBe(nodes.length);
    expect(vmm!.x).toBeGreaterThanOrEqual(net!.x + GROUP_PAD.left);
    expect(vmm!.y).toBeGreaterThanOrEqual(net!.y + GROUP_PAD.top);
    const vmmNode = nodes.find((n) => n.id === 'pd:CLIENT_VMM')!;
    expect(vmm!.x).toBe(Math.min(vmmNode.position.x, nodes.find((n) => n.id === 'mr:guest_ram')!.position.x) - GROUP_PAD.left);
    // Collapsed, the VMM group's frame is gone and the net frame holds its node.
    const collapsed = new Set(['group:vmm:CLIENT_VMM']);
    const f2 = groupFrames(applyGroups({ nodes, edges: [] }, groups, collapsed, {}).nodes, groups, collapsed);
    expect(f2.map((f) => f.id)).toEqual(['group:sddf:net']);
    expect(f2[0]!.members).toContain('group:vmm:CLIENT_VMM');
  });

  it('a path: its nodes and edges marked, the rest faded', () => {
    const d = doc();
    const flow = toFlow(d, [], new Map());
    const out = applyView(flow, {}, [], { nodes: ['pd:CLIENT_VMM', 'pd:net_virt_tx', 'pd:eth_driver'], edges: ['ch:1', 'ch:4'] });
    expect(out.nodes.filter((n) => n.className?.includes('on-path')).map((n) => n.id).sort()).toEqual(['pd:CLIENT_VMM', 'pd:eth_driver', 'pd:net_virt_tx']);
    expect(out.edges.filter((e) => e.className?.includes('on-path')).map((e) => e.id).sort()).toEqual(['ch:1', 'ch:4']);
    expect(out.nodes.filter((n) => n.className?.includes('faded')).length).toBe(flow.nodes.length - 3);
  });
});
