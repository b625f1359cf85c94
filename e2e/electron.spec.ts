import { _electron as electron, expect, test } from '@playwright/test';
import { createRequire } from 'node:module';
import path from 'node:path';

function electronBinary(): string | undefined {
  try {
    return createRequire(import.meta.url)('electron') as string;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();

test('Electron shell: sandboxed window, contract over IPC', async () => {
  test.skip(!binary, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): the Electron spec did not run');
  const app = await electron.launch({ executablePath: binary, args: [path.resolve(import.meta.dirname, '../dist/electron/main.cjs'), '--no-sandbox'] });
  const win = await app.firstWindow();
  await expect(win.getByTestId('status-host')).toHaveText('Electron');
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const w = BrowserWindow.getAllWindows()[0]!;
    const p = w.webContents.getLastWebPreferences();
    return { sandbox: p?.sandbox, contextIsolation: p?.contextIsolation, nodeIntegration: p?.nodeIntegration, url: w.webContents.getURL() };
  });
  expect(prefs).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false, url: 'app://studio/index.html' });
  expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  await app.close();
});
