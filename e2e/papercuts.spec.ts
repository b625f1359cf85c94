import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBrowserHost } from '../tests/support/browserHost';
import { expect, test } from './fixtures';
import { StudioPage } from './pages/StudioPage';
import { requireTool } from './requireTool';

const shot = (name: string) => `test-results/screenshots/papercuts-${name}.png`;

// Issue 15's papercuts, walked as a new user meets them: the New dialog, palette drops, drawn edges, a VM's RAM,
// template help, and a page reload.
test('a new user draws a system: a clean New dialog, new things selected, VM RAM where Linux needs it, the project back after a reload', async ({ studio, host, page }) => {
  const dialog = page.getByTestId('project-dialog');
  // The Orin template is looked at, then left: its help says the fact, not a document that does not ship.
  await page.getByTestId('btn-new').click();
  await page.getByTestId('dialog-template').selectOption('orin-agx-path-b');
  await expect(page.getByTestId('dialog-board')).toHaveValue('orin_agx');
  const help = dialog.locator('.field-help').nth(1);
  await expect(help).toContainText('sees only virtio-net');
  await expect(help).not.toContainText('field notes');
  await expect(help).not.toContainText('§');
  await page.screenshot({ path: shot('template-help') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // New again: a clean choice (no template, the default board), so a hand-drawn project is hand-drawn.
  await page.getByTestId('btn-new').click();
  await expect(page.getByTestId('dialog-template')).toHaveValue('');
  await expect(page.getByTestId('dialog-board')).toHaveValue('qemu_virt_aarch64');
  await expect(page.getByTestId('dialog-dir')).toHaveValue('');
  await page.screenshot({ path: shot('new-dialog') });
  await page.getByTestId('dialog-dir').fill(path.join(host.workspace, 'drawn'));
  await page.getByTestId('dialog-name').fill('drawn');
  await page.getByTestId('dialog-ok').click();
  await expect(page.getByTestId('project-name')).toContainText('drawn');
  await expect(page.getByTestId('status-board')).toHaveText('qemu_virt_aarch64');
  await studio.expectXmlToContain('<protection_domain name="main" priority="100">');
  await expect(studio.node('pd', 'main')).toBeVisible();

  // A memory region dropped from the palette opens its inspector, as an IRQ or a VM does.
  const inspector = page.getByTestId('inspector');
  await studio.dragFromPalette('mr', 560, 120);
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  await expect(inspector.getByTestId('inspect-name')).toHaveValue('mr1');
  await expect(page.locator('.react-flow__node-mr.selected')).toHaveCount(1);
  await studio.dragFromPalette('pd', 200, 420);
  await expect(inspector.getByTestId('inspect-name')).toHaveValue('pd1');

  // A drawn map is selected (its inspector opens); one undo takes it away, the region stays.
  await studio.connect('main', { kind: 'mr', name: 'mr1' });
  await expect(inspector).toContainText('Map: mr1 into main');
  await expect(page.locator('.react-flow__edge.edge-map.selected')).toHaveCount(1);
  await page.screenshot({ path: shot('drawn-map-selected') });
  await studio.undo();
  await expect(page.locator('.react-flow__edge.edge-map')).toHaveCount(0);
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  // A drawn channel likewise.
  await studio.connect('main', { kind: 'pd', name: 'pd1' });
  await expect(inspector).toContainText('Channel: main ↔ pd1');
  await expect(page.locator('.react-flow__edge.edge-channel.selected')).toHaveCount(1);

  // A VM on main; its RAM drawn from the VM's handle lands at the board's guest RAM base, rwx.
  const main = studio.node('pd', 'main');
  const box = (await main.boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await studio.dragFromPalette('vm', box.x - canvas.x + box.width / 2, box.y - canvas.y + 20);
  await expect(inspector).toContainText('Virtual machine in main');
  await studio.connect('main', { kind: 'mr', name: 'mr1' }, 'vm');
  await expect(inspector).toContainText("Map: mr1 into main's VM");
  await studio.expectXmlToContain('<map mr="mr1" vaddr="0x40000000" perms="rwx" />');

  // Made rw at the old address, it is warned about with quick fixes (the Microkit tool accepts it).
  await studio.setField('perms', 'rw');
  await studio.setField('vaddr', '0x4000000');
  await studio.openTab('problems');
  const exec = studio.problems().getByTestId('problem').filter({ hasText: "maps its RAM 'mr1' with perms=\"rw\"" });
  const base = studio.problems().getByTestId('problem').filter({ hasText: "not at this board's guest RAM base 0x40000000" });
  await expect(exec).toHaveClass(/problem-warning/);
  await expect(base).toHaveClass(/problem-warning/);
  await page.screenshot({ path: shot('vm-ram-warnings') });
  await exec.getByTestId('problem-fix').click();
  await studio.expectXmlToContain('<map mr="mr1" vaddr="0x4000000" perms="rwx" />');
  await base.getByTestId('problem-fix').click();
  await studio.expectXmlToContain('<map mr="mr1" vaddr="0x40000000" perms="rwx" />');
  await expect(studio.problems().getByText('guest RAM base')).toHaveCount(0);
  await studio.save();

  // A reload reopens the project the user was in.
  await studio.reload();
  await expect(page.getByTestId('project-name')).toContainText('drawn');
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await expect(main.getByTestId('node-vm-vm1')).toBeVisible();
  await page.screenshot({ path: shot('reloaded') });
});

test('the red "no SDK" goes once an SDK is there and a build succeeds', async ({ page }) => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  requireTool('ninja', 'ninja-build');
  const standin = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(standin, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  // A user without an SDK: a home of their own, no $MICROKIT_SDK.
  const base = mkdtempSync(path.join(os.tmpdir(), 'studio-nosdk-'));
  const home = path.join(base, 'user');
  mkdirSync(home);
  const again = await startBrowserHost({ home: base, env: { HOME: home, MICROKIT_SDK: undefined } });
  try {
    const studio = new StudioPage(page);
    await studio.goto(`http://127.0.0.1:${again.port}/#token=${again.key}`);
    await studio.newProject(path.join(again.home, 'hello'), 'hello', 'hello');
    await studio.openTab('build');
    await expect(page.getByTestId('build-sdk-info')).toHaveClass(/build-sdk-bad/);
    await expect(page.getByTestId('build-sdk-info')).toContainText('no Microkit SDK');
    await page.getByTestId('build-start').click();
    await expect(studio.notice('error')).toContainText('no Microkit SDK');
    await page.screenshot({ path: shot('no-sdk') });

    // The user unpacks an SDK as ~/microkit-sdk-<version> and builds again.
    cpSync(standin!, path.join(home, 'microkit-sdk-2.3.0'), { recursive: true });
    await page.getByTestId('build-start').click();
    await expect(page.getByTestId('build-progress')).toContainText('Built', { timeout: 60_000 });
    await expect(studio.notice('error')).toHaveCount(0);
    await expect(page.getByTestId('build-sdk-info')).not.toHaveClass(/build-sdk-bad/);
    await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
    await page.screenshot({ path: shot('sdk-found') });
  } finally {
    await again.stop();
  }
});
