import { DOCTOR_ROW_IDS } from '../shared/doctor/tools';
import { expect, test } from './fixtures';
import { requireTool } from './requireTool';

test('doctor lists the tools and a supervised process streams into Output', async ({ studio, page }) => {
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  await studio.openTab('doctor');
  await expect(studio.toolRow('qemu-system-aarch64')).toContainText('found');
  await expect(studio.toolRow('qemu-system-aarch64')).toContainText(/\d+\.\d+/);
  // One row per tool the doctor checks (shared/doctor/tools.ts), and the status bar counts out of all of them.
  for (const id of DOCTOR_ROW_IDS) await expect(studio.toolRow(id)).toBeVisible();
  await expect(page.getByTestId('status-doctor')).toHaveText(new RegExp(`^Tools: \\d+/${DOCTOR_ROW_IDS.length}$`));
  await page.screenshot({ path: 'test-results/screenshots/doctor.png' });

  await page.getByTestId('run-qemu-version').click();
  await expect(studio.output()).toContainText('QEMU emulator version');
  await expect(studio.output().getByTestId('run-exit')).toContainText('exit 0');
  await page.screenshot({ path: 'test-results/screenshots/output.png' });
});

test('dark and light themes', async ({ studio, page }) => {
  void studio;
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByTestId('btn-theme').click();
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  expect(after).not.toBe(before);
  expect(['light', 'dark']).toContain(after);
});
