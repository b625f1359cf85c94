import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// electron-builder's own validator: the same schema check `electron-builder` runs before packaging.
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import config from '../forge.config';

const root = path.resolve(import.meta.dirname, '..');

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
}, 120_000);

describe('packaging config (forge.config.ts)', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('locks the binary down with fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
    expect(config.asar).toBe(true);
  });

  it('ships the built main, preload and renderer that package.json points at', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(existsSync(path.join(root, pkg.main))).toBe(true);
    for (const f of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html']) expect(existsSync(path.join(root, f)), f).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**']));
    for (const r of config.extraResources as { from: string }[]) expect(existsSync(path.join(root, r.from)), r.from).toBe(true);
  });
});
