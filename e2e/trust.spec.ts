import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './fixtures';

const SYSTEM = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n  <protection_domain name="hello" priority="254">\n    <program_image path="hello.elf" />\n  </protection_domain>\n</system>\n';

test('restricted mode: a checkout opens untrusted (banner, status bar, Build and Run off with the reason); Trust turns them on, the palette turns them off', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'someone-elses-checkout');
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  writeFileSync(path.join(dir, 'hello.system'), SYSTEM);
  writeFileSync(path.join(dir, 'Makefile'), 'all:\n\ttrue\n');

  await studio.openProject(dir);
  const banner = page.getByTestId('restricted-banner');
  await expect(banner).toContainText('Restricted mode — this folder is not trusted: build and run are off.');
  await expect(page.getByTestId('status-restricted')).toHaveText('Restricted mode');
  // Viewing and editing work: the graph shows the system.
  await expect(studio.node('pd', 'hello')).toBeVisible();
  for (const id of ['btn-build', 'btn-build-run']) {
    await expect(page.getByTestId(id)).toBeDisabled();
    await expect(page.getByTestId(id)).toHaveAttribute('title', /^Restricted mode: this folder is not trusted/);
  }
  await studio.openTab('build');
  await expect(page.getByTestId('build-start')).toBeDisabled();
  await studio.openTab('terminal');
  await expect(page.getByTestId('qemu-start')).toBeDisabled();
  await expect(page.getByTestId('qemu-start')).toHaveAttribute('title', /Restricted mode/);
  // The keyboard cannot get round it: Ctrl+Shift+B says how to trust, and nothing is built.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+B');
  await expect(studio.notice('error')).toContainText('Trust this folder');
  await page.screenshot({ path: 'test-results/screenshots/restricted-mode.png' });

  // The palette offers the trust command; the banner's button does the same.
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('trust');
  await expect(page.getByTestId('command-palette').getByTestId('command-trustFolder')).toBeVisible();
  await expect(page.getByTestId('command-palette').getByTestId('command-untrustFolder')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await banner.getByTestId('trust-folder').click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('status-restricted')).toHaveCount(0);
  await expect(page.getByTestId('btn-build')).toBeEnabled();
  await expect(page.getByTestId('btn-build')).toHaveAttribute('title', /^Compile the PD programs/);

  // Remembered: a fresh page on the same host opens it trusted.
  await studio.reload();
  await studio.openProject(dir);
  await expect(studio.node('pd', 'hello')).toBeVisible();
  await expect(banner).toHaveCount(0);

  // Revoked from the palette: restricted again.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('stop trusting');
  await page.keyboard.press('Enter');
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('btn-build')).toBeDisabled();
});
