import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chooseSdkInTerminal, expect, test } from './fixtures';
import { requireTool } from './requireTool';

/** Compile `asserts` (C) in the project against the SDK's microkit.h: the generated headers' numbers, checked by gcc. */
function staticAsserts(dir: string, sdk: string, asserts: string[]): { status: number | null; stderr: string } {
  const file = path.join(dir, 'build', 'check-ids.c');
  writeFileSync(file, `#include <microkit.h>\n${asserts.join('\n')}\n`);
  const r = spawnSync('aarch64-linux-gnu-gcc', ['-c', '-Wall', '-Werror', '-ffreestanding', '-I', path.join(sdk, 'board/qemu_virt_aarch64/debug/include'), '-I', dir, file, '-o', `${file}.o`], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('programs for drawn PDs: quick fix, Create program, build with the ids, rename a PD and build again', async ({ studio, host, page }) => {
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  requireTool('ninja', 'ninja-build');
  const sdk = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(sdk, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  const dir = path.join(host.workspace, 'drawn');
  // The empty project: one PD (main), no sources, no build file.
  await studio.newProject(dir, 'drawn');
  expect(existsSync(path.join(dir, 'CMakeLists.txt'))).toBe(false);

  // Draw: two more PDs, a channel main ↔ pd1, a region both map (with a setvar), an IRQ on pd2 (the PL011's).
  await studio.dragFromPalette('pd', 420, 80);
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await studio.dragFromPalette('pd', 420, 320);
  await expect(studio.node('pd', 'pd2')).toBeVisible();
  await studio.connect('main', { kind: 'pd', name: 'pd1' });
  await studio.expectXmlToContain('<end pd="pd1" id="0" />');
  await studio.dragFromPalette('mr', 700, 200);
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  await studio.connect('main', { kind: 'mr', name: 'mr1' });
  await studio.connect('pd1', { kind: 'mr', name: 'mr1' });
  await page.locator('.react-flow__edge.edge-map .react-flow__edge-textwrapper').first().click();
  await studio.setField('setvar', 'shared_vaddr');
  await studio.expectXmlToContain('setvar_vaddr="shared_vaddr"');
  const pd2 = (await studio.node('pd', 'pd2').boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await studio.dragFromPalette('irq', pd2.x - canvas.x + pd2.width / 2, pd2.y - canvas.y + 20);
  await studio.setField('irq-number', '33');
  await studio.expectXmlToContain('<irq irq="33" id="0" />');

  // Build: nothing compiles the programs yet, so the Microkit tool cannot find main.elf; its problem offers the fix.
  chooseSdkInTerminal(host, sdk!);
  await studio.openTab('build');
  await page.getByTestId('build-sdk').fill(sdk!);
  await page.getByTestId('build-sdk').blur();
  await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
  await page.getByTestId('build-start').click();
  await page.getByTestId('build-prompt-save').click();
  const missing = studio.problems().getByTestId('problem').filter({ hasText: "unable to find program image: 'main.elf'" });
  await expect(missing).toBeVisible();
  await expect(missing.getByTestId('problem-fix')).toHaveText('Fix: Create program for main');
  await page.screenshot({ path: 'test-results/screenshots/programs-missing-image.png' });
  await missing.getByTestId('problem-fix').click();
  await expect(studio.notice('info')).toContainText('Created main.c, main_ids.h; CMakeLists.txt created for main.elf');
  expect(await fs.readFile(path.join(dir, 'CMakeLists.txt'), 'utf8')).toMatch(/project\(drawn C\)\nadd_executable\(main\.elf main\.c\)\n$/);

  // Create program from the palette: every PD (nothing selected); main.c is the user's now and is kept.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('create program');
  await page.keyboard.press('Enter');
  await expect(studio.notice('info')).toContainText('Created pd1.c, pd1_ids.h, pd2.c, pd2_ids.h; kept main.c as they are; CMakeLists.txt builds pd1.elf, pd2.elf');
  const pd2Stub = await fs.readFile(path.join(dir, 'pd2.c'), 'utf8');
  expect(pd2Stub).toMatch(/case IRQ_PL011:\n.*\n\s+microkit_irq_ack\(IRQ_PL011\);/);

  // Build: CMake compiles the three stubs with the SDK's flags (-Wall -Werror), Microkit finds every image.
  await studio.openTab('build');
  await page.getByTestId('build-start').click();
  await expect(page.getByTestId('build-progress')).toContainText('Built in', { timeout: 60_000 });
  await expect(page.getByTestId('build-step-compile')).toHaveClass(/build-done/);
  await expect(page.getByTestId('build-step-microkit')).toHaveClass(/build-done/);
  for (const elf of ['main.elf', 'pd1.elf', 'pd2.elf']) expect(existsSync(path.join(dir, 'build', elf))).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/programs-built.png' });

  // The headers hold the system's numbers: gcc checks them, and a wrong number fails.
  const ok = staticAsserts(dir, sdk!, [
    '#include "main_ids.h"',
    '_Static_assert(CH_PD1 == 0, "main: channel to pd1");',
    '#include "pd1_ids.h"',
    '_Static_assert(CH_MAIN == 0, "pd1: channel to main");',
    '_Static_assert(SHARED_VADDR_SIZE == 0x1000, "the size of mr1, mapped with the setvar");',
    '#include "pd2_ids.h"',
    '_Static_assert(IRQ_PL011 == 0, "pd2: the PL011 IRQ");',
    'uintptr_t *p = &shared_vaddr;',
  ]);
  expect(ok.stderr).toBe('');
  expect(ok.status).toBe(0);
  expect(staticAsserts(dir, sdk!, ['#include "pd2_ids.h"', '_Static_assert(IRQ_PL011 == 1, "wrong on purpose");']).status).not.toBe(0);

  // Rename pd1 to server: its image (default-named), stub, header, build line and main's CH_PD1 follow.
  await studio.selectNode('pd', 'pd1');
  await studio.setField('name', 'server');
  await studio.expectXmlToContain('<program_image path="server.elf" />');
  await expect(studio.notice('info')).toContainText('Renamed pd1 to server: server.elf, pd1.c → server.c, pd1_ids.h → server_ids.h, CMakeLists.txt, main.c');
  expect(existsSync(path.join(dir, 'pd1.c'))).toBe(false);
  expect(await fs.readFile(path.join(dir, 'CMakeLists.txt'), 'utf8')).toContain('add_executable(server.elf server.c)');
  expect(await fs.readFile(path.join(dir, 'main.c'), 'utf8')).toContain('case CH_SERVER:');
  await page.screenshot({ path: 'test-results/screenshots/programs-renamed.png' });

  // Build again (saving first): everything compiles under the new names; the headers say so.
  await page.keyboard.press('Control+Shift+B');
  await expect(page.getByTestId('build-prompt')).toContainText('unsaved changes');
  await page.getByTestId('build-prompt-save').click();
  await studio.openTab('build');
  // The new build's image: the previous build's steps are on screen until this one runs.
  await expect.poll(() => existsSync(path.join(dir, 'build', 'server.elf')), { timeout: 60_000 }).toBe(true);
  await expect(page.getByTestId('build-progress')).toContainText('Built in', { timeout: 60_000 });
  await expect(page.getByTestId('build-step-microkit')).toHaveClass(/build-done/);
  // The history has all three builds: the one without programs failed, both since passed.
  const history = async () => JSON.parse(await fs.readFile(path.join(dir, 'build/sel4-studio-history.json'), 'utf8')) as { result: string }[];
  await expect.poll(async () => (await history()).map((b) => b.result), { timeout: 60_000 }).toEqual(['ok', 'ok', 'failed']);
  const renamed = staticAsserts(dir, sdk!, ['#include "main_ids.h"', '_Static_assert(CH_SERVER == 0, "main: channel to server");', '#include "server_ids.h"', '_Static_assert(CH_MAIN == 0, "server: channel to main");']);
  expect(renamed.stderr).toBe('');
  expect(renamed.status).toBe(0);
  await page.screenshot({ path: 'test-results/screenshots/programs-rebuilt.png' });
});
