import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chooseSdkInTerminal, expect, test } from './fixtures';
import { requireTool } from './requireTool';

// The passthrough wizard (issue 14) driven as a user drives it: the JetPack AGX tree of the folder, UARTA, MGBE0 by
// both routes and host1x with VIC on the Path B template (a checkout, restricted) and on a fresh Orin project; the
// PL011 on qemu_virt_aarch64 from a device region's context menu. Each step is photographed; after Apply the system
// has no error, the change is only insertions, undo gives back the bytes, and real dtc compiles the guest tree.
const repo = path.resolve(import.meta.dirname, '..');
const JETPACK = path.join(repo, 'tests/fixtures/dts-corpus/sradcliffe-nottinghamspirk__t23x-nv-public');
const TREE = 'hw/nv-platform/tegra234-p3737-0000+p3701-0000-nv.dts';
const shots = 'test-results/screenshots';

/** Every byte of `before` is still in `after`, in order: the change only inserted. */
function onlyAdds(before: string, after: string): boolean {
  let i = 0;
  for (let j = 0; j < after.length && i < before.length; j++) if (after[j] === before[i]) i++;
  return i === before.length;
}

function dtcCompiles(file: string) {
  const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '/dev/null', file], { encoding: 'utf8' });
  expect(r.status, `${file}: ${r.stderr}`).toBe(0);
}

const id = (page: Page, testId: string) => page.getByTestId(testId);

async function openWizard(page: Page) {
  await id(page, 'btn-passthrough').click();
  await expect(id(page, 'wizard')).toBeVisible();
  await id(page, 'wz-step-tree').click();
  await expect(id(page, 'wz-tree-status')).toContainText('devices from');
}

/** Step 1: the JetPack tree of the folder; its devices are listed at once. Returns how long that took. */
async function chooseJetpack(page: Page): Promise<{ listedMs: number; timing: string }> {
  await id(page, 'wz-step-tree').click();
  await id(page, `wz-source-${TREE}`).click();
  await expect(id(page, 'wz-list-timing')).toBeVisible();
  const listedMs = Number(/on screen (\d+) ms/.exec((await id(page, 'wz-list-timing').textContent()) ?? '')![1]);
  await id(page, 'wz-step-tree').click();
  await expect(id(page, 'wz-tree-status')).toContainText(`devices from ${TREE}`);
  return { listedMs, timing: (await id(page, 'wz-tree-timing').textContent()) ?? '' };
}

async function pick(page: Page, names: string[]) {
  await id(page, 'wz-step-devices').click();
  for (const n of names) {
    await id(page, 'wz-search').fill(n);
    await id(page, `wz-choose-${n}`).check();
  }
  await id(page, 'wz-search').fill('');
}

async function clearChoice(page: Page) {
  await id(page, 'wz-step-devices').click();
  for (const box of await page.locator('[data-testid^="wz-choose-"]:checked').all()) await box.uncheck();
}

/** Save, and the file as saved. */
async function saved(page: Page, file: string): Promise<string> {
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+s');
  await expect(id(page, 'status-dirty')).toHaveText('Saved');
  return readFileSync(file, 'utf8');
}

test('Orin: the Path B template (a restricted checkout) and a fresh project, with the JetPack tree of the folder', async ({ studio, host, page }) => {
  test.setTimeout(90_000);
  requireTool('dtc', 'device-tree-compiler');
  requireTool('cpp', 'cpp');
  mkdirSync(`${shots}`, { recursive: true });

  // A checkout holding the Path B system and the JetPack source tree: opened, not trusted.
  const dir = path.join(host.workspace, 'agx-net');
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  cpSync(path.join(repo, 'resources/templates/orin-agx-path-b.system'), path.join(dir, 'net.system'));
  cpSync(JETPACK, path.join(dir, 'hw'), { recursive: true, verbatimSymlinks: true });
  const system = path.join(dir, 'net.system');
  const original = readFileSync(system, 'utf8');
  await studio.openProject(dir);
  await expect(id(page, 'restricted-banner')).toBeVisible();
  await page.getByTestId('status-board').click();
  await page.keyboard.type('orin_agx');
  await page.keyboard.press('Enter');
  await expect(id(page, 'status-board')).toHaveText('orin_agx');
  await saved(page, system);

  // 1. Device tree: the board pack at first, then the JetPack tree (compiled by the host's cpp, names from its headers).
  await openWizard(page);
  await expect(id(page, 'wz-tree-status')).toContainText('board pack orin_agx');
  // JetPack's overlays (/plugin/) are listed apart, not as base trees; choosing one says why it cannot be read alone.
  await expect(id(page, 'wz-overlays')).toContainText('hw/overlay/tegra-optee.dts');
  await id(page, 'wz-source-hw/overlay/tegra-optee.dts').click();
  await expect(id(page, 'wz-tree-error')).toContainText('is a device-tree overlay (/plugin/;)');
  await page.screenshot({ path: `${shots}/passthrough-1-tree.png` });
  const first = await chooseJetpack(page);
  console.log(`wizard, first choice of the JetPack AGX tree: ${first.timing.trim()}`);
  // Back to the board pack and to the tree again: the host answers from its cache; what is left is the page's work.
  await id(page, 'wz-source-board').click();
  await expect(id(page, 'wz-count')).toContainText('board pack orin_agx');
  const repeat = await chooseJetpack(page);
  console.log(`wizard, the JetPack AGX tree chosen again: ${repeat.timing.trim()}`);
  await expect(id(page, 'wz-tree-status')).toContainText('system cpp');
  await expect(id(page, 'wz-tree-status')).toContainText('dt-bindings headers');
  await page.screenshot({ path: `${shots}/passthrough-1-tree-loaded.png` });

  // 2. Devices: grouped, searchable by address; UARTA's facts name its clock and reset from the headers.
  await id(page, 'wz-step-devices').click();
  await expect(id(page, 'wz-group-serial')).toBeVisible();
  await expect(id(page, 'wz-group-ethernet')).toContainText('mgbe0');
  await id(page, 'wz-search').fill('0x3100000');
  await expect(id(page, 'wz-count')).toHaveText(/^1 of \d+ devices/);
  await id(page, 'wz-device-uarta').click();
  await expect(id(page, 'wz-facts-clocks')).toContainText('TEGRA234_CLK_UARTA "serial"');
  await expect(id(page, 'wz-facts-resets')).toContainText('TEGRA234_RESET_UARTA "serial"');
  await expect(id(page, 'wz-facts-irqs')).toContainText('SPI 112 · INTID 144');
  await id(page, 'wz-choose-uarta').check();
  await id(page, 'wz-search').fill('');
  await page.screenshot({ path: `${shots}/passthrough-2-devices.png` });
  await id(page, 'wz-view-tree').click();
  await expect(id(page, 'wz-device-list')).toContainText('bus@0');
  await page.screenshot({ path: `${shots}/passthrough-2-tree-view.png` });
  await id(page, 'wz-view-groups').click();

  // 3. Risks, 4. VM (the template's), 5. Preview, 6. Apply.
  await id(page, 'wz-next').click();
  await expect(id(page, 'wz-risks-uarta')).toContainText('TEGRA234_CLK_UARTA');
  await page.screenshot({ path: `${shots}/passthrough-3-risks.png` });
  await id(page, 'wz-next').click();
  await expect(id(page, 'wz-vm-summary')).toContainText('Existing VMM PD CLIENT_VMM');
  // The sDDF driver, virtualisers and copier are not offered as VMMs, with the rule; "show all" lists them.
  await expect(id(page, 'wz-vmm-rule')).toContainText('eth_driver');
  await expect(id(page, 'wz-vm-target').locator('option[value="pd:eth_driver"]')).toHaveCount(0);
  await id(page, 'wz-vmm-show-all').check();
  await expect(id(page, 'wz-vm-target').locator('option[value="pd:eth_driver"]')).toHaveCount(1);
  await page.screenshot({ path: `${shots}/passthrough-4-vm.png` });
  await id(page, 'wz-next').click();
  await expect(id(page, 'wz-check-errors')).toContainText('0 validator errors');
  await expect(id(page, 'wz-check-guest')).toContainText('guest.dts compiles');
  await expect(id(page, 'wz-diff')).toContainText('<memory_region name="uarta" size="0x10000" phys_addr="0x3100000" />');
  await expect(page.locator('.wz-line-del')).toHaveCount(0);
  await page.screenshot({ path: `${shots}/passthrough-5-preview.png` });
  await id(page, 'wz-tab-guest.dts').click();
  await expect(id(page, 'wz-file-guest.dts')).toContainText('clocks = <&bpmp 155>; /* TEGRA234_CLK_UARTA */');
  // The guest's BPMP node is complete; the preview says what the VMM's BPMP proxy must provide.
  await expect(id(page, 'wz-file-guest.dts')).toContainText('shmem = <&cpu_bpmp_tx>, <&cpu_bpmp_rx>;');
  await expect(id(page, 'wz-bpmp')).toContainText('libvmm has no BPMP proxy');
  await id(page, 'wz-next').click();
  await page.screenshot({ path: `${shots}/passthrough-6-apply.png` });
  await id(page, 'wz-apply').click();
  await expect(id(page, 'wz-applied')).toContainText('Pass uarta through to client_linux');
  await page.screenshot({ path: `${shots}/passthrough-6-applied.png` });
  await id(page, 'wz-done').click();
  await expect(id(page, 'status-problems')).toHaveText('0 errors');
  dtcCompiles(path.join(dir, 'passthrough/guest.dts'));
  const after = await saved(page, system);
  expect(onlyAdds(original, after)).toBe(true);
  expect(after.length - original.length).toBeLessThan(400);
  // Ctrl+Z: the exact bytes again.
  await page.keyboard.press('Control+z');
  expect(await saved(page, system)).toBe(original);

  // MGBE0 on this system: direct is refused (eth_driver owns it), Path B is there already.
  await openWizard(page);
  await clearChoice(page);
  await pick(page, ['mgbe0']);
  await id(page, 'wz-step-risks').click();
  await expect(id(page, 'wz-nic-route')).toBeVisible();
  await expect(id(page, 'wz-risks-mgbe0')).toContainText("window 'hypervisor' 0x6800000+0x10000 stays out of the guest");
  await page.screenshot({ path: `${shots}/passthrough-3-risks-mgbe0.png` });
  await id(page, 'wz-step-preview').click();
  await expect(id(page, 'wz-blocker')).toContainText("already goes to PD 'eth_driver'");
  await page.screenshot({ path: `${shots}/passthrough-5-mgbe0-direct-refused.png` });
  await id(page, 'wz-step-risks').click();
  await id(page, 'wz-nic-path-b').check();
  await id(page, 'wz-step-preview').click();
  await expect(id(page, 'wz-blocker')).toContainText('already has everything this passthrough adds');
  await id(page, 'wz-close').click();

  // A fresh Orin project (New: trusted) with the same tree copied in.
  const fresh = path.join(host.workspace, 'agx-fresh');
  await id(page, 'btn-new').click();
  await id(page, 'dialog-dir').fill(fresh);
  await id(page, 'dialog-name').fill('agx');
  await id(page, 'dialog-board').selectOption('orin_agx');
  await id(page, 'dialog-ok').click();
  await expect(id(page, 'project-name')).toHaveText(/^agx( ●)?$/);
  cpSync(JETPACK, path.join(fresh, 'hw'), { recursive: true, verbatimSymlinks: true });
  const freshSystem = path.join(fresh, 'agx.system');
  const start = readFileSync(freshSystem, 'utf8');
  // The Explorer learns of the copied tree when the folder is listed again (reopen).
  await id(page, 'btn-open').click();
  await id(page, 'dialog-dir').fill(fresh);
  await id(page, 'dialog-ok').click();
  await expect(id(page, 'notice-info')).toContainText('Opened agx');
  await openWizard(page);
  const again = await chooseJetpack(page);
  console.log(`wizard, the same tree in a second folder: ${again.timing.trim()}`);
  for (const [run, [devices, route]] of ([[['mgbe0'], 'direct'], [['mgbe0'], 'path-b'], [['host1x', 'vic'], 'direct']] as const).entries()) {
    await clearChoice(page);
    await pick(page, [...devices]);
    await id(page, 'wz-step-risks').click();
    if (devices[0] === 'mgbe0') await id(page, route === 'direct' ? 'wz-nic-direct' : 'wz-nic-path-b').check();
    const tag = `${devices.join('+')}-${route}`;
    await page.screenshot({ path: `${shots}/passthrough-fresh-3-${tag}.png` });
    await id(page, 'wz-step-vm').click();
    await expect(id(page, 'wz-vm-summary')).toContainText('New VMM PD vmm');
    if (route === 'direct') await id(page, 'wz-vm-one-to-one').check();
    await page.screenshot({ path: `${shots}/passthrough-fresh-4-${tag}.png` });
    await id(page, 'wz-step-preview').click();
    await expect(id(page, 'wz-check-errors')).toContainText('0 validator errors');
    await expect(page.locator('.wz-line-del')).toHaveCount(0);
    if (route === 'path-b') await expect(id(page, 'wz-diff')).toContainText('<protection_domain name="eth_driver"');
    if (devices[0] === 'host1x') await expect(id(page, 'wz-diff')).not.toContainText('phys_addr="0x13e10000"');
    await page.screenshot({ path: `${shots}/passthrough-fresh-5-${tag}.png` });
    await id(page, 'wz-step-apply').click();
    await id(page, 'wz-apply').click();
    // From the second run on, the files are there with other bytes: asked first, nothing changed until then.
    if (run > 0) {
      await expect(id(page, 'wz-conflicts')).toContainText('passthrough/guest.dts');
      await expect(id(page, 'status-dirty')).toHaveText('Saved');
      await page.screenshot({ path: `${shots}/passthrough-fresh-6-conflict.png` });
      await id(page, 'wz-overwrite').click();
    }
    await expect(id(page, 'wz-applied')).toBeVisible();
    await id(page, 'wz-done').click();
    await expect(id(page, 'status-problems')).toHaveText('0 errors');
    dtcCompiles(path.join(fresh, 'passthrough/guest.dts'));
    expect(onlyAdds(start, await saved(page, freshSystem))).toBe(true);
    await page.keyboard.press('Control+z');
    expect(await saved(page, freshSystem)).toBe(start);
    await id(page, 'btn-passthrough').click();
  }
  await id(page, 'wz-close').click();
  expect(existsSync(path.join(fresh, 'passthrough/vmm_irqs.c'))).toBe(true);
  // The wizard measures, from the choice of the tree to the painted list, every time; the 200 ms target is checked by
  // `npm run bench -- --only wizard` (a loaded test machine makes it no pass/fail here). A tree the host has compiled
  // already answers from its cache; the first choice may find it compiled too (the wizard starts compiling the
  // folder's trees when it opens), never the second one compiling afresh.
  for (const t of [first, repeat, again]) expect(t.listedMs).toBeGreaterThan(0);
  const compileMs = (t: { timing: string }) => Number(/compiled by the host in (\d+) ms/.exec(t.timing)![1]);
  expect(compileMs(repeat)).toBeLessThanOrEqual(compileMs(first) + 10);
});

test('qemu_virt_aarch64: the PL011 from a device region’s context menu, then its IRQ in the inspector', async ({ studio, host, page }) => {
  requireTool('dtc', 'device-tree-compiler');
  const dir = path.join(host.workspace, 'virt');
  await studio.newProject(dir, 'virt');
  await studio.dragFromPalette('device', 600, 300);
  await expect(id(page, 'inspect-phys')).toHaveValue('0x9000000');
  await studio.node('mr', 'pl011').click({ button: 'right' });
  await expect(id(page, 'node-context-menu')).toContainText('0x9000000');
  await page.screenshot({ path: `${shots}/passthrough-qemu-context-menu.png` });
  await id(page, 'ctx-passthrough').click();
  await expect(id(page, 'wizard')).toBeVisible();
  await expect(id(page, 'wz-chosen')).toContainText('Chosen: pl011');
  await id(page, 'wz-step-preview').click();
  await expect(id(page, 'wz-check-errors')).toContainText('0 validator errors');
  // The region the user drew is reused: only the map, the IRQ and the VM around them are added.
  await expect(id(page, 'wz-diff')).toContainText('<map mr="pl011" vaddr="0x9000000" perms="rw" cached="false" />');
  await expect(id(page, 'wz-diff')).toContainText('<irq irq="33" id="1" />');
  await page.screenshot({ path: `${shots}/passthrough-qemu-preview.png` });
  await id(page, 'wz-step-apply').click();
  await id(page, 'wz-apply').click();
  await expect(id(page, 'wz-applied')).toBeVisible();
  await id(page, 'wz-done').click();
  await expect(id(page, 'status-problems')).toHaveText('0 errors');
  dtcCompiles(path.join(dir, 'passthrough/guest.dts'));
  // The IRQ inspector: SPI 1 = INTID 33, raised by the PL011.
  await studio.node('pd', 'vmm').getByText('irq 33', { exact: false }).click();
  await expect(id(page, 'inspect-irq-source')).toContainText('SPI 1 (INTID 33) · device tree <0 1 flags>');
  await expect(id(page, 'inspect-irq-raised-by')).toContainText('PL011');
  await page.screenshot({ path: `${shots}/passthrough-qemu-irq-inspector.png` });

  // Built and booted: Create program gives the VMM PD a libmicrokit program (a stand-in for libvmm's VMM), CMake
  // compiles it with the SDK's flags, the stand-in Microkit tool checks the system as Microkit 2.3.0 does and writes
  // its image (the bare-metal fixture), and Build & Run boots that in QEMU.
  requireTool('qemu-system-aarch64', 'qemu-system-arm');
  requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu');
  requireTool('cmake', 'cmake');
  const sdk = process.env.SEL4_STUDIO_STANDIN_SDK;
  expect(sdk, 'globalSetup makes the Microkit stand-in').toBeTruthy();
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('create program');
  await page.keyboard.press('Enter');
  await expect(studio.notice('info')).toContainText('vmm.c');
  chooseSdkInTerminal(host, sdk!);
  await studio.openTab('build');
  await page.getByTestId('build-sdk').fill(sdk!);
  await page.getByTestId('build-sdk').blur();
  await expect(page.getByTestId('build-sdk-info')).toContainText('Microkit 2.3.0');
  await page.keyboard.press('F5');
  const prompt = page.getByTestId('build-prompt-save');
  if (await prompt.isVisible().catch(() => false)) await prompt.click();
  await expect(page.getByTestId('qemu-terminal')).toContainText('hello, world', { timeout: 60_000 });
  for (const f of ['build/vmm.elf', 'build/loader.img', 'build/report.txt']) expect(existsSync(path.join(dir, f)), f).toBe(true);
  expect(readFileSync(path.join(dir, 'vmm.c'), 'utf8')).toMatch(/case IRQ_\w+:/);
  await page.screenshot({ path: `${shots}/passthrough-qemu-booted.png` });
  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('stopped');
});
