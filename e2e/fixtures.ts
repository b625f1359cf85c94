import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioPage } from './pages/StudioPage';

export interface Host {
  url: string;
  origin: string;
  token: string;
  workspace: string;
  process: ChildProcess;
}

/** A browser-mode host of its own on port 0, with a temp workspace and config dir. */
export async function startHost(extraArgs: string[] = []): Promise<Host> {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-'));
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../dist/server/main.mjs'), '--port', '0', '--no-open', ...extraArgs], {
    env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(workspace, '.config'), DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
  });
  const url = /(http:\/\/\S+)/.exec(line)![1]!;
  const u = new URL(url);
  return { url, origin: u.origin, token: u.searchParams.get('token')!, workspace, process: child };
}

export const test = base.extend<{ host: Host; studio: StudioPage; consoleErrors: string[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
  host: async ({}, use) => {
    const host = await startHost();
    await use(host);
    host.process.kill('SIGTERM');
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await use(errors);
    // A spec fails on any browser console error (DESIGN.md §3.7).
    expect(errors, 'browser console errors').toEqual([]);
  },
  studio: async ({ page, host, consoleErrors }, use) => {
    void consoleErrors;
    const studio = new StudioPage(page);
    await studio.goto(host.url);
    await use(studio);
  },
});

export { expect };
