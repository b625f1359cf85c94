import { mkdirSync, mkdtempSync, promises as fs, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProjectSnapshotSchema } from '../../shared/api/contract';
import { contentHash } from './fileIo';
import { ProjectService } from './projects';

let base: string;
let svc: ProjectService;
beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'studio-folders-'));
  svc = new ProjectService(path.join(base, 'config'));
});

function checkout(files: Record<string, string>): string {
  const root = path.join(base, 'checkout');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}
const listing = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
const SERIAL = '<?xml version="1.0"?>\n<!-- licence header -->\n<system>\n  <protection_domain name="uart" priority="254">\n    <program_image path="uart.elf" />\n  </protection_domain>\n</system>\n';

describe('opening a folder without studio.json', () => {
  it('opens a checkout as it is, writes nothing, and names the first system file with its hash', async () => {
    const root = checkout({ 'Makefile': 'all:\n', 'examples/serial/serial.system': SERIAL, 'examples/vmm/vmm.system': '#include "x.h"\n<system/>' });
    const before = listing(root);
    const snap = await svc.open(root);
    expect(ProjectSnapshotSchema.safeParse({ ...snap, trusted: false }).success).toBe(true);
    expect(snap).toMatchObject({ kind: 'folder', dir: root, systemPath: 'examples/serial/serial.system', systemXml: SERIAL, systemHash: contentHash(SERIAL), migrated: [] });
    expect(snap.settings).toEqual({ schemaVersion: 1, build: { variables: {} }, layouts: {} });
    expect(snap.studio).toMatchObject({ name: 'checkout', board: 'qemu_virt_aarch64', systemFile: 'serial.system' });
    expect(listing(root)).toEqual(before);
    expect((await svc.recent())[0]).toMatchObject({ dir: root, name: 'checkout' });
  });

  it('starts at the settings\' last open file with its layout and board', async () => {
    const settings = { schemaVersion: 1, board: 'odroidc4', build: { config: 'release', variables: { MICROKIT_BOARD: 'odroidc4' } }, lastOpenFile: 'b/two.system', layouts: { 'b/two.system': { nodes: { 'pd:x': { x: 3, y: 4 } } } } };
    const root = checkout({ 'a/one.system': '<system/>', 'b/two.system': '<system></system>', '.sel4-studio/settings.json': JSON.stringify(settings) });
    const snap = await svc.open(root);
    expect(snap).toMatchObject({ systemPath: 'b/two.system', systemXml: '<system></system>', settings });
    expect(snap.studio).toMatchObject({ board: 'odroidc4', build: { config: 'release' }, layout: settings.layouts['b/two.system'] });
  });

  it('a folder with no system file opens with none, and no error', async () => {
    const root = checkout({ 'src/main.c': 'int main;' });
    const snap = await svc.open(root);
    expect(snap).toMatchObject({ kind: 'folder', systemPath: null, systemXml: '' });
    expect(snap.systemHash).toBeUndefined();
    await expect(svc.save(snap.studio, '<system/>')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('a broken settings file: defaults, its problem with a place, and the file left alone', async () => {
    const root = checkout({ 'a.system': '<system/>', '.sel4-studio/settings.json': '{ "board": ' });
    const snap = await svc.open(root);
    expect(snap.settings).toEqual({ schemaVersion: 1, build: { variables: {} }, layouts: {} });
    expect(snap.settingsProblems?.[0]).toMatchObject({ severity: 'error', file: '.sel4-studio/settings.json', line: 1 });
    await svc.save({ ...snap.studio, layout: { nodes: { 'pd:a': { x: 1, y: 1 } } } }, '<system></system>');
    expect(await fs.readFile(path.join(root, '.sel4-studio/settings.json'), 'utf8')).toBe('{ "board": ');
  });

  it('a save writes the open system file, and the settings only when something they hold changed', async () => {
    const root = checkout({ 'examples/serial/serial.system': SERIAL });
    const snap = await svc.open(root);
    const edited = SERIAL.replace('254', '200');
    const first = await svc.save(snap.studio, edited);
    expect(first.files).toEqual([path.join(root, 'examples/serial/serial.system')]);
    expect(await fs.readFile(path.join(root, 'examples/serial/serial.system'), 'utf8')).toBe(edited);
    expect(listing(root)).toEqual(['examples', 'examples/serial', 'examples/serial/serial.system']);

    const moved = { ...snap.studio, layout: { nodes: { 'pd:uart': { x: 40, y: 50 } } } };
    await svc.save(moved, edited);
    const again = await new ProjectService(path.join(base, 'config')).open(root);
    expect(again.studio.layout).toEqual(moved.layout);
    expect(again.settings.lastOpenFile).toBe('examples/serial/serial.system');
    // The build sees the file where it is.
    expect((await svc.studio()).systemFile).toBe('examples/serial/serial.system');
  });

  it('autosaves beside the settings, not in the tree, and offers it back', async () => {
    const root = checkout({ 'a.system': '<system/>' });
    const snap = await svc.open(root);
    await new Promise((r) => setTimeout(r, 20));
    await svc.autosave(snap.studio, '<system><!-- unsaved --></system>');
    expect(readdirSync(path.join(root, '.sel4-studio'))).toEqual(['recovery.json']);
    expect((await svc.open(root)).recovery?.systemXml).toContain('unsaved');
    await svc.save(snap.studio, '<system/>');
    expect(readdirSync(path.join(root, '.sel4-studio'))).toEqual([]);
  });

  it('a path that is not a folder is refused', async () => {
    await expect(svc.open(path.join(base, 'nowhere'))).rejects.toMatchObject({ code: 'not-found' });
    writeFileSync(path.join(base, 'file.txt'), '');
    await expect(svc.open(path.join(base, 'file.txt'))).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/not a folder/) });
  });
});

describe('a studio.json project through the new shape', () => {
  it('opens as before, with its settings migrated into the folder shape and studio.json untouched', async () => {
    const dir = path.join(base, 'hello');
    const created = await svc.create(dir, 'Hello');
    const studioText = await fs.readFile(path.join(dir, 'studio.json'), 'utf8');
    const snap = await svc.open(dir);
    expect(snap).toMatchObject({ kind: 'studio-project', studio: created.studio, systemPath: 'hello.system', systemHash: contentHash(created.systemXml) });
    expect(snap.settings).toMatchObject({ board: 'qemu_virt_aarch64', lastOpenFile: 'hello.system', build: { config: 'debug' }, layouts: { 'hello.system': created.studio.layout } });
    expect(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')).toBe(studioText);
    expect(readdirSync(dir).sort()).toEqual(['hello.system', 'studio.json']);
  });

  it('once a settings file exists it wins on open, and saves keep it current', async () => {
    const dir = path.join(base, 'p');
    const created = await svc.create(dir, 'p');
    await svc.saveSettings({ ...created.settings, board: 'maaxboard' });
    const snap = await svc.open(dir);
    expect(snap.studio.board).toBe('maaxboard');
    expect((await svc.studio()).board).toBe('maaxboard');
    const moved = { ...snap.studio, layout: { nodes: { 'pd:main': { x: 9, y: 9 } } } };
    await svc.save(moved, snap.systemXml);
    expect((await svc.open(dir)).studio.layout).toEqual(moved.layout);
  });
});
