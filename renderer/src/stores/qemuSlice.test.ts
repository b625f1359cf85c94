import { describe, expect, it, vi } from 'vitest';
import { BoardPackSchema } from '../../../shared/model/board';
import qemuBoard from '../../../boards/qemu_virt_aarch64/board.json';
import { StudioError } from '../../../shared/api/errors';
import { createStudioStore } from './studioStore';
import { createFakeClient, settle, type FakeClient } from './testing/fakeClient';
import { openedStore } from './testing/fixtures';

const labels = (store: { getState(): { milestones: { label: string }[] } }) => store.getState().milestones.map((m) => m.label);

async function running(): Promise<Awaited<ReturnType<typeof openedStore>>> {
  const opened = await openedStore();
  opened.fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64', '-machine', 'virt'] });
  await opened.store.actions.startQemu({ image: 'build/loader.img' });
  return opened;
}
const answerControl = (fake: FakeClient) => fake.answer('qemu.control', ({ action }) => ({ status: action === 'pause' ? 'paused' : action === 'stop' ? 'exited' : 'running' }));

describe('QEMU slice', () => {
  it('start boots the project image on its board and shows the terminal', async () => {
    const { store, fake } = await running();
    expect(fake.callsOf('qemu.start')).toEqual([{ board: 'qemu_virt_aarch64', image: 'build/loader.img' }]);
    expect(store.getState().qemu).toEqual({ id: 'qemu-1', status: 'running', command: ['qemu-system-aarch64', '-machine', 'virt'] });
    expect(store.getState().panel).toBe('terminal');
    expect(store.getState().qemuTarget).toEqual({ kind: 'image', file: 'build/loader.img' });
    store.dispose();
  });

  it('a start while QEMU runs is refused; so is one without a project', async () => {
    const { store, fake } = await running();
    await store.actions.startQemu({ kernel: 'build/other.elf' });
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'a QEMU is already running in this tab: stop it first' });
    expect(fake.callsOf('qemu.start')).toHaveLength(1);
    expect(store.getState().qemuTarget.file).toBe('build/loader.img');
    store.dispose();

    const bare = createStudioStore(createFakeClient());
    await bare.actions.startQemu({ image: 'build/loader.img' });
    expect(bare.getState().notice?.message).toBe('open a project first: QEMU boots its build output');
    bare.dispose();
  });

  it('output goes to the console and the timeline, also before qemu.start has answered', async () => {
    const { store, fake } = await openedStore();
    fake.answer('qemu.start', async () => {
      fake.emit('qemu.output', { id: 'qemu-2', data: 'LDR|INFO: altloader for seL4 starting\n' });
      return { id: 'qemu-2', command: ['qemu-system-aarch64'] };
    });
    await store.actions.startQemu({ image: 'build/loader.img' });
    fake.emit('qemu.output', { id: 'qemu-2', data: 'Bootstrapping kernel\nMON|INFO: Microkit Bootstrap\n' });
    // Another machine's output is kept under its id but is not this boot's timeline.
    fake.emit('qemu.output', { id: 'qemu-9', data: 'Booting all finished, dropped to user space\n' });
    expect(labels(store)).toEqual(['Loader started', 'Kernel bootstrapping', 'Microkit monitor']);
    expect(store.actions.consoleText('qemu-2')).toBe('LDR|INFO: altloader for seL4 starting\nBootstrapping kernel\nMON|INFO: Microkit Bootstrap\n');
    expect(store.actions.consoleText('qemu-9')).toContain('Booting all finished');
    store.dispose();
  });

  it('control follows the answer; reset starts the timeline over; an exit is said in words', async () => {
    const { store, fake } = await running();
    answerControl(fake);
    fake.emit('qemu.output', { id: 'qemu-1', data: 'Bootstrapping kernel\n' });
    await store.actions.controlQemu('pause');
    expect(store.getState().qemu?.status).toBe('paused');
    await store.actions.controlQemu('reset');
    expect(store.getState().milestones).toEqual([]);
    expect(store.getState().qemu?.status).toBe('running');
    fake.emit('qemu.status', { id: 'qemu-1', status: 'exited', code: 1, stderr: 'bad image' });
    expect(store.getState().qemu?.exit).toBe('exited with status 1: bad image');
    expect(store.getState().qemu?.status).toBe('exited');
    // An exited session may start again.
    fake.answer('qemu.start', { id: 'qemu-3', command: ['qemu-system-aarch64'] });
    await store.actions.startQemu({ kernel: 'build/hello.elf' });
    expect(store.getState().qemu?.id).toBe('qemu-3');
    expect(fake.callsOf('qemu.start').at(-1)).toEqual({ board: 'qemu_virt_aarch64', kernel: 'build/hello.elf' });
    store.dispose();
  });

  it('the monitor keeps a transcript; typed keys go to the running machine only', async () => {
    const { store, fake } = await running();
    fake.answer('qemu.monitor', ({ command }) => ({ text: `answer to ${command}\n` }));
    fake.answer('qemu.input', {});
    await store.actions.monitorQemu('info mtree');
    expect(store.getState().monitorText).toBe('(qemu) info mtree\nanswer to info mtree\n');
    store.actions.sendToQemu('ls\r');
    fake.emit('qemu.status', { id: 'qemu-1', status: 'exited', code: 0 });
    store.actions.sendToQemu('late\r');
    await settle();
    expect(fake.callsOf('qemu.input')).toEqual([{ id: 'qemu-1', data: 'ls\r' }]);
    store.dispose();
  });

  it('a monitor command the host refuses is said under the input (not sent, why, what instead); the next one clears it', async () => {
    const { store, fake } = await running();
    fake.refuse('qemu.monitor', new StudioError('forbidden', '"migrate" is not one of the monitor commands seL4 Studio sends'));
    await store.actions.monitorQemu('  migrate "exec:touch /tmp/x"');
    expect(fake.callsOf('qemu.monitor')).toEqual([{ id: 'qemu-1', command: 'migrate "exec:touch /tmp/x"' }]);
    expect(store.getState().monitorRefusal).toBe('Not sent: migrate "exec:touch /tmp/x" — "migrate" is not one of the monitor commands seL4 Studio sends');
    expect(store.getState().monitorText).toBe('');
    expect(store.getState().notice?.kind).not.toBe('error');
    fake.answer('qemu.monitor', ({ command }) => ({ text: `answer to ${command}\n` }));
    await store.actions.monitorQemu('info mtree');
    expect(store.getState().monitorRefusal).toBeUndefined();
    expect(store.getState().monitorText).toBe('(qemu) info mtree\nanswer to info mtree\n');
    store.dispose();
  });

  it('machine options go to the host as typed options, never as arguments', async () => {
    const opened = await openedStore();
    opened.fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'] });
    await opened.store.actions.startQemu({ image: 'build/loader.img' }, { gdbPort: 1234, trace: ['guest_errors'] });
    expect(opened.fake.callsOf('qemu.start')).toEqual([{ board: 'qemu_virt_aarch64', image: 'build/loader.img', options: { gdbPort: 1234, trace: ['guest_errors'] } }]);
    opened.store.dispose();
  });

  it('the boot report holds the console and the timeline', async () => {
    const { store, fake } = await running();
    fake.answer('fs.writeText', {});
    fake.emit('qemu.output', { id: 'qemu-1', data: 'MON|INFO: Microkit Bootstrap\nhello from sender\n' });
    const file = await store.actions.exportBootReport();
    expect(file).toMatch(/^reports\/boot-[\d-T]+\.html$/);
    const [written] = fake.callsOf('fs.writeText');
    expect(written!.path).toBe(file);
    expect(written!.text).toContain('hello from sender');
    expect(written!.text).toContain('Microkit monitor');
    expect(store.getState().notice?.message).toBe(`Boot report written to ${file}`);
    store.dispose();
  });

  it('a boot that prints nothing for the board\'s N seconds says what to check; output clears it, a later byte never comes too late', async () => {
    const board = BoardPackSchema.parse(qemuBoard);
    const { store, fake } = await openedStore();
    vi.useFakeTimers();
    try {
      store.setState({ boards: [{ ...board, firstOutputSeconds: 3 }] });
      fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'], format: 'elf' });
      await store.actions.startQemu({ image: 'build/hello.elf' });
      vi.advanceTimersByTime(2900);
      expect(store.getState().qemuSilent).toBeUndefined();
      vi.advanceTimersByTime(200);
      const silent = store.getState().qemuSilent!;
      expect(silent.seconds).toBe(3);
      expect(silent.hints[0]).toMatch(/^Raw image vs ELF: this file is an ELF, but "loader.img" loads it raw at 0x70000000/);
      expect(silent.hints.join('\n')).toMatch(/built for qemu_virt_aarch64/);
      fake.emit('qemu.output', { id: 'qemu-1', data: 'late\n' });
      expect(store.getState().qemuSilent).toBeUndefined();
      // A session that speaks in time is never called silent.
      fake.emit('qemu.status', { id: 'qemu-1', status: 'exited', code: 0, signal: null, stderr: '' });
      fake.answer('qemu.start', { id: 'qemu-2', command: ['qemu-system-aarch64'], format: 'raw' });
      await store.actions.startQemu({ image: 'build/loader.img' });
      fake.emit('qemu.output', { id: 'qemu-2', data: 'LDR|INFO: altloader for seL4 starting\n' });
      vi.advanceTimersByTime(10_000);
      expect(store.getState().qemuSilent).toBeUndefined();
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a refused start's error goes away when a start succeeds; another error stays", async () => {
    const { store, fake } = await openedStore();
    fake.answer('qemu.start', () => {
      throw new StudioError('forbidden', '/g/Image is outside the project and not one of your picked images');
    });
    await store.actions.startQemu({ kernel: '/g/Image' });
    expect(store.getState().notice).toMatchObject({ kind: 'error', message: expect.stringMatching(/not one of your picked images/) });
    fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'] });
    await store.actions.startQemu({ kernel: '/g/Image' });
    expect(store.getState().notice).toBeUndefined();
    // A notice that came from elsewhere after the refusal is left alone.
    fake.emit('qemu.status', { id: 'qemu-1', status: 'exited', code: 0, signal: null, stderr: '' });
    fake.answer('qemu.start', () => {
      throw new StudioError('not-found', 'kernel not found: /g/Image');
    });
    await store.actions.startQemu({ kernel: '/g/Image' });
    const other = { kind: 'error' as const, message: 'could not save' };
    store.setState({ notice: other });
    fake.answer('qemu.start', { id: 'qemu-2', command: ['qemu-system-aarch64'] });
    await store.actions.startQemu({ kernel: '/g/Image' });
    expect(store.getState().notice).toBe(other);
    store.dispose();
  });
});
