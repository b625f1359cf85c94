import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSystem } from '../sdf/import';
import ELK from 'elkjs/lib/elk.bundled.js';
import { fromElkGraph, GROUP_PAD, toElkGraph, type ElkNodeJson } from './elkLayout';
import { request } from './elkLayout.fixtures';
import { drawnAs, framedGroups, innermostGroups, recogniseGroups, type Group } from './groups';
import { allProtectionDomains, mrKey, pdKey, type SystemModel } from './system';

const root = path.resolve(import.meta.dirname, '../..');
const system = (rel: string) => importSystem(readFileSync(path.join(root, rel), 'utf8'), rel).model!;
const corpus = path.join(root, 'tests/fixtures/microkit-corpus');
const hits = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const byKind = (gs: Group[], id: string) => gs.find((g) => g.id === id)!;

describe('recogniseGroups', () => {
  it('Path B: the net subsystem (driver, both virtualisers, the copier, the client VMM, every queue and data region), the VMM with its guest RAM inside it', () => {
    const groups = recogniseGroups(system('resources/templates/orin-agx-path-b.system'));
    expect(groups.map((g) => g.id)).toEqual(['group:sddf:net', 'group:vmm:CLIENT_VMM']);
    const net = byKind(groups, 'group:sddf:net');
    expect(net.roles).toEqual({ 'pd:eth_driver': 'driver', 'pd:net_virt_rx': 'virt', 'pd:net_virt_tx': 'virt', 'pd:client0_net_copier': 'copier', 'pd:CLIENT_VMM': 'client' });
    for (const mr of ['net_rx_free_drv', 'net_tx_active_cli0', 'net_rx_buffer_data_region', 'net_rx_buffer_data_region_cli0', 'hw_ring_buffer', 'mgbe0_mac']) expect(net.members).toContain(mrKey(mr));
    const vmm = byKind(groups, 'group:vmm:CLIENT_VMM');
    expect(vmm.members).toEqual(['pd:CLIENT_VMM', 'mr:guest_ram']);
    expect(vmm.parent).toBe('group:sddf:net');
    expect(innermostGroups(groups).get('mr:guest_ram')?.id).toBe(vmm.id);
    expect(innermostGroups(groups).get('pd:eth_driver')?.id).toBe(net.id);
  });

  it('the sddf-serial template: one serial subsystem holding all four PDs and all nine regions', () => {
    const s = system('resources/templates/sddf-serial.system');
    const [serial, ...rest] = recogniseGroups(s);
    expect(rest).toEqual([]);
    expect(serial!.kind).toBe('sddf');
    expect(serial!.label).toBe('serial subsystem (sDDF)');
    expect(new Set(serial!.members)).toEqual(new Set([...allProtectionDomains(s).map((p) => pdKey(p.name)), ...s.memoryRegions.map((m) => mrKey(m.name))]));
  });

  it('a VMM with its VM: the regions only the VMM and its VM map (RAM, the VM devices)', () => {
    expect(recogniseGroups(system('resources/templates/libvmm-linux.system'))).toEqual([
      { id: 'group:vmm:VMM', kind: 'vmm', label: 'VMM + VM linux', members: ['pd:VMM', 'mr:guest_ram', 'mr:serial', 'mr:gic_vcpu'] },
    ]);
  });

  it('a bare `virt` takes its class from its regions (sDDF blk example)', () => {
    const [blk] = recogniseGroups(system('tests/fixtures/microkit-corpus/au-ts__sddf/examples/blk/board/qemu_virt_aarch64/blk.system'));
    expect(blk!.id).toBe('group:sddf:blk');
    expect(blk!.roles).toEqual({ 'pd:virt': 'virt', 'pd:driver': 'driver', 'pd:client': 'client' });
  });

  it('sDDF echo server: net and serial subsystems; clients of both stay outside; child PDs the subsystems took leave their parent', () => {
    const groups = recogniseGroups(system('tests/fixtures/microkit-corpus/au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system'));
    const net = byKind(groups, 'group:sddf:net');
    expect(Object.keys(net.roles!).sort()).toEqual(['pd:copy0', 'pd:copy1', 'pd:eth', 'pd:net_virt_rx', 'pd:net_virt_tx']);
    const serial = byKind(groups, 'group:sddf:serial');
    expect(serial.roles!['pd:uart']).toBe('driver');
    for (const g of groups) for (const c of ['pd:client0', 'pd:client1']) expect(g.members).not.toContain(c);
    // bench0's children (eth, net_virt_tx) are the net subsystem's: no bench0 group is left with bench0 alone.
    expect(groups.some((g) => g.id === 'group:children:bench0')).toBe(false);
  });

  it('a parent with its children', () => {
    const s: SystemModel = {
      ...system('resources/templates/hello.system'),
    };
    const parent = { name: 'root', priority: 200, programImage: 'r.elf', maps: [{ mr: 'own', vaddr: 0x1000 }], irqs: [], extra: [], children: [{ name: 'kid', id: 1, priority: 100, programImage: 'k.elf', maps: [], irqs: [], extra: [] }] };
    const groups = recogniseGroups({ ...s, memoryRegions: [...s.memoryRegions, { name: 'own', size: 0x1000 }], protectionDomains: [...s.protectionDomains, parent] });
    expect(groups).toEqual([{ id: 'group:children:root', kind: 'children', label: 'root and its children', members: ['pd:root', 'pd:kid', 'mr:own'] }]);
  });

  it('every corpus system: groups nest but never cross, members exist, a parent holds its child group', () => {
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : f.endsWith('.system') && files.push(path.join(d, f))));
    walk(corpus);
    let seen = 0;
    for (const f of files) {
      const model = importSystem(readFileSync(f, 'utf8'), f).model;
      if (!model) continue;
      const groups = recogniseGroups(model);
      seen += groups.length;
      const keys = new Set([...allProtectionDomains(model).map((p) => pdKey(p.name)), ...model.memoryRegions.map((m) => mrKey(m.name))]);
      for (const g of groups) {
        expect(g.members.every((k) => keys.has(k)), `${f} ${g.id}`).toBe(true);
        expect(g.members.length).toBeGreaterThanOrEqual(2);
        if (g.parent) expect(g.members.every((k) => byKind(groups, g.parent!).members.includes(k))).toBe(true);
        for (const o of groups) {
          if (o === g) continue;
          const shared = g.members.filter((k) => o.members.includes(k)).length;
          expect([0, g.members.length, o.members.length], `${f}: ${g.id} crosses ${o.id}`).toContain(shared);
        }
      }
    }
    expect(seen).toBeGreaterThan(50);
  });
});

describe('drawnAs', () => {
  it('a collapsed group stands for its members and the groups inside it', () => {
    const groups = recogniseGroups(system('resources/templates/orin-agx-path-b.system'));
    const none = drawnAs(groups, new Set());
    expect(none('pd:CLIENT_VMM')).toBe('pd:CLIENT_VMM');
    const vmm = drawnAs(groups, new Set(['group:vmm:CLIENT_VMM']));
    expect(vmm('pd:CLIENT_VMM')).toBe('group:vmm:CLIENT_VMM');
    expect(vmm('pd:eth_driver')).toBe('pd:eth_driver');
    const net = drawnAs(groups, new Set(['group:sddf:net', 'group:vmm:CLIENT_VMM']));
    expect(net('mr:guest_ram')).toBe('group:sddf:net');
    expect(net('group:vmm:CLIENT_VMM')).toBe('group:sddf:net');
    expect(net('pd:eth_driver')).toBe('group:sddf:net');
  });
});

describe('groups in the automatic layout', () => {
  const inside = (r: { x: number; y: number; width: number; height: number }, f: { x: number; y: number; width: number; height: number }) =>
    r.x >= f.x && r.y >= f.y && r.x + r.width <= f.x + f.width && r.y + r.height <= f.y + f.height;
  it.each([
    ['Path B', 'resources/templates/orin-agx-path-b.system', [['group:sddf:net', undefined], ['group:vmm:CLIENT_VMM', 'group:sddf:net']]],
    ['sDDF echo server', 'tests/fixtures/microkit-corpus/au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system', [['group:sddf:net', undefined], ['group:sddf:serial', undefined], ['group:children:bench2', 'group:sddf:serial']]],
  ])('%s: ELK keeps each group together (its frame holds its members and nothing else), no node overlaps another', async (_name, file, expected) => {
    const sys = system(file);
    const groups = recogniseGroups(sys);
    const req = request(sys);
    req.groups = framedGroups(groups, new Set(), new Set(req.nodes.map((n) => n.id)));
    expect(req.groups.map((g) => [g.id, g.parent])).toEqual(expected);
    const laid = (await new ELK().layout(toElkGraph(req) as never)) as unknown as ElkNodeJson;
    const { positions, routes } = fromElkGraph(req, laid);
    const box = (id: string) => ({ ...positions[id]!, width: req.nodes.find((n) => n.id === id)!.width, height: req.nodes.find((n) => n.id === id)!.height });
    const frame = (g: Group) => {
      const rs = g.members.map(box);
      const x = Math.min(...rs.map((r) => r.x)) - GROUP_PAD.left;
      const y = Math.min(...rs.map((r) => r.y)) - GROUP_PAD.top;
      return { x, y, width: Math.max(...rs.map((r) => r.x + r.width)) + GROUP_PAD.right - x, height: Math.max(...rs.map((r) => r.y + r.height)) + GROUP_PAD.bottom - y };
    };
    for (const g of groups) {
      const f = frame(g);
      for (const k of g.members) expect(inside(box(k), f)).toBe(true);
      // Nothing that is not a member lies under the frame.
      for (const n of req.nodes) if (!g.members.includes(n.id)) expect(hits(box(n.id), f), `${n.id} under ${g.id}`).toBe(false);
    }
    for (let i = 0; i < req.nodes.length; i++) for (let j = i + 1; j < req.nodes.length; j++) expect(hits(box(req.nodes[i]!.id), box(req.nodes[j]!.id))).toBe(false);
    expect(Object.keys(routes).length).toBeGreaterThan(req.edges.length / 2);
  });
});
