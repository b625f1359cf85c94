import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCTOR_ROW_IDS, TOOLS } from '../../shared/doctor/tools';
import { checkTool, findMicrokitSdk, runDoctor, versionOf, which } from './doctor';

function exe(dir: string, name: string, script: string) {
  const p = path.join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${script}\n`);
  chmodSync(p, 0o755);
  return p;
}

describe('doctor', () => {
  it('finds tools on PATH and reads their version line', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'studio-bin-'));
    exe(bin, 'cmake', 'echo "cmake version 3.25.1"; echo; echo "CMake suite maintained by Kitware"');
    const env = { PATH: bin };
    expect(await which('cmake', env)).toBe(path.join(bin, 'cmake'));
    const cmake = await checkTool(TOOLS.find((t) => t.id === 'cmake')!, { env });
    expect(cmake).toMatchObject({ found: true, version: '3.25.1', path: path.join(bin, 'cmake') });
    const dtc = await checkTool(TOOLS.find((t) => t.id === 'dtc')!, { env });
    expect(dtc).toMatchObject({ found: false, hint: 'apt-get install device-tree-compiler' });
  });

  it('ignores files that are not executable', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'studio-bin-'));
    writeFileSync(path.join(bin, 'ninja'), 'not a program');
    expect(await which('ninja', { PATH: bin })).toBeUndefined();
  });

  it('parses versions as tools print them', () => {
    expect(versionOf('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)')).toBe('7.2.22');
    expect(versionOf('aarch64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0')).toBe('12.2.0');
    expect(versionOf('Version: DTC 1.6.1')).toBe('1.6.1');
    expect(versionOf('1.11.1')).toBe('1.11.1');
  });

  it('finds a Microkit SDK by $MICROKIT_SDK or ~/microkit-sdk-*, laid out as the recorded 2.0.1 SDK', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'studio-home-'));
    const sdk = path.join(home, 'microkit-sdk-2.0.1');
    mkdirSync(path.join(sdk, 'bin'), { recursive: true });
    mkdirSync(path.join(sdk, 'board', 'qemu_virt_aarch64', 'debug'), { recursive: true });
    mkdirSync(path.join(sdk, 'board', 'odroidc4', 'release'), { recursive: true });
    writeFileSync(path.join(sdk, 'VERSION'), '2.0.1\n');
    exe(path.join(sdk, 'bin'), 'microkit', 'exit 0');
    expect(await findMicrokitSdk({ env: {}, home })).toMatchObject({ found: true, version: '2.0.1', path: sdk });
    expect(await findMicrokitSdk({ env: { MICROKIT_SDK: sdk }, home: '/nonexistent' })).toMatchObject({ found: true, version: '2.0.1' });
    const missing = await findMicrokitSdk({ env: { MICROKIT_SDK: home }, home: '/nonexistent' });
    expect(missing).toMatchObject({ found: false });
    expect(missing.hint).toMatch(/is not a Microkit SDK/);
  });

  it('lists every tool and the SDK', async () => {
    const tools = await runDoctor({ env: { PATH: '/nonexistent' }, home: '/nonexistent' });
    expect(tools.map((t) => t.id)).toEqual(DOCTOR_ROW_IDS);
    expect(tools.every((t) => !t.found && t.hint)).toBe(true);
  });
});
