import { describe, expect, it } from 'vitest';
import { cmakeToolchainFile, microkitArgv, planBuild, type BuildSettings } from './plan';

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
    const t = cmakeToolchainFile({ ...s, sdk: '/home/me/My "SDKs"/$HOME' });
    expect(t).toContain('set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)');
    expect(t).toContain('set(CMAKE_LINKER aarch64-linux-gnu-ld)');
    expect(t).toContain('-mstrict-align -nostdlib -ffreestanding -g -O3 -Wall -Wno-unused-function -Werror');
    expect(t).toContain('include_directories(SYSTEM "/home/me/My \\"SDKs\\"/\\$HOME/board/qemu_virt_aarch64/debug/include")');
    expect(t).toContain('\\"-L/home/me/My \\"SDKs\\"/\\$HOME/board/qemu_virt_aarch64/debug/lib\\" <LINK_FLAGS> <OBJECTS> <LINK_LIBRARIES> -lmicrokit -Tmicrokit.ld');
    const clang = cmakeToolchainFile({ ...s, toolchain: 'clang' });
    expect(clang).toContain('set(CMAKE_C_COMPILER clang)');
    expect(clang).toContain('--target=aarch64-none-elf');
  });
});
