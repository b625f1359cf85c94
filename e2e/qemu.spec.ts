import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { baremetalLoaderImage } from './requireTool';

test('boot the bare-metal program in QEMU from the UI: console, timeline, monitor, reset, stop', async ({ studio, host, page }) => {
  const image = baremetalLoaderImage();
  const dir = path.join(host.workspace, 'boot');
  await studio.newProject(dir, 'boot');
  mkdirSync(path.join(dir, 'build'), { recursive: true });
  // The program as a raw loader.img: the default target, booted the way the Microkit manual boots loader.img.
  copyFileSync(image, path.join(dir, 'build/loader.img'));

  await studio.openTab('terminal');
  await expect(page.getByTestId('qemu-kind')).toHaveValue('image');
  await expect(page.getByTestId('qemu-file')).toHaveValue('build/loader.img');
  await page.getByTestId('qemu-start').click();
  const term = page.getByTestId('qemu-terminal');
  await expect(term).toContainText('heartbeat');
  // The first lines may have scrolled out of the view by now (the program prints a heartbeat): the search finds them
  // in the scroll-back, and shows them.
  const search = page.getByTestId('console-search').first();
  for (const line of ['seL4 Studio bare-metal test: started', 'hello, world']) {
    await search.fill(line);
    await search.press('Enter');
    // Found once in the scroll-back (the view may scroll on with the next heartbeat before a DOM check could see it).
    await expect(page.getByTestId('console-search-count').first()).toHaveText('1 of 1');
  }
  await search.press('Escape');
  await expect(page.getByTestId('qemu-status')).toHaveText('running');
  const milestones = page.getByTestId('milestones');
  for (const m of ['Loader started', 'Kernel bootstrapping', 'Microkit monitor', 'First PD output: hello, world']) await expect(milestones).toContainText(m);

  // The project's own milestone: a broken pattern is reported with its line; a good one is applied to this boot too.
  await page.getByTestId('pattern-editor').locator('summary').click();
  await page.getByTestId('pattern-text').fill('# mine\nHeartbeat = /^heartbeat(/');
  await page.getByTestId('pattern-apply').click();
  await expect(page.getByTestId('pattern-errors')).toContainText('timeline-patterns.txt:2:');
  expect(existsSync(path.join(dir, 'timeline-patterns.txt'))).toBe(false);
  await page.getByTestId('pattern-text').fill('# mine\nHeartbeat = /^heartbeat$/');
  await page.getByTestId('pattern-apply').click();
  await expect(page.getByTestId('pattern-errors')).toHaveCount(0);
  await expect(milestones).toContainText('Heartbeat');
  await expect(milestones).toContainText('First PD output: hello, world');
  const patternsFile = path.join(dir, 'timeline-patterns.txt');
  await expect.poll(() => (existsSync(patternsFile) ? readFileSync(patternsFile, 'utf8') : '')).toBe('# mine\nHeartbeat = /^heartbeat$/');
  await page.screenshot({ path: 'test-results/screenshots/qemu-timeline.png' });

  // A standalone HTML report of this boot lands in the project.
  await page.getByTestId('qemu-report').click();
  await expect(studio.notice('info')).toContainText('Boot report written to reports/boot-');
  const reports = readdirSync(path.join(dir, 'reports'));
  expect(reports).toHaveLength(1);
  const html = readFileSync(path.join(dir, 'reports', reports[0]!), 'utf8');
  expect(html).toContain('<td>Microkit monitor</td>');
  expect(html).toContain('hello, world');

  // Presentation mode: the console and the timeline fill the window; Esc leaves.
  await page.getByTestId('presentation').click();
  await expect(page.getByTestId('presentation-view')).toBeVisible();
  await expect(page.getByTestId('milestones')).toContainText('Microkit monitor');
  await page.screenshot({ path: 'test-results/screenshots/presentation.png' });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('app')).toBeVisible();

  await page.getByTestId('qemu-pause').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('paused');
  await page.getByTestId('qemu-resume').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('running');

  await page.getByRole('button', { name: 'Monitor' }).click();
  await expect(page.getByTestId('qemu-monitor-output')).toContainText('pl011');

  // Reset: the timeline starts again and the program's first line comes back.
  await page.getByTestId('qemu-reset').click();
  await expect(milestones).toContainText('Loader started');
  await expect(milestones).toContainText('Microkit monitor');

  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText(/stopped/);
});

test('a missing image is reported, not thrown', async ({ studio, host, page }) => {
  await studio.newProject(path.join(host.workspace, 'noimg'), 'noimg');
  await studio.openTab('terminal');
  await page.getByTestId('qemu-start').click();
  await expect(studio.notice('error')).toContainText('image not found');
  await expect(page.getByTestId('qemu-status')).toHaveText('not started');
});
