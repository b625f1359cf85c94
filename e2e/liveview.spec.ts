import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { expect, test } from './fixtures';
import { baremetalLoaderImage, requireTool } from './requireTool';
import { startPtyPair } from '../tests/support/ptyPair';

/** Record every value a node's data-live attribute takes, in order (window.__live[testId]). */
async function watchLive(page: import('@playwright/test').Page, testId: string) {
  await page.getByTestId(testId).evaluate((el, id) => {
    const w = window as unknown as { __live: Record<string, string[]> };
    w.__live ??= {};
    const seen = (w.__live[id] = [el.getAttribute('data-live') ?? '']);
    new MutationObserver(() => {
      const v = el.getAttribute('data-live') ?? '';
      if (seen[seen.length - 1] !== v) seen.push(v);
    }).observe(el, { attributes: true, attributeFilter: ['data-live'] });
  }, testId);
  return () => page.evaluate((id) => (window as unknown as { __live: Record<string, string[]> }).__live[id]!, testId);
}

test('live view: a QEMU boot of the hello template lights its PD up — not started, then printing — with the last line on hover', async ({ studio, host, page }) => {
  const image = baremetalLoaderImage();
  const dir = path.join(host.workspace, 'hello');
  await studio.newProject(dir, 'hello', 'hello');
  mkdirSync(path.join(dir, 'build'), { recursive: true });
  // The bare-metal image prints the recorded Microkit boot (loader, kernel, monitor) and the hello PD's line.
  copyFileSync(image, path.join(dir, 'build/loader.img'));

  const node = page.getByTestId('node-pd-hello');
  await expect(node).toHaveAttribute('data-live', 'off');
  await expect(page.getByTestId('live-legend')).toHaveCount(0);
  const seen = await watchLive(page, 'node-pd-hello');
  await studio.openTab('terminal');
  await page.getByTestId('qemu-start').click();
  await expect(page.getByTestId('qemu-terminal')).toContainText('hello, world');
  await expect(node).toHaveAttribute('data-live', /^printing/);
  await expect(node).toHaveClass(/live-printing/);
  await expect(page.getByTestId('live-badge-hello')).toHaveText('printing');
  await expect(page.getByTestId('live-legend')).toContainText('Live · QEMU · 1 of 1 PDs running');
  // The node went from off to printing, never faulted (the whole boot log arrives within a frame or two, so the
  // frames in between may or may not show 'not-started' and 'started'); the order is in the times on hover below.
  const states = await seen();
  console.log(`hello's live states: ${states.join(' → ')}`);
  expect(states[0]).toBe('off');
  expect(states.at(-1)).toMatch(/^printing/);
  expect(states).not.toContain('faulted');
  // The last line on hover, with when it started and first printed.
  await node.hover();
  const last = page.getByTestId('live-last-hello');
  await expect(last).toContainText(/started \d+\.\d\d s · first line \d+\.\d\d s/);
  // Its newest line: hello's "hello, world", or the image's heartbeat after it (the one PD's lines are all its own).
  await expect(last).toContainText(/\d+\.\d\d s: (hello, world|heartbeat)/);
  const [started, first] = ((await last.textContent()) ?? '').match(/\d+\.\d\d/g)!.map(Number);
  expect(first!).toBeGreaterThanOrEqual(started!);
  await page.screenshot({ path: 'test-results/screenshots/liveview-qemu.png' });

  // QEMU stops: the overlay goes away.
  await page.getByTestId('qemu-stop').click();
  await expect(page.getByTestId('qemu-status')).toHaveText('stopped');
  await expect(node).toHaveAttribute('data-live', 'off');
  await expect(page.getByTestId('live-legend')).toHaveCount(0);
});

test('live view: a monitor fault report on a serial console turns its PD red with the fault text; presentation mode', async ({ studio, host, page }) => {
  requireTool('socat', 'socat');
  const dir = path.join(host.workspace, 'shm');
  await studio.newProject(dir, 'shm', 'shared-memory');
  const pair = await startPtyPair(host.workspace);
  const { a, b } = pair;
  try {
    const board = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => board.open((e) => (e ? rej(e) : res())));
    const send = (text: string) => new Promise<void>((res, rej) => board.write(text.replace(/\r?\n/g, '\r\n'), (e) => (e ? rej(e) : board.drain(() => res()))));

    await studio.openTab('terminal');
    await page.getByTestId('serial-add').click();
    await page.getByTestId('serial-target').fill(a);
    await page.getByTestId('serial-open').click();
    await expect(page.getByTestId('serial-status')).toContainText(': open');
    const producer = page.getByTestId('node-pd-producer');
    const consumer = page.getByTestId('node-pd-consumer');
    await expect(producer).toHaveAttribute('data-live', 'not-started');
    await expect(page.getByTestId('live-legend')).toContainText('Live · tty-a · 0 of 2 PDs running');

    // The recorded Microkit boot: the monitor starts both PDs; then the producer speaks.
    const recorded = readFileSync(path.resolve(import.meta.dirname, '../tests/fixtures/recorded-microkit/qemu-boot-hello-2.0.1.log'), 'utf8');
    await send(recorded.slice(0, recorded.indexOf('hello, world')));
    await expect(consumer).toHaveAttribute('data-live', 'started');
    await expect(producer).toHaveAttribute('data-live', 'started');
    await send('producer: wrote 42 to the shared buffer\n');
    await expect(producer).toHaveAttribute('data-live', /^printing/);
    await expect(consumer).toHaveAttribute('data-live', 'started');

    // The monitor's fault report (its real format: Microkit 2.0.x on AArch64) names the consumer.
    await send(
      [
        'MON|ERROR: received message 0x00000006  badge: 0x0000000000000002  tcb cap: 0x8000000000000010',
        'MON|ERROR: faulting PD: consumer',
        'Registers: ',
        'pc : 0x0000000000200104',
        'spsr : 0x0000000060000340',
        'x0 : 0x0000000000000000',
        'MON|ERROR: VMFault: ip=0x0000000000200104  fault_addr=0x0000000000000000  fsr=0x0000000092000046  (data fault)',
        'MON|ERROR:    ec: 0x00000024  Data Abort from a lower Exception level   il: 1   iss: 0x00000046',
        'MON|ERROR:    dfsc = translation fault, level 2 (0x00000006) -- write not read',
        '',
      ].join('\n'),
    );
    await expect(consumer).toHaveAttribute('data-live', 'faulted');
    await expect(consumer).toHaveClass(/live-faulted/);
    const fault = page.getByTestId('live-fault-consumer');
    await expect(fault).toContainText('VMFault: ip=0x0000000000200104  fault_addr=0x0000000000000000');
    await expect(fault).toContainText('dfsc = translation fault, level 2');
    // Drawn red: the node's border is the theme's error colour.
    const colours = await consumer.evaluate((el) => [getComputedStyle(el).borderTopColor, getComputedStyle(document.documentElement).getPropertyValue('--error').trim()]);
    expect(colours[0]).not.toBe('');
    expect(await page.getByTestId('node-pd-producer').evaluate((el) => getComputedStyle(el).borderTopColor)).not.toBe(colours[0]);
    await expect(producer).toHaveAttribute('data-live', /^printing/);
    await expect(page.getByTestId('live-legend')).toContainText('2 of 2 PDs running · 1 faulted');
    await producer.hover();
    await expect(page.getByTestId('live-last-producer')).toContainText('producer: wrote 42 to the shared buffer');
    await page.screenshot({ path: 'test-results/screenshots/liveview-fault.png' });

    // Presentation mode from the console's button: graph (with the live view), this console and the timeline.
    await page.getByTestId('serial-presentation').click();
    const pres = page.getByTestId('presentation-view');
    await expect(pres).toBeVisible();
    await expect(pres.getByTestId('node-pd-consumer')).toHaveAttribute('data-live', 'faulted');
    await expect(pres.getByTestId('serial-terminal')).toContainText('faulting PD: consumer');
    await expect(pres.getByTestId('milestones')).toHaveCount(1);
    // The timeline is this console's: its boot's milestones, in order, up to the monitor's fault report.
    const steps = pres.getByTestId('milestones').locator('li');
    await expect(steps.filter({ hasText: 'System ready' })).toHaveCount(1);
    await expect(steps.filter({ hasText: 'Monitor error: faulting PD: consumer' })).toHaveCount(1);
    const labels = await steps.allTextContents();
    expect(labels.findIndex((l) => l.includes('System ready'))).toBeLessThan(labels.findIndex((l) => l.includes('faulting PD: consumer')));
    await expect(page.getByTestId('inspector')).toHaveCount(0);
    // Large: node titles are bigger than on the workbench.
    expect(await pres.getByTestId('node-pd-consumer').locator('.node-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(20);
    await page.waitForTimeout(300);
    await page.screenshot({ path: 'test-results/screenshots/liveview-presentation.png' });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('app')).toBeVisible();

    // The palette's command does the same.
    await page.keyboard.press('Control+Shift+P');
    await page.getByTestId('command-palette-input').fill('Presentation mode');
    await page.getByTestId('command-presentation').click();
    await expect(pres).toBeVisible();
    await page.getByTestId('presentation-leave').click();
    await expect(page.getByTestId('app')).toBeVisible();

    // The console closed: the overlay is off.
    await page.getByTestId('serial-close').click();
    await expect(consumer).toHaveAttribute('data-live', 'off');
    board.close();
  } finally {
    pair.close();
  }
});
