import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

test('XML pane edits the graph: a priority typed in the XML shows in the inspector; broken XML keeps the graph', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'xml'), 'xml');
  await studio.selectNode('pd', 'main');
  await expect(page.getByTestId('inspect-priority')).toHaveValue('100');
  // The selected PD is highlighted in the XML.
  await expect(page.locator('[data-testid=xml-preview] .xml-selected-line')).not.toHaveCount(0);

  // Type over the priority in the XML pane.
  await page.locator('[data-testid=xml-preview] .view-line span', { hasText: '"100"' }).last().dblclick();
  await page.keyboard.type('150');
  await expect(page.getByTestId('inspect-priority')).toHaveValue('150');
  await expect(studio.node('pd', 'main')).toContainText('prio 150');

  // Completion: element names for where the cursor is, attributes, then region names for mr=.
  await studio.xmlCursorAfter('<program_image path="main.elf" />');
  await page.keyboard.press('Enter');
  await page.keyboard.type('<ma');
  expect(await studio.suggestions()).toContain('map');
  await page.keyboard.press('Escape');
  // Take the typing back with the editor's own undo (Ctrl+Z in the pane is the text's, not the graph's).
  for (let i = 0; i < 5 && (await studio.xml()).includes('<ma'); i++) await page.keyboard.press('Control+z');
  await expect.poll(() => studio.xml()).not.toContain('<ma');
  await studio.expectXmlToContain('<protection_domain name="main" priority="150">');
  await expect(page.getByTestId('btn-undo')).toBeEnabled();

  // An unfinished element: markers, the status says so, the graph keeps the last good model.
  await studio.xmlCursorAfter('<program_image path="main.elf" />');
  await page.keyboard.press('Enter');
  await page.keyboard.type('<protection_domain name="second" priority="7">');
  await expect(page.getByTestId('xml-status')).toContainText('does not parse');
  await expect(page.locator('[data-testid=xml-preview] .squiggly-error')).not.toHaveCount(0);
  await expect(studio.node('pd', 'main')).toBeVisible();
  // Saving refuses to write XML that does not parse, and says where.
  await page.keyboard.press('Control+s');
  await expect(studio.notice('error')).toContainText('xml.system:');
  await expect(studio.notice('error')).toContainText('does not parse');
  await page.screenshot({ path: 'test-results/screenshots/xml-broken.png' });

  // Finish it: the child PD appears in the graph as one undo step.
  await page.keyboard.type('<program_image path="second.elf" /></protection_domain>');
  await expect(studio.node('pd', 'second')).toBeVisible();
  await expect(studio.node('pd', 'second')).toContainText('child of main');
  await expect(page.getByTestId('xml-status')).not.toContainText('does not parse');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await expect(studio.node('pd', 'second')).toHaveCount(0);
  await expect(studio.node('pd', 'main')).toContainText('prio 150');
  await studio.save();
  const onDisk = await fs.readFile(path.join(host.workspace, 'xml', 'xml.system'), 'utf8');
  expect(onDisk).toContain('<protection_domain name="main" priority="150">');
});

test('a problem in a map selects its edge and its XML line', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'pmap'), 'pmap');
  await studio.dragFromPalette('mr', 560, 120);
  await studio.connect('main', { kind: 'mr', name: 'mr1' });
  await page.locator('.react-flow__edge.edge-map .react-flow__edge-textwrapper').first().click();
  await studio.setField('vaddr', '0x5000800');
  await studio.openTab('problems');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  const problem = studio.problems().getByText("invalid vaddr alignment on 'map'").first();
  await expect(problem).toBeVisible();
  await problem.click();
  await expect(page.getByTestId('inspector')).toContainText('Map: mr1 into main');
  await expect(page.locator('.react-flow__edge.edge-map.selected')).toHaveCount(1);
});

test('palette: a VM, an IRQ and a child PD dropped onto a PD; device region from the board; each edited in the inspector', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'parts'), 'parts');
  const main = studio.node('pd', 'main');
  // Dropping a VM on empty canvas says where it has to go.
  await studio.dragFromPalette('vm', 40, 40);
  await expect(studio.notice('error')).toContainText('onto a protection domain');
  const box = (await main.boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const onMain = { x: box.x - canvas.x + box.width / 2, y: box.y - canvas.y + 20 };
  await studio.dragFromPalette('vm', onMain.x, onMain.y);
  await expect(main.getByTestId('node-vm-vm1')).toBeVisible();
  await expect(page.getByTestId('inspector')).toContainText('Virtual machine in main');
  await studio.setField('vm-name', 'linux');
  await studio.setField('vm-priority', '90');
  await page.getByTestId('inspect-add-vcpu').click();
  await studio.expectXmlToContain('<virtual_machine name="linux" priority="90">');
  await studio.expectXmlToContain('<vcpu id="1" />');

  await studio.dragFromPalette('irq', onMain.x, onMain.y);
  await expect(page.getByTestId('inspector')).toContainText('IRQ of main');
  await studio.setField('irq-number', '33');
  await expect(page.getByTestId('inspect-irq-source')).toContainText('SPI 1');
  await page.getByTestId('inspect-irq-trigger').selectOption('edge');
  await studio.expectXmlToContain('<irq irq="33" id="0" trigger="edge" />');
  await expect(main.getByTestId('chip-irq-main-0')).toHaveText('irq 33 → id 0');

  // The device region takes the board's first device (QEMU virt: the PL011 UART) in whole pages.
  await studio.dragFromPalette('device', 600, 300);
  await expect(page.getByTestId('inspector')).toContainText('Device region');
  await expect(page.getByTestId('inspect-phys')).toHaveValue(/^0x9000000$/);

  await studio.dragFromPalette('child', onMain.x, onMain.y);
  await expect(studio.node('pd', 'main_child1')).toContainText('child of main');
  await studio.selectNode('pd', 'main_child1');
  // A child id may not equal a vCPU id of the parent's VM (0 and 1 here): it gets 2.
  await expect(page.getByTestId('inspect-child-id')).toHaveValue('2');
  await studio.expectXmlToContain('<protection_domain name="main_child1" id="2" priority="99">');
  await studio.setField('priority', '20');
  await studio.expectXmlToContain('<protection_domain name="main_child1" id="2" priority="20">');
  await page.screenshot({ path: 'test-results/screenshots/parts.png' });
  // Every Microkit rule holds (the only problem left is the tool's warning that nothing maps the device region).
  await expect(page.getByTestId('status-problems')).toHaveText('0 errors');
  await expect(studio.problems()).toContainText("WARNING: unused memory region 'pl011'");

  // Click the VM box and the IRQ chip: each opens its own inspector; remove the IRQ, undo brings it back.
  await main.getByTestId('node-vm-linux').click();
  await expect(page.getByTestId('inspector')).toContainText('Virtual machine in main');
  await main.getByTestId('chip-irq-main-0').click();
  await page.getByTestId('inspect-remove-irq').click();
  await expect(main.getByTestId('chip-irq-main-0')).toHaveCount(0);
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await expect(main.getByTestId('chip-irq-main-0')).toBeVisible();
});

test('memory map: physical and per-PD/VM spaces; an overlap is marked; clicking a block selects its map', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'mm'), 'mm', 'libvmm-linux');
  await page.getByTestId('view-memory').click();
  const mm = page.getByTestId('memory-map');
  await expect(mm.getByTestId('mm-space-physical')).toBeVisible();
  await expect(mm.getByTestId('mm-space-pd:VMM')).toContainText('stack');
  await expect(mm.getByTestId('mm-space-vm:VMM')).toContainText('guest-physical');
  await expect(page.getByTestId('mm-summary')).toContainText('no overlaps or misalignment');
  await page.screenshot({ path: 'test-results/screenshots/memory-map.png' });

  // Hover shows the details; click selects the map edge and opens it in the inspector.
  const guestRam = mm.getByTestId('mm-space-vm:VMM').locator('[data-testid^="mm-block-vm:VMM-guest_ram"]');
  await guestRam.hover();
  await expect(page.getByTestId('mm-tooltip')).toContainText('guest_ram');
  await guestRam.click();
  await expect(page.getByTestId('inspector')).toContainText("Map: guest_ram into VMM's VM");
  // Move the VM's UART map onto guest RAM: both blocks turn red, the summary counts them.
  const uartMap = mm.getByTestId('mm-space-vm:VMM').locator('[data-testid="mm-block-vm:VMM-serial"]');
  await uartMap.click();
  await studio.setField('vaddr', '0x40000000');
  await expect(page.getByTestId('mm-summary')).toContainText('2 problems');
  await expect(mm.locator('.mm-problem')).toHaveCount(2);
  await expect(studio.problems()).toContainText('overlaps with map');
  await page.screenshot({ path: 'test-results/screenshots/memory-map-overlap.png' });
  await page.getByTestId('mm-summary').click();
  await studio.undo();
  await expect(page.getByTestId('mm-summary')).toContainText('no overlaps');
});

test('editing comfort: duplicate with maps, copy/paste, multi-select, delete shows what goes with it, find, auto layout, clashing channel ids', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'comfort'), 'comfort');
  await studio.dragFromPalette('mr', 560, 120);
  await studio.connect('main', { kind: 'mr', name: 'mr1' });
  await studio.selectNode('pd', 'main');
  // Duplicate (Ctrl+D): the copy keeps mapping the same region (shared memory), under a fresh name.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.node('pd', 'main').click();
  await page.keyboard.press('Control+d');
  await expect(studio.node('pd', 'main_copy1')).toBeVisible();
  await studio.expectXmlToContain('<protection_domain name="main_copy1" priority="100">');
  await expect(page.locator('.react-flow__edge.edge-map')).toHaveCount(2);
  // Copy the region and paste it: a second region.
  await studio.node('mr', 'mr1').click();
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(studio.node('mr', 'mr1_copy1')).toBeVisible();

  // Two channels, then make two ends in one PD clash: the Microkit rule reports it.
  await studio.connect('main', { kind: 'pd', name: 'main_copy1' });
  await studio.connect('main', { kind: 'pd', name: 'main_copy1' });
  await expect(page.locator('.react-flow__edge-text', { hasText: 'ch 1↔1' })).toBeVisible();
  await page.locator('.react-flow__edge.edge-channel .react-flow__edge-textwrapper', { hasText: 'ch 1↔1' }).click();
  await studio.setField('end0-id', '0');
  await expect(studio.problems()).toContainText("duplicate channel id: 0 in protection domain: 'main'");
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await expect(studio.problems()).not.toContainText('duplicate channel id');

  // Find a node by name (Ctrl+F): it is selected and brought into view.
  await page.keyboard.press('Control+f');
  await expect(page.getByTestId('find-node')).toBeFocused();
  await page.keyboard.type('copy1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toContainText('Protection domain');
  await expect(page.getByTestId('inspect-name')).toHaveValue('main_copy1');
  // Find brings the node into view with a 200 ms animation: a click before it ends can land on the pane instead.
  await page.waitForTimeout(400);

  // Delete a PD with channels: the dialog lists them; Cancel keeps everything, Delete removes, undo restores.
  await studio.node('pd', 'main_copy1').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('delete-also')).toContainText('channel main (id 1) ↔ main_copy1 (id 1)');
  await page.screenshot({ path: 'test-results/screenshots/delete-preview.png' });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(studio.node('pd', 'main_copy1')).toBeVisible();
  await page.keyboard.press('Delete');
  await page.getByTestId('delete-confirm').click();
  await expect(studio.node('pd', 'main_copy1')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge.edge-channel')).toHaveCount(0);
  await studio.undo();
  await expect(studio.node('pd', 'main_copy1')).toBeVisible();
  await expect(page.locator('.react-flow__edge.edge-channel')).toHaveCount(2);

  // Multi-select with Ctrl+click; a region with nothing on it goes without asking.
  await studio.node('mr', 'mr1_copy1').click();
  await studio.node('pd', 'main').click({ modifiers: ['Control'] });
  await expect(page.getByTestId('inspector')).toContainText('2 items selected');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.node('mr', 'mr1_copy1').click();
  await page.keyboard.press('Delete');
  await expect(studio.node('mr', 'mr1_copy1')).toHaveCount(0);

  // Auto layout moves nodes as one undo step.
  await studio.dragFromPalette('pd', 300, 300);
  const before = await studio.node('pd', 'pd1').boundingBox();
  await page.getByTestId('btn-autolayout').click();
  await expect.poll(async () => JSON.stringify(await studio.node('pd', 'pd1').boundingBox())).not.toBe(JSON.stringify(before));
  await page.screenshot({ path: 'test-results/screenshots/auto-layout.png' });
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await expect(page.getByTestId('btn-undo')).toHaveAttribute('title', /Undo/);
});

test('the largest corpus file (Microkit 1.x): a banner offers the migration, after which every PD is drawn', async ({ studio, host, page }) => {
  const dir = path.join(host.workspace, 'profiler');
  await studio.newProject(dir, 'profiler');
  const xml = await fs.readFile(path.join(import.meta.dirname, '../tests/fixtures/microkit-corpus/au-ts__sel4_profiler/profiler.system'), 'utf8');
  await fs.writeFile(path.join(dir, 'profiler.system'), xml);
  await studio.reload();
  await studio.openProject(dir);
  await expect(page.getByTestId('legacy-banner')).toContainText('7 elements are kept as written and not drawn');
  const pdsInFile = (xml.match(/<protection_domain\b/g) ?? []).length;
  await page.getByTestId('legacy-banner').getByRole('button', { name: 'Migrate to Microkit 2.x' }).click();
  await expect(page.getByTestId('legacy-banner')).toHaveCount(0);
  await expect(page.locator('.react-flow__node-pd')).toHaveCount(pdsInFile);
  await expect(page.getByTestId('status-problems')).toHaveText('0 errors');
  // No problem says an element is kept as written (the list may be empty: the file's timer PPIs are legal IRQs).
  await expect(page.getByText('kept as written')).toHaveCount(0);
  await expect(page.locator('.react-flow__node-pd.selectable').first()).toBeVisible();
  await page.waitForTimeout(200);
  await page.getByTestId('btn-fit').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'test-results/screenshots/corpus-profiler-migrated.png' });
  // One undo step takes the migration back.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await studio.undo();
  await expect(page.getByTestId('legacy-banner')).toBeVisible();
});

test('commands: Ctrl+Shift+P runs a command by name and sets the board; the ? list is the registry (Ctrl+Shift+B builds, F5)', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'commands'), 'commands');
  const html = page.locator('html');
  const theme = await html.getAttribute('data-theme');
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  const palette = page.getByTestId('command-palette');
  const input = page.getByTestId('command-palette-input');

  // Filter, then run with Enter: the theme flips; the palette closes.
  await page.keyboard.press('Control+Shift+P');
  await expect(input).toBeFocused();
  await expect(palette.getByTestId('command-build')).toContainText('Ctrl+Shift+B');
  await page.keyboard.type('theme');
  await expect(palette.getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(palette).toHaveCount(0);
  await expect(html).toHaveAttribute('data-theme', theme === 'dark' ? 'light' : 'dark');

  // Arrows move the highlight; Escape closes without running anything.
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('show the');
  await expect(palette.getByRole('option')).toHaveCount(2);
  await expect(palette.getByRole('option').nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(palette.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Escape');
  await expect(palette).toHaveCount(0);
  await expect(page.getByTestId('canvas')).toBeVisible();

  // A setting is a command that takes a value: the board, from the palette or from the status bar.
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('set board');
  await page.keyboard.press('Enter');
  await expect(palette.getByRole('option', { name: /QEMU virt \(AArch64, EL2\)/ })).toContainText('current');
  await page.keyboard.type('odroidc4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status-board')).toHaveText('odroidc4');
  await page.getByTestId('status-board').click();
  await expect(palette.getByRole('option', { name: /ODROID-C4/ })).toContainText('current');
  await page.keyboard.press('Escape');

  // The shortcut list, generated from the commands: opened with ?, it says what Ctrl+Shift+B and F5 do.
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+?');
  const list = page.getByTestId('shortcut-list');
  await expect(list).toBeVisible();
  await expect(list.locator('div', { has: page.locator('dt', { hasText: /^Ctrl\+Shift\+B$/ }) })).toContainText('Compile the PD programs and run microkit');
  await expect(list.locator('div', { has: page.locator('dt', { hasText: /^F5$/ }) })).toContainText('Build, then boot build/loader.img in QEMU');
  await expect(page.getByTestId('btn-build')).toHaveAttribute('title', /\(Ctrl\+Shift\+B\)$/);
  await page.keyboard.press('Shift+?');
  await expect(list).toBeHidden();
});
