import { describe, expect, it } from 'vitest';
import { buildSettingsProblem, cmakeToolchainFile, microkitArgv, planBuild, type BuildSettings } from './plan';

const s: BuildSettings = { sdk: '/opt/microkit-sdk-2.0.1', board: 'qemu_virt_aarch64', config: 'debug', toolchain: 'aarch64-linux-gnu' };

describe('build plan', () => {
  it('a CMake project: configure, compile, write the .system, microkit (the system file before --search-path)', () => {
    expect(planBuild('cmake', s, 'hello.system').map((x) => [x.id, x.argv.join(' ')])).toEqual([
      ['configure', 'cmake -S . -B build -G Ninja -DCMAKE_TOOLCHAIN_FILE=build/sel4-studio-toolchain.cmake'],
      ['compile', 'cmake --build build'],
      ['export', ''],
      ['microkit', '/opt/microkit-sdk-2.0.1/bin/microkit hello.system --search-path build --board qemu_virt_aarch64 --config debug -o build/loader.img -r build/report.txt'],
    ]);
  });
  it('a Makefile project is driven as the SDK examples are; no build system: only export and microkit', () => {
    expect(planBuild('make', s, 'x.system')[0]!.argv).toEqual(['make', 'BUILD_DIR=build', 'MICROKIT_SDK=/opt/microkit-sdk-2.0.1', 'MICROKIT_BOARD=qemu_virt_aarch64', 'MICROKIT_CONFIG=debug', 'TOOLCHAIN=aarch64-linux-gnu']);
    expect(planBuild('none', s, 'x.system').map((x) => x.id)).toEqual(['export', 'microkit']);
    expect(microkitArgv(s, 'x.system').indexOf('x.system')).toBeLessThan(microkitArgv(s, 'x.system').indexOf('--search-path'));
  });
  it('the toolchain file carries the recorded flags, include and lib paths, and quotes what needs it', () => {
    const t = cmakeToolchainFile({ ...s, sdk: '/home/me/My SDKs/microkit-sdk-2.0.1' });
    expect(t).toContain('set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)');
    expect(t).toContain('set(CMAKE_LINKER aarch64-linux-gnu-ld)');
    expect(t).toContain('set(MICROKIT_BOARD "qemu_virt_aarch64" CACHE STRING "Microkit board")');
    expect(t).toContain('-mstrict-align -nostdlib -ffreestanding -g -O3 -Wall -Wno-unused-function -Werror');
    expect(t).toContain('include_directories(SYSTEM "/home/me/My SDKs/microkit-sdk-2.0.1/board/qemu_virt_aarch64/debug/include")');
    expect(t).toContain('\\"-L/home/me/My SDKs/microkit-sdk-2.0.1/board/qemu_virt_aarch64/debug/lib\\" <LINK_FLAGS> <OBJECTS> <LINK_LIBRARIES> -lmicrokit -Tmicrokit.ld');
    const clang = cmakeToolchainFile({ ...s, toolchain: 'clang' });
    expect(clang).toContain('set(CMAKE_C_COMPILER clang)');
    expect(clang).toContain('--target=aarch64-none-elf');
  });

  it('settings text never reaches generated CMake or make unchecked: a value that is not a known one is refused', () => {
    const bad: [Partial<BuildSettings>, RegExp][] = [
      [{ toolchain: 'gcc)\nexecute_process(COMMAND touch /tmp/x)\n#' as never }, /compiler setting .* is not one of/],
      [{ board: 'x CACHE STRING "")\nexecute_process(COMMAND touch /tmp/x)\n#' }, /is not a board name/],
      [{ board: '$(shell touch /tmp/x)' }, /is not a board name/],
      [{ config: 'debug MICROKIT_SDK=/tmp/evil' }, /configuration .* is not one of/],
      // The link rule runs in a shell inside double quotes: a backtick or $ would run a command there.
      [{ sdk: '/opt/sdk`touch /tmp/x`' }, /cannot be passed to CMake, make and the shell safely/],
      [{ sdk: '/opt/sdk$(touch /tmp/x)' }, /cannot be passed/],
      [{ sdk: '/opt/My "SDKs"' }, /cannot be passed/],
      [{ sdk: '/opt/sdk\nexecute_process(COMMAND id)' }, /cannot be passed/],
      [{ sdk: 'relative/sdk' }, /must be absolute/],
    ];
    for (const [patch, why] of bad) {
      const settings = { ...s, ...patch };
      expect(buildSettingsProblem(settings), JSON.stringify(patch)).toMatch(why);
      expect(() => cmakeToolchainFile(settings)).toThrow(why);
      expect(() => planBuild('make', settings, 'x.system')).toThrow(why);
    }
    expect(buildSettingsProblem({ ...s, sdk: '/home/me/Téléchargements/microkit-sdk-2.3.0+dev' })).toBeUndefined();
  });
  it('a system file named like an option is passed as a path', () => {
    expect(microkitArgv(s, '-o')[1]).toBe('./-o');
  });
});
