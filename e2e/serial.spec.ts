import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { expect, test } from './fixtures';
import { requireTool } from './requireTool';
import { startPtyPair } from '../tests/support/ptyPair';

test('a serial console on a real pty: text from the board, keystrokes with TCU padding, a log file', async ({ studio, host, page }) => {
  requireTool('socat', 'socat');
  const dir = path.join(host.workspace, 'serialproj');
  await studio.newProject(dir, 'serialproj');
  const pair = await startPtyPair(host.workspace);
  const { a, b } = pair;
  try {
    const board = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
    // A port that is not there: a clear error, and the form keeps what was typed.
    await studio.openTab('terminal');
    await page.getByTestId('serial-add').click();
    await page.getByTestId('serial-target').fill('/dev/ttyNOPE7');
    await page.getByTestId('serial-open').click();
    await expect(studio.notice('error')).toHaveText(/^cannot open \/dev\/ttyNOPE7: No such file or directory/);
    await expect(page.getByTestId('serial-target')).toHaveValue('/dev/ttyNOPE7');
    await page.getByTestId('serial-add').click();
    await new Promise<void>((res, rej) => board.open((e) => (e ? rej(e) : res())));
    const received: number[] = [];
    board.on('data', (d: Buffer) => received.push(...d));

    await studio.openTab('terminal');
    await page.getByTestId('serial-add').click();
    await page.getByTestId('serial-target').fill(a);
    await page.getByTestId('serial-tcu').check();
    await page.getByTestId('serial-framing').fill('8Q1');
    await expect(page.getByTestId('serial-open')).toBeDisabled();
    await page.getByTestId('serial-framing').fill('8N2');
    await page.getByTestId('serial-flow').selectOption('rtscts');
    await page.getByTestId('serial-open').click();
    await expect(page.getByTestId('serial-status')).toContainText(': open · TCU');
    const stty = spawnSync('stty', ['-F', a, '-a'], { encoding: 'utf8' }).stdout;
    expect(stty).toContain(' cstopb ');
    expect(stty).toContain(' crtscts');

    board.write('Ubuntu 22.04 tegra-ubuntu ttyTCU0\r\ntegra-ubuntu login: ');
    await expect(page.getByTestId('serial-terminal')).toContainText('tegra-ubuntu login:');
    await page.getByTestId('serial-terminal').click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    // Keystrokes go one by one; the Enter write is padded to 8 bytes for the TCU.
    await expect.poll(() => received.length).toBe(4 + 8);
    expect(received.slice(4)).toEqual([13, 0, 0, 0, 0, 0, 0, 0]);
    await page.screenshot({ path: 'test-results/screenshots/serial.png' });

    // The console's tools: time stamps, hex dump, search, local echo, paste guard, copy, clear.
    const term = page.getByTestId('serial-terminal');
    await page.getByTestId('console-timestamps').check();
    await expect(term).toContainText('[    0.000] Ubuntu 22.04 tegra-ubuntu ttyTCU0');
    await page.getByTestId('console-hex').check();
    await expect(term).toContainText('00000000  55 62 75 6e 74 75 20 32  32 2e 30 34 20 74 65 67  |Ubuntu 22.04 teg|');
    await page.screenshot({ path: 'test-results/screenshots/serial-hex.png' });
    await page.getByTestId('console-hex').uncheck();
    await page.getByTestId('console-timestamps').uncheck();
    await expect(term).not.toContainText('00000000');
    await page.getByTestId('console-search').fill('tegra-ubuntu');
    await page.getByTestId('console-search').press('Enter');
    await expect(page.getByTestId('console-search-count')).toHaveText('1 of 2');
    await page.getByTestId('console-search').fill('no such text');
    await page.getByTestId('console-search').press('Enter');
    await expect(page.getByTestId('console-search-count')).toHaveText('no match');

    await page.getByTestId('console-echo').check();
    await term.click();
    await page.keyboard.type('id');
    await expect(term).toContainText('tegra-ubuntu login: id');
    await expect.poll(() => received.length).toBe(14);

    // A multi-line paste waits for a confirmation; Cancel sends nothing, Send sends it whole.
    const pasteText = 'setenv bootargs console=ttyTCU0\nboot\n';
    const doPaste = () =>
      page.locator('[data-testid="serial-terminal"] textarea').evaluate((ta, text) => {
        const dt = new DataTransfer();
        dt.setData('text/plain', text);
        ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, pasteText);
    await doPaste();
    await expect(page.getByTestId('paste-guard')).toContainText('Paste 2 lines');
    await page.getByTestId('paste-cancel').click();
    await expect(page.getByTestId('paste-guard')).toHaveCount(0);
    expect(received.length).toBe(14);
    await doPaste();
    await page.getByTestId('paste-send').click();
    await expect.poll(() => Buffer.from(received.slice(14)).toString()).toContain('setenv bootargs console=ttyTCU0');

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await term.click();
    await page.getByTestId('console-copy').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('Ubuntu 22.04 tegra-ubuntu ttyTCU0\r\ntegra-ubuntu login: ');
    await page.getByTestId('console-clear').click();
    await expect(term).not.toContainText('tegra-ubuntu');
    board.write('after clear\r\n');
    await expect(term).toContainText('after clear');

    await page.getByTestId('serial-close').click();
    const log = path.join(dir, 'logs', `${a.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+/, '')}.log`);
    await expect.poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : '')).toBe('Ubuntu 22.04 tegra-ubuntu ttyTCU0\r\ntegra-ubuntu login: after clear\r\n');
    board.close();
  } finally {
    pair.close();
  }
});

test('a fast console: the terminal stays current, says where it skipped lines, and Copy still has every line', async ({ studio, host, page }) => {
  requireTool('socat', 'socat');
  const dir = path.join(host.workspace, 'fastproj');
  await studio.newProject(dir, 'fastproj');
  const pair = await startPtyPair(host.workspace, 'fast');
  try {
    await studio.openTab('terminal');
    await page.getByTestId('serial-add').click();
    await page.getByTestId('serial-target').fill(pair.a);
    await page.getByTestId('serial-open').click();
    await expect(page.getByTestId('serial-status')).toContainText(': open');
    const board = await pair.openBoard();
    // 3 MiB of PD lines as fast as the pty takes them (a PD printing in a loop), then the line that matters.
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 3 << 20; i++) {
      const l = `spammer|INFO: tick ${i} ${'.'.repeat(i % 50)}\r\n`;
      lines.push(l);
      bytes += l.length;
    }
    const text = lines.join('');
    for (let i = 0; i < text.length; i += 65536) await board.send(text.slice(i, i + 65536));
    await board.send('MON|ERROR: faulting PD: spammer\r\n');
    const sent = Date.now();
    // Shown within a second or two of arriving, not after the terminal has drawn 3 MiB at its own pace.
    const term = page.getByTestId('serial-terminal');
    // Drawing all 3 MiB at 16 KiB a frame would take over 3 s; the terminal skips what it cannot draw in time.
    await expect(term).toContainText('faulting PD: spammer', { timeout: 2500 });
    console.log(`fast console: last line on screen ${Date.now() - sent} ms after it was sent`);
    // Copy (nothing selected) has every line, the skipped ones too.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('console-copy').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText().then((t) => t.length))).toBe(text.length + 'MON|ERROR: faulting PD: spammer\r\n'.length);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.startsWith(lines[0]!)).toBe(true);
    expect(copied.includes(lines[lines.length >> 1]!)).toBe(true);
    // The terminal says what it did not draw; searching finds it (and selects it).
    await page.getByTestId('console-search').fill('not drawn: the console ran faster');
    await page.getByTestId('console-search').press('Enter');
    await expect(page.getByTestId('console-search-count')).toHaveText(/^\d+ of \d+$/);
    await page.screenshot({ path: 'test-results/screenshots/serial-fast.png' });
    await board.close();
  } finally {
    pair.close();
  }
});
