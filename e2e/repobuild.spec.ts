import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { requireTool } from './requireTool';

const root = path.resolve(import.meta.dirname, '..');

test("a repository that builds itself: its Makefile's variables in the Build tab, make with them, the image found where BUILD_DIR put it, make qemu as the Run step", async ({ studio, host, page }) => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('make', 'make');
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  const sdk = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(sdk, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  // A checkout with a Makefile in the sDDF/libvmm shape, no studio.json, no CMakeLists.txt.
  const dir = path.join(host.workspace, 'example');
  cpSync(path.join(root, 'tests/fixtures/repo-make'), dir, { recursive: true });
  execFileSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'sdk', 'add', sdk!], { env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(host.workspace, 'config') } });
  // A kernel the user picked from their terminal (as `sel4-studio guest-kernel` does for Debian's): offered for LINUX.
  const kernel = path.join(host.workspace, 'Image');
  writeFileSync(kernel, 'not really a kernel');
  execFileSync(process.execPath, [path.join(root, 'bin/sel4-studio.cjs'), 'image', 'add', kernel], { env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(host.workspace, 'config') } });

  await studio.openProject(dir);
  await page.getByTestId('restricted-banner').getByTestId('trust-folder').click();
  await studio.openTab('build');
  const make = page.getByTestId('build-make');
  await expect(make).toContainText('Makefile, toolchain.mk');
  // Each variable with its default; the SDK, board and configuration come from the menus; a program is not editable.
  await expect(page.getByTestId('make-var-BUILD_DIR')).toHaveAttribute('placeholder', 'build');
  await expect(page.getByTestId('make-var-GREETING')).toHaveAttribute('placeholder', 'hello');
  await expect(page.getByTestId('make-var-LINUX')).toHaveAttribute('list', 'make-var-images');
  await expect(page.getByTestId('make-var-images').locator('option')).toHaveAttribute('value', realpathSync(kernel));
  await expect(page.getByTestId('make-var-BUILD_DIR')).not.toHaveAttribute('list', /./);
  await expect(page.getByTestId('make-var-MICROKIT_SDK')).toBeDisabled();
  await expect(page.getByTestId('make-var-MICROKIT_TOOL')).toBeDisabled();
  await expect(page.getByTestId('make-var-MICROKIT_TOOL')).toHaveAttribute('placeholder', /run as a program/);
  // Text make or the shell would run is refused where it is typed, and nothing is stored.
  await page.getByTestId('make-var-GREETING').fill('$(shell id)');
  await page.getByTestId('make-var-GREETING').press('Enter');
  await expect(studio.notice('error')).toContainText('cannot be passed to make and the shell');
  await page.getByTestId('make-var-BUILD_DIR').fill('out/qemu');
  await page.getByTestId('make-var-BUILD_DIR').press('Enter');
  await page.getByTestId('make-var-GREETING').fill('bonjour');
  await page.getByTestId('make-var-GREETING').press('Enter');
  await expect.poll(() => existsSync(path.join(dir, '.sel4-studio/settings.json')) && JSON.parse(readFileSync(path.join(dir, '.sel4-studio/settings.json'), 'utf8')).build.variables).toEqual({ BUILD_DIR: 'out/qemu', GREETING: 'bonjour' });

  await page.getByTestId('build-sdk').fill(sdk!);
  await page.getByTestId('build-sdk').blur();
  await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
  await page.screenshot({ path: 'test-results/screenshots/repobuild-variables.png' });
  await page.getByTestId('build-start').click();
  // The SDK setting is an unsaved change of the folder's settings: save it, then build.
  const prompt = page.getByTestId('build-prompt');
  if (await prompt.isVisible().catch(() => false)) await page.getByTestId('build-prompt-save').click();
  await expect(page.getByTestId('build-progress')).toContainText('Built in', { timeout: 60_000 });
  await expect(page.getByTestId('build-step-compile')).toHaveAttribute('title', `make MICROKIT_SDK=${sdk} MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug BUILD_DIR=out/qemu GREETING=bonjour`);
  await expect(page.getByTestId('build-output')).toContainText('image: out/qemu/loader.img');
  await expect(page.getByTestId('build-make-image')).toHaveText('out/qemu/loader.img');
  expect(existsSync(path.join(dir, 'out/qemu/loader.img'))).toBe(true);
  // The report the Makefile's microkit wrote beside the image is the build's report.
  await page.getByTestId('build-view-report').click();
  await expect(page.getByTestId('build-report')).toBeVisible();
  await page.getByTestId('build-view-history').click();
  await page.getByTestId('build-step-compile').click();
  expect(readFileSync(path.join(dir, 'out/qemu/hello.elf')).includes('bonjour, world')).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/repobuild-built.png' });

  // The Makefile's qemu target as the Run step: Build & Run runs `make qemu` with the same variables, into Output.
  await page.getByTestId('build-run-step').selectOption('qemu');
  await expect.poll(() => JSON.parse(readFileSync(path.join(dir, '.sel4-studio/settings.json'), 'utf8')).build.runTarget).toBe('qemu');
  await page.getByTestId('build-run').click();
  const run = page.getByTestId('output').locator('section.run').last();
  await expect(run).toContainText(`$ make qemu MICROKIT_SDK=${sdk} MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug BUILD_DIR=out/qemu GREETING=bonjour`);
  await expect(run).toContainText('hello, world', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/repobuild-run.png' });
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run.getByTestId('run-exit')).toBeVisible();
});
