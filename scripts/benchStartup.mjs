// Start-up (the start-up issue), in browser mode in Debian Chromium, each against a baseline measured in the same run:
//  - host start -> UI interactive, against a bare Node HTTP server serving a one-button page (same browser, runs
//    alternated so both see the same machine load; one warm-up of each first, so neither pays for a cold disk cache)
//  - JS+CSS transferred (gzip) before the first screen is interactive, then fetched ahead while it is idle (the graph),
//    against what opening a project adds
//  - Monaco is lazy: none of its chunks is requested before a project is open
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BASELINE = `
const http = require('node:http');
const page = '<!doctype html><title>b</title><button id="ready">ready</button>';
const s = http.createServer((q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end(page); });
s.listen(0, '127.0.0.1', () => console.log('ready at http://127.0.0.1:' + s.address().port + '/'));
`;

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];

/**
 * Spawn a Node process; resolves when it prints its URL, with the spawn time. The studio names a launch page instead
 * of printing its key: the URL is the one that page sends the browser to (its own runtime folder per process).
 */
export function startProcess(args, env = {}) {
  const t0 = performance.now();
  const run = mkdtempSync(path.join(os.tmpdir(), 'bench-run-'));
  const child = spawn(process.execPath, args, { env: { ...process.env, DISPLAY: '', XDG_RUNTIME_DIR: run, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (!buf.includes('\n')) return;
      const launch = /\(open (file:\/\/\S+) to sign in\)/.exec(buf);
      const url = launch ? JSON.parse(/location\.replace\(("[^"]+")\)/.exec(readFileSync(fileURLToPath(launch[1]), 'utf8'))[1]) : /(http:\/\/\S+)/.exec(buf)?.[1];
      if (url) resolve({ child, url, t0, listeningMs: performance.now() - t0 });
    });
    child.on('exit', (c) => reject(new Error(`exited ${c}`)));
  });
}

function startStudio(root) {
  return startProcess([path.join(root, 'dist/server/main.mjs'), '--port', '0', '--no-open'], { SEL4_STUDIO_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'bench-start-')) });
}

/**
 * Process spawn -> the first screen usable: for the studio, the status bar names the host (the store has host
 * information, recent projects and boards, so New/Open work); for the baseline, its button is in the DOM.
 * Phases (studio only): the host printing its URL, and the page's DOMContentLoaded, both from spawn.
 */
export async function timeToInteractive(browser, root, kind) {
  const { child, url, t0, listeningMs } = kind === 'studio' ? await startStudio(root) : await startProcess(['-e', BASELINE]);
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    let domMs = 0;
    page.once('domcontentloaded', () => (domMs = performance.now() - t0));
    const gotoMs = performance.now() - t0;
    await page.goto(url, { waitUntil: 'commit' });
    if (kind === 'studio') await page.getByTestId('status-host').getByText('Browser mode').waitFor();
    else await page.locator('#ready').waitFor();
    return { ms: performance.now() - t0, listeningMs, gotoMs, domMs };
  } finally {
    await ctx.close();
    child.kill('SIGTERM');
  }
}

export async function benchStartup(browser, root, runs) {
  await timeToInteractive(browser, root, 'baseline');
  await timeToInteractive(browser, root, 'studio');
  const studio = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    baseline.push(await timeToInteractive(browser, root, 'baseline'));
    studio.push(await timeToInteractive(browser, root, 'studio'));
  }
  return { runs, studio, baseline, ratio: median(studio.map((r) => r.ms)) / median(baseline.map((r) => r.ms)) };
}

/** What the first screen transfers before it is interactive, then while idle, then what opening a project adds. */
export async function benchBundle(browser, root) {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'bench-ws-'));
  const { child, url } = await startProcess([path.join(root, 'dist/server/main.mjs'), '--port', '0', '--no-open'], { SEL4_STUDIO_CONFIG_DIR: path.join(workspace, 'cfg') });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const loaded = [];
  let phase = 'initial';
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (!/\.(js|css)$/.test(u.pathname)) return;
    const entry = { phase, path: u.pathname, bytes: 0, gzip: 0 };
    loaded.push(entry);
    try {
      const body = await res.body();
      entry.bytes = body.length;
      entry.gzip = gzipSync(body, { level: 6 }).length;
    } catch {
      // body unavailable (redirect); counted as zero
    }
  });
  try {
    await page.goto(url);
    await page.getByTestId('status-host').getByText('Browser mode').waitFor();
    phase = 'idle';
    await page.waitForLoadState('networkidle');
    await new Promise((r) => setTimeout(r, 500));
    await page.waitForLoadState('networkidle');
    phase = 'project';
    await page.getByTestId('btn-new').click();
    await page.getByTestId('dialog-dir').fill(path.join(workspace, 'p'));
    await page.getByTestId('dialog-ok').click();
    await page.locator('[data-testid=xml-preview] .monaco-editor').waitFor();
    await page.waitForLoadState('networkidle');
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await ctx.close();
    child.kill('SIGTERM');
  }
  const sum = (p, k) => loaded.filter((e) => e.phase === p).reduce((a, e) => a + e[k], 0);
  const initialGzip = sum('initial', 'gzip');
  const idleGzip = sum('idle', 'gzip');
  const projectGzip = sum('project', 'gzip');
  return {
    initialTransferGzip: initialGzip,
    idleTransferGzip: idleGzip,
    lazyTransferGzip: projectGzip,
    initialShareOfTotal: initialGzip / (initialGzip + idleGzip + projectGzip),
    monacoInInitialBundle: loaded.some((e) => e.phase !== 'project' && /monaco|editor\.worker/i.test(e.path)),
    files: loaded,
  };
}

const stats = (xs) => {
  const s = sorted(xs);
  return `${median(s).toFixed(0)} ms (range ${s[0].toFixed(0)}-${s[s.length - 1].toFixed(0)})`;
};

export function startupSummary(s) {
  const ms = (rs) => rs.map((r) => r.ms);
  return { studio: median(ms(s.studio)), baseline: median(ms(s.baseline)), ratio: s.ratio, runs: s.runs, studioRuns: s.studio, baselineRuns: s.baseline };
}

export function printStartup(s, b) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`start-up: browser host start -> UI interactive, median of ${s.runs}: ${stats(s.studio.map((r) => r.ms))} vs bare page ${stats(s.baseline.map((r) => r.ms))}; ratio ${s.ratio.toFixed(2)} (target <= 1.5: ${s.ratio <= 1.5 ? 'met' : 'MISSED'})`);
  console.log(`start-up: of that, host listening ${stats(s.studio.map((r) => r.listeningMs))} (bare server ${stats(s.baseline.map((r) => r.listeningMs))}); page DOMContentLoaded ${stats(s.studio.map((r) => r.domMs))} from spawn`);
  if (!b) return;
  console.log(`start-up: JS+CSS transferred (gzip) before the first screen is interactive ${kib(b.initialTransferGzip)} (${b.files.filter((f) => f.phase === 'initial').length} files); fetched ahead while idle ${kib(b.idleTransferGzip)}; on project open ${kib(b.lazyTransferGzip)}; first screen's share of all ${(b.initialShareOfTotal * 100).toFixed(1)}%`);
  console.log(`start-up: Monaco loaded before a project is open: ${b.monacoInInitialBundle ? 'YES (regression)' : 'no (lazy)'}`);
}
