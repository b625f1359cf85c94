import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chooseSdkInTerminal, expect, test } from './fixtures';
import { requireTool } from './requireTool';

// The board wizard (issue 17) driven as a user drives it: QEMU's own virt tree → a pack identical in substance to the
// shipped qemu_virt_aarch64 (kept as the user's, used instead of the shipped one and marked so) → New project on it →
// built with the Microkit stand-in → booted in QEMU; and the ODROID-C4 kernel tree of the corpus → the port guide with
// its values, ticks kept after the page is reloaded.
const repo = path.resolve(import.meta.dirname, '..');
const shots = 'test-results/screenshots';
const id = (page: Page, testId: string) => page.getByTestId(testId);

test('QEMU virt: the dumped tree → a pack like the shipped one → New project on it → built and booted', async ({ studio, host, page }) => {
  test.setTimeout(120_000);
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  mkdirSync(shots, { recursive: true });
  await studio.newProject(path.join(host.workspace, 'scratch'), 'scratch');

  await id(page, 'btn-board-wizard').click();
  await expect(id(page, 'board-wizard')).toBeVisible();
  await id(page, 'bw-source-qemu').click();
  // Step 2: the facts, each with its node.
  await expect(id(page, 'bw-body-facts')).toBeVisible({ timeout: 30_000 });
  await expect(id(page, 'bw-fact-memory-0')).toContainText('0x40000000 + 0x80000000');
  await expect(id(page, 'bw-fact-gic')).toContainText('distributor 0x8000000, cpu 0x8010000, hyp 0x8030000, vcpu 0x8040000; maintenance INTID 25');
  await expect(id(page, 'bw-fact-timer')).toContainText('29');
  await expect(id(page, 'bw-fact-uart-0')).toContainText('arm,pl011 at 0x9000000, INTID 33');
  await expect(id(page, 'bw-fact-cpus')).toContainText('4× arm,cortex-a53');
  await expect(id(page, 'bw-fact-pabits')).toContainText('40');
  await page.screenshot({ path: `${shots}/boardwizard-qemu-facts.png` });

  // Step 3: the proposal for a 32 MiB payload, then the SDK's own address (the board the stand-in builds), checked.
  await id(page, 'bw-step-link').click();
  await expect(id(page, 'bw-link-proposal')).toContainText('the lowest 16 MiB-aligned address above the kernel');
  await id(page, 'bw-link-address').fill('0x70000000');
  await expect(id(page, 'bw-link-problems')).toHaveCount(0);
  await page.screenshot({ path: `${shots}/boardwizard-qemu-link.png` });

  // Step 4: a shipped board's name: the wizard says the user's pack will be used instead.
  await id(page, 'bw-step-write').click();
  await id(page, 'bw-name').fill('qemu_virt_aarch64');
  await expect(id(page, 'bw-shadows')).toContainText('your pack will be used instead of the shipped one');
  await id(page, 'bw-save').click();
  await expect(id(page, 'bw-saved')).toContainText('used instead of the shipped pack of that name');
  await page.screenshot({ path: `${shots}/boardwizard-qemu-written.png` });
  const file = (await id(page, 'bw-saved').locator('code').textContent())!;
  expect(file).toBe(path.join(host.workspace, 'config', 'boards', 'qemu_virt_aarch64', 'board.json'));
  const made = JSON.parse(readFileSync(file, 'utf8'));
  const shipped = JSON.parse(readFileSync(path.join(repo, 'boards/qemu_virt_aarch64/board.json'), 'utf8'));
  // Identical in substance: what the checks, the build and QEMU use.
  for (const k of ['arch', 'cpu', 'paBits', 'smpCores', 'hypervisor', 'loaderLinkAddress', 'defaultImage', 'qemu']) expect([k, made[k]]).toEqual([k, shipped[k]]);
  expect({ ...made.gic, source: '', maintenanceIntid: undefined }).toEqual({ ...shipped.gic, source: '', maintenanceIntid: undefined });
  expect(made.memory.base).toBe(shipped.memory.base);
  const uart = (p: { devices: { compatible: string[]; regs: unknown; irqs: unknown }[] }) => p.devices.find((d) => d.compatible.includes('arm,pl011'))!;
  expect([uart(made).regs, uart(made).irqs]).toEqual([uart(shipped).regs, uart(shipped).irqs]);
  await id(page, 'bw-close').click();

  // New project on it: the board menu marks it as the user's.
  await id(page, 'btn-new').click();
  await expect(id(page, 'dialog-board').locator('option[value="qemu_virt_aarch64"]')).toContainText('(yours, used instead of the shipped one)');
  await page.keyboard.press('Escape');
  const dir = path.join(host.workspace, 'onmine');
  await studio.newProject(dir, 'hello', 'hello');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  const sdk = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(sdk, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  chooseSdkInTerminal(host, sdk!);
  await studio.openTab('build');
  await page.getByTestId('build-sdk').fill(sdk!);
  await page.getByTestId('build-sdk').blur();
  await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
  await expect(page.getByTestId('build-board')).toHaveValue('qemu_virt_aarch64');
  await page.keyboard.press('F5');
  const prompt = page.getByTestId('build-prompt-save');
  if (await prompt.isVisible().catch(() => false)) await prompt.click();
  await expect(page.getByTestId('qemu-terminal')).toContainText('hello, world', { timeout: 60_000 });
  expect(existsSync(path.join(dir, 'build/loader.img'))).toBe(true);
  await page.screenshot({ path: `${shots}/boardwizard-qemu-booted.png` });
  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('stopped');
});

test('ODROID-C4 kernel tree of the corpus → the port guide with its values; ticks kept after a reload', async ({ studio, host, page }) => {
  test.setTimeout(90_000);
  mkdirSync(shots, { recursive: true });
  const dir = path.join(host.workspace, 'c4port');
  await studio.newProject(dir, 'c4port');
  mkdirSync(path.join(dir, 'board'), { recursive: true });
  copyFileSync(path.join(repo, 'tests/fixtures/dts-corpus/seL4__seL4/tools/dts/odroidc4.dts'), path.join(dir, 'board/odroidc4.dts'));
  // The explorer finds the new file (the wizard lists the folder's trees).
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('New board from a device tree');
  await page.keyboard.press('Enter');
  await expect(id(page, 'board-wizard')).toBeVisible();
  await expect(id(page, 'bw-source-board/odroidc4.dts')).toBeVisible({ timeout: 15_000 });
  await id(page, 'bw-source-board/odroidc4.dts').check();
  await expect(id(page, 'bw-body-facts')).toBeVisible({ timeout: 30_000 });
  await expect(id(page, 'bw-fact-gic')).toContainText('arm,gic-400');
  await expect(id(page, 'bw-fact-uart-0')).toBeVisible();
  // Each fact's node opens the tree at its line.
  const gicLink = id(page, 'bw-node-/soc/interrupt-controller@ffc01000');
  await expect(gicLink).toHaveAttribute('title', /^Open board\/odroidc4\.dts:\d+$/);
  await page.screenshot({ path: `${shots}/boardwizard-c4-facts.png` });

  await id(page, 'bw-step-link').click();
  await expect(id(page, 'bw-link-proposal')).toContainText('0x');
  await id(page, 'bw-step-write').click();
  await id(page, 'bw-name').fill('my_c4');
  await id(page, 'bw-save').click();
  await expect(id(page, 'bw-saved')).toContainText('my_c4');
  await id(page, 'bw-step-guide').click();
  await expect(id(page, 'bw-snippet-loader-uart')).toContainText('#define UART_BASE 0xff803000');
  await expect(id(page, 'bw-snippet-sdk-board-entry')).toContainText('gcc_cpu="cortex-a55"');
  await expect(id(page, 'bw-snippet-kernel-overlay')).toContainText('seL4,kernel-devices = "serial0", &{/soc/interrupt-controller@ffc01000}, &{/timer};');
  // A tick is checked once the folder settings have it (the box shows what was kept, not what was clicked).
  await id(page, 'bw-tick-sdk-board-entry').click();
  await expect(id(page, 'bw-tick-sdk-board-entry')).toBeChecked();
  await id(page, 'bw-tick-loader-uart').click();
  await expect(id(page, 'bw-tick-loader-uart')).toBeChecked();
  await page.screenshot({ path: `${shots}/boardwizard-c4-guide.png`, fullPage: true });
  await expect.poll(() => JSON.parse(readFileSync(path.join(dir, '.sel4-studio/settings.json'), 'utf8')).portGuides?.my_c4?.ticked).toEqual(['sdk-board-entry', 'loader-uart']);

  // Reopened: the page reloads, the folder opens again, the wizard reads the guide's tree again with its ticks.
  await page.reload();
  await expect(id(page, 'project-name')).toContainText('c4port');
  await id(page, 'btn-board-wizard').click();
  await expect(id(page, 'bw-body-facts')).toBeVisible({ timeout: 30_000 });
  await id(page, 'bw-step-guide').click();
  await expect(id(page, 'bw-tick-sdk-board-entry')).toBeChecked();
  await expect(id(page, 'bw-tick-loader-uart')).toBeChecked();
  await expect(id(page, 'bw-tick-kernel-config')).not.toBeChecked();
  await page.screenshot({ path: `${shots}/boardwizard-c4-guide-reopened.png` });
});
