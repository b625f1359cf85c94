import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { includedMakefiles, makeAssignment, makeVariableProblem, readMakefiles } from './makefile';

const fixtures = path.resolve(import.meta.dirname, '../../tests/fixtures/makefiles');
const fixture = (rel: string, as = path.basename(rel)) => ({ path: as, text: readFileSync(path.join(fixtures, rel), 'utf8') });
const pick = (info: ReturnType<typeof readMakefiles>, name: string) => info.variables.find((v) => v.name === name);

/** Real make's stderr for `make -n` in a copy of a fixture folder (one file left out, others added), or undefined without make. */
function makeStops(folder: string, args: string[], opts: { without?: string; extra?: Record<string, string>; file?: string } = {}): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mkfix-'));
  try {
    cpSync(path.join(fixtures, folder), dir, { recursive: true });
    if (opts.without) rmSync(path.join(dir, opts.without));
    for (const [name, text] of Object.entries(opts.extra ?? {})) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const make = spawnSync('make', ['-n', ...(opts.file ? ['-f', opts.file] : []), ...args.map((a) => a.replace('@DIR@', dir))], { cwd: dir, encoding: 'utf8' });
    return make.error === undefined ? make.stderr : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The fixtures are our own Makefiles written in the libvmm/sDDF examples' conventions (tests/fixtures/makefiles/README.md).
describe('a repository Makefile: its variables, targets and image (tests/fixtures/makefiles)', () => {
  it('vmm: required MICROKIT_SDK (ifeq strip + error) and MICROKIT_BOARD (ifndef), defaults, the Microkit tool, the qemu target; guest.mk read with it', () => {
    const info = readMakefiles([fixture('vmm/Makefile'), fixture('vmm/guest.mk')]);
    expect(info.problems).toEqual([]);
    expect(pick(info, 'MICROKIT_SDK')).toEqual({ name: 'MICROKIT_SDK', required: true, kind: 'sdk', conditional: false, message: 'Set MICROKIT_SDK to the folder of a Microkit SDK', file: 'Makefile', line: 7, column: 1 });
    expect(pick(info, 'MICROKIT_BOARD')).toMatchObject({ required: true, kind: 'board', message: 'Set MICROKIT_BOARD, e.g. qemu_virt_aarch64', line: 11, column: 1 });
    expect(pick(info, 'BUILD_DIR')).toMatchObject({ default: 'build', required: false, kind: 'path', line: 15, column: 1 });
    expect(pick(info, 'MICROKIT_CONFIG')).toMatchObject({ default: 'debug', kind: 'config', line: 16 });
    expect(pick(info, 'MICROKIT_TOOL')).toMatchObject({ default: '$(MICROKIT_SDK)/bin/microkit', kind: 'tool', file: 'Makefile', line: 17 });
    // A path by its default, a tool by its use: it is the first word of a recipe in guest.mk.
    expect(pick(info, 'DTSCAT')).toMatchObject({ default: '$(LIBVMM)/tools/dtscat', kind: 'tool', file: 'guest.mk', line: 5 });
    // `:=` and `=` assignments are the Makefile's own; SHELL is make's.
    expect(info.variables.map((v) => v.name).sort()).toEqual(['BUILD_DIR', 'DTSCAT', 'INITRD', 'LINUX', 'MICROKIT_BOARD', 'MICROKIT_CONFIG', 'MICROKIT_SDK', 'MICROKIT_TOOL']);
    expect(info.targets.map((t) => t.name)).toEqual(['all', 'qemu', 'clean', 'guest-images']);
    expect(info.targets[1]).toEqual({ name: 'qemu', file: 'Makefile', line: 61, column: 1 });
    expect(info).toMatchObject({ runTarget: 'qemu', buildsImage: true, defaultBuildDir: 'build', files: ['Makefile', 'guest.mk'] });
    // Real make stops at the same lines when a required variable is missing.
    const noSdk = makeStops('vmm', []);
    if (noSdk !== undefined) expect(noSdk).toContain('Makefile:7: *** Set MICROKIT_SDK to the folder of a Microkit SDK.  Stop.');
    const noBoard = makeStops('vmm', ['MICROKIT_SDK=/nowhere']);
    if (noBoard !== undefined) expect(noBoard).toContain('Makefile:11: *** Set MICROKIT_BOARD, e.g. qemu_virt_aarch64.  Stop.');
  });

  it('vmm guest.mk: LINUX and INITRD set in ifeq/else ifeq branches (tab-indented assignments, not recipes)', () => {
    const info = readMakefiles([fixture('vmm/guest.mk')]);
    expect(info.problems).toEqual([]);
    // The first branch's `?=` is the one shown, at its tab-indented place.
    expect(pick(info, 'LINUX')).toMatchObject({ default: 'images/aarch64/Image', kind: 'path', conditional: true, line: 8, column: 2 });
    expect(pick(info, 'INITRD')).toMatchObject({ default: 'images/qemu/rootfs.cpio.gz', kind: 'path', conditional: true, line: 18, column: 2 });
    expect(info).toMatchObject({ buildsImage: false, targets: [{ name: 'guest-images', line: 25 }] });
  });

  it("vmm: the included .mk in the folder is read, the one outside it is not; a missing guest.mk stops make at make's line", () => {
    const text = fixture('vmm/Makefile').text;
    // `include $(LIBVMM)/vmm.mk` names a file outside the folder through a variable: nothing to read, nothing missing.
    expect(includedMakefiles(text)).toEqual([
      { path: 'guest.mk', line: 31, column: 9, optional: false },
      { path: 'local.mk', line: 35, column: 10, optional: true },
    ]);
    const alone = readMakefiles([fixture('vmm/Makefile')]);
    expect(alone.problems.map((p) => [p.file, p.line, p.column, p.message.split(' (')[0]])).toEqual([['Makefile', 31, 9, 'guest.mk: No such file or directory']]);
    const make = makeStops('vmm', ['MICROKIT_SDK=/nowhere', 'MICROKIT_BOARD=qemu_virt_aarch64', 'ARCH=aarch64', 'LIBVMM=@DIR@/libvmm'], { without: 'guest.mk', extra: { 'libvmm/vmm.mk': '' } });
    if (make !== undefined) expect(make).toContain('Makefile:31: guest.mk: No such file or directory');
    // With guest.mk there, real make reads both to the end (the ARCH branch is taken) and runs `clean`.
    const whole = makeStops('vmm', ['MICROKIT_SDK=/nowhere', 'MICROKIT_BOARD=qemu_virt_aarch64', 'ARCH=aarch64', 'LIBVMM=@DIR@/libvmm', 'clean'], { extra: { 'libvmm/vmm.mk': '' } });
    if (whole !== undefined) expect(whole).toBe('');
  });

  it('serial: required MICROKIT_SDK and MICROKIT_BOARD, BUILD_DIR, the image at $(BUILD_DIR)/loader.img made by a sub-make of the copied console.mk', () => {
    const info = readMakefiles([fixture('serial/Makefile'), fixture('serial/console.mk')]);
    expect(info.problems).toEqual([]);
    expect(pick(info, 'MICROKIT_SDK')).toMatchObject({ required: true, kind: 'sdk', file: 'Makefile', line: 6 });
    expect(pick(info, 'MICROKIT_BOARD')).toMatchObject({ required: true, kind: 'board', line: 9 });
    // The first `?=` wins as in make: the Makefile's, not console.mk's `BUILD_DIR ?= .`.
    expect(pick(info, 'BUILD_DIR')).toMatchObject({ default: 'build', file: 'Makefile', line: 12 });
    expect(pick(info, 'MICROKIT_CONFIG')).toMatchObject({ default: 'debug', kind: 'config', file: 'console.mk', line: 8 });
    expect(pick(info, 'TOOLCHAIN')).toMatchObject({ default: 'clang', kind: 'other', file: 'console.mk', line: 9 });
    expect(pick(info, 'SDDF')).toMatchObject({ required: true, kind: 'path', file: 'console.mk', line: 5 });
    expect(info.targets.map((t) => t.name)).toEqual(['all', 'qemu', 'clean', 'clobber', 'FORCE', 'client.o', 'client.elf']);
    expect(info.targets[1]).toEqual({ name: 'qemu', file: 'Makefile', line: 22, column: 15 });
    expect(info).toMatchObject({ runTarget: 'qemu', buildsImage: true, defaultBuildDir: 'build', files: ['Makefile', 'console.mk'] });
    // The Makefile alone already makes the image (`IMAGE_FILE := $(BUILD_DIR)/loader.img`) and runs it.
    expect(readMakefiles([fixture('serial/Makefile')])).toMatchObject({ runTarget: 'qemu', buildsImage: true, problems: [] });
    const noBoard = makeStops('serial', ['MICROKIT_SDK=/nowhere']);
    if (noBoard !== undefined) expect(noBoard).toContain('Makefile:9: *** MICROKIT_BOARD is not set.  Stop.');
    const noSddf = makeStops('serial', [], { file: 'console.mk' });
    if (noSddf !== undefined) expect(noSddf).toContain('console.mk:5: *** SDDF is not set: run make in the example folder, not here.  Stop.');
  });

  it('multicore: a path default written with no space after ?=, override assignments, a sub-made image', () => {
    const info = readMakefiles([fixture('multicore/Makefile')]);
    expect(info.problems).toEqual([]);
    expect(pick(info, 'SMP_CONFIG')).toMatchObject({ default: 'cores/one_core.json', kind: 'path', required: false, line: 11, column: 1 });
    // `override X :=` is the Makefile's own: only the `?=` and the required ones are offered.
    expect(info.variables.map((v) => v.name)).toEqual(['MICROKIT_SDK', 'BUILD_DIR', 'SMP_CONFIG']);
    expect(info).toMatchObject({ runTarget: 'qemu', buildsImage: true, defaultBuildDir: 'build' });
    const noSdk = makeStops('multicore', []);
    if (noSdk !== undefined) expect(noSdk).toContain('Makefile:5: *** MICROKIT_SDK must name a Microkit SDK.  Stop.');
  });

  it('ifndef and else-branches; a Makefile make cannot read: each problem at its place, as make reports it', () => {
    const ok = readMakefiles([{ path: 'Makefile', text: 'ifndef LINUX\n$(error LINUX must point at a kernel)\nendif\nifdef X\nA ?= 1\nelse\nB ?= 2\nendif\n' }]);
    expect(pick(ok, 'LINUX')).toMatchObject({ required: true, kind: 'path', message: 'LINUX must point at a kernel', line: 2 });
    expect(ok.problems).toEqual([]);
    const bad = readMakefiles([{ path: 'Makefile', text: 'include local.mk\nall:\n\techo hi\n  echo no tab\nifeq ($(A),b)\nX ?= 1\n' }]);
    expect(bad.problems.map((p) => [p.line, p.column, p.message.split(' (')[0]])).toEqual([
      [1, 9, 'local.mk: No such file or directory'],
      [4, 3, 'missing separator'],
      [5, 1, 'missing `endif`'],
    ]);
    // Real make stops at the same line (it reads the whole file before it looks for includes).
    const make = spawnSync('make', ['-n', '-f', '-'], { input: 'include local.mk\nall:\n\techo hi\n  echo no tab\nifeq ($(A),b)\nX ?= 1\n', encoding: 'utf8' });
    if (make.error === undefined) expect(make.stderr).toContain(':4: *** missing separator.  Stop.');
    const extra = readMakefiles([{ path: 'Makefile', text: 'endif\ndefine X\n' }]);
    expect(extra.problems.map((p) => [p.line, p.message.split(' (')[0]])).toEqual([[1, 'extraneous `endif`'], [2, 'missing `endef`']]);
  });

  it('a value reaches make only as plain text: no $, shell syntax, options, line breaks; names the Makefile takes, never a program', () => {
    const info = readMakefiles([fixture('vmm/Makefile'), fixture('vmm/guest.mk')]);
    expect(makeVariableProblem('LINUX', '/home/me/images/linux-6.1 Image', info)).toBeUndefined();
    expect(makeVariableProblem('LINUX', '$(shell touch /tmp/x)', info)).toMatch(/cannot be passed to make and the shell/);
    expect(makeVariableProblem('LINUX', 'a`id`', info)).toMatch(/cannot be passed/);
    expect(makeVariableProblem('LINUX', 'a;id', info)).toMatch(/cannot be passed/);
    expect(makeVariableProblem('LINUX', 'a\nall:\n\tid', info)).toMatch(/line break/);
    expect(makeVariableProblem('LINUX', 'x -wrapper /bin/sh,-c,id', info)).toMatch(/starting with "-"/);
    expect(makeVariableProblem('MICROKIT_TOOL', '/tmp/evil/bin/microkit', info)).toMatch(/runs MICROKIT_TOOL as a program/);
    expect(makeVariableProblem('DTSCAT', '/usr/bin/cat', info)).toMatch(/runs DTSCAT as a program/);
    expect(makeVariableProblem('MICROKIT_SDK', '/tmp/evil', info)).toMatch(/comes from the chosen SDK/);
    expect(makeVariableProblem('SHELL', '/tmp/evil', info)).toMatch(/how make itself runs/);
    expect(makeVariableProblem('NOT_DECLARED', 'x', info)).toMatch(/does not take NOT_DECLARED/);
    expect(makeVariableProblem('1BAD', 'x')).toMatch(/not a make variable name/);
    expect(makeAssignment('LINUX', 'a$b')).toBe('LINUX=a$$b');
  });
});
