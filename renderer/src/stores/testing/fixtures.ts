import type { ProjectSnapshot } from '../../../../shared/api/contract';
import { StudioError } from '../../../../shared/api/errors';
import { defaultStudioFile } from '../../../../shared/model/project';
import { settingsFromStudio } from '../../../../shared/model/folderSettings';
import { createStudioStore, type StudioStore } from '../studioStore';
import { createFakeClient, settle, type FakeClient } from './fakeClient';

/** A small real system: two PDs and a region, the second PD mapping it. */
export const TWO_PD_SYSTEM = `<?xml version="1.0" encoding="UTF-8"?>
<system>
  <memory_region name="shared" size="0x1000" />
  <protection_domain name="sender" priority="100">
    <program_image path="sender.elf" />
  </protection_domain>
  <protection_domain name="receiver" priority="90">
    <program_image path="receiver.elf" />
    <map mr="shared" vaddr="0x4000000" perms="rw" />
  </protection_domain>
  <channel>
    <end pd="sender" id="0" />
    <end pd="receiver" id="0" />
  </channel>
</system>
`;

export function snapshot(over: Partial<ProjectSnapshot> = {}, board = 'qemu_virt_aarch64'): ProjectSnapshot {
  const studio = defaultStudioFile('demo', board);
  return { dir: '/work/demo', kind: 'studio-project', studio, settings: settingsFromStudio(studio), systemPath: studio.systemFile, systemHash: fakeHash(TWO_PD_SYSTEM), systemXml: TWO_PD_SYSTEM, migrated: [], trusted: true, ...over };
}

/** A store over a fake host that has a project open (build/report.txt and timeline patterns absent). */
export async function openedStore(snap: ProjectSnapshot = snapshot()): Promise<{ store: StudioStore; fake: FakeClient }> {
  const fake = createFakeClient();
  fake.answer('project.open', snap);
  fake.answer('project.recent', { projects: [] });
  fake.answer('build.history', { builds: [] });
  memoryDisk(fake, { [snap.systemPath ?? 'demo.system']: snap.systemXml });
  const store = createStudioStore(fake);
  await store.actions.openProject(snap.dir);
  await settle();
  return { store, fake };
}

/** A stand-in content hash (64 hex digits, as the host's sha256): equal texts, equal hashes. */
export function fakeHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

/**
 * The host's file calls over an in-memory folder, with the real rules: `fs.write` only over the bytes expected
 * (`conflict` otherwise; without `expectHash` it only creates), `fs.read` with the hash.
 */
export function memoryDisk(fake: FakeClient, files: Record<string, string>) {
  fake.answer('fs.read', ({ path }) => {
    if (!(path in files)) throw new StudioError('not-found', `${path}: no such file`);
    return { text: files[path]!, hash: fakeHash(files[path]!), mtimeMs: 0 };
  });
  fake.answer('fs.write', ({ path, text, expectHash }) => {
    const exists = path in files;
    if (expectHash === undefined ? exists : !exists || fakeHash(files[path]!) !== expectHash) throw new StudioError('conflict', `${path} changed on disk`);
    files[path] = text;
    return { hash: fakeHash(text) };
  });
  fake.answer('fs.rename', ({ from, to, expectHash }) => {
    if (!(from in files)) throw new StudioError('not-found', `${from} does not exist`);
    if (to in files || fakeHash(files[from]!) !== expectHash) throw new StudioError('conflict', `${to} exists or ${from} changed`);
    files[to] = files[from]!;
    delete files[from];
    return {};
  });
  fake.answer('fs.watch', {});
  fake.answer('workspace.files', () => ({ files: Object.keys(files).map((path) => ({ path, kind: path.endsWith('.system') ? ('system' as const) : ('source' as const) })), truncated: false }));
  return files;
}
