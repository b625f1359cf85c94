import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../shared/api/errors';
import { createStudioStore, EMULATOR_CONSOLE, type SerialOpenOptions } from './studioStore';
import { createFakeClient, settle } from './testing/fakeClient';

const OPTIONS: SerialOpenOptions = { baudRate: 115200, framing: '8N1', flowControl: 'none', enter: 'cr', tcu: true, log: true };

describe('serial slice', () => {
  it('received bytes go to the console buffer under the session id and to attached views, exactly', () => {
    const fake = createFakeClient();
    const store = createStudioStore(fake);
    const seen: number[] = [];
    store.actions.attachConsole('serial-4', (c) => seen.push(...c.data));
    // Not text: 0xff and 0x00 must arrive as they were sent.
    fake.emit('serial.data', { id: 'serial-4', data: btoa(String.fromCharCode(0x68, 0x69, 0xff, 0x00, 0x0a)) });
    expect(seen).toEqual([0x68, 0x69, 0xff, 0x00, 0x0a]);
    expect([...store.actions.consoleLog('serial-4')!.chunks[0]!.data]).toEqual([0x68, 0x69, 0xff, 0x00, 0x0a]);
    expect(store.actions.consoleText('serial-5')).toBe('');
    store.dispose();
  });

  it('open asks for the port with its options and a log file, then shows its console', async () => {
    const fake = createFakeClient();
    fake.answer('serial.open', { id: 'serial-1' });
    const store = createStudioStore(fake);
    expect(await store.actions.openSerial('/dev/ttyACM0', OPTIONS)).toBe(true);
    expect(fake.callsOf('serial.open')).toEqual([{ target: '/dev/ttyACM0', baudRate: 115200, tcu: true, enter: 'cr', framing: '8N1', flowControl: 'none', log: 'logs/dev_ttyACM0.log' }]);
    const s = store.getState();
    expect(s.serials).toEqual([{ id: 'serial-1', target: '/dev/ttyACM0', status: 'open', tcu: true }]);
    expect(s.activeConsole).toBe('serial-1');
    expect(s.panel).toBe('terminal');
    fake.emit('serial.status', { id: 'serial-1', status: 'disconnected', detail: 'unplugged' });
    expect(store.getState().serials[0]).toMatchObject({ status: 'disconnected', detail: 'unplugged' });
    // Back again: the reason it went away is no longer the state.
    fake.emit('serial.status', { id: 'serial-1', status: 'open' });
    expect(store.getState().serials[0]).toEqual({ id: 'serial-1', target: '/dev/ttyACM0', status: 'open', tcu: true });
    store.dispose();
  });

  it('a port that will not open gives a notice and no console', async () => {
    const fake = createFakeClient();
    fake.refuse('serial.open', new StudioError('not-found', '/dev/ttyUSB9: no such port'));
    const store = createStudioStore(fake);
    expect(await store.actions.openSerial('/dev/ttyUSB9', { ...OPTIONS, log: false })).toBe(false);
    expect(store.getState().serials).toEqual([]);
    expect(store.getState().notice).toEqual({ kind: 'error', message: '/dev/ttyUSB9: no such port' });
    store.dispose();
  });

  it('send encodes the text as UTF-8 bytes; close returns the tab to the emulator console', async () => {
    const fake = createFakeClient();
    fake.answer('serial.open', { id: 'serial-2' });
    fake.answer('serial.send', {});
    fake.answer('serial.close', {});
    fake.answer('serial.break', {});
    const store = createStudioStore(fake);
    await store.actions.openSerial('tcp://127.0.0.1:4000', { ...OPTIONS, log: false });
    store.actions.sendSerial('serial-2', 'é\r');
    await store.actions.breakSerial('serial-2');
    await settle();
    expect(fake.callsOf('serial.send')).toEqual([{ id: 'serial-2', data: btoa(String.fromCharCode(0xc3, 0xa9, 0x0d)) }]);
    expect(fake.callsOf('serial.break')).toEqual([{ id: 'serial-2' }]);
    await store.actions.closeSerial('serial-2');
    expect(store.getState().serials).toEqual([]);
    expect(store.getState().activeConsole).toBe(EMULATOR_CONSOLE);
    store.dispose();
  });
});
