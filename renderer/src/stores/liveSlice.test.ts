import { describe, expect, it } from 'vitest';
import { openedStore } from './testing/fixtures';
import { BOOT_SOURCE, liveFault, livePhase, RECENT_MS } from './liveSlice';

// The end of the real Microkit 2.0.1 hello boot (tests/fixtures/recorded-microkit/qemu-boot-hello-2.0.1.log): the
// kernel hands over to the monitor, which starts the PDs (the renderer's tests read no files).
const boot = [
  'Booting all finished, dropped to user space',
  'MON|INFO: Microkit Bootstrap',
  'MON|INFO: bootinfo untyped list matches expected list',
  'MON|INFO: Number of bootstrap invocations: 0x00000009',
  'MON|INFO: Number of system invocations:    0x00000023',
  'MON|INFO: completed bootstrap invocations',
  'MON|INFO: completed system invocations',
  '',
].join('\n');

async function booted() {
  const opened = await openedStore();
  opened.fake.answer('qemu.start', { id: 'qemu-1', command: ['qemu-system-aarch64'] });
  await opened.store.actions.startQemu({ image: 'build/loader.img' });
  opened.fake.emit('qemu.status', { id: 'qemu-1', status: 'running' });
  return opened;
}
const b64 = (s: string) => btoa(s);

describe('live slice', () => {
  it('QEMU output lights the open system’s PDs; the store changes once per frame, not per chunk', async () => {
    const { store, fake } = await booted();
    const s = () => store.getState();
    expect(livePhase(s(), 'sender')).toBe('not-started');
    let sets = 0;
    const off = store.subscribe((a, b) => void (a.live !== b.live && sets++));
    for (let i = 0; i < boot.length; i += 16) fake.emit('qemu.output', { id: 'qemu-1', data: boot.slice(i, i + 16) });
    for (let i = 0; i < 200; i++) fake.emit('qemu.output', { id: 'qemu-1', data: `sender|INFO: message ${i}\n` });
    expect(sets).toBe(0);
    store.actions.flushLive();
    expect(sets).toBe(1);
    off();
    expect(livePhase(s(), 'sender')).toBe('printing recent');
    expect(livePhase(s(), 'receiver')).toBe('started');
    expect(s().live[BOOT_SOURCE]!.pds.sender).toMatchObject({ lastLine: 'sender|INFO: message 199', lines: 200 });
    expect(store.actions.liveTransitions(BOOT_SOURCE).map((t) => `${t.pd} ${t.phase}`)).toEqual(['sender started', 'receiver started', 'sender printing']);

    // A PD's object keeps its identity when it did not change: a node selecting it does not re-render.
    const receiver = s().live[BOOT_SOURCE]!.pds.receiver;
    fake.emit('qemu.output', { id: 'qemu-1', data: 'sender|INFO: again\n' });
    store.actions.flushLive();
    expect(s().live[BOOT_SOURCE]!.pds.receiver).toBe(receiver);

    // A fault report turns the receiver faulted with its text.
    fake.emit('qemu.output', { id: 'qemu-1', data: 'MON|ERROR: received message 0x00000006  badge: 0x0000000000000002  tcb cap: 0x8000000000000010\nMON|ERROR: faulting PD: receiver\nRegisters: \npc : 0x0000000000200104\nMON|ERROR: VMFault: ip=0x0000000000200104  fault_addr=0x0000000000000000  fsr=0x0000000092000046  (data fault)\nMON|ERROR:    ec: 0x00000024  Data Abort from a lower Exception level   il: 1   iss: 0x00000046\n' });
    store.actions.flushLive();
    expect(livePhase(s(), 'receiver')).toBe('faulted');
    expect(liveFault(s(), 'receiver')?.text).toMatch(/^VMFault: ip=0x0000000000200104/);

    // QEMU exits: the overlay is off.
    fake.emit('qemu.status', { id: 'qemu-1', status: 'exited', code: 0 });
    expect(livePhase(s(), 'receiver')).toBe('off');
    expect(liveFault(s(), 'receiver')).toBeUndefined();
    store.dispose();
  });

  it('a reset starts a new boot; printing stops pulsing after a quiet while', async () => {
    const { store, fake } = await booted();
    fake.emit('qemu.output', { id: 'qemu-1', data: `${boot}receiver: up\n` });
    store.actions.flushLive();
    expect(livePhase(store.getState(), 'receiver')).toBe('printing recent');
    await new Promise((r) => setTimeout(r, RECENT_MS + 700));
    expect(livePhase(store.getState(), 'receiver')).toBe('printing');
    fake.answer('qemu.control', { status: 'running' });
    await store.actions.controlQemu('reset');
    store.actions.flushLive();
    expect(livePhase(store.getState(), 'receiver')).toBe('not-started');
    store.dispose();
  });

  it('a serial console feeds its own source, shown while its tab is the Terminal’s; the system’s PDs are read from the document', async () => {
    const { store, fake } = await booted();
    fake.answer('serial.open', { id: 'serial-1' });
    await store.actions.openSerial('/dev/ttyUSB0', { baudRate: 115200, framing: '8N1', flowControl: 'none', enter: 'cr', tcu: false, log: false });
    expect(store.getState().activeConsole).toBe('serial-1');
    fake.emit('serial.data', { id: 'serial-1', data: b64(`${boot}sender: on the board\n`) });
    store.actions.flushLive();
    expect(livePhase(store.getState(), 'sender')).toBe('printing recent');
    // The QEMU tab shown: QEMU's boot (which printed nothing yet).
    store.actions.showConsole('emulator');
    expect(livePhase(store.getState(), 'sender')).toBe('not-started');
    store.dispose();
  });
});
