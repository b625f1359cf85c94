import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// electron-builder's own validator: the same schema check `electron-builder` runs before packaging.
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { build, Platform } from 'electron-builder';
// What electron-builder itself uses to write and read the fuse wire, and to pack app.asar.
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants';
import { listPackage } from '@electron/asar';
import config from '../forge.config';

/**
 * The packaging config, checked by packaging with it. The one thing that cannot be had here is the Electron binary
 * (its zip cannot be downloaded on these machines: DESIGN.md §5), so electron-builder gets `electronDist`: a folder
 * holding a stand-in `electron` that is only a fuse wire (the sentinel @electron/fuses searches for, the wire
 * version, its length, one state byte per fuse). Everything else is electron-builder's real `dir` target: the file
 * patterns, app.asar, extraResources, the production node_modules, and the fuses flipped by electron-builder through
 * @electron/fuses, read back with @electron/fuses.
 */

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; main: string };
const out = mkdtempSync(path.join(os.tmpdir(), 'studio-package-'));
const appOut = path.join(out, 'linux-unpacked');

/**
 * The fuse states the shipped binary must have (DESIGN.md §3.3; electronjs.org/docs/latest/tutorial/fuses): no
 * ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect, cookies encrypted, app code only from an integrity-checked
 * app.asar, no extra file:// privileges (the app is served from app://). Keyed by @electron/fuses' own names, so
 * a fuse it adds in an update fails the test until someone decides its state.
 */
const POLICY: Record<string, boolean> = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};
const fuseNames = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
const stateOf = (on: boolean) => (on ? FuseState.ENABLE : FuseState.DISABLE);

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  // Every fuse of the stand-in starts in the state the policy does NOT want: each one must be flipped by the config.
  const dist = path.join(out, 'electron-dist');
  mkdirSync(path.join(dist, 'resources'), { recursive: true });
  const wire = fuseNames.map((name) => stateOf(!(POLICY[name] ?? false)));
  writeFileSync(path.join(dist, 'electron'), Buffer.concat([Buffer.from(SENTINEL), Buffer.from([Number(FuseVersion.V1), wire.length, ...wire])]), { mode: 0o755 });
  try {
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir'),
      publish: 'never',
      // Rebuilding serialport's native module would need Electron's headers from the network; the dir target does not.
      config: { ...config, electronDist: dist, npmRebuild: false, directories: { ...config.directories, output: out } },
    });
  } catch (e) {
    // electron-builder 26 does not follow a node_modules that is a symbolic link (a shared install, a git worktree):
    // it finds no dependencies below it, and allowMissingDependencies: false stops the package there.
    if (lstatSync(path.join(root, 'node_modules')).isSymbolicLink()) throw new Error(`node_modules is a symbolic link, which electron-builder does not follow; package from a checkout with its own install.\n${(e as Error).message}`);
    throw e;
  }
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('packaging config (forge.config.ts)', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the packaged binary has every fuse in the locked-down state, flipped by electron-builder', async () => {
    expect(fuseNames.filter((name) => !(name in POLICY)), 'fuses @electron/fuses knows that the policy does not decide').toEqual([]);
    const wire = await getCurrentFuseWire(path.join(appOut, pkg.name));
    for (const name of fuseNames) {
      const index = FuseV1Options[name as keyof typeof FuseV1Options];
      expect(wire[index], name).toBe(stateOf(POLICY[name]!));
    }
  });

  it('app.asar holds the built main, preload and renderer and package.json, and no sources or source maps', () => {
    const entries = listPackage(path.join(appOut, 'resources/app.asar'), { isPack: false }).map((e) => e.replaceAll(path.sep, '/'));
    for (const f of [pkg.main, 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'package.json']) expect(entries, f).toContain(`/${f}`);
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect([...new Set(entries.map((e) => e.split('/')[1]))].sort()).toEqual(['dist', 'node_modules', 'package.json']);
  });

  it('every package the main process requires at run time is inside app.asar', () => {
    const entries = new Set(listPackage(path.join(appOut, 'resources/app.asar'), { isPack: false }).map((e) => e.replaceAll(path.sep, '/')));
    const main = readFileSync(path.join(root, pkg.main), 'utf8');
    // Required at load, or imported when first used (serialport is loaded lazily).
    const external = [...new Set([...main.matchAll(/(?:require|import)\("([^".][^"]*)"\)/g)].map((m) => m[1]!))].filter((m) => !m.startsWith('node:') && m !== 'electron');
    expect(external.length).toBeGreaterThan(0);
    for (const m of external) {
      const name = m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]!;
      expect(entries.has(`/node_modules/${name}/package.json`), name).toBe(true);
      // And what that package needs in turn (serialport's bindings and parsers), wherever npm placed it.
      const deps = Object.keys((JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
      for (const d of deps) expect(entries.has(`/node_modules/${d}/package.json`) || entries.has(`/node_modules/${name}/node_modules/${d}/package.json`), `${name} -> ${d}`).toBe(true);
    }
  });

  it('every extra resource (boards, templates) is in the package', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    for (const r of config.extraResources as { from: string; to: string }[]) expect(files(path.join(appOut, 'resources', r.to)).sort(), r.from).toEqual(files(path.join(root, r.from)).sort());
  });
});
