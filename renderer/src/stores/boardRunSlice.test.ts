import { describe, expect, it } from 'vitest';
import { planRun } from '../../../shared/boardrun/plan';
import { BoardTargetSchema } from '../../../shared/boardrun/target';
import { settle } from './testing/fakeClient';
import { openedStore, snapshot } from './testing/fixtures';

const target = BoardTargetSchema.parse({
  deploy: { kind: 'tftp', folder: '/srv/tftp', fileName: 'sel4.img' },
  power: { kind: 'home-assistant', baseUrl: 'http://ha:8123', entityId: 'switch.plug' },
  console: { kind: 'network', protocol: 'rfc2217', host: 'lab', port: 3000, baudRate: 115200 },
  firmware: { kind: 'u-boot', loadAddress: '0x40000000', boot: 'go' },
});
// Lines of tests/fixtures/recorded/qemu-boot-hello-2.0.1.log (the renderer's tests read no files).
const boot = [
  'LDR|INFO: altloader for seL4 starting',
  'LDR|INFO: jumping to kernel',
  'Bootstrapping kernel',
  'Booting all finished, dropped to user space',
  'MON|INFO: Microkit Bootstrap',
  'MON|INFO: completed system invocations',
  'hello, world',
  '',
].join('\r\n');

describe('board run slice', () => {
  it('starts the chosen target by name; steps (even those sent before the answer) and the console feed the dialog and the timeline', async () => {
    const base = snapshot();
    const { store, fake } = await openedStore({ ...base, trusted: true, settings: { ...base.settings, boardTargets: { lab: target } } });
    fake.answer('boardRun.start', () => {
      // The host streams before its answer reaches the page.
      fake.emit('boardRun.step', { runId: 'board-1', step: 'build', status: 'running' });
      return { runId: 'board-1', plan: planRun('lab', target), log: 'build/sel4-studio-board-runs/x-lab.log' };
    });
    store.actions.openBoardRun();
    expect(store.getState().boardRunTarget).toBe('lab');
    await store.actions.startBoardRun(true);
    expect(fake.callsOf('boardRun.start')).toEqual([{ target: 'lab', build: true, board: 'qemu_virt_aarch64', config: 'debug' }]);
    expect(store.getState().boardRun?.steps[0]?.status).toBe('running');
    fake.emit('boardRun.output', { runId: 'board-1', step: 'deploy', data: 'copied\n' });
    fake.emit('boardRun.step', { runId: 'board-1', step: 'console', status: 'done', consoleId: 'serial-3' });
    fake.emit('boardRun.step', { runId: 'board-1', step: 'power-on', status: 'running' });
    fake.emit('serial.data', { id: 'serial-3', data: btoa(boot) });
    // Another run's events and other consoles change nothing.
    fake.emit('boardRun.step', { runId: 'board-9', step: 'deploy', status: 'failed' });
    fake.emit('serial.data', { id: 'serial-4', data: btoa('Bootstrapping kernel\n') });
    const s = store.getState();
    expect(s.boardRun?.consoleId).toBe('serial-3');
    expect(s.boardRun?.steps.find((x) => x.id === 'deploy')).toMatchObject({ status: 'pending', output: 'copied\n' });
    expect(s.milestones.map((m) => m.label)).toEqual(['Loader started', 'Jumping to the kernel', 'Kernel bootstrapping', 'User space', 'Microkit monitor', 'System ready', 'First PD output: hello, world']);
    fake.emit('boardRun.done', { runId: 'board-1', result: 'booted', log: 'build/sel4-studio-board-runs/x-lab.log' });
    expect(store.getState().boardRun?.result).toBe('booted');
    // A second run while the console is open is refused in the page already.
    await store.actions.startBoardRun(true);
    expect(fake.callsOf('boardRun.start')).toHaveLength(1);
    fake.answer('boardRun.stop', {});
    await store.actions.stopBoardRun(true);
    expect(fake.callsOf('boardRun.stop')).toEqual([{ runId: 'board-1', powerOff: true }]);
    expect(store.getState().boardRun?.ended).toBe(true);
    await settle();
    store.dispose();
  });

  it('builds what the page shows: the SDK just set in the Build tab is saved first and sent with the run', async () => {
    const base = snapshot();
    const { store, fake } = await openedStore({ ...base, trusted: true, settings: { ...base.settings, boardTargets: { lab: target } } });
    fake.answer('project.save', { savedAt: 'now', files: [] });
    fake.answer('boardRun.start', { runId: 'board-1', plan: planRun('lab', target), log: 'x.log' });
    store.actions.openBoardRun();
    store.actions.setBuildSettings({ sdk: '/opt/microkit-sdk-2.3.0', toolchain: 'aarch64-linux-gnu' });
    await store.actions.startBoardRun(true);
    expect(fake.callsOf('project.save')).toHaveLength(1);
    expect(fake.callsOf('boardRun.start')).toEqual([{ target: 'lab', build: true, board: 'qemu_virt_aarch64', config: 'debug', sdk: '/opt/microkit-sdk-2.3.0', toolchain: 'aarch64-linux-gnu' }]);
    // Without a build, nothing is saved and no build settings are sent.
    fake.emit('boardRun.done', { runId: 'board-1', result: 'failed', log: 'x.log' });
    store.actions.setBuildSettings({ config: 'release' });
    await store.actions.startBoardRun(false);
    expect(fake.callsOf('project.save')).toHaveLength(1);
    expect(fake.callsOf('boardRun.start')[1]).toEqual({ target: 'lab', build: false });
    store.dispose();
  });

  it('no target: the dialog opens to configure one; a saved target goes to the folder settings', async () => {
    const { store, fake } = await openedStore({ ...snapshot(), trusted: true });
    await store.actions.startBoardRun(true);
    expect(store.getState().boardRunOpen).toBe(true);
    expect(fake.callsOf('boardRun.start')).toEqual([]);
    fake.answer('workspace.saveSettings', {});
    expect(await store.actions.saveBoardTarget('lab', target)).toBe(true);
    expect(fake.callsOf('workspace.saveSettings')[0]?.settings.boardTargets).toEqual({ lab: target });
    expect(store.getState().boardRunTarget).toBe('lab');
    store.dispose();
  });
});
