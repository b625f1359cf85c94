import { mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { RECOVERY_FILE } from '../../shared/model/project';
import { importSystem } from '../../shared/sdf/import';
import { exportSystem } from '../../shared/sdf/export';
import { writeFileAtomic } from './atomicWrite';
import { ProjectService } from './projects';

let base: string;
let svc: ProjectService;
beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'studio-projects-'));
  svc = new ProjectService(path.join(base, 'config'));
});

describe('ProjectService (real filesystem)', () => {
  it('creates a valid project, saves an edit and reopens it identically', async () => {
    const dir = path.join(base, 'hello');
    const snap = await svc.create(dir, 'Hello World');
    expect(snap.studio.systemFile).toBe('hello_world.system');
    expect(readdirSync(dir).sort()).toEqual(['hello_world.system', 'studio.json']);
    const model = importSystem(snap.systemXml).model!;
    model.protectionDomains.push({ name: 'second', priority: 7, programImage: 'second.elf', maps: [], irqs: [], extra: [] });
    const xml = exportSystem(model);
    const studio = { ...snap.studio, layout: { nodes: { ...snap.studio.layout.nodes, 'pd:second': { x: 300, y: 40 } } } };
    await svc.save(studio, xml);
    const again = await new ProjectService(path.join(base, 'config')).open(dir);
    expect(again.systemXml).toBe(xml);
    expect(again.studio).toEqual(studio);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await svc.recent())[0]).toMatchObject({ dir, name: 'Hello World' });
  });

  it('refuses to create a project in a folder that is not empty', async () => {
    const dir = path.join(base, 'busy');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'Makefile'), 'all:\n');
    await expect(svc.create(dir, 'x')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('reports a corrupt studio.json with its place and never overwrites it', async () => {
    const dir = path.join(base, 'corrupt');
    await svc.create(dir, 'c');
    const broken = '{\n  "schemaVersion": 2,\n  "name": "c",\n  "board": \n}\n';
    await fs.writeFile(path.join(dir, 'studio.json'), broken);
    const fresh = new ProjectService(path.join(base, 'config'));
    const err = await fresh.open(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'corrupt' });
    expect((err as { diagnostics: unknown[] }).diagnostics[0]).toMatchObject({ line: 5, column: 1 });
    expect((err as Error).message).toMatch(/studio\.json:5:1: error: studio.json is not valid JSON/);
    // Nothing is open, so nothing can be saved over it.
    await expect(fresh.save({} as never, '')).rejects.toMatchObject({ code: 'no-project' });
    expect(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')).toBe(broken);
  });

  it('refuses a project written by a newer schema', async () => {
    const dir = path.join(base, 'newer');
    const snap = await svc.create(dir, 'n');
    await fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify({ ...snap.studio, schemaVersion: 7 }, null, 2));
    await expect(svc.open(dir)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/newer seL4 Studio/) });
  });

  it('migrates a schema-1 project on open and writes the new schema only on save', async () => {
    const dir = path.join(base, 'v1');
    await fs.mkdir(dir);
    const v1 = { schemaVersion: 1, name: 'old', board: 'qemu_virt_aarch64', microkitVersion: '2.2', systemFile: 'old.system', positions: { 'pd:a': { x: 1, y: 2 } } };
    await fs.writeFile(path.join(dir, 'studio.json'), JSON.stringify(v1));
    await fs.writeFile(path.join(dir, 'old.system'), '<system><protection_domain name="a"><program_image path="a.elf"/></protection_domain></system>');
    const snap = await svc.open(dir);
    expect(snap.migrated.length).toBeGreaterThan(0);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')).schemaVersion).toBe(1);
    await svc.save(snap.studio, snap.systemXml);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')).schemaVersion).toBe(2);
  });

  it('offers an autosave newer than the last save, and a save clears it', async () => {
    const dir = path.join(base, 'auto');
    const snap = await svc.create(dir, 'a');
    await new Promise((r) => setTimeout(r, 20));
    await svc.autosave(snap.studio, `${snap.systemXml}<!-- edited -->`);
    const reopened = await svc.open(dir);
    expect(reopened.recovery?.systemXml).toContain('edited');
    await svc.save(snap.studio, snap.systemXml);
    await expect(fs.access(path.join(dir, RECOVERY_FILE))).rejects.toThrow();
    expect((await svc.open(dir)).recovery).toBeUndefined();
  });

  it('save as writes a second project and switches to it; it will not overwrite a project', async () => {
    const a = await svc.create(path.join(base, 'a'), 'a');
    const b = await svc.saveAs(path.join(base, 'b'), a.studio, a.systemXml);
    expect(b.dir).toBe(path.join(base, 'b'));
    expect(svc.current).toBe(path.join(base, 'b'));
    await expect(svc.saveAs(path.join(base, 'a'), a.studio, a.systemXml)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('a .system name that leaves the project is refused', async () => {
    const a = await svc.create(path.join(base, 'x'), 'x');
    await expect(svc.save({ ...a.studio, systemFile: '../evil.system' }, a.systemXml)).rejects.toThrow(/systemFile/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces content and leaves no temp file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-atomic-'));
    const f = path.join(dir, 'f.txt');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, 'two');
    expect(await fs.readFile(f, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });
});
