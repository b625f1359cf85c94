import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSdk, inspectSdk, SdkChoices } from './sdk';

/** A folder laid out as a Microkit SDK (its bin/microkit a harmless script); `change` breaks one part of it. */
function sdkFolder(change: (dir: string) => void = () => undefined, parent = mkdtempSync(path.join(os.tmpdir(), 'sdk-test-')), name = 'microkit-sdk-2.3.0') {
  const dir = path.join(parent, name);
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  mkdirSync(path.join(dir, 'board/qemu_virt_aarch64/debug'), { recursive: true });
  mkdirSync(path.join(dir, 'board/qemu_virt_aarch64/release'), { recursive: true });
  writeFileSync(path.join(dir, 'VERSION'), '2.3.0\n');
  writeFileSync(path.join(dir, 'bin/microkit'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  change(dir);
  return dir;
}

describe('what is a Microkit SDK', () => {
  it('a laid-out folder is one, found through a link with the link resolved', async () => {
    const dir = sdkFolder();
    expect(await inspectSdk(dir)).toEqual({ path: dir, version: '2.3.0', boards: { qemu_virt_aarch64: ['debug', 'release'] } });
    const link = path.join(path.dirname(dir), 'current');
    symlinkSync(dir, link);
    expect((await inspectSdk(link))?.path).toBe(dir);
  });

  it('is not one when a part is missing or is not what it claims to be', async () => {
    const broken: [string, (dir: string) => void][] = [
      ['VERSION is a FIFO', (d) => (spawnSync('rm', [path.join(d, 'VERSION')]), spawnSync('mkfifo', [path.join(d, 'VERSION')]))],
      ['VERSION is a folder', (d) => (spawnSync('rm', [path.join(d, 'VERSION')]), mkdirSync(path.join(d, 'VERSION')))],
      ['VERSION is a link to /dev/zero', (d) => (spawnSync('rm', [path.join(d, 'VERSION')]), symlinkSync('/dev/zero', path.join(d, 'VERSION')))],
      ['VERSION is not a version', (d) => writeFileSync(path.join(d, 'VERSION'), 'x'.repeat(10_000))],
      ['bin/microkit is not executable', (d) => chmodSync(path.join(d, 'bin/microkit'), 0o644)],
      ['bin/microkit is a link', (d) => (spawnSync('rm', [path.join(d, 'bin/microkit')]), symlinkSync('/bin/true', path.join(d, 'bin/microkit')))],
      ['bin/microkit is a folder', (d) => (spawnSync('rm', [path.join(d, 'bin/microkit')]), mkdirSync(path.join(d, 'bin/microkit')))],
      ['no board folders', (d) => spawnSync('rm', ['-r', path.join(d, 'board')])],
      ['board/ holds no configuration', (d) => (spawnSync('rm', ['-r', path.join(d, 'board')]), mkdirSync(path.join(d, 'board/qemu_virt_aarch64'), { recursive: true }))],
    ];
    for (const [what, change] of broken) {
      const t0 = performance.now();
      expect(await inspectSdk(sdkFolder(change)), what).toBeUndefined();
      expect(performance.now() - t0, what).toBeLessThan(1000);
    }
    expect((await findSdk('/nonexistent')).hint).toBe('/nonexistent is not a Microkit SDK (it needs a VERSION file, an executable bin/microkit and board/<board>/<config>/ folders)');
  });
});

describe('the SDKs the user chose', () => {
  it('are kept in the config folder, links resolved; the ones the host finds by itself count as chosen', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'sdk-home-'));
    const config = mkdtempSync(path.join(os.tmpdir(), 'sdk-config-'));
    const inHome = sdkFolder(undefined, home, 'microkit-sdk-2.3.0');
    const inEnv = sdkFolder(undefined, undefined, 'env-sdk');
    const other = sdkFolder(undefined, undefined, 'elsewhere');
    const choices = new SdkChoices(config, { MICROKIT_SDK: inEnv }, home);
    expect(await choices.allows(inHome)).toBe(true);
    expect(await choices.allows(inEnv)).toBe(true);
    expect(await choices.allows(other)).toBe(false);
    const link = path.join(path.dirname(other), 'link');
    symlinkSync(other, link);
    expect((await choices.add(link)).path).toBe(other);
    await choices.add(other);
    expect(await choices.list()).toEqual([other]);
    expect(await new SdkChoices(config, {}, home).allows(other)).toBe(true);
    await expect(choices.add(path.join(home, 'nothing'))).rejects.toThrow(/is not a Microkit SDK/);
  });

  it('a list file that is not one (torn, hand-edited, a FIFO) counts as none', async () => {
    for (const junk of ['{', '[]', '{"chosen": "x"}', '{"chosen": [1, "relative/path"]}']) {
      const config = mkdtempSync(path.join(os.tmpdir(), 'sdk-config-'));
      writeFileSync(path.join(config, 'sdks.json'), junk);
      expect(await new SdkChoices(config, {}, config).list(), junk).toEqual([]);
    }
    const config = mkdtempSync(path.join(os.tmpdir(), 'sdk-config-'));
    spawnSync('mkfifo', [path.join(config, 'sdks.json')]);
    expect(await new SdkChoices(config, {}, config).list()).toEqual([]);
  });
});
