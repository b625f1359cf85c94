import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { buildBaremetal } from '../support/baremetal';
import { openHostSocket, rpcOver, startBrowserHost, type BrowserHost } from '../support/browserHost';
import { budget, scale } from './scale';

// The browser host against the machine's other users and programs and its own pages (issue 13): the real host process
// on loopback, Debian's Chromium, a stub opener on PATH, plain Node servers as the "other local web app".

const root = path.resolve(import.meta.dirname, '../..');
let browser: Browser;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

/** A plain HTTP server on 127.0.0.1 that records every request (target and headers) and answers with `answer`. */
async function recorder(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end('ok'), port = 0) {
  const seen: { url: string; headers: http.IncomingHttpHeaders; upgrade?: boolean }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    answer(req, res);
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ url: req.url ?? '', headers: req.headers, upgrade: true });
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => (server.once('error', reject), server.listen(port, '127.0.0.1', () => resolve())));
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    text: () => JSON.stringify(seen),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const waitFor = async (what: () => boolean, ms = 10_000) => {
  for (const t0 = Date.now(); !what(); ) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Every file under `dir`, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .flatMap((file) => {
      try {
        return [{ file, text: readFileSync(file, 'latin1') }];
      } catch {
        return []; // renamed or removed while listed (a temp file being written)
      }
    });
}

async function expectAlive(host: BrowserHost) {
  const ws = await openHostSocket(host.port, host.key);
  expect(await rpcOver(ws).call('host.info', {})).toMatchObject({ ok: true, result: { mode: 'browser' } });
  ws.close();
}

async function openTab(host: BrowserHost): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  // As the opener does: the launch page (a file), which sends the browser on with the key in the fragment.
  await page.goto(pathToFileURL(host.launchFile).href);
  await page.getByTestId('status-host').getByText('Browser mode').waitFor();
  return page;
}

describe('the key stays with the user', () => {
  it(
    'is not on any command line, in the output or logs, in a cookie, or sent to another local server',
    async () => {
      // The opener is a stub that records its arguments, the file it was given, and every process's command line.
      const stubDir = mkdtempSync(path.join(os.tmpdir(), 'opener-'));
      const out = path.join(stubDir, 'out');
      mkdirSync(out);
      writeFileSync(
        path.join(stubDir, 'xdg-open'),
        `#!/bin/sh\nprintf '%s\\n' "$@" > "${out}/argv"\ncp "$1" "${out}/given"\nstat -c %a "$1" > "${out}/mode"\nps -eo args > "${out}/ps"\ntouch "${out}/done"\n`,
      );
      chmodSync(path.join(stubDir, 'xdg-open'), 0o755);
      const host = await startBrowserHost({ open: true, env: { DISPLAY: ':77', PATH: `${stubDir}:${process.env.PATH}` } });
      const other = await recorder();
      try {
        await waitFor(() => existsSync(path.join(out, 'done')));
        expect(readFileSync(path.join(out, 'argv'), 'utf8')).toBe(`${host.launchFile}\n`);
        expect(readFileSync(path.join(out, 'given'), 'utf8')).toContain(`#token=${host.key}`);
        expect(readFileSync(path.join(out, 'mode'), 'utf8').trim()).toBe('600');
        const psWhileOpening = readFileSync(path.join(out, 'ps'), 'utf8');
        expect(psWhileOpening).toContain(host.launchFile);
        expect(psWhileOpening).not.toContain(host.key);
        expect(host.stdout()).toMatch(/^seL4 Studio ready at http:\/\/127\.0\.0\.1:\d+\/ \(open file:\/\/.*launch-\d+\.html to sign in\)\n$/);

        // Chromium signs in through the launch page; the same browser then uses another local web app (any port of
        // 127.0.0.1 gets the cookies of 127.0.0.1), which also fetches itself with credentials.
        const page = await openTab(host);
        const requests: string[] = [];
        page.on('request', (r) => void r.allHeaders().then((h) => requests.push(`${r.url()} ${JSON.stringify(h)}`)));
        expect(page.url()).toBe(`http://127.0.0.1:${host.port}/`);
        expect(await page.evaluate(() => document.cookie)).toBe('');
        // Our page itself cannot reach another server at all (CSP connect-src 'self').
        expect(await page.evaluate((port) => fetch(`http://127.0.0.1:${port}/fetched`, { mode: 'no-cors' }).then(() => 'sent', () => 'blocked'), other.port)).toBe('blocked');
        await page.reload();
        await page.getByTestId('status-host').getByText('Browser mode').waitFor();
        const elsewhere = await page.context().newPage();
        await elsewhere.goto(`http://127.0.0.1:${other.port}/other-app`);
        await elsewhere.evaluate(() => fetch('/fetched-by-other-app', { credentials: 'include' }).then((r) => r.text()));
        await page.goto(`http://127.0.0.1:${other.port}/navigated`);
        await waitFor(() => other.seen.length >= 3);
        expect(other.seen.map((s) => s.url)).toEqual(expect.arrayContaining(['/other-app', '/fetched-by-other-app', '/navigated']));
        expect(other.seen.map((s) => s.url)).not.toContain('/fetched');
        expect(other.text()).not.toContain(host.key);
        expect(other.seen.some((s) => s.headers.cookie)).toBe(false);
        // Nor did the page send it to its own host: not in a target, a header or a cookie.
        expect(requests.length).toBeGreaterThan(3);
        expect(requests.join('\n')).not.toContain(host.key);
        // The browser's cookie jar holds nothing of ours.
        expect(await page.context().cookies()).toEqual([]);

        const psNow = execFileSync('ps', ['-eo', 'args']).toString();
        expect(psNow).not.toContain(host.key);
        await page.context().close();
      } finally {
        await other.close();
        await host.stop();
      }
      expect(host.stdout() + host.stderr()).not.toContain(host.key);
      // What the host wrote in its folders: the key only in the two 0600 files of the runtime folder.
      const holding = [...filesUnder(path.join(host.home, 'run')), ...filesUnder(path.join(host.home, 'state')), ...filesUnder(path.join(host.home, 'config'))].filter((f) => f.text.includes(host.key));
      expect(holding.map((f) => path.basename(f.file)).sort()).toEqual([`instance-${host.port}.json`, `launch-${host.port}.html`]);
      for (const f of holding) expect(statSync(f.file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(holding[0]!.file)).mode & 0o777).toBe(0o700);
    },
    budget(60_000, 120_000),
  );

  it(
    "a page of another local site (another port) can read nothing and end nothing",
    async () => {
      const host = await startBrowserHost();
      const evil = await recorder((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<!doctype html><title>elsewhere</title><script>
          (async () => {
            const H = 'http://127.0.0.1:${host.port}';
            const out = {};
            const tryText = async (p, init) => { try { const r = await fetch(H + p, init); return r.type === 'opaque' ? 'opaque' : r.status + ' ' + (await r.text()); } catch (e) { return 'blocked'; } };
            out.page = await tryText('/');
            out.auth = await tryText('/auth?c=AAAAAAAAAAAAAAAAAAAAAA');
            out.authOpaque = await tryText('/auth?c=AAAAAAAAAAAAAAAAAAAAAA', { mode: 'no-cors' });
            out.ws = await new Promise((res) => { try { const ws = new WebSocket('ws://127.0.0.1:${host.port}/ws', ['sel4studio.${'A'.repeat(22)}.${'B'.repeat(43)}']); ws.onopen = () => res('open'); ws.onerror = () => res('error'); } catch (e) { res('threw'); } });
            out.frame = await new Promise((res) => { const f = document.createElement('iframe'); f.src = H + '/'; f.onload = () => { try { res(f.contentDocument ? 'readable' : 'unreadable'); } catch { res('unreadable'); } }; document.body.appendChild(f); setTimeout(() => res('no load'), 3000); });
            // Try to end it: many big posts, many requests.
            await Promise.all(Array.from({ length: ${scale(20, 200)} }, (_, i) => fetch(H + (i % 2 ? '/' : '/ws'), { mode: 'no-cors', method: 'POST', body: 'x'.repeat(1 << 20) }).catch(() => 0)));
            window.results = out;
          })();
        </script>`);
      });
      try {
        const mine = await openTab(host);
        const page = await (await browser.newContext()).newPage();
        await page.goto(`http://127.0.0.1:${evil.port}/`);
        const results = (await page.waitForFunction(() => (window as unknown as { results?: unknown }).results, undefined, { timeout: 30_000 }).then((h) => h.jsonValue())) as Record<string, string>;
        expect(results.page).toBe('blocked');
        expect(results.auth).toBe('blocked');
        expect(results.authOpaque).toBe('opaque');
        expect(results.ws).toBe('error');
        expect(results.frame).not.toBe('readable');
        await expectAlive(host);
        // The user's own tab is still connected.
        await expect(mine.getByTestId('status-host').textContent()).resolves.toBe('Browser mode');
        await page.context().close();
        await mine.context().close();
      } finally {
        await evil.close();
        await host.stop();
      }
    },
    budget(60_000, 180_000),
  );
});

describe('sizes', () => {
  it(
    'a message over the limit closes its connection with 1009 and a log line; the host lives',
    async () => {
      const host = await startBrowserHost();
      try {
        const ws = await openHostSocket(host.port, host.key);
        const code = await new Promise<number>((resolve) => {
          ws.on('close', (c) => resolve(c));
          ws.on('error', () => undefined);
          ws.send(Buffer.alloc(81 * 1024 * 1024, 0x20));
        });
        expect(code).toBe(1009);
        await waitFor(() => /WebSocket closed on WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/.test(host.stderr()));
        await expectAlive(host);
      } finally {
        await host.stop();
      }
    },
    budget(30_000, 60_000),
  );

  it(
    '64 Mi-character writes (the largest the contract takes) leave the host well inside its memory',
    async () => {
      const host = await startBrowserHost();
      const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${host.process.pid}/status`, 'utf8'))![1]) / 1024;
      try {
        const sockets: WebSocket[] = [];
        const pages = scale(1, 4);
        for (let i = 0; i < pages; i++) sockets.push(await openHostSocket(host.port, host.key));
        const rpcs = sockets.map(rpcOver);
        expect(await rpcs[0]!.call('project.create', { dir: path.join(host.home, 'p'), name: 'p' })).toMatchObject({ ok: true });
        for (const r of rpcs.slice(1)) expect(await r.call('project.open', { dir: path.join(host.home, 'p') })).toMatchObject({ ok: true });
        const unit = '<map mr="a" vaddr="0x1" />\n';
        const text = unit.repeat(Math.ceil((64 * 2 ** 20) / unit.length)).slice(0, 64 * 2 ** 20);
        const perPage = scale(1, 6);
        const t0 = Date.now();
        const answers = await Promise.all(rpcs.flatMap((r, p) => Array.from({ length: perPage }, (_, i) => r.call('fs.writeText', { path: `big-${p}-${i}.system`, text }))));
        const ms = Date.now() - t0;
        expect(answers.every((a) => a.ok)).toBe(true);
        const peak = hwm();
        console.log(`host: ${answers.length} write(s) of 64 Mi characters (${(JSON.stringify(text).length / 2 ** 20).toFixed(1)} MiB as JSON) from ${pages} page(s) in ${ms} ms; peak resident ${peak.toFixed(0)} MiB`);
        // Node's heap on this machine is ~4 GiB: the host must stay far from it, however many arrive at once.
        expect(peak).toBeLessThan(pages * perPage === 1 ? 700 : 3000);
        for (const ws of sockets) ws.close();
        await expectAlive(host);
      } finally {
        await host.stop();
      }
    },
    budget(60_000, 600_000),
  );
});

/** Written into the host by `node --import`: on SIGUSR2, a failure nothing catches, carrying the key in its message. */
const FAULT = `
import { readdirSync, readFileSync } from 'node:fs';
process.on('SIGUSR2', () => {
  const dir = process.env.XDG_RUNTIME_DIR + '/sel4-studio';
  const launch = readdirSync(dir).find((n) => n.startsWith('launch-'));
  const key = /#token=([\\w-]+)/.exec(readFileSync(dir + '/' + launch, 'utf8'))[1];
  const err = new Error('injected failure while holding ' + key);
  if (process.env.STUDIO_FAULT === 'throw') setTimeout(() => { throw err; });
  else Promise.reject(err);
});
`;

describe('crash reports', () => {
  const faultFile = () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'fault-')), 'fault.mjs');
    writeFileSync(f, FAULT);
    return pathToFileURL(f).href;
  };
  // Written reports, not one being written (a hidden temp file until its rename).
  const reports = (host: BrowserHost) => filesUnder(path.join(host.home, 'state', 'sel4-studio', 'logs')).filter((r) => !path.basename(r.file).startsWith('.'));

  it(
    'an unhandled rejection is reported (no key, no params) and the host keeps serving',
    async () => {
      const host = await startBrowserHost({ nodeArgs: ['--import', faultFile()] });
      try {
        const ws = await openHostSocket(host.port, host.key);
        const c = rpcOver(ws);
        await c.call('project.create', { dir: path.join(host.home, 'p'), name: 'p' });
        await c.call('fs.writeText', { path: 'notes.txt', text: 'CONTENT-THAT-MUST-NOT-BE-REPORTED' });
        host.process.kill('SIGUSR2');
        await waitFor(() => reports(host).length === 1);
        const [report] = reports(host);
        expect(report!.text).toContain('event: unhandledRejection');
        expect(report!.text).toContain('outcome: kept running');
        expect(report!.text).toContain('version: 0.1.0');
        expect(report!.text).toContain('Error: injected failure while holding [redacted]');
        expect(report!.text).toMatch(/\n {4}at /);
        expect(report!.text).toMatch(/project\.create\n.*fs\.writeText\n/);
        expect(report!.text).not.toContain(host.key);
        expect(report!.text).not.toContain('CONTENT-THAT-MUST-NOT-BE-REPORTED');
        expect(statSync(report!.file).mode & 0o777).toBe(0o600);
        expect(statSync(path.dirname(report!.file)).mode & 0o777).toBe(0o700);
        await waitFor(() => host.stderr().includes(`crash report written to ${report!.file}`));
        expect(host.stderr()).not.toContain(host.key);
        expect(await c.call('host.info', {})).toMatchObject({ ok: true });
        ws.close();
      } finally {
        await host.stop();
      }
    },
    budget(30_000, 60_000),
  );

  it(
    'an uncaught exception is reported, then the host exits (1) and takes what it started with it',
    async () => {
      const host = await startBrowserHost({ nodeArgs: ['--import', faultFile()], env: { STUDIO_FAULT: 'throw' } });
      // Something running when it dies: the boot test kernel in QEMU, in a project it made (so trusted).
      const tag = `studio-crash-${process.pid}`;
      const ws = await openHostSocket(host.port, host.key);
      const rpc = rpcOver(ws);
      const dir = path.join(host.home, tag);
      expect(await rpc.call('project.create', { dir, name: tag })).toMatchObject({ ok: true });
      copyFileSync(buildBaremetal(), path.join(dir, 'kernel.elf'));
      const started = await rpc.call('qemu.start', { board: 'qemu_virt_aarch64', kernel: 'kernel.elf' });
      expect(started).toMatchObject({ ok: true });
      const exited = new Promise<number | null>((resolve) => host.process.once('exit', (code) => resolve(code)));
      host.process.kill('SIGUSR2');
      expect(await exited).toBe(1);
      const [report] = reports(host);
      expect(report!.text).toContain('event: uncaughtException');
      expect(report!.text).toContain('outcome: exited');
      expect(report!.text).toContain('qemu.start');
      expect(report!.text).not.toContain(host.key);
      expect(host.stderr()).toContain(`crash report written to ${report!.file}`);
      expect(host.stderr()).not.toContain(host.key);
      await waitFor(() => {
        try {
          execFileSync('pgrep', ['-f', tag]);
          return false;
        } catch {
          return true;
        }
      });
    },
    budget(30_000, 60_000),
  );
});

describe('a host started again', () => {
  it(
    "takes a dead instance's port and key (so its tab reconnects), never a live one's; an impostor on the port learns nothing",
    async () => {
      const first = await startBrowserHost();
      const tab = await openTab(first);
      await first.stop('SIGKILL');
      await tab.getByTestId('host-bar').getByText(/Host disconnected — reconnecting/).waitFor();

      // Something else takes the port: the tab asks it to prove the key, gets no proof, and sends it nothing else.
      const impostor = await recorder((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ s: 'A'.repeat(22), proof: 'B'.repeat(43) }));
      }, first.port);
      await tab.getByTestId('host-bar').getByText(/does not hold this tab's key/).waitFor({ timeout: 15_000 });
      expect(impostor.seen.length).toBeGreaterThan(0);
      expect(impostor.seen.every((s) => /^\/auth\?c=[\w-]{22}$/.test(s.url) && !s.upgrade)).toBe(true);
      expect(impostor.text()).not.toContain(first.key);
      await impostor.close();

      const second = await startBrowserHost({ home: first.home });
      try {
        expect([second.port, second.key]).toEqual([first.port, first.key]);
        await tab.getByTestId('status-host').getByText('Browser mode').waitFor({ timeout: 15_000 });
        expect(await tab.getByTestId('host-bar').count()).toBe(0);
        // While it lives, another start gets a port and key of its own.
        const third = await startBrowserHost({ home: first.home });
        expect(third.port).not.toBe(first.port);
        expect(third.key).not.toBe(first.key);
        await third.stop();
      } finally {
        await second.stop('SIGKILL');
      }
      // Asked for by number, a dead instance's port comes back with its key too.
      const fourth = await startBrowserHost({ home: first.home, args: ['--port', String(first.port)] });
      try {
        expect(fourth.key).toBe(first.key);
        await expectAlive(fourth);
      } finally {
        await fourth.stop();
        await tab.context().close();
      }
    },
    budget(60_000, 120_000),
  );
});

describe('a host asked to stop', () => {
  it(
    'ends on SIGTERM whatever connections are open: silent, half a request, an upgrade being admitted, keep-alive, a page',
    async () => {
      const host = await startBrowserHost();
      const tab = await openTab(host);
      const open = (): Promise<net.Socket> =>
        new Promise((resolve, reject) => {
          const s = net.connect(host.port, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        });
      // A browser's preconnect (never a byte), half a request, an upgrade without a proof still in flight, an idle keep-alive.
      const silent = await open();
      const half = await open();
      half.write('GET /auth?c=x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const upgrading = await open();
      upgrading.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`);
      const keepAlive = await open();
      await new Promise<void>((resolve) => {
        keepAlive.once('data', () => resolve());
        keepAlive.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: keep-alive\r\n\r\n`);
      });
      const ended = Promise.all([silent, half, upgrading, keepAlive].map((s) => new Promise((r) => s.once('close', r))));
      const t0 = Date.now();
      const stopped = await Promise.race([host.stop('SIGTERM').then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
      const ms = Date.now() - t0;
      if (!stopped) await host.stop('SIGKILL');
      expect(stopped, `still running ${ms} ms after SIGTERM`).toBe(true);
      expect(host.process.exitCode).toBe(0);
      await ended;
      await tab.getByTestId('host-bar').getByText(/Host disconnected — reconnecting/).waitFor();
      await tab.context().close();
    },
    budget(60_000, 60_000),
  );
});
