import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

test('the page needs the key: without it, it says where to get it; with it, the key leaves the address bar', async ({ page, host }) => {
  const res = await page.goto(host.origin + '/');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('alert')).toContainText('seL4 Studio cannot reach its host');
  await expect(page.getByRole('alert')).toContainText('launch page');
  // The launch page (a file) sends the browser on with the key in the fragment; the page keeps it in this tab only.
  await page.goto(`file://${host.launchFile}`);
  await expect(page.getByTestId('status-host')).toHaveText('Browser mode');
  expect(page.url()).toBe(`${host.origin}/`);
  expect(await page.evaluate(() => Object.entries(sessionStorage))).toEqual([[`sel4studio.key.${host.port}`, host.key]]);
  expect(await page.evaluate(() => document.cookie)).toBe('');
  // A reload keeps the tab signed in (sessionStorage), without the key in the address.
  await page.reload();
  await expect(page.getByTestId('status-host')).toHaveText('Browser mode');
});

test('create a project, add and edit a PD, undo/redo, save, reopen identical', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'hello');
  await studio.newProject(dir, 'hello');
  await expect(studio.node('pd', 'main')).toBeVisible();
  await studio.expectXmlToContain('<protection_domain name="main" priority="100">');

  // Drag a PD and an MR from the palette onto the canvas.
  await studio.dragFromPalette('pd', 200, 360);
  await studio.dragFromPalette('mr', 560, 120);
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  await studio.expectXmlToContain('<memory_region name="mr1" size="0x1000" />');

  // Edit it in the inspector: each committed field is one undo step.
  await studio.selectNode('pd', 'pd1');
  await studio.setField('name', 'client');
  await studio.setField('priority', '200');
  await studio.expectXmlToContain('<protection_domain name="client" priority="200">');
  await expect(page.getByTestId('status-dirty')).toHaveText('Unsaved changes');

  // An invalid value is shown inline and never reaches the model.
  await studio.setField('priority', '300');
  await expect(page.getByTestId('inspect-priority')).toHaveAttribute('aria-invalid', 'true');
  await studio.expectXmlToContain('priority="200"');
  await page.getByTestId('inspect-priority').press('Escape');

  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await studio.expectXmlToContain('<protection_domain name="client" priority="100">');
  await studio.redo();
  await studio.expectXmlToContain('<protection_domain name="client" priority="200">');

  await studio.save();
  const onDisk = await fs.readFile(path.join(dir, 'hello.system'), 'utf8');
  expect(onDisk).toContain('<protection_domain name="client" priority="200">');
  const shown = await studio.xml();
  expect(shown.trim()).toBe(onDisk.trim());
  await page.screenshot({ path: 'test-results/screenshots/project-edited.png' });

  // Reload the page (a fresh UI): the project open last comes back by itself; opening it again from the recent list
  // gives the same XML and layout.
  await studio.reload();
  await expect(studio.node('pd', 'client')).toBeVisible();
  expect((await studio.xml()).trim()).toBe(onDisk.trim());
  await page.keyboard.press('Control+o');
  await expect(page.getByTestId('dialog-dir')).toBeVisible();
  // The recent entry (name, then folder), not the Explorer's hello.system behind the dialog.
  await page.getByRole('button', { name: /^hello\s/ }).first().click();
  await expect(studio.node('pd', 'client')).toBeVisible();
  expect((await studio.xml()).trim()).toBe(onDisk.trim());
  await expect(page.getByTestId('status-dirty')).toHaveText('Saved');
});

test('a corrupt studio.json is reported with its place and left untouched', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'broken');
  await studio.newProject(dir, 'broken');
  const broken = '{\n  "schemaVersion": 2,\n  "name": "broken",,\n}\n';
  await fs.writeFile(path.join(dir, 'studio.json'), broken);
  await studio.reload();
  await studio.openProject(dir);
  await expect(studio.notice('error')).toContainText('studio.json:3:20: error: studio.json is not valid JSON');
  await expect(studio.problems()).toContainText('studio.json:3:20');
  expect(await fs.readFile(path.join(dir, 'studio.json'), 'utf8')).toBe(broken);
  await page.screenshot({ path: 'test-results/screenshots/corrupt-project.png' });
});

test('unsaved edits are autosaved and offered back after a crash', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'auto');
  await studio.newProject(dir, 'auto');
  await studio.dragFromPalette('pd', 300, 300);
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await expect.poll(() => fs.readFile(path.join(dir, '.studio-recovery.json'), 'utf8').catch(() => ''), { timeout: 8000 }).toContain('pd1');
  // The tab dies without saving; the next session offers the autosave.
  await studio.reload();
  await studio.openProject(dir);
  await expect(page.getByTestId('recovery-banner')).toBeVisible();
  await expect(studio.node('pd', 'pd1')).toHaveCount(0);
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(studio.node('pd', 'pd1')).toBeVisible();
  await studio.save();
  await expect(fs.access(path.join(dir, '.studio-recovery.json'))).rejects.toThrow();
});

test('problems come from the Microkit rules, with places, and select their node', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'problems'), 'problems');
  await studio.dragFromPalette('mr', 500, 200);
  await studio.selectNode('mr', 'mr1');
  await studio.setField('size', '0x1001');
  await studio.openTab('problems');
  const problem = studio.problems().getByText("size is not a multiple of the page size on element 'memory_region'");
  await expect(problem).toBeVisible();
  await expect(studio.problems()).toContainText('problems.system:3:5');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await expect(page.getByTestId('inspector')).toContainText('Select a node');
  await problem.click();
  await expect(page.getByTestId('inspector')).toContainText('Memory region');
  await expect(studio.node('mr', 'mr1')).toHaveClass(/has-problems/);
  await page.screenshot({ path: 'test-results/screenshots/problems.png' });
  // The quick fix rounds the size up, as one undoable edit.
  await studio.problems().getByTestId('problem-fix').click();
  await studio.expectXmlToContain('<memory_region name="mr1" size="0x2000" />');
  await expect(studio.problems()).not.toContainText('size is not a multiple');
  await studio.undo();
  await expect(studio.problems()).toContainText('size is not a multiple');
  await studio.setField('size', '0x2000');
  await expect(studio.problems()).not.toContainText('size is not a multiple');
  // The tool's own warning remains until something maps the region.
  await expect(studio.problems()).toContainText("WARNING: unused memory region 'mr1'");
  await expect(studio.node('mr', 'mr1')).not.toHaveClass(/has-problems/);
});

test('New Project from a template: the sDDF serial subsystem, laid out, valid, on its board', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'serial-from-template');
  await page.getByTestId('btn-new').click();
  await page.getByTestId('dialog-dir').fill(dir);
  await page.getByTestId('dialog-name').fill('serial');
  await page.getByTestId('dialog-template').selectOption('orin-agx-path-b');
  await expect(page.getByTestId('dialog-board')).toHaveValue('orin_agx');
  await page.getByTestId('dialog-template').selectOption('sddf-serial');
  await expect(page.getByTestId('dialog-board')).toHaveValue('qemu_virt_aarch64');
  await expect(page.getByTestId('project-dialog')).toContainText('transmit and receive virtualisers');
  await page.getByTestId('dialog-ok').click();
  await expect(page.getByTestId('project-name')).toContainText('serial');
  for (const pd of ['serial_driver', 'serial_virt_tx', 'serial_virt_rx', 'client']) await expect(studio.node('pd', pd)).toBeVisible();
  await studio.expectXmlToContain('<memory_region name="uart"');
  await expect(page.getByText('No problems.')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/template-sddf-serial.png' });
  const system = await fs.readFile(path.join(dir, 'serial.system'), 'utf8');
  expect(system).toContain('<protection_domain name="serial_virt_rx" priority="98">');
});

test('the libvmm example: the VM is drawn inside its VMM PD, with its IRQ and its own maps', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'vm-from-template'), 'vm', 'libvmm-linux');
  const vmm = studio.node('pd', 'VMM');
  await expect(vmm.getByTestId('node-vm-linux')).toBeVisible();
  await expect(vmm).toContainText('irq 33 → id 1');
  await expect(vmm.getByTestId('node-vm-linux')).toContainText('1 vCPU');
  await expect(page.locator('.react-flow__edge.edge-vm-map')).toHaveCount(3);
  await page.screenshot({ path: 'test-results/screenshots/template-libvmm.png' });
});

test('draw edges: PD → region maps it at the next free address, PD → PD is a channel with free ids; undo', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'wires'), 'wires');
  await studio.dragFromPalette('mr', 560, 120);
  await studio.dragFromPalette('pd', 200, 380);
  await expect(studio.node('mr', 'mr1')).toBeVisible();
  await studio.connect('main', { kind: 'mr', name: 'mr1' });
  await studio.expectXmlToContain('<map mr="mr1" vaddr="0x4000000" perms="rw" />');
  // Select the map by its edge and set its address and attributes in the inspector.
  await page.locator('.react-flow__edge.edge-map .react-flow__edge-textwrapper').first().click();
  await expect(page.getByTestId('inspector')).toContainText('Map: mr1 into main');
  await studio.setField('vaddr', '0x5000000');
  await studio.setField('perms', 'wx');
  await studio.setField('perms', 'r');
  await studio.setField('setvar', 'shared_buf');
  await studio.expectXmlToContain('<map mr="mr1" vaddr="0x5000000" perms="r" setvar_vaddr="shared_buf" />');
  await studio.connect('pd1', { kind: 'mr', name: 'mr1' });
  await studio.connect('main', { kind: 'pd', name: 'pd1' });
  await expect(page.locator('.react-flow__edge.edge-channel')).toHaveCount(1);
  await expect(page.locator('.react-flow__edge.edge-map')).toHaveCount(2);
  await expect(page.locator('.react-flow__edge-text', { hasText: 'ch 0↔0' })).toBeVisible();
  // pp between equal priorities breaks the PPC rule: the checker's error, placed on the channel's line in the XML,
  // turns the edge red and is listed in Problems.
  await page.locator('.react-flow__edge.edge-channel .react-flow__edge-textwrapper').click();
  await expect(page.getByTestId('inspector')).toContainText('Channel: main ↔ pd1');
  await page.getByTestId('inspect-end0-pp').check();
  await expect(page.locator('.react-flow__edge.edge-channel.edge-bad')).toHaveCount(1);
  await expect(studio.problems().getByText('PPCs must be to protection domains of strictly higher priorities')).toBeVisible();
  // ...and it belongs to the channel: the inspector lists it under the channel.
  await expect(page.getByTestId('inspector').getByText('PPCs must be to protection domains of strictly higher priorities')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/edges.png' });
  await page.getByTestId('inspect-end0-pp').uncheck();
  await expect(page.locator('.react-flow__edge.edge-bad')).toHaveCount(0);
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await studio.undo();
  await studio.undo();
  await expect(page.locator('.react-flow__edge.edge-channel')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge.edge-map')).toHaveCount(2);
});
