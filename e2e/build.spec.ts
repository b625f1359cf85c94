import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chooseSdkInTerminal, expect, test } from './fixtures';
import { requireTool } from './requireTool';

test('build a project: progress, a gcc error in Problems, fix it in the editor, build again, then Build & Run boots it', async ({ studio, host, page }) => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  requireTool('ninja', 'ninja-build');
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  const sdk = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(sdk, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  const dir = path.join(host.workspace, 'hello');
  await studio.newProject(dir, 'hello', 'hello');
  // The template brought its program and CMakeLists.txt; break the program.
  const good = await fs.readFile(path.join(dir, 'hello.c'), 'utf8');
  expect(good).toContain('microkit_dbg_puts("hello, world\\n");');
  await fs.writeFile(path.join(dir, 'hello.c'), good.replace('microkit_dbg_puts("hello, world\\n");', 'microkit_dbg_puts(greeting);'));

  // Any source opens from the picker: the template's CMakeLists.txt builds hello.elf from hello.c.
  await page.getByTestId('open-source').focus();
  await expect(page.getByTestId('open-source').locator('option', { hasText: 'CMakeLists.txt' })).toHaveCount(1);
  await page.getByTestId('open-source').selectOption('CMakeLists.txt');
  await expect(page.getByTestId('source-path')).toHaveText('CMakeLists.txt');
  await expect(page.getByTestId('source-editor')).toContainText('add_executable(hello.elf hello.c)');
  await page.getByTestId('view-graph').click();

  await studio.openTab('build');
  await page.getByTestId('build-sdk').fill(sdk!);
  await page.getByTestId('build-sdk').blur();
  // An SDK typed in the page is not run until the user chose it; a browser page cannot confirm it, the terminal can.
  await expect(page.getByTestId('build-sdk-info')).toContainText('is not an SDK you chose');
  await page.getByTestId('build-sdk-use').click();
  await expect(studio.notice('error')).toContainText(`sel4-studio sdk add ${sdk}`);
  expect(chooseSdkInTerminal(host, sdk!)).toContain(`builds may use the Microkit SDK at ${sdk}`);
  await studio.openTab('problems');
  await studio.openTab('build');
  await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
  await expect(page.getByTestId('build-sdk-use')).toHaveCount(0);
  await expect(page.getByTestId('build-sdk-info')).toContainText('qemu_virt_aarch64: benchmark, debug, release');
  await expect(page.getByTestId('build-board')).toHaveValue('qemu_virt_aarch64');
  await page.getByTestId('build-start').click();
  // A failed build turns to Problems: the gcc error at its place, clickable.
  const problem = studio.problems().getByText(/.greeting. undeclared/);
  await expect(problem).toBeVisible();
  await expect(studio.problems()).toContainText('hello.c:6:23');
  // gcc's note travels with the error (matcher → host → contract → Problems): a disclosure under the error lists it
  // at its place, and the place opens the source like the problem does.
  const row = studio.problems().getByTestId('problem').filter({ hasText: /.greeting. undeclared/ });
  await expect(row.getByTestId('problem-related')).toContainText('1 note');
  await row.getByTestId('problem-related').locator('summary').click();
  const note = row.getByTestId('problem-related-place');
  await expect(note).toContainText('reported only once');
  await expect(note).toContainText('hello.c:6:23');
  await note.click();
  await expect(page.getByTestId('source-path')).toHaveText('hello.c');
  await page.getByTestId('view-graph').click();
  await studio.openTab('build');
  await expect(page.getByTestId('build-step-configure')).toHaveClass(/build-done/);
  await expect(page.getByTestId('build-step-compile')).toHaveClass(/build-failed/);
  await expect(page.getByTestId('build-step-microkit')).toHaveClass(/build-pending/);
  await expect(page.getByTestId('build-output')).toContainText('error:');
  await page.screenshot({ path: 'test-results/screenshots/build-error.png' });
  await studio.openTab('problems');
  await problem.click();
  await expect(page.getByTestId('source-editor')).toBeVisible();
  await expect(page.getByTestId('source-path')).toHaveText('hello.c');
  // The editor opened at the line: type the fix over it (Home keeps the indentation), save with Ctrl+S.
  // Click into the line first: the editor selects it when it opens, and a key pressed before that lands would race it.
  await page.locator('[data-testid=source-editor] .view-line', { hasText: 'greeting' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.insertText('microkit_dbg_puts("hello, world\\n");');
  await expect(page.getByTestId('source-path')).toHaveText('hello.c ●');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('source-path')).toHaveText('hello.c');
  expect(await fs.readFile(path.join(dir, 'hello.c'), 'utf8')).toBe(good);

  // Build again: the tree is current (configure skipped), the rest runs; the report is there.
  await page.keyboard.press('Control+Shift+B');
  await expect(page.getByTestId('build-progress')).toContainText('Built in');
  await expect(page.getByTestId('build-step-configure')).toHaveClass(/build-skipped/);
  await expect(page.getByTestId('build-step-microkit')).toHaveClass(/build-done/);
  await page.getByTestId('build-step-microkit').click();
  await expect(page.getByTestId('build-output')).toContainText('BUILT: system_cnode_size=');
  await page.getByTestId('build-view-report').click();
  await expect(page.getByTestId('build-report')).toContainText('Kernel objects (34)');
  await page.getByTestId('build-view-history').click();
  await expect(page.getByTestId('build-history')).toContainText('failed at compile');
  await page.screenshot({ path: 'test-results/screenshots/build-ok.png' });
  // The memory map shows where the kernel objects went.
  await page.getByTestId('view-memory').click();
  await expect(page.getByTestId('mm-space-physical')).toContainText('kernel objects (34, last build)');

  // Build & Run (F5): everything is up to date, and the image boots in QEMU.
  await page.getByTestId('view-graph').click();
  await page.keyboard.press('F5');
  await expect(page.getByTestId('qemu-terminal')).toContainText('hello, world', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/build-run.png' });
  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('stopped');
});

test('a Microkit error from the build selects its node: a missing program image', async ({ studio, host, page }) => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  requireTool('ninja', 'ninja-build');
  const dir = path.join(host.workspace, 'shm');
  await studio.newProject(dir, 'shm', 'shared-memory');
  // Point the consumer at an ELF nothing builds: only the Microkit tool can tell (it looks for the file).
  await studio.selectNode('pd', 'consumer');
  await studio.setField('image', 'nothere.elf');
  await studio.openTab('build');
  chooseSdkInTerminal(host, process.env.SEL4_STUDIO_STANDIN_SDK!);
  await page.getByTestId('build-sdk').fill(process.env.SEL4_STUDIO_STANDIN_SDK!);
  await page.getByTestId('build-sdk').blur();
  await page.getByTestId('build-start').click();
  // The .system has unsaved changes: the build asks before writing it (it reads the file on disk).
  await expect(page.getByTestId('build-prompt')).toContainText('shm.system has unsaved changes');
  await page.getByTestId('build-prompt-save').click();
  const problem = studio.problems().getByText(`unable to find program image: 'nothere.elf'`);
  await expect(problem).toBeVisible();
  await expect(studio.problems()).toContainText('shm.system:');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await expect(page.getByTestId('inspector')).toContainText('Select a node');
  await problem.click();
  await expect(page.getByTestId('inspect-name')).toHaveValue('consumer');
  // The compile step built both programs; the image step failed.
  await studio.openTab('build');
  await expect(page.getByTestId('build-step-compile')).toHaveClass(/build-done/);
  await expect(page.getByTestId('build-step-microkit')).toHaveClass(/build-failed/);
});
