import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../stores/studioStore';
import { createFakeClient, settle } from '../stores/testing/fakeClient';
import { openedStore } from '../stores/testing/fixtures';
import { runnableCommands } from './dispatch';
import type { KeyLike } from './keys';
import { createCommandRunner } from './runner';
import { NEUTRAL_FOCUS } from './types';

const press = (key: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('the command runner over a real store', () => {
  it('Ctrl+Shift+B builds the open project; F5 while it runs gets the build’s own answer, not the browser’s', async () => {
    const { store, fake } = await openedStore();
    fake.answer('build.start', { buildId: 'build-1', steps: [{ id: 'microkit', label: 'Microkit', command: ['microkit'] }] });
    const runner = createCommandRunner(store);
    expect(runner.key(press('B', { ctrlKey: true, shiftKey: true }), NEUTRAL_FOCUS)?.id).toBe('build');
    await settle();
    expect(fake.callsOf('build.start')).toHaveLength(1);
    expect(store.getState().build?.thenRun).toBe(false);
    expect(runner.key(press('F5'), NEUTRAL_FOCUS)?.id).toBe('buildRun');
    await settle();
    expect(fake.callsOf('build.start')).toHaveLength(1);
    expect(store.getState().notice?.message).toBe('a build is already running: cancel it first');
    store.dispose();
  });

  it('Ctrl+C takes the key only when something of ours is selected (a text selection stays the browser’s)', async () => {
    const { store } = await openedStore();
    const runner = createCommandRunner(store);
    expect(runner.key(press('c', { ctrlKey: true }), NEUTRAL_FOCUS)).toBeUndefined();
    expect(store.getState().clipboard).toBeUndefined();
    store.actions.select(['pd:sender']);
    expect(runner.key(press('c', { ctrlKey: true }), NEUTRAL_FOCUS)?.id).toBe('copy');
    expect(store.getState().clipboard).toBeDefined();
    expect(runner.key(press('v', { ctrlKey: true }), NEUTRAL_FOCUS)?.id).toBe('paste');
    expect(store.getState().doc.system.protectionDomains).toHaveLength(3);
    // Ctrl+Z outside text undoes the paste; in the XML pane it is the text's.
    expect(runner.key(press('z', { ctrlKey: true }), { ...NEUTRAL_FOCUS, textField: true, codeEditor: true })).toBeUndefined();
    expect(store.getState().doc.system.protectionDomains).toHaveLength(3);
    runner.key(press('z', { ctrlKey: true }), NEUTRAL_FOCUS);
    expect(store.getState().doc.system.protectionDomains).toHaveLength(2);
    store.dispose();
  });

  it('Escape leaves presentation mode', async () => {
    const store = createStudioStore(createFakeClient());
    const runner = createCommandRunner(store);
    store.actions.setPresentation(true);
    expect(runner.key(press('Escape'), { ...NEUTRAL_FOCUS, textField: true, terminal: true })?.id).toBe('leavePresentation');
    expect(store.getState().presentation).toBe(false);
    expect(runner.key(press('Escape'), NEUTRAL_FOCUS)).toBeUndefined();
    store.dispose();
  });

  it('the canvas commands reach the view while it is registered, and are the browser’s keys after', async () => {
    const { store } = await openedStore();
    const runner = createCommandRunner(store);
    const calls: string[] = [];
    const off = runner.register('canvas', { fit: () => calls.push('fit'), focusFind: () => calls.push('find'), autoLayout: () => calls.push('layout'), toggleShortcuts: () => calls.push('shortcuts') });
    runner.key(press('f', { ctrlKey: true }), NEUTRAL_FOCUS);
    runner.key(press('f'), NEUTRAL_FOCUS);
    runner.key(press('?', { shiftKey: true }), NEUTRAL_FOCUS);
    runner.run('autoLayout');
    expect(calls).toEqual(['find', 'fit', 'shortcuts', 'layout']);
    off();
    expect(runner.key(press('f'), NEUTRAL_FOCUS)).toBeUndefined();
    expect(calls).toHaveLength(4);
    store.dispose();
  });

  it('settings are commands: board and build settings change through them; a value they do not take is reported', async () => {
    const { store } = await openedStore();
    const runner = createCommandRunner(store);
    runner.run('setBoard', 'odroidc4');
    expect(store.getState().project?.studio.board).toBe('odroidc4');
    runner.run('setBoard', 'Not a board');
    expect(store.getState().project?.studio.board).toBe('odroidc4');
    expect(store.getState().notice).toEqual({ kind: 'error', message: '"Not a board" is not a board name (lower-case letters, digits and _)' });
    runner.run('setBuildConfig', 'release');
    runner.run('setToolchain', 'clang');
    runner.run('setSdk', '  /opt/microkit-sdk  ');
    expect(store.getState().buildSettings).toEqual({ config: 'release', toolchain: 'clang', sdk: '/opt/microkit-sdk' });
    expect(store.getState().project?.studio.build).toEqual({ config: 'release', toolchain: 'clang', sdkPath: '/opt/microkit-sdk' });
    runner.run('setBuildConfig', 'fast');
    expect(store.getState().buildSettings.config).toBe('release');
    expect(store.getState().notice?.message).toBe('The build configuration must be one of debug, release, benchmark; got "fast"');
    store.dispose();
  });

  it('runs by name only what can run: without a project, no save, undo or build', () => {
    const store = createStudioStore(createFakeClient());
    const runner = createCommandRunner(store);
    const names = runnableCommands(runner.commands, runner.context()).map((c) => c.id);
    expect(names).toEqual(expect.arrayContaining(['new', 'open', 'toggleTheme']));
    for (const id of ['save', 'saveAs', 'undo', 'copy', 'delete', 'build', 'buildRun', 'setBoard', 'fit', 'palette']) expect(names, id).not.toContain(id);
    runner.register('palette', { open() {} });
    expect(runnableCommands(runner.commands, runner.context()).map((c) => c.id)).toContain('palette');
    store.dispose();
  });
});
