import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { TOKEN_PATTERN } from '../../shared/api/browserWire';
import { ensurePrivateDir, pidAlive, readPrivateFile, writePrivateFile } from '../services/userDirs';

/**
 * The browser host's key lives in two 0600 files of the user's runtime folder (0700), never on a command line, in a
 * log or in a cookie:
 *   instance-PORT.json  { pid, port, token, startedAt }: a host restarted on PORT after this one died takes the same
 *                       key, so a tab still open on that port reconnects (the key never left this user).
 *   launch-PORT.html    a page that sends the browser to http://127.0.0.1:PORT/#token=… ; the host opens this file
 *                       (its path is all that goes on the opener's command line) and prints its path.
 */
export interface Instance {
  pid: number;
  port: number;
  token: string;
  startedAt: string;
}

/** A dead instance's files are kept this long (a tab left open that long still reconnects); then removed on start. */
const KEEP_DEAD_MS = 7 * 24 * 3600 * 1000;

export const newToken = () => randomBytes(24).toString('base64url');

const instanceFile = (dir: string, port: number) => path.join(dir, `instance-${port}.json`);
export const launchFile = (dir: string, port: number) => path.join(dir, `launch-${port}.html`);

function readInstance(file: string): Instance | undefined {
  const text = readPrivateFile(file);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<Instance>;
    if (typeof v.pid !== 'number' || typeof v.port !== 'number' || typeof v.token !== 'string' || !TOKEN_PATTERN.test(v.token)) return undefined;
    return { pid: v.pid, port: v.port, token: v.token, startedAt: String(v.startedAt ?? '') };
  } catch {
    return undefined;
  }
}

/**
 * Instances recorded in `dir` whose process is gone, newest first: their ports are where a host should come back (with
 * their keys) so that the tabs still open on them reconnect. A live instance's key is never handed to another process.
 */
export function deadInstances(dir: string, port?: number): Instance[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^instance-\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const found: { inst: Instance; mtime: number }[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const inst = readInstance(file);
    if (!inst || (port !== undefined && inst.port !== port) || `instance-${inst.port}.json` !== name || pidAlive(inst.pid)) continue;
    let mtime = 0;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      continue;
    }
    if (Date.now() - mtime > KEEP_DEAD_MS) {
      rmSync(file, { force: true });
      rmSync(launchFile(dir, inst.port), { force: true });
      continue;
    }
    found.push({ inst, mtime });
  }
  return found.sort((a, b) => b.mtime - a.mtime).map((f) => f.inst);
}

const htmlEscape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Records this instance and writes its launch page; returns the launch page's path. */
export function recordInstance(dir: string, port: number, token: string): string {
  ensurePrivateDir(dir);
  writePrivateFile(instanceFile(dir, port), `${JSON.stringify({ pid: process.pid, port, token, startedAt: new Date().toISOString() } satisfies Instance)}\n`);
  const target = `http://127.0.0.1:${port}/#token=${token}`;
  const t = htmlEscape(target);
  const page = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0; url=${t}">`,
    '<title>seL4 Studio</title>',
    // A key in the fragment is never sent in a request; the page moves it into sessionStorage and out of the address.
    `<script>location.replace(${JSON.stringify(target)})</script>`,
    `<p><a href="${t}">Open seL4 Studio</a> (port ${port}). This file is the key to it: keep it to yourself.</p>`,
    '',
  ].join('\n');
  const file = launchFile(dir, port);
  writePrivateFile(file, page);
  return file;
}

/** The key in a launch page (what tests and `npm run dev` read back; a browser follows the page instead). */
export function tokenOfLaunchPage(html: string): string | undefined {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(html);
  return m && TOKEN_PATTERN.test(m[1]!) ? m[1] : undefined;
}
