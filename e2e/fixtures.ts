import { test as base, expect } from '@playwright/test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startBrowserHost, type BrowserHost } from '../tests/support/browserHost';
import { StudioPage } from './pages/StudioPage';

export interface Host {
  /** The address the launch page sends the browser to: the page's URL with the key in its fragment. */
  url: string;
  origin: string;
  port: number;
  key: string;
  launchFile: string;
  workspace: string;
  process: ChildProcess;
  /** The whole running host (stop, restart with the same folders: tests/support/browserHost.ts). */
  running: BrowserHost;
}

/**
 * A browser-mode host of its own on port 0, with a temp workspace holding its config, runtime and state folders. The
 * page is opened as a user's browser opens it: through the launch page the host names (the key is in that file only).
 * `home`: the folders of an earlier host (a restart: the same port and key when that one is dead).
 */
export async function startHost(extraArgs: string[] = [], home?: string): Promise<Host> {
  const running = await startBrowserHost({ args: extraArgs, ...(home ? { home } : {}) });
  return {
    url: `http://127.0.0.1:${running.port}/#token=${running.key}`,
    origin: `http://127.0.0.1:${running.port}`,
    port: running.port,
    key: running.key,
    launchFile: running.launchFile,
    workspace: running.home,
    process: running.process,
    running,
  };
}

export const test = base.extend<{ host: Host; studio: StudioPage; consoleErrors: string[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
  host: async ({}, use) => {
    const host = await startHost();
    await use(host);
    await host.running.stop();
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

/** The user adds an SDK from their own terminal: the browser page cannot confirm one (a script in it could). */
export function chooseSdkInTerminal(host: Host, sdk: string): string {
  const cli = path.resolve(import.meta.dirname, '../bin/sel4-studio.cjs');
  return execFileSync(process.execPath, [cli, 'sdk', 'add', sdk], { env: { ...process.env, SEL4_STUDIO_CONFIG_DIR: path.join(host.workspace, 'config') } }).toString();
}

