import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { expect, test } from './fixtures';
import { requireTool } from './requireTool';

test('a serial console on a real pty: text from the board, keystrokes with TCU padding, a log file', async ({ studio, host, page }) => {
  requireTool('socat', 'socat');
  const dir = path.join(host.workspace, 'serialproj');
  await studio.newProject(dir, 'serialproj');
  const a = path.join(host.workspace, 'tty-a');
  const b = path.join(host.workspace, 'tty-b');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  try {
    await expect.poll(() => existsSync(a) && existsSync(b)).toBe(true);
    const board = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => board.open((e) => (e ? rej(e) : res())));
    const received: number[] = [];
    board.on('data', (d: Buffer) => received.push(...d));

    await studio.openTab('terminal');
    await page.getByTestId('serial-add').click();
    await page.getByTestId('serial-target').fill(a);
    await page.getByTestId('serial-tcu').check();
    await page.getByTestId('serial-open').click();
    await expect(page.getByTestId('serial-status')).toContainText(': open · TCU');

    board.write('Ubuntu 22.04 tegra-ubuntu ttyTCU0\r\ntegra-ubuntu login: ');
    await expect(page.getByTestId('serial-terminal')).toContainText('tegra-ubuntu login:');
    await page.getByTestId('serial-terminal').click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    // Keystrokes go one by one; the Enter write is padded to 8 bytes for the TCU.
    await expect.poll(() => received.length).toBe(4 + 8);
    expect(received.slice(4)).toEqual([13, 0, 0, 0, 0, 0, 0, 0]);
    await page.screenshot({ path: 'test-results/screenshots/serial.png' });

    await page.getByTestId('serial-close').click();
    const log = path.join(dir, 'logs', `${a.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+/, '')}.log`);
    await expect.poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : '')).toBe('Ubuntu 22.04 tegra-ubuntu ttyTCU0\r\ntegra-ubuntu login: ');
    board.close();
  } finally {
    socat.kill('SIGKILL');
  }
});
