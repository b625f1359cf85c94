import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, startHost, test } from './fixtures';
import { StudioPage } from './pages/StudioPage';

// The host dies (SIGKILL: no clean-up of any kind) while the tab holds unsaved edits; started again, the host takes
// the dead instance's port and key, the tab reconnects by itself and hands its edits over. No console-error check
// here: Chromium itself logs the refused connections while the host is away.
test('a killed host started again: the tab reconnects and its unsaved edits survive', async ({ page, host }) => {
  const studio = new StudioPage(page);
  await studio.goto(host.url);
  const dir = path.join(host.workspace, 'keep');
  await studio.newProject(dir, 'keep');
  await studio.dragFromPalette('pd', 200, 360);
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await expect(page.getByTestId('status-dirty')).toHaveText('Unsaved changes');

  // Killed within the autosave's pause: the recovery file on disk does not have pd1 yet.
  await host.running.stop('SIGKILL');
  const bar = page.getByTestId('host-bar');
  await expect(bar).toContainText('Host disconnected — reconnecting…');
  await expect(page.getByTestId('status-host')).toHaveText('Disconnected from host');
  const recovery = path.join(dir, '.studio-recovery.json');
  const before = await fs.readFile(recovery, 'utf8').catch(() => '');
  expect(before).not.toContain('pd1');

  // Work goes on while the host is away.
  await studio.dragFromPalette('mr', 560, 120);
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('disconnected.png') });

  const again = await startHost([], host.workspace);
  try {
    expect(again.port).toBe(host.port);
    await expect(page.getByTestId('status-host')).toHaveText('Browser mode', { timeout: 15_000 });
    await expect(bar).toHaveCount(0);
    await expect(page.getByTestId('notice-info')).toContainText('Your unsaved changes are kept in this tab and autosaved');
    await studio.expectXmlToContain('<protection_domain name="pd1"');
    await studio.expectXmlToContain('<memory_region name="mr1"');
    // Handed over: the new host wrote both edits into the recovery file at once.
    await expect.poll(async () => fs.readFile(recovery, 'utf8').catch(() => '')).toContain('name=\\"mr1\\"');
    expect(await fs.readFile(recovery, 'utf8')).toContain('name=\\"pd1\\"');
    await page.screenshot({ path: test.info().outputPath('reconnected.png') });

    // And Save writes them through the new host.
    await studio.save();
    const onDisk = await fs.readFile(path.join(dir, 'keep.system'), 'utf8');
    expect(onDisk).toContain('<protection_domain name="pd1"');
    expect(onDisk).toContain('<memory_region name="mr1"');
  } finally {
    await again.running.stop();
  }
});
