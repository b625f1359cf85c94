import { describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../shared/api/contract';
import { StudioError } from '../../../shared/api/errors';
import { updateProtectionDomain } from '../../../shared/model/edits';
import { isDirty } from './studioStore';
import { settle, type FakeClient } from './testing/fakeClient';
import { openedStore, snapshot, TWO_PD_SYSTEM } from './testing/fixtures';
import type { StudioStore } from './studioStore';

const STEPS = [
  { id: 'compile' as const, label: 'Compile', command: ['make'] },
  { id: 'microkit' as const, label: 'Microkit', command: ['microkit'] },
];
const record = (buildId: string, result: BuildRecord['result']): BuildRecord => ({
  buildId,
  startedAt: '2025-01-01T00:00:00Z',
  durationMs: 1200,
  result,
  problems: 0,
  steps: [],
  config: 'debug',
  board: 'qemu_virt_aarch64',
});
const REPORT = '# Kernel Objects\n';

async function building(board?: string): Promise<{ store: StudioStore; fake: FakeClient }> {
  const opened = await openedStore(board ? snapshot({}, board) : undefined);
  opened.fake.answer('build.start', { buildId: 'build-7', steps: STEPS });
  return opened;
}
const frame = () => new Promise((r) => setTimeout(r, 40));

describe('build slice', () => {
  it('starts a build of the file on disk with the settings; its steps wait', async () => {
    const { store, fake } = await building();
    store.actions.setBuildSettings({ config: 'release', sdk: '/opt/sdk' });
    // Settings are part of the project: undoable, and the project is changed.
    expect(store.getState().history.past.at(-1)?.label).toMatch(/^Build settings: /);
    await store.actions.startBuild();
    expect(fake.callsOf('build.start')).toEqual([{ board: 'qemu_virt_aarch64', config: 'release', sdk: '/opt/sdk' }]);
    const b = store.getState().build!;
    expect(b.buildId).toBe('build-7');
    expect(b.steps.map((s) => s.status)).toEqual(['pending', 'pending']);
    expect(store.getState().panel).toBe('build');
    // The settings go into studio.json on the next save; undo takes them back.
    expect(store.getState().project?.studio.build).toEqual({ config: 'release', sdkPath: '/opt/sdk' });
    expect(isDirty(store.getState())).toBe(true);
    await store.actions.startBuild();
    expect(store.getState().notice?.message).toBe('a build is already running: cancel it first');
    expect(fake.callsOf('build.start')).toHaveLength(1);
    store.dispose();
  });

  it('unsaved changes to the .system: the build asks, then saves and builds them, or builds the file on disk', async () => {
    const { store, fake } = await building();
    fake.answer('project.save', { savedAt: 'now', files: [] });
    store.actions.edit(updateProtectionDomain('sender', { priority: 120 }));
    await store.actions.startBuild(true);
    expect(store.getState().buildPrompt).toEqual({ run: true });
    expect(fake.callsOf('build.start')).toHaveLength(0);
    await store.actions.startBuild(true, 'save');
    expect(store.getState().buildPrompt).toBeUndefined();
    expect(fake.callsOf('project.save')[0]!.systemXml).toBe(TWO_PD_SYSTEM.replace('name="sender" priority="100"', 'name="sender" priority="120"'));
    expect(fake.callsOf('build.start')).toEqual([{ board: 'qemu_virt_aarch64', config: 'debug' }]);
    store.dispose();
  });

  it('gathers output, progress and problems per frame: three events, one update', async () => {
    const { store, fake } = await building();
    await store.actions.startBuild();
    let updates = 0;
    const off = store.subscribe(() => updates++);
    fake.emit('build.output', { buildId: 'build-7', step: 'compile', data: 'cc a.c\n' });
    fake.emit('build.output', { buildId: 'build-7', step: 'compile', data: 'cc b.c\ncc c' });
    fake.emit('build.progress', { buildId: 'build-7', step: 'compile', done: 2, total: 3 });
    fake.emit('build.problem', { buildId: 'build-7', step: 'compile', problem: { severity: 'error', message: 'boom', file: 'a.c', line: 3, column: 1, tool: 'gcc' } });
    expect(store.getState().build!.output).toEqual({});
    expect(updates).toBe(0);
    await frame();
    expect(updates).toBe(1);
    const b = store.getState().build!;
    expect(b.output.compile).toBe('cc a.c\ncc b.c\ncc c');
    expect(b.outputLines.compile).toBe(2);
    expect(b.progress).toEqual({ step: 'compile', done: 2, total: 3 });
    expect(b.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual(['a.c:3: boom']);
    off();
    store.dispose();
  });

  it('build.done flushes what is pending at once, records the build and reads the report', async () => {
    const { store, fake } = await building();
    fake.answer('fs.readText', ({ path }) => {
      if (path === 'build/report.txt') return { text: REPORT };
      throw new StudioError('not-found', path);
    });
    await store.actions.startBuild();
    fake.emit('build.step', { buildId: 'build-7', step: 'compile', status: 'done', durationMs: 800 });
    fake.emit('build.output', { buildId: 'build-7', step: 'microkit', data: 'last line\n' });
    fake.emit('build.done', { buildId: 'build-7', record: record('build-7', 'ok') });
    const b = store.getState().build!;
    expect(b.output.microkit).toBe('last line\n');
    expect(b.steps[0]).toMatchObject({ id: 'compile', status: 'done', durationMs: 800 });
    expect(b.record?.result).toBe('ok');
    expect(store.getState().buildHistory.map((r) => r.buildId)).toEqual(['build-7']);
    await settle();
    expect(store.getState().buildReport).toBeDefined();
    expect(fake.callsOf('fs.readText').filter((p) => p.path === 'build/report.txt')).toHaveLength(2);
    store.dispose();
  });

  it('events of another build are ignored; a failed build shows the problems', async () => {
    const { store, fake } = await building();
    await store.actions.startBuild();
    fake.emit('build.output', { buildId: 'build-6', step: 'compile', data: 'old\n' });
    fake.emit('build.step', { buildId: 'build-6', step: 'compile', status: 'failed' });
    fake.emit('build.done', { buildId: 'build-6', record: record('build-6', 'failed') });
    const b = store.getState().build!;
    expect(b.output).toEqual({});
    expect(b.steps[0]!.status).toBe('pending');
    expect(b.record).toBeUndefined();
    expect(store.getState().buildHistory).toEqual([]);
    fake.emit('build.done', { buildId: 'build-7', record: record('build-7', 'failed') });
    expect(store.getState().panel).toBe('problems');
    store.dispose();
  });

  it('Build & Run boots loader.img when the build succeeds on a QEMU board', async () => {
    const { store, fake } = await building();
    fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'] });
    await store.actions.startBuild(true);
    fake.emit('build.done', { buildId: 'build-7', record: record('build-7', 'ok') });
    await settle();
    expect(fake.callsOf('qemu.start')).toEqual([{ board: 'qemu_virt_aarch64', image: 'build/loader.img' }]);
    expect(store.getState().qemu?.id).toBe('qemu-1');
    store.dispose();
  });

  it('cancel asks the host to stop the running build; none running, nothing is asked', async () => {
    const { store, fake } = await building();
    fake.answer('build.cancel', {});
    await store.actions.cancelBuild();
    expect(fake.callsOf('build.cancel')).toHaveLength(0);
    await store.actions.startBuild();
    await store.actions.cancelBuild();
    expect(fake.callsOf('build.cancel')).toEqual([{ buildId: 'build-7' }]);
    store.dispose();
  });

  it('inspectSdk answers what the SDK holds, and a failed look as a hint', async () => {
    const { store, fake } = await building();
    fake.answer('sdk.inspect', ({ path }) => ({ sdk: { path: path ?? '/found', version: '2.3.0', boards: { qemu_virt_aarch64: ['debug'] }, chosen: true } }));
    expect((await store.actions.inspectSdk('/opt/sdk')).sdk?.path).toBe('/opt/sdk');
    expect(fake.callsOf('sdk.inspect')).toEqual([{ path: '/opt/sdk' }]);
    fake.refuse('sdk.inspect', new StudioError('not-found', 'no SDK at /nowhere'));
    expect(await store.actions.inspectSdk('/nowhere')).toEqual({ sdk: null, hint: 'no SDK at /nowhere' });
    store.dispose();
  });

  it('chooseSdk asks the host (its own dialog decides); a chosen SDK becomes the setting, a refusal is said', async () => {
    const { store, fake } = await building();
    fake.answer('sdk.choose', ({ path }) => ({ sdk: { path: path ?? '/picked', version: '2.3.0', boards: { qemu_virt_aarch64: ['debug'] }, chosen: true } }));
    expect((await store.actions.chooseSdk('/opt/sdk'))?.path).toBe('/opt/sdk');
    expect(store.getState().buildSettings.sdk).toBe('/opt/sdk');
    expect(store.getState().notice?.message).toBe('Builds use the Microkit SDK at /opt/sdk (2.3.0)');
    await store.actions.chooseSdk();
    expect(fake.callsOf('sdk.choose')).toEqual([{ path: '/opt/sdk' }, {}]);
    expect(store.getState().buildSettings.sdk).toBe('/picked');
    // The user said no in the host's dialog: nothing changes.
    fake.answer('sdk.choose', { sdk: null });
    expect(await store.actions.chooseSdk('/other')).toBeUndefined();
    expect(store.getState().buildSettings.sdk).toBe('/picked');
    fake.refuse('sdk.choose', new StudioError('forbidden', 'add it from a terminal with `sel4-studio sdk add /x`'));
    expect(await store.actions.chooseSdk('/x')).toBeUndefined();
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'add it from a terminal with `sel4-studio sdk add /x`' });
    store.dispose();
  });

  it("a repository build: its variables kept in the folder settings (make text refused here), the image it found becomes the Run image, Build & Run runs the chosen make target", async () => {
    const { store, fake } = await building();
    const makefile = {
      files: ['Makefile'],
      variables: [
        { name: 'BUILD_DIR', default: 'build', required: false, kind: 'path' as const, conditional: false, file: 'Makefile', line: 13, column: 1 },
        { name: 'MICROKIT_TOOL', default: '$(MICROKIT_SDK)/bin/microkit', required: false, kind: 'tool' as const, conditional: false, file: 'Makefile', line: 16, column: 1 },
      ],
      targets: [{ name: 'qemu', file: 'Makefile', line: 38, column: 1 }],
      runTarget: 'qemu',
      buildsImage: true,
      problems: [],
    };
    fake.answer('build.makefile', { kind: 'repo', makefile });
    fake.answer('workspace.saveSettings', {});
    fake.answer('build.runTarget', { runId: 'run-3', command: ['make', 'qemu', 'MICROKIT_SDK=/sdk'] });
    await store.actions.loadMakefile();
    expect(store.getState().repoMakefile?.kind).toBe('repo');
    expect(await store.actions.setMakeVariable('BUILD_DIR', '$(shell touch /tmp/x)')).toBe(false);
    expect(store.getState().notice?.message).toMatch(/cannot be passed to make and the shell/);
    expect(await store.actions.setMakeVariable('MICROKIT_TOOL', '/tmp/evil')).toBe(false);
    expect(fake.callsOf('workspace.saveSettings')).toEqual([]);
    expect(await store.actions.setMakeVariable('BUILD_DIR', 'out/qemu')).toBe(true);
    expect(fake.callsOf('workspace.saveSettings').at(-1)!.settings.build.variables).toEqual({ BUILD_DIR: 'out/qemu' });
    await store.actions.setRunTarget('qemu');
    expect(store.getState().folderSettings?.build).toMatchObject({ variables: { BUILD_DIR: 'out/qemu' }, runTarget: 'qemu' });
    await store.actions.startBuild(true);
    fake.emit('build.done', { buildId: 'build-7', record: { ...record('build-7', 'ok'), image: 'out/qemu/loader.img' } });
    await settle();
    expect(store.getState().qemuTarget).toEqual({ kind: 'image', file: 'out/qemu/loader.img' });
    expect(fake.callsOf('build.runTarget')).toEqual([{ board: 'qemu_virt_aarch64', config: 'debug' }]);
    expect(fake.callsOf('qemu.start')).toEqual([]);
    expect(store.getState().runs.at(-1)).toMatchObject({ runId: 'run-3', command: ['make', 'qemu', 'MICROKIT_SDK=/sdk'] });
    expect(store.getState().panel).toBe('output');
    store.dispose();
  });

  it('the red "no SDK" status and notice go once an SDK is there and a build succeeds', async () => {
    const { store, fake } = await building();
    const NO_SDK = 'no Microkit SDK: download a release, unpack it as ~/microkit-sdk-<version>, set MICROKIT_SDK, or give its folder in the build settings';
    fake.answer('sdk.inspect', { sdk: null, hint: NO_SDK });
    await store.actions.refreshSdk();
    expect(store.getState().sdkStatus).toEqual({ text: NO_SDK, bad: true, boards: [] });
    fake.refuse('build.start', new StudioError('tool-missing', NO_SDK));
    await store.actions.startBuild();
    expect(store.getState().notice).toEqual({ kind: 'error', message: NO_SDK });

    // The user installs an SDK (MICROKIT_SDK in the host's environment) and builds again.
    fake.answer('sdk.inspect', { sdk: { path: '/opt/microkit-sdk-2.0.1', version: '2.0.1', boards: { qemu_virt_aarch64: ['debug', 'release'] }, chosen: true } });
    fake.answer('build.start', { buildId: 'build-8', steps: STEPS });
    fake.answer('fs.readText', { text: REPORT });
    await store.actions.startBuild();
    expect(store.getState().notice).toBeUndefined();
    fake.emit('build.done', { buildId: 'build-8', record: record('build-8', 'ok') });
    await settle();
    expect(store.getState().sdkStatus).toEqual({ text: 'Microkit 2.0.1 at /opt/microkit-sdk-2.0.1 · qemu_virt_aarch64: debug, release', bad: false, boards: ['qemu_virt_aarch64'] });
    store.dispose();
  });

  it('a notice that is not the refused build\'s stays after a build', async () => {
    const { store, fake } = await building();
    fake.answer('sdk.inspect', { sdk: null, hint: 'none' });
    store.actions.notify({ kind: 'error', message: 'something else' });
    await store.actions.startBuild();
    fake.emit('build.done', { buildId: 'build-7', record: record('build-7', 'ok') });
    await settle();
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'something else' });
    store.dispose();
  });
});

