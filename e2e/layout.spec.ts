import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { exportSystem } from '../shared/sdf/export';
import { synthetic250 } from '../shared/model/elkLayout.fixtures';
import { importSystem } from '../shared/sdf/import';
import { recogniseGroups } from '../shared/model/groups';
import { graphEdges } from '../shared/model/graphEdges';
import { test, expect } from './fixtures';

const root = path.resolve(import.meta.dirname, '..');
const corpus = (rel: string) => readFileSync(path.join(root, 'tests/fixtures/microkit-corpus', rel), 'utf8');

/** What the page draws, measured from its bounding boxes (screen pixels, at the current zoom). */
interface Drawing {
  nodes: number;
  nodeOverlaps: number;
  underMinimap: number;
  labels: number;
  labelOverlaps: number;
  /** Every label shown (the low-zoom hiding lifted for the measure). */
  labelsAll: number;
  labelOverlapsAll: number;
  edges: number;
  crossings: number;
  zoom: number;
  /** Group frames drawn; members not wholly inside their frame; other nodes overlapping a frame. */
  frames: number;
  membersOutside: number;
  strangersInside: number;
}

/** Runs in the page: boxes of nodes, labels and the minimap; edge crossings from the drawn paths (sampled). */
function measure(): Drawing {
  const boxes = (sel: string) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
  const hit = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const pairs = (rs: DOMRect[]) => {
    let n = 0;
    for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (hit(rs[i]!, rs[j]!)) n++;
    return n;
  };
  const nodes = boxes('.react-flow__node');
  const mini = document.querySelector('.react-flow__minimap')!.getBoundingClientRect();
  const labels = boxes('.react-flow__edge-textwrapper');
  const canvas = document.querySelector('[data-testid=canvas]')!;
  const hidden = canvas.classList.contains('labels-hidden');
  canvas.classList.remove('labels-hidden');
  const labelsAll = boxes('.react-flow__edge-textwrapper');
  if (hidden) canvas.classList.add('labels-hidden');
  // Each edge as a polyline in screen space.
  type P = { x: number; y: number };
  const lines: P[][] = [...document.querySelectorAll<SVGPathElement>('.react-flow__edge-path')].map((p) => {
    const m = p.getScreenCTM()!;
    const len = p.getTotalLength();
    const n = Math.max(2, Math.min(80, Math.ceil(len / 12)));
    return Array.from({ length: n + 1 }, (_, i) => {
      const q = p.getPointAtLength((len * i) / n);
      return { x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f };
    });
  });
  const cross = (a: P, b: P, c: P, d: P) => {
    const o = (p: P, q: P, r: P) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
    return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
  };
  const near = (p: P, q: P) => Math.abs(p.x - q.x) < 8 && Math.abs(p.y - q.y) < 8;
  const bb = lines.map((l) => ({ x0: Math.min(...l.map((p) => p.x)), x1: Math.max(...l.map((p) => p.x)), y0: Math.min(...l.map((p) => p.y)), y1: Math.max(...l.map((p) => p.y)) }));
  let crossings = 0;
  for (let i = 0; i < lines.length; i++)
    for (let j = i + 1; j < lines.length; j++) {
      if (bb[i]!.x1 < bb[j]!.x0 || bb[j]!.x1 < bb[i]!.x0 || bb[i]!.y1 < bb[j]!.y0 || bb[j]!.y1 < bb[i]!.y0) continue;
      const [a, b] = [lines[i]!, lines[j]!];
      const ends = [a[0]!, a.at(-1)!, b[0]!, b.at(-1)!];
      for (let s = 1; s < a.length; s++)
        for (let t = 1; t < b.length; t++) {
          if (!cross(a[s - 1]!, a[s]!, b[t - 1]!, b[t]!)) continue;
          // Edges meeting at a node they share do not cross there.
          if (ends.some((e) => near(e, a[s]!) || near(e, a[s - 1]!))) continue;
          crossings++;
        }
    }
  const vp = document.querySelector('.react-flow__viewport') as HTMLElement;
  const zoom = new DOMMatrixReadOnly(getComputedStyle(vp).transform).a;
  // Groups: every member inside its frame (a pixel of rounding allowed), no other node touching it.
  const frames = [...document.querySelectorAll<HTMLElement>('.group-frame')];
  let membersOutside = 0;
  let strangersInside = 0;
  for (const f of frames) {
    const r = f.getBoundingClientRect();
    const members = new Set((f.dataset.members ?? '').split(' '));
    for (const n of document.querySelectorAll<HTMLElement>('.react-flow__node')) {
      const b = n.getBoundingClientRect();
      if (members.has(n.dataset.id ?? '')) {
        if (b.left < r.left - 1 || b.top < r.top - 1 || b.right > r.right + 1 || b.bottom > r.bottom + 1) membersOutside++;
      } else if (hit(b, r)) strangersInside++;
    }
  }
  return { frames: frames.length, membersOutside, strangersInside, nodes: nodes.length, nodeOverlaps: pairs(nodes), underMinimap: nodes.filter((r) => hit(r, mini)).length, labels: labels.length, labelOverlaps: pairs(labels), labelsAll: labelsAll.length, labelOverlapsAll: pairs(labelsAll), edges: lines.length, crossings, zoom };
}

const show = (d: Drawing) =>
  `${d.nodes} nodes, ${d.frames} group frames, ${d.nodeOverlaps} overlapping pairs, ${d.underMinimap} under the minimap; labels ${d.labelOverlaps} overlapping pairs / ${d.labels} shown (all shown: ${d.labelOverlapsAll}/${d.labelsAll}); ${d.edges} edges, ${d.crossings} crossings; zoom ${d.zoom.toFixed(2)}`;

async function fitted(page: Page): Promise<Drawing> {
  await page.getByTestId('btn-fit').click();
  await page.waitForTimeout(400);
  return page.evaluate(measure);
}

/** Each system, and a PD to look at closely (Find zooms to it: labels shown). */
const cases: [string, () => string, string][] = [
  ['profiler', () => corpus('au-ts__sel4_profiler/profiler.system'), 'eth'],
  ['profiler-maaxboard-2-cores', () => corpus('au-ts__sel4_profiler/example/board/maaxboard_2_cores/profiler.system'), 'profiler'],
  ['echo-server-odroidc4-4-cores', () => corpus('au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system'), 'net_virt_rx'],
  ['path-b', () => readFileSync(path.join(root, 'resources/templates/orin-agx-path-b.system'), 'utf8'), 'net_virt_rx'],
  ['synthetic-250', () => exportSystem(synthetic250()), 'pd_30'],
];

test.describe('auto layout at real scale', () => {
  test.use({ viewport: { width: 1400, height: 900 } });
  for (const [name, text, focus] of cases) {
    test(`${name}: after Auto layout no node overlaps another or the minimap, labels apart`, async ({ studio, host, page }) => {
      test.setTimeout(120_000);
      const dir = path.join(host.workspace, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}.system`), text());
      await studio.openProject(dir);
      await page.getByTestId('explorer-file').filter({ hasText: `${name}.system` }).click();
      await expect(page.locator('.react-flow__node').first()).toBeVisible();
      await page.waitForTimeout(500);
      // A Microkit 1.x file (the profiler): migrated first, so every PD and channel is drawn.
      if (await page.getByTestId('legacy-banner').count()) {
        await page.getByTestId('legacy-banner').getByRole('button', { name: 'Migrate to Microkit 2.x' }).click();
        await expect(page.getByTestId('legacy-banner')).toHaveCount(0);
        await page.waitForTimeout(500);
      }
      const before = await fitted(page);
      await page.getByTestId('btn-autolayout').click();
      await expect(page.getByTestId('btn-autolayout')).toHaveText('Auto layout', { timeout: 60_000 });
      await expect(page.getByTestId('autolayout-error')).toHaveCount(0);
      const ms = await page.getByTestId('btn-autolayout').getAttribute('data-ms');
      await page.waitForTimeout(300);
      const after = await fitted(page);
      console.log(`${name}: before: ${show(before)}`);
      console.log(`${name}: after:  ${show(after)}; layout ${ms} ms in the worker`);
      mkdirSync(path.join(root, 'test-results/screenshots'), { recursive: true });
      await page.getByTestId('canvas').screenshot({ path: `test-results/screenshots/layout-${name}.png` });
      expect(after.nodes).toBe(before.nodes);
      expect(after.nodeOverlaps).toBe(0);
      expect(after.underMinimap).toBe(0);
      // Groups laid out as ELK compound nodes: members inside their frame, nothing else under it.
      expect(after.membersOutside).toBe(0);
      expect(after.strangersInside).toBe(0);
      expect(after.labelOverlaps).toBeLessThan(Math.max(1, after.labels * 0.1));
      expect(after.labelOverlapsAll).toBeLessThan(Math.max(1, after.labelsAll * 0.1));
      // Close up (Find zooms to a PD): the labels are shown and still apart.
      await page.getByTestId('find-node').fill(focus);
      await page.getByTestId('find-node').press('Enter');
      await page.waitForTimeout(500);
      const close = await page.evaluate(measure);
      console.log(`${name}: close up on ${focus}: ${show(close)}`);
      await page.getByTestId('canvas').screenshot({ path: `test-results/screenshots/layout-${name}-close.png` });
      expect(close.labels).toBeGreaterThan(0);
      expect(close.labelOverlaps).toBeLessThan(Math.max(1, close.labels * 0.1));
      // Undo gives the drawing back in one step.
      await studio.undo();
      const undone = await fitted(page);
      expect(undone.nodes).toBe(before.nodes);
      expect(undone.crossings).toBe(before.crossings);
    });
  }
});

test('View: hide regions, maps, IRQs; focus fades all but the selection and its neighbours', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'view');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'path-b.system'), readFileSync(path.join(root, 'resources/templates/orin-agx-path-b.system'), 'utf8'));
  await studio.openProject(dir);
  await page.getByTestId('explorer-file').filter({ hasText: 'path-b.system' }).click();
  await expect(studio.node('pd', 'net_virt_rx')).toBeVisible();
  const nodes = page.locator('.react-flow__node');
  const all = await nodes.count();
  await page.getByTestId('graph-view').locator('summary').click();
  await page.getByTestId('view-hideRegions').check();
  await expect(nodes).toHaveCount(5);
  await expect(page.locator('.react-flow__node-mr')).toHaveCount(0);
  await page.getByTestId('view-hideRegions').uncheck();
  await expect(nodes).toHaveCount(all);
  await page.getByTestId('view-hideMaps').check();
  await expect(page.locator('.react-flow__edge.edge-map')).toHaveCount(0);
  await page.getByTestId('view-hideMaps').uncheck();
  await page.getByTestId('view-focus').check();
  await studio.selectNode('pd', 'net_virt_rx');
  await expect(page.locator('.react-flow__node.faded').first()).toBeAttached();
  await expect(page.locator('.react-flow__node[data-id="pd:net_virt_rx"]')).not.toHaveClass(/faded/);
  await expect(page.locator('.react-flow__node[data-id="pd:CLIENT_VMM"]')).toHaveClass(/faded/);
  await page.getByTestId('canvas').screenshot({ path: 'test-results/screenshots/layout-focus.png' });
});

/** Opens a system from a plain folder, runs Auto layout and fits. */
async function openLaidOut(studio: { openProject(dir: string): Promise<void> }, page: Page, workspace: string, name: string, text: string) {
  const dir = path.join(workspace, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.system`), text);
  await studio.openProject(dir);
  await page.getByTestId('explorer-file').filter({ hasText: `${name}.system` }).click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await page.getByTestId('btn-autolayout').click();
  await expect(page.getByTestId('btn-autolayout')).toHaveText('Auto layout', { timeout: 60_000 });
  await expect(page.getByTestId('autolayout-error')).toHaveCount(0);
  return fitted(page);
}

// Into test-results like every other screenshot; docs/screenshots keeps the ones looked at and chosen for the docs
// (SCREENSHOTS=docs writes them there again, to look at and commit on purpose).
const shot = (page: Page, name: string) => page.getByTestId('canvas').screenshot({ path: `${process.env.SCREENSHOTS === 'docs' ? 'docs/screenshots' : 'test-results/screenshots'}/layout-groups-${name}.png` });
const labelCount = (text: string) => (/^(\d+) edges$/.exec(text) ? Number(/^(\d+)/.exec(text)![1]) : 1);

test.describe('groups', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  const groupCases: [string, () => string, string, number][] = [
    ['path-b', () => readFileSync(path.join(root, 'resources/templates/orin-agx-path-b.system'), 'utf8'), 'group:vmm:CLIENT_VMM', 2],
    ['echo-server', () => corpus('au-ts__sddf/examples/echo_server/board/odroidc4_4_cores/echo_server.system'), 'group:sddf:net', 3],
  ];
  for (const [name, text, group, frameCount] of groupCases) {
    test(`${name}: groups drawn around their members; collapse keeps the outside edges on one node, expand restores`, async ({ studio, host, page }) => {
      test.setTimeout(120_000);
      const system = importSystem(text(), `${name}.system`).model!;
      const g = recogniseGroups(system).find((x) => x.id === group)!;
      const laid = await openLaidOut(studio, page, host.workspace, name, text());
      console.log(`${name}: groups: ${show(laid)}`);
      expect(laid.frames).toBe(frameCount);
      expect(laid.membersOutside).toBe(0);
      expect(laid.strangersInside).toBe(0);
      expect(laid.nodeOverlaps).toBe(0);
      expect(laid.underMinimap).toBe(0);
      await shot(page, `${name}`);
      const nodes = page.locator('.react-flow__node');
      const edges = page.locator('.react-flow__edge');
      const [nodesBefore, edgesBefore] = [await nodes.count(), await edges.count()];
      // The edges with one end in the group and one outside (graph edges as the canvas draws them).
      const inside = new Set(g.members);
      const external = graphEdges(system).filter((e) => inside.has(e.source) !== inside.has(e.target));
      const outsideEnds = new Set(external.map((e) => (inside.has(e.source) ? e.target : e.source)));

      await page.getByTestId(`group-collapse-${group}`).click();
      await expect(page.getByTestId(`node-group-${group}`)).toBeVisible();
      expect(await nodes.count()).toBe(nodesBefore - g.members.length + 1);
      const aggregated = page.locator('.react-flow__edge.edge-group');
      await expect(aggregated).toHaveCount(outsideEnds.size);
      const labels = await aggregated.locator('.react-flow__edge-text').allTextContents();
      expect(labels.reduce((n, t) => n + labelCount(t), 0)).toBe(external.length);
      await expect(page.getByTestId(`node-group-${group}`)).toContainText(`${external.length} external edge`);
      // Selecting the collapsed group shows its summary.
      await page.getByTestId(`node-group-${group}`).click();
      await expect(page.getByTestId('group-inspector')).toContainText(g.label);
      // Laid out collapsed: still no overlaps, nothing under the minimap.
      await page.getByTestId('btn-autolayout').click();
      await expect(page.getByTestId('btn-autolayout')).toHaveText('Auto layout', { timeout: 60_000 });
      const collapsed = await fitted(page);
      console.log(`${name}: ${group} collapsed: ${show(collapsed)}`);
      expect(collapsed.nodeOverlaps).toBe(0);
      expect(collapsed.underMinimap).toBe(0);
      expect(collapsed.membersOutside).toBe(0);
      expect(collapsed.strangersInside).toBe(0);
      await shot(page, `${name}-collapsed`);

      // One click expands.
      await page.getByTestId(`group-expand-${group}`).click();
      await expect(page.getByTestId(`node-group-${group}`)).toHaveCount(0);
      expect(await nodes.count()).toBe(nodesBefore);
      expect(await edges.count()).toBe(edgesBefore);
      await expect(page.getByTestId(`group-frame-${group}`)).toBeAttached();
      // Find opens the collapsed group around the node it finds.
      await page.getByTestId(`group-collapse-${group}`).click();
      const member = g.members.find((k) => k.startsWith('pd:'))!;
      await page.getByTestId('find-node').fill(member.slice(3));
      await page.getByTestId('find-node').press('Enter');
      await expect(page.locator(`.react-flow__node[data-id="${member}"]`)).toBeVisible();
      await expect(page.getByTestId(`node-group-${group}`)).toHaveCount(0);
      await page.getByTestId('btn-fit').click();
      // The collapse state is kept with the layout of this system file.
      await page.getByTestId(`group-collapse-${group}`).click();
      await studio.save();
      await expect.poll(() => readFileSync(path.join(host.workspace, name, '.sel4-studio/settings.json'), 'utf8')).toContain(group);
    });
  }

  test('a problem pointing into a collapsed group opens the group and selects its node; a renamed VMM stays collapsed', async ({ studio, host, page }) => {
    test.setTimeout(120_000);
    // guest_ram's size not a multiple of its page size: a problem on a member of the VMM's group.
    const text = readFileSync(path.join(root, 'resources/templates/libvmm-linux.system'), 'utf8').replace('size="0x10000000" page_size="0x200000"', 'size="0x10001000" page_size="0x200000"');
    await openLaidOut(studio, page, host.workspace, 'problem', text);
    const group = 'group:vmm:VMM';
    await page.getByTestId(`group-collapse-${group}`).click();
    await expect(page.getByTestId(`node-group-${group}`)).toBeVisible();
    await expect(page.locator('.react-flow__node[data-id="mr:guest_ram"]')).toHaveCount(0);
    await studio.openTab('problems');
    // The region's own problem: the group opens, the region is selected.
    await page.getByTestId('problem').filter({ hasText: 'not a multiple of the page size' }).click();
    await expect(page.getByTestId(`node-group-${group}`)).toHaveCount(0);
    await expect(page.locator('.react-flow__node[data-id="mr:guest_ram"]')).toHaveClass(/selected/);
    // A problem on a map (an edge between two members): the group opens too.
    await page.getByTestId(`group-collapse-${group}`).click();
    await page.getByTestId('problem').filter({ hasText: "invalid memory region name 'guest_ram' on 'map'" }).first().click();
    await expect(page.getByTestId(`node-group-${group}`)).toHaveCount(0);
    await expect(page.locator('.react-flow__node[data-id="pd:VMM"]')).toBeVisible();
    // Collapsed again, the VMM renamed in the XML pane's text: the group keeps its collapse under its new id.
    await page.getByTestId(`group-collapse-${group}`).click();
    await page.locator('[data-testid=xml-preview] .view-line span', { hasText: '"VMM"' }).last().dblclick();
    await page.keyboard.type('linux_vmm');
    await expect(page.getByTestId('node-group-group:vmm:linux_vmm')).toBeVisible();
    await expect(page.locator('.react-flow__node[data-id="pd:linux_vmm"]')).toHaveCount(0);
  });

  test('path highlight on Path B: the client VMM to the eth driver through the tx virtualiser, the rest faded', async ({ studio, host, page }) => {
    test.setTimeout(120_000);
    await openLaidOut(studio, page, host.workspace, 'path', readFileSync(path.join(root, 'resources/templates/orin-agx-path-b.system'), 'utf8'));
    const node = (k: string) => page.locator(`.react-flow__node[data-id="${k}"]`);
    const onPath = ['pd:CLIENT_VMM', 'pd:net_virt_tx', 'pd:eth_driver'];
    // The VMM's title (its middle is the VM box, selected on its own).
    await studio.node('pd', 'CLIENT_VMM').locator('.node-title').first().click();
    await studio.node('pd', 'eth_driver').click({ modifiers: ['Control'] });
    await page.getByTestId('graph-view').locator('summary').click();
    await page.getByTestId('view-path').click();
    for (const k of onPath) await expect(node(k)).toHaveClass(/on-path/);
    for (const k of ['pd:net_virt_rx', 'pd:client0_net_copier', 'mr:guest_ram']) await expect(node(k)).toHaveClass(/faded/);
    await expect(page.locator('.react-flow__edge.on-path')).toHaveCount(2);
    await page.getByTestId('graph-view').locator('summary').click();
    await shot(page, 'path');
    // Cleared, then in focus mode: Shift+click a second PD.
    await page.getByTestId('graph-view').locator('summary').click();
    await page.getByTestId('view-path-clear').click();
    await expect(page.locator('.react-flow__node.on-path')).toHaveCount(0);
    await page.getByTestId('view-focus').check();
    await page.getByTestId('graph-view').locator('summary').click();
    await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
    await studio.selectNode('pd', 'eth_driver');
    await studio.node('pd', 'client0_net_copier').click({ modifiers: ['Shift'] });
    for (const k of ['pd:eth_driver', 'pd:net_virt_rx', 'pd:client0_net_copier']) await expect(node(k)).toHaveClass(/on-path/);
    await expect(node('pd:net_virt_tx')).toHaveClass(/faded/);
  });
});
