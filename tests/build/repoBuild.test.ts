// A repository that builds itself (tests/fixtures/repo-make: a Makefile in the sDDF/libvmm shape): real make,
// Debian's aarch64-linux-gnu gcc and ld, and the Microkit stand-in the Makefile runs as $(MICROKIT_SDK)/bin/microkit.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api/contract';
import { BuildService, projectKind } from '../../electron/services/build';
import { ProcessSupervisor } from '../../electron/services/processes';
import { ProjectService } from '../../electron/services/projects';
import { standinSdk } from '../support/standinSdk';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = ['aarch64-linux-gnu-gcc', 'make'].every(has);
if (!ok && process.env.CI === 'true') throw new Error('make and aarch64-linux-gnu-gcc are required in CI');
const fixture = path.resolve(import.meta.dirname, '../fixtures/repo-make');

function harness() {
  const events = { step: [] as EventPayload<'build.step'>[], output: [] as string[], problem: [] as EventPayload<'build.problem'>['problem'][] };
  const builds = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }, 200), {
    step: (e) => events.step.push(e),
    output: (e) => events.output.push(e.data),
    progress: () => undefined,
    problem: (e) => events.problem.push(e.problem),
    done: () => undefined,
  });
  return { builds, events };
}

async function repo() {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'repo-make-')), 'example');
  cpSync(fixture, root, { recursive: true });
  const snap = await new ProjectService(mkdtempSync(path.join(os.tmpdir(), 'cfg-'))).open(root);
  return { root, studio: snap.studio, kind: snap.kind };
}

describe.runIf(ok)("a repository's own build (its Makefile makes the image)", () => {
  const sdk = standinSdk();

  it('is a repo build: make with the SDK, board, configuration and the variables; the image found in a custom BUILD_DIR', async () => {
    const p = await repo();
    expect(p.kind).toBe('folder');
    const { kind, makefile } = await projectKind(p.root);
    expect(kind).toBe('repo');
    expect(makefile!.files).toEqual(['Makefile', 'toolchain.mk']);
    expect(makefile!.variables.map((v) => `${v.name}:${v.kind}${v.required ? '!' : ''}`)).toEqual(['MICROKIT_SDK:sdk!', 'MICROKIT_BOARD:board!', 'BUILD_DIR:path', 'MICROKIT_CONFIG:config', 'GREETING:other', 'MICROKIT_TOOL:tool', 'LINUX:path', 'TOOLCHAIN:other']);
    const { builds, events } = harness();
    const started = await builds.start({ root: p.root, studio: p.studio, sdk, variables: { BUILD_DIR: 'out/qemu', GREETING: 'bonjour' } });
    expect(started.steps.map((s) => [s.id, s.argv.join(' ')])).toEqual([['compile', `make MICROKIT_SDK=${sdk} MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug BUILD_DIR=out/qemu GREETING=bonjour`]]);
    const record = await started.finished;
    expect(events.problem).toEqual([]);
    expect(record).toMatchObject({ result: 'ok', image: 'out/qemu/loader.img' });
    expect(existsSync(path.join(p.root, 'out/qemu/hello.elf'))).toBe(true);
    expect(existsSync(path.join(p.root, 'build/loader.img'))).toBe(false);
    // The variable reached the program: its greeting is in the ELF.
    expect(readFileSync(path.join(p.root, 'out/qemu/hello.elf')).includes('bonjour, world')).toBe(true);
    expect(events.output.join('')).toContain('image: out/qemu/loader.img');
  }, 60_000);

  it("a variable from the folder settings that is not the Makefile's, runs a program, or carries make or shell text is refused before make runs", async () => {
    const p = await repo();
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'repo-marker-')), 'M');
    const { builds } = harness();
    const refused = async (variables: Record<string, string>) => builds.start({ root: p.root, studio: p.studio, sdk, variables }).then(() => 'ran', (e: Error) => e.message);
    expect(await refused({ GREETING: `$(shell touch ${marker})` })).toMatch(/cannot be passed to make and the shell/);
    expect(await refused({ MICROKIT_TOOL: `touch ${marker}` })).toMatch(/runs MICROKIT_TOOL as a program/);
    expect(await refused({ CC: `touch ${marker}` })).toMatch(/does not take CC/);
    expect(await refused({ MICROKIT_SDK: '/tmp' })).toMatch(/comes from the chosen SDK/);
    expect(existsSync(marker)).toBe(false);
  });

  it("make's own error lands at the Makefile's line; a build that writes no image says where it looked", async () => {
    const p = await repo();
    writeFileSync(path.join(p.root, 'Makefile'), readFileSync(path.join(p.root, 'Makefile'), 'utf8').replace('all: $(IMAGE_FILE)', 'all: $(IMAGE_FILE)\n  oops no tab'));
    const h = harness();
    const r = await (await h.builds.start({ root: p.root, studio: p.studio, sdk })).finished;
    expect(r.result).toBe('failed');
    expect(h.events.problem.map((x) => [x.tool, x.file, x.line, x.message])).toContainEqual(['make', 'Makefile', 26, 'missing separator']);
    rmSync(path.join(p.root, 'Makefile'));
    cpSync(path.join(fixture, 'Makefile'), path.join(p.root, 'Makefile'));
    const h2 = harness();
    const r2 = await (await h2.builds.start({ root: p.root, studio: p.studio, sdk, variables: { BUILD_DIR: 'build' } })).finished;
    expect(r2).toMatchObject({ result: 'ok', image: 'build/loader.img' });
    // Nothing to make the second time: the image already there is the build's; a BUILD_DIR with none is said.
    await new Promise((r) => setTimeout(r, 1100));
    const h3 = harness();
    const r3 = await (await h3.builds.start({ root: p.root, studio: p.studio, sdk, variables: { BUILD_DIR: 'build' } })).finished;
    expect(r3.image).toBe('build/loader.img');
    expect(h3.events.output.join('')).toContain('image: build/loader.img (unchanged: make had nothing to do)');
    const h4 = harness();
    writeFileSync(path.join(p.root, 'Makefile'), readFileSync(path.join(p.root, 'Makefile'), 'utf8').replace(/^\$\(IMAGE_FILE\) \$\(REPORT_FILE\):[^\n]*\n\t[^\n]*\n/m, '$(IMAGE_FILE):\n\t@echo no image today\n'));
    const r4 = await (await h4.builds.start({ root: p.root, studio: p.studio, sdk, variables: { BUILD_DIR: 'elsewhere' } })).finished;
    expect(r4).toMatchObject({ result: 'ok' });
    expect(r4.image).toBeUndefined();
    expect(h4.events.problem).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/no image \(loader.img or \*.img\) in elsewhere/) })]);
  }, 60_000);
});
