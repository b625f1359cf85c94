import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelConfigForBoard } from '../shared/model/board';
import { checkSystem } from '../shared/sdf/check';
import { exportSystem } from '../shared/sdf/export';
import { importSystem } from '../shared/sdf/import';
import { loadBoards } from '../electron/services/boards';
import { createStudioHost } from '../electron/services/studioHost';
import { listTemplates, readTemplate } from '../electron/services/templates';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'resources/templates');

describe('project templates', () => {
  it('the five starting points the graph-editor issue asks for are there', async () => {
    expect((await listTemplates(dir)).map((t) => t.id)).toEqual(['hello', 'shared-memory', 'libvmm-linux', 'sddf-serial', 'orin-agx-path-b']);
  });

  it('every template passes every Microkit check for its board with no warning, and survives export → import', async () => {
    const { boards } = await loadBoards(path.join(root, 'boards'));
    for (const t of await listTemplates(dir)) {
      const board = boards.find((b) => b.name === t.board);
      expect(board, `${t.id}: board ${t.board}`).toBeDefined();
      const { systemXml } = await readTemplate(dir, t.id);
      const r = checkSystem(systemXml, t.file, kernelConfigForBoard(board!));
      expect(r.diagnostics, t.id).toEqual([]);
      expect(r.ok, t.id).toBe(true);
      const first = importSystem(systemXml, t.file);
      const again = importSystem(exportSystem(first.model!), t.file);
      expect(exportSystem(again.model!)).toBe(exportSystem(first.model!));
    }
  });

  it('Path B has the published PDs and priorities, the VM inside its VMM, and MGBE0 at INTID 416 (SPI 384)', async () => {
    const { systemXml } = await readTemplate(dir, 'orin-agx-path-b');
    const sys = importSystem(systemXml, 'orin-agx-path-b.system').model!;
    const prio = Object.fromEntries(sys.protectionDomains.map((pd) => [pd.name, pd.priority]));
    expect(prio).toEqual({ CLIENT_VMM: 100, client0_net_copier: 200, net_virt_rx: 200, net_virt_tx: 200, eth_driver: 200 });
    expect(sys.protectionDomains.find((pd) => pd.name === 'CLIENT_VMM')!.virtualMachine?.name).toBe('client_linux');
    const eth = sys.protectionDomains.find((pd) => pd.name === 'eth_driver')!;
    expect(eth.irqs.map((i) => ('irq' in i ? i.irq : undefined))).toContain(416);
    expect(eth.maps.filter((m) => ['bpmp_tx', 'bpmp_rx', 'hsp_dbell'].includes(m.mr)).map((m) => m.vaddr)).toEqual([0x50000000, 0x50001000, 0x50002000]);
  });

  it('New Project from a template writes its system and its board; an unknown template is a clear error', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'tmpl-'));
    const host = createStudioHost({ mode: 'browser', version: 't', configDir: path.join(base, 'cfg'), boardsDir: path.join(root, 'boards'), emit: () => undefined });
    const snap = await host.handlers['project.create']({ dir: path.join(base, 'p'), name: 'serial', template: 'sddf-serial' });
    expect(snap.studio.board).toBe('qemu_virt_aarch64');
    expect(readFileSync(path.join(base, 'p', snap.studio.systemFile), 'utf8')).toBe(readFileSync(path.join(dir, 'sddf-serial.system'), 'utf8'));
    const orin = await host.handlers['project.create']({ dir: path.join(base, 'o'), name: 'net', template: 'orin-agx-path-b' });
    expect(orin.studio.board).toBe('orin_agx');
    await expect(host.handlers['project.create']({ dir: path.join(base, 'x'), name: 'x', template: 'nope' })).rejects.toMatchObject({ code: 'not-found', message: "no project template 'nope'" });
    host.dispose();
  });
});
