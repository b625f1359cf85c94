import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from './fixtures';
import { requireTool } from './requireTool';
import { guestKernelForTests } from '../tests/support/guestKernel';

const root = path.resolve(import.meta.dirname, '..');

/** Debian's arm64 kernel + the busybox initrd (tests/support/guestKernel.ts): skipped without them, a failure in CI. */
function requireGuestKernel() {
  const g = guestKernelForTests();
  if (g) return g;
  const why = 'the Debian arm64 guest kernel is not fetched (run: sel4-studio guest-kernel)';
  test.skip(true, why);
  throw new Error(why);
}

test("Debian's arm64 kernel + a busybox initrd picked outside the project boot from the UI to the shell prompt; the timeline shows Linux; a typed command answers", async ({ studio, host, page }) => {
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  const guest = requireGuestKernel();
  const dir = path.join(host.workspace, 'linux');
  await studio.newProject(dir, 'linux');
  await studio.openTab('terminal');

  // A browser page has no file dialog: it says how to add a file from a terminal. Until then the host refuses it.
  await expect(page.getByTestId('qemu-pick-hint')).toContainText('sel4-studio image add PATH');
  await page.getByTestId('qemu-kind').selectOption('kernel');
  await page.getByTestId('qemu-file').fill(guest.kernel);
  // The board has SMP configurations (no SDK here: the board pack says): one click adds its cores.
  await page.getByTestId('qemu-smp').click();
  await expect(page.getByTestId('qemu-options')).toHaveValue('-smp 4');
  await expect(page.getByTestId('qemu-smp')).toHaveCount(0);
  // Options outside the allow-list are refused, each with why, and Start waits.
  await page.getByTestId('qemu-options').fill('-smp 1 -netdev tap,id=t0 -chardev socket,id=c0,path=/tmp/x');
  const refused = page.getByTestId('qemu-options-refused');
  await expect(refused).toContainText('-netdev tap: only user-mode networking');
  await expect(refused).toContainText('-chardev is set by seL4 Studio');
  await expect(page.getByTestId('qemu-start')).toBeDisabled();
  await page.getByTestId('qemu-options').fill(`-smp 1 -m 512 -netdev user,hostfwd=tcp::${20000 + (process.pid % 20000)}-:22 -device virtio-rng-device -initrd ${guest.initrd} -append console=ttyAMA0`);
  await expect(refused).toHaveCount(0);
  await page.getByTestId('qemu-start').click();
  await expect(studio.notice('error')).toContainText('not one of your picked images');

  // The user's own terminal adds them (the host keeps the list in the user's config); the page then names them.
  execFileSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'image', 'add', guest.kernel, guest.initrd], { env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(host.workspace, 'config') } });
  await page.getByTestId('qemu-pick-hint').getByRole('button', { name: 'refresh' }).click();
  await expect(page.locator('#qemu-picked-images option')).toHaveCount(2);
  await page.getByTestId('qemu-start').click();

  const term = page.getByTestId('qemu-terminal');
  // (The terminal shows its last rows: the kernel's first lines are in the timeline.)
  await expect(term).toContainText('guest#', { timeout: 60_000 });
  const milestones = page.getByTestId('milestones');
  for (const m of ['Linux booting', `Linux ${guest.version}`, 'Kernel init done', 'Run /init', 'Shell prompt']) await expect(milestones).toContainText(m);
  await term.click();
  await page.keyboard.type('echo answer=$((6*7))');
  await page.keyboard.press('Enter');
  await expect(term).toContainText('answer=42');
  await expect(page.getByTestId('qemu-silent')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/guests-linux-shell.png' });
  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText(/stopped/);
});

test('an image that prints nothing: after the board\'s 10 s the panel says what to check', async ({ studio, host, page }) => {
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  const dir = path.join(host.workspace, 'silent');
  await studio.newProject(dir, 'silent');
  mkdirSync(path.join(dir, 'build'), { recursive: true });
  // A raw image that waits for ever without a word: `wfi; b .` (AArch64), loaded at 0x70000000 as loader.img is.
  writeFileSync(path.join(dir, 'build/loader.img'), Buffer.from([0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17]));
  await studio.openTab('terminal');
  await page.getByTestId('qemu-start').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('running');
  const silent = page.getByTestId('qemu-silent');
  await expect(silent).toContainText('No output after 10 s.', { timeout: 20_000 });
  await expect(silent).toContainText('Load address: QEMU puts loader.img at 0x70000000; the board\'s Microkit loader is linked at 0x70000000');
  await expect(silent).toContainText('built for qemu_virt_aarch64');
  await page.screenshot({ path: 'test-results/screenshots/guests-silent.png' });
  await page.getByTestId('qemu-stop').click();
});
