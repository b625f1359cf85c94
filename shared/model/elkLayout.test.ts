import { readFileSync } from 'node:fs';
import path from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { importSystem } from '../sdf/import';
import { flowDirections, fromElkGraph, longEdges, toElkGraph, type ElkNodeJson, type LayoutRequest, type Point, type Size } from './elkLayout';
import { request, synthetic250 } from './elkLayout.fixtures';
import { graphEdges } from './graphEdges';
import type { SystemModel } from './system';

const root = path.resolve(import.meta.dirname, '../..');
const system = (rel: string) => importSystem(readFileSync(path.join(root, rel), 'utf8'), rel).model!;

type Box = Point & Size;
const hit = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const pairs = (boxes: Box[]) => {
  let n = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (hit(boxes[i]!, boxes[j]!)) n++;
  return n;
};

async function layout(req: LayoutRequest, pinned = {}) {
  const elk = new ELK();
  const t0 = performance.now();
  const laid = (await elk.layout(toElkGraph(req) as never)) as unknown as ElkNodeJson;
  const ms = performance.now() - t0;
  return { ...fromElkGraph(req, laid, pinned), ms };
}

const nodeBoxes = (req: LayoutRequest, positions: Record<string, Point>) => req.nodes.map((n) => ({ ...positions[n.id]!, width: n.width, height: n.height }));

describe('automatic layout (ELK)', () => {
  const cases: [string, () => SystemModel][] = [
    ['profiler', () => system('tests/fixtures/microkit-corpus/au-ts__sel4_profiler/profiler.system')],
    ['echo server 4 cores', () => system('tests/fixtures/microkit-corpus/au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system')],
    ['Path B', () => system('resources/templates/orin-agx-path-b.system')],
    ['250 nodes', synthetic250],
  ];
  for (const [name, make] of cases) {
    it(`${name}: every node placed, none overlapping, labels apart`, async () => {
      const req = request(make());
      const { positions, routes, ms } = await layout(req);
      expect(Object.keys(positions)).toEqual(req.nodes.map((n) => n.id));
      expect(pairs(nodeBoxes(req, positions))).toBe(0);
      const labels = Object.values(routes).flatMap((r) => (r.label ? [r.label] : []));
      const ids = new Set(req.nodes.map((n) => n.id));
      // Every edge ELK was given has its label placed (the far ones of a shared region are the canvas's).
      const long = longEdges(req.edges, flowDirections(req.system, req.edges));
      const drawable = req.edges.filter((e) => ids.has(e.source) && ids.has(e.target) && !long.has(e.id));
      expect(labels.length).toBeGreaterThan(drawable.length * 0.9);
      const labelPairs = pairs(labels);
      console.log(`${name}: ${req.nodes.length} nodes, ${req.edges.length} edges, ${Object.keys(routes).length} routed, label overlap pairs ${labelPairs}/${labels.length}, ELK ${ms.toFixed(0)} ms`);
      expect(labelPairs / labels.length).toBeLessThan(0.1);
      // A route starts and ends on its nodes' sides (within the port's pixel).
      for (const e of req.edges) {
        const r = routes[e.id];
        if (!r) continue;
        const [s, t] = [r.points[0]!, r.points.at(-1)!];
        const near = (p: Point, id: string) => {
          const b = nodeBoxes(req, positions)[req.nodes.findIndex((n) => n.id === id)]!;
          return p.x >= b.x - 2 && p.x <= b.x + b.width + 2 && p.y >= b.y - 2 && p.y <= b.y + b.height + 2;
        };
        expect(near(s, e.source) && near(t, e.target), e.id).toBe(true);
      }
    });
  }

  it('data flow: driver, then virtualisers, then the client; a shared queue between its users', async () => {
    const req = request(system('resources/templates/sddf-serial.system'));
    const { positions } = await layout(req);
    const x = (k: string) => positions[k]!.x;
    expect(x('pd:serial_driver')).toBeLessThan(x('pd:serial_virt_tx'));
    expect(x('pd:serial_virt_tx')).toBeLessThan(x('pd:client'));
    expect(x('pd:serial_virt_rx')).toBeLessThan(x('pd:client'));
    // The client's queue: right of the virtualiser, left of the client. The UART: left of its driver.
    expect(x('mr:tx_queue_client')).toBeGreaterThan(x('pd:serial_virt_tx'));
    expect(x('mr:tx_queue_client')).toBeLessThan(x('pd:client'));
    expect(x('mr:uart')).toBeLessThan(x('pd:serial_driver'));
  });

  it('a region shared by PDs far apart: the far users’ edges are not given to ELK, and routed after it on lanes of their own', async () => {
    const req = request(synthetic250());
    const long = longEdges(req.edges, flowDirections(req.system, req.edges));
    // region_180+k is mapped by pd_k, pd_k+10, … pd_k+50 (the most upstream, by priority): ten channels apart each.
    expect([...long].sort()).toEqual(Array.from({ length: 50 }, (_, p) => `map:pd_${p}:3`).sort());
    expect(toElkGraph(req).edges!.length).toBe(req.edges.length - 50);
    const { routes, positions } = await layout(req);
    const boxes = nodeBoxes(req, positions);
    const segs: [Point, Point][] = [];
    for (const id of long) {
      const r = routes[id]!;
      const e = req.edges.find((x) => x.id === id)!;
      // From the PD's east side to the region's west side, right angles only.
      const [s, t] = [boxes[req.nodes.findIndex((n) => n.id === e.source)]!, boxes[req.nodes.findIndex((n) => n.id === e.target)]!];
      expect(r.points[0]).toEqual({ x: s.x + s.width, y: s.y + s.height / 2 });
      expect(r.points.at(-1)).toEqual({ x: t.x, y: t.y + t.height / 2 });
      for (let i = 1; i < r.points.length; i++) {
        const [a, b] = [r.points[i - 1]!, r.points[i]!];
        expect(a.x === b.x || a.y === b.y).toBe(true);
        segs.push([a, b]);
      }
      // Its lane (the horizontal run) passes over or under every node between its ends, none crossed.
      const lane = r.points[2]!.y;
      const [lo, hi] = [Math.min(r.points[2]!.x, r.points[3]!.x), Math.max(r.points[2]!.x, r.points[3]!.x)];
      for (const b of boxes) if (b.x < hi && b.x + b.width > lo) expect(lane > b.y + b.height || lane < b.y).toBe(true);
    }
    // No two lanes overlap: horizontal runs at one height never share a stretch.
    const runs = segs.filter(([a, b]) => a.y === b.y && Math.abs(a.x - b.x) > 40).map(([a, b]) => ({ y: a.y, lo: Math.min(a.x, b.x), hi: Math.max(a.x, b.x) }));
    for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) if (runs[i]!.y === runs[j]!.y) expect(runs[i]!.hi <= runs[j]!.lo || runs[j]!.hi <= runs[i]!.lo).toBe(true);
    // The real systems have none: their shared regions (queues, data) sit between PDs a channel or two apart.
    for (const rel of ['tests/fixtures/microkit-corpus/au-ts__sel4_profiler/profiler.system', 'tests/fixtures/microkit-corpus/au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system', 'resources/templates/orin-agx-path-b.system']) {
      const r = request(system(rel));
      expect(longEdges(r.edges, flowDirections(r.system, r.edges)).size, rel).toBe(0);
    }
  });

  it('a protected procedure call puts the callee upstream; otherwise the higher priority', () => {
    const pd = (name: string, priority: number) => ({ name, priority, programImage: `${name}.elf`, maps: [], irqs: [], extra: [] });
    const sys: SystemModel = {
      memoryRegions: [],
      protectionDomains: [pd('a', 10), pd('b', 50), pd('c', 10)],
      channels: [{ ends: [{ pd: 'a', id: 0 }, { pd: 'b', id: 0 }] }, { ends: [{ pd: 'b', id: 1, pp: true }, { pd: 'c', id: 0 }] }],
      extra: [],
    };
    const dirs = flowDirections(sys, graphEdges(sys));
    // a(10) – b(50): b is upstream, so the drawn a→b is reversed. b calls c: c is upstream, reversed too.
    expect(dirs.get('ch:0')).toBe(true);
    expect(dirs.get('ch:1')).toBe(true);
  });

  it('keeps what the user placed; only the rest is laid out, around it', async () => {
    const req = request(system('resources/templates/orin-agx-path-b.system'));
    const first = await layout(req);
    const mover = req.nodes[1]!.id;
    const pinned = { [mover]: { x: first.positions[mover]!.x + 40, y: first.positions[mover]!.y + 25, pinned: true } };
    const again = await layout(req, pinned);
    expect(again.positions[mover]).toEqual(pinned[mover]);
    expect(pairs(nodeBoxes(req, again.positions))).toBe(0);
    // The others moved with the block, not to unrelated places: most kept their place relative to the pinned one.
    const same = req.nodes.filter((n) => n.id !== mover && again.positions[n.id]!.x - first.positions[n.id]!.x === 40);
    expect(same.length).toBeGreaterThan(req.nodes.length / 2);
    // No route is kept for an edge of the pinned node (the canvas draws those from the node's handles).
    for (const e of req.edges) if (e.source === mover || e.target === mover) expect(again.routes[e.id]).toBeUndefined();
  });

  it('a pinned node in the way pushes the laid-out nodes aside, never onto it', async () => {
    const req = request(synthetic250());
    const first = await layout(req);
    // Pin one node right onto another's place.
    const [a, b] = [req.nodes[0]!.id, req.nodes[100]!.id];
    const again = await layout(req, { [a]: { x: first.positions[a]!.x, y: first.positions[a]!.y, pinned: true }, [req.nodes[5]!.id]: { ...first.positions[b]!, pinned: true } });
    expect(pairs(nodeBoxes(req, again.positions))).toBe(0);
  });
});
