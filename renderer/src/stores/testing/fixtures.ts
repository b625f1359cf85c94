import type { ProjectSnapshot } from '../../../../shared/api/contract';
import { defaultStudioFile } from '../../../../shared/model/project';
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
  return { dir: '/work/demo', studio: defaultStudioFile('demo', board), systemXml: TWO_PD_SYSTEM, migrated: [], ...over };
}

/** A store over a fake host that has a project open (build/report.txt and timeline patterns absent). */
export async function openedStore(snap: ProjectSnapshot = snapshot()): Promise<{ store: StudioStore; fake: FakeClient }> {
  const fake = createFakeClient();
  fake.answer('project.open', snap);
  fake.answer('project.recent', { projects: [] });
  fake.answer('build.history', { builds: [] });
  const store = createStudioStore(fake);
  await store.actions.openProject(snap.dir);
  await settle();
  return { store, fake };
}
