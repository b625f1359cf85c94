// The build pipeline on real CMake, Ninja, make and Debian's aarch64-linux-gnu gcc/ld, with the Microkit stand-in (the
// only double: no SDK can be had here; it reproduces the recorded tool). Projects are made from the real templates.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api/contract';
import { BuildService } from '../../electron/services/build';
import { ProcessSupervisor } from '../../electron/services/processes';
import { ProjectService } from '../../electron/services/projects';
import { readTemplate } from '../../electron/services/templates';
import { standinSdk } from '../support/standinSdk';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = ['aarch64-linux-gnu-gcc', 'cmake', 'ninja', 'make'].every(has);
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, make and aarch64-linux-gnu-gcc are required in CI');
const templates = path.resolve(import.meta.dirname, '../../resources/templates');

function harness() {
  const events = { step: [] as EventPayload<'build.step'>[], output: [] as string[], problem: [] as EventPayload<'build.problem'>['problem'][], progress: [] as EventPayload<'build.progress'>[] };
  const builds = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }, 200), {
    step: (e) => events.step.push(e),
    output: (e) => events.output.push(e.data),
    progress: (e) => events.progress.push(e),
    problem: (e) => events.problem.push(e.problem),
    done: () => undefined,
  });
  return { builds, events };
}

async function project(template: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `build-${template}-`));
  const projects = new ProjectService(mkdtempSync(path.join(os.tmpdir(), 'cfg-')));
  const t = await readTemplate(templates, template);
  const snap = await projects.create(dir, template, t.info.board, t.systemXml, t.files);
  return { root: dir, studio: snap.studio, systemXml: snap.systemXml };
}

describe.runIf(ok)('build pipeline', () => {
  const sdk = standinSdk();
  const statuses = (events: ReturnType<typeof harness>['events']) => events.step.filter((s) => s.status !== 'running').map((s) => `${s.step}:${s.status}`);

  it('the hello template builds: configure, compile, write the .system, microkit; then a no-change rebuild skips what it can', async () => {
    const p = await project('hello');
    const { builds, events } = harness();
    const first = await (await builds.start({ ...p, sdk })).finished;
    expect(first.result).toBe('ok');
    expect(statuses(events)).toEqual(['configure:done', 'compile:done', 'export:done', 'microkit:done']);
    expect(existsSync(path.join(p.root, 'build/hello.elf'))).toBe(true);
    expect(existsSync(path.join(p.root, 'build/loader.img'))).toBe(true);
    expect(readFileSync(path.join(p.root, 'build/report.txt'), 'utf8')).toContain("TCB: 'tcb_hello'");
    expect(events.output.join('')).toMatch(/BUILT: system_cnode_size=/);
    expect(events.progress.some((e) => e.step === 'compile' && e.done === e.total)).toBe(true);
    // The compile line is the SDK's: its flags and include path, linked with ld, -lmicrokit, -Tmicrokit.ld.
    const ninja = readFileSync(path.join(p.root, 'build/build.ninja'), 'utf8') + readFileSync(path.join(p.root, 'build/CMakeFiles/rules.ninja'), 'utf8');
    expect(ninja).toContain('-mstrict-align -nostdlib -ffreestanding -g -O3 -Wall -Wno-unused-function -Werror');
    expect(ninja).toContain(`${sdk}/board/qemu_virt_aarch64/debug/include`);
    expect(ninja).toMatch(/aarch64-linux-gnu-ld "?-L\S+\/board\/qemu_virt_aarch64\/debug\/lib"? .*-lmicrokit -Tmicrokit\.ld/);
    expect(events.problem).toEqual([]);
    const again = harness();
    const second = await (await again.builds.start({ ...p, sdk })).finished;
    expect(second.result).toBe('ok');
    expect(statuses(again.events)).toEqual(['configure:skipped', 'compile:done', 'export:done', 'microkit:skipped']);
    const history = await builds.history(p.root);
    expect(history.map((h) => h.result)).toEqual(['ok', 'ok']);
  });

  it('a compile error: the step fails at compile, the problem is at hello.c:line:col, later steps do not run', async () => {
    const p = await project('hello');
    await fs.writeFile(path.join(p.root, 'hello.c'), '#include <microkit.h>\n\nvoid init(void)\n{\n    microkit_dbg_puts(undeclared_name);\n}\n');
    const { builds, events } = harness();
    const r = await (await builds.start({ ...p, sdk })).finished;
    expect(r).toMatchObject({ result: 'failed', failedStep: 'compile' });
    expect(r.steps.map((s) => s.status)).toEqual(['done', 'failed', 'not run', 'not run']);
    expect(events.problem.filter((x) => x.severity === 'error').map((x) => [x.tool, x.file, x.line, x.column])).toEqual([['gcc', 'hello.c', 5, 23]]);
  });

  it('an error in a header: the include chain and the notes come with it, at project-relative places', async () => {
    const p = await project('hello');
    await fs.writeFile(path.join(p.root, 'greet.h'), 'static void greet(void)\n{\n    microkit_dbg_puts(nobody_declared_this);\n}\n');
    await fs.writeFile(path.join(p.root, 'hello.c'), '#include <microkit.h>\n#include "greet.h"\n\nvoid init(void)\n{\n    greet();\n}\n');
    const { builds, events } = harness();
    expect((await (await builds.start({ ...p, sdk })).finished).result).toBe('failed');
    const e = events.problem.find((x) => x.severity === 'error')!;
    expect([e.file, e.line, e.column]).toEqual(['greet.h', 3, 23]);
    expect(e.includedFrom).toEqual([{ file: 'hello.c', line: 2 }]);
    expect(e.notes).toEqual([expect.objectContaining({ severity: 'info', file: 'greet.h', line: 3, message: expect.stringContaining('reported only once') })]);
  });

  it('a link error: the undefined reference at its source line', async () => {
    const p = await project('hello');
    await fs.writeFile(path.join(p.root, 'hello.c'), '#include <microkit.h>\nvoid nowhere(void);\n\nvoid init(void)\n{\n    nowhere();\n}\n');
    const { builds, events } = harness();
    const r = await (await builds.start({ ...p, sdk })).finished;
    expect(r.failedStep).toBe('compile');
    expect(events.problem.map((x) => [x.tool, x.file, x.line, x.message])).toContainEqual(['ld', 'hello.c', 6, "undefined reference to `nowhere' (in init)"]);
  });

  it('a CMake error: at CMakeLists.txt:line', async () => {
    const p = await project('hello');
    await fs.appendFile(path.join(p.root, 'CMakeLists.txt'), 'add_executable(other.elf missing_file.c)\n');
    const { builds, events } = harness();
    const r = await (await builds.start({ ...p, sdk })).finished;
    expect(r.failedStep).toBe('configure');
    const e = events.problem.find((x) => x.tool === 'cmake')!;
    expect([e.file, e.line]).toEqual(['CMakeLists.txt', 7]);
    expect(e.message).toContain('missing_file.c');
  });

  it('a Microkit error points into the .system; a missing program image is placed on its program_image', async () => {
    const p = await project('shared-memory');
    const bad = p.systemXml.replace('<end pd="consumer" id="0" />', '<end pd="nobody" id="0" />');
    const { builds, events } = harness();
    const r = await (await builds.start({ ...p, sdk, systemXml: bad })).finished;
    expect(r.failedStep).toBe('microkit');
    const line = bad.split('\n').findIndex((l) => l.includes('pd="nobody"')) + 1;
    expect(events.problem.map((x) => [x.tool, x.file, x.line, x.message])).toEqual([['microkit', p.studio.systemFile, line, expect.stringContaining("invalid PD name 'nobody'")]]);
    const missing = p.systemXml.replace('consumer.elf', 'nothere.elf');
    const h2 = harness();
    await (await h2.builds.start({ ...p, sdk, systemXml: missing })).finished;
    const mline = missing.split('\n').findIndex((l) => l.includes('nothere.elf')) + 1;
    expect(h2.events.problem.map((x) => [x.file, x.line, x.message])).toEqual([[p.studio.systemFile, mline, `Error: "unable to find program image: 'nothere.elf'"`]]);
  });

  it('every template with PDs builds (sources and CMakeLists.txt shipped with it)', async () => {
    for (const t of ['shared-memory', 'sddf-serial', 'libvmm-linux']) {
      const p = await project(t);
      const { builds, events } = harness();
      const r = await (await builds.start({ ...p, sdk })).finished;
      expect(r.result, `${t}: ${events.output.join('').slice(-800)}`).toBe('ok');
    }
  });

  it('an existing Makefile is driven as libvmm and sDDF examples are (make MICROKIT_SDK= MICROKIT_BOARD= MICROKIT_CONFIG=)', async () => {
    const p = await project('hello');
    await fs.rm(path.join(p.root, 'CMakeLists.txt'));
    await fs.writeFile(
      path.join(p.root, 'Makefile'),
      [
        'BOARD_DIR := $(MICROKIT_SDK)/board/$(MICROKIT_BOARD)/$(MICROKIT_CONFIG)',
        '$(BUILD_DIR)/hello.elf: $(BUILD_DIR)/hello.o',
        '\t$(TOOLCHAIN)-ld -L$(BOARD_DIR)/lib $< -lmicrokit -Tmicrokit.ld -o $@',
        '$(BUILD_DIR)/hello.o: hello.c',
        '\tmkdir -p $(BUILD_DIR)',
        '\t$(TOOLCHAIN)-gcc -c -mstrict-align -nostdlib -ffreestanding -g -O3 -Wall -Werror -I$(BOARD_DIR)/include $< -o $@',
        '',
      ].join('\n'),
    );
    const { builds, events } = harness();
    const r = await (await builds.start({ ...p, sdk })).finished;
    expect(r.result, events.output.join('')).toBe('ok');
    expect(statuses(events)).toEqual(['compile:done', 'export:done', 'microkit:done']);
  });

  it('cancel takes the whole step down (its process group) and records the build as cancelled', async () => {
    const p = await project('hello');
    await fs.appendFile(path.join(p.root, 'CMakeLists.txt'), 'add_custom_target(slow ALL COMMAND sleep 30)\n');
    const { builds, events } = harness();
    const { buildId, finished } = await builds.start({ ...p, sdk });
    while (!events.step.some((s) => s.step === 'compile' && s.status === 'running')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    builds.cancel(buildId);
    const r = await finished;
    expect(r.result).toBe('cancelled');
    expect(r.steps.map((s) => s.status)).toEqual(['done', 'cancelled', 'not run', 'not run']);
    // No `sleep 30` is left anywhere (read from /proc: no procps needed).
    const left = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() === 'sleep 30';
        } catch {
          return false;
        }
      });
    expect(left).toEqual([]);
  });

  it('says what is missing: no SDK, a board the SDK lacks', async () => {
    const p = await project('hello');
    const { builds } = harness();
    await expect(builds.start({ ...p, sdk: p.root })).rejects.toThrow(/is not a Microkit SDK/);
    await expect(builds.start({ ...p, studio: { ...p.studio, board: 'odroidc4' }, sdk })).rejects.toThrow("has no board 'odroidc4' (it has: qemu_virt_aarch64)");
  });
});
