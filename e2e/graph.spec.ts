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
