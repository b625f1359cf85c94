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
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL())).toBe('app://studio/index.html');
  // Sandboxed, context-isolated, no Node: the page sees only the contract bridge.
  const page = await win.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    bridge: Object.keys((globalThis as { studio?: object }).studio ?? {}).sort(),
  }));
  expect(page).toEqual({ require: 'undefined', process: 'undefined', bridge: ['call', 'on'] });
  // Navigation away from the app is refused.
  await win.evaluate(() => (location.href = 'https://example.com/'));
  await expect(win.getByTestId('status-host')).toHaveText('Electron');
  await app.close();
});
