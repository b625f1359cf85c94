import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LINE, MAX_PARTIAL, PdActivityTracker } from './pdActivity';

// The real Microkit 2.0.1 hello boot in QEMU (shared/recorded/microkit/qemu-boot-hello-2.0.1.log), copied into the fixtures.
const log = readFileSync(path.resolve(import.meta.dirname, '../../tests/fixtures/recorded-microkit/qemu-boot-hello-2.0.1.log'), 'utf8');
/** The recorded boot up to the monitor's "completed system invocations" (the PDs start there), without hello's line. */
const bootToSystem = log.slice(0, log.indexOf('hello, world'));

/**
 * A fault report in the Microkit monitor's format (2.0.x on AArch64: register lines without a prefix; a data abort's
 * exception class and DFSC as detail lines). The PD name is printed as the monitor holds it.
 */
const faultReport = (name: string, badge = 1) =>
  [
    `MON|ERROR: received message 0x00000006  badge: 0x${badge.toString(16).padStart(16, '0')}  tcb cap: 0x8000000000000006`,
    `MON|ERROR: faulting PD: ${name}`,
    'Registers: ',
    'pc : 0x00000000002000e8',
    'spsr : 0x0000000000000040',
    'x0 : 0x0000000000000050',
    'MON|ERROR: VMFault: ip=0x00000000002000e8  fault_addr=0x0000000000000000  fsr=0x0000000092000046  (data fault)',
    'MON|ERROR:    ec: 0x00000024  Data Abort from a lower Exception level   il: 1   iss: 0x00000046',
    'MON|ERROR:    dfsc = translation fault, level 2 (0x00000006) -- write not read',
    '',
  ].join('\n');

function feedIn(tr: PdActivityTracker, text: string, step: number, t0 = 1000, dt = 2) {
  let t = t0;
  for (let i = 0; i < text.length; i += step) tr.feed(text.slice(i, i + step), (t += dt));
}

describe('PD activity from a console', () => {
  it('the recorded hello boot: not started through the loader and kernel, started at the monitor, then printing', () => {
    for (const step of [1, 7, 37, 100_000]) {
      const tr = new PdActivityTracker(['hello']);
      feedIn(tr, bootToSystem, step);
      // Everything before the monitor's last line is the loader's, the kernel's or the monitor's: nobody's.
      const before = new PdActivityTracker(['hello']);
      feedIn(before, bootToSystem.slice(0, bootToSystem.indexOf('MON|INFO: completed system invocations')), step);
      expect(before.get('hello')).toMatchObject({ phase: 'not-started', lines: 0 });
      expect(tr.get('hello')).toMatchObject({ phase: 'started', lines: 0 });
      feedIn(tr, log.slice(bootToSystem.length), step, 100_000);
      const hello = tr.get('hello')!;
      // hello, world has no speaker: a one-PD system's line is its PD's. QEMU's own "terminating on signal" is nobody's.
      expect(hello).toMatchObject({ phase: 'printing', lastLine: 'hello, world', lines: 1 });
      expect(hello.firstOutputAt!).toBeGreaterThanOrEqual(hello.startedAt!);
      expect(tr.transitions.map((x) => `${x.pd} ${x.phase}`)).toEqual(['hello started', 'hello printing']);
      expect(tr.unattributed).toBe(0);
    }
  });

  it('several PDs light up in the order they speak; speakers that are no PD and unnamed lines are nobody’s', () => {
    const tr = new PdActivityTracker(['serial_driver', 'serial_virt_tx', 'serial_virt_rx', 'client']);
    feedIn(tr, bootToSystem, 64);
    expect(tr.all().map((p) => p.phase)).toEqual(['started', 'started', 'started', 'started']);
    const lines = ['serial_virt_tx|INFO: ready', 'UART|INFO: initialised', 'client: hello from the client', 'SERIAL_DRIVER|INFO: up', 'a line with no speaker', 'client | INIT!', ''].join('\n');
    feedIn(tr, lines, 5, 9000);
    expect(tr.transitions.filter((x) => x.phase === 'printing').map((x) => x.pd)).toEqual(['serial_virt_tx', 'client', 'serial_driver']);
    expect(tr.get('serial_virt_rx')!.phase).toBe('started');
    expect(tr.get('client')).toMatchObject({ lastLine: 'client | INIT!', lines: 2 });
    // UART| is sDDF's driver tag, not a PD's name; the line without a speaker cannot be given to one of four PDs.
    expect(tr.unattributed).toBe(2);
    expect(tr.lastUnattributed).toBe('a line with no speaker');
  });

  it('a fault report in the monitor’s format turns its PD faulted with the fault text; other PDs keep theirs', () => {
    const tr = new PdActivityTracker(['producer', 'consumer']);
    feedIn(tr, `${bootToSystem}producer: sending\nconsumer: got it\n`, 11);
    feedIn(tr, faultReport('consumer', 2), 13, 8000);
    const c = tr.get('consumer')!;
    expect(c.phase).toBe('faulted');
    expect(c.fault).toMatchObject({
      text: 'VMFault: ip=0x00000000002000e8  fault_addr=0x0000000000000000  fsr=0x0000000092000046  (data fault)',
      detail: ['ec: 0x00000024  Data Abort from a lower Exception level   il: 1   iss: 0x00000046', 'dfsc = translation fault, level 2 (0x00000006) -- write not read'],
      reported: 'consumer',
    });
    expect(c.fault!.candidates).toBeUndefined();
    // The last line stays the PD's own; the register lines were the report's, not anybody's output.
    expect(c.lastLine).toBe('consumer: got it');
    expect(tr.get('producer')).toMatchObject({ phase: 'printing', lastLine: 'producer: sending' });
    expect(tr.unattributed).toBe(0);
    // After the report, lines are read as before (a PD printing after another's fault).
    tr.feed('producer: still here\n', 9000);
    expect(tr.get('producer')!.lastLine).toBe('producer: still here');
    expect(tr.get('consumer')!.phase).toBe('faulted');
  });

  it('newer monitors: register lines with the MON|ERROR prefix, a UserException, the capDL start and passive PDs', () => {
    const tr = new PdActivityTracker(['timer_driver', 'blk_driver', 'client']);
    tr.feed('INFO  [sel4_capdl_initializer::initialize] Starting threads\nMON|INFO: Microkit Monitor started!\n', 10);
    expect(tr.all().map((p) => p.phase)).toEqual(['started', 'started', 'started']);
    tr.feed("MON|INFO: PD 'timer_driver' is now passive!\nBLK DRIVER|ERROR: driver does not support device capacity smaller than 0x1000 bytes\n", 20);
    tr.feed('MON|ERROR: received message 0x00000003  badge: 0x0000000000000006  tcb cap: 0x000000000000000f\nMON|ERROR: faulting PD: blk_driver\n', 30);
    tr.feed('MON|ERROR: Registers:\nMON|ERROR: pc : 0x0000000000204607\nMON|ERROR: x0 : 0x000000000000008b\nMON|ERROR: UserException\n', 40);
    expect(tr.get('blk_driver')).toMatchObject({ phase: 'faulted', fault: { text: 'UserException', detail: [] } });
    // "BLK DRIVER" is a driver's tag with a space: no PD's name.
    expect(tr.get('blk_driver')!.lines).toBe(0);
    expect(tr.get('timer_driver')!.phase).toBe('started');
  });

  it('a name cut to the monitor’s 15 characters: one PD it fits is that PD; several are all suspects', () => {
    const tr = new PdActivityTracker(['client0_net_copier', 'ethernet_driver_0', 'ethernet_driver_1', 'net_virt_rx']);
    feedIn(tr, bootToSystem, 4096);
    // libmicrokit's name is cut the same way: "client0_net_cop|INFO" is the copier's.
    tr.feed('client0_net_cop|INFO: copying\n', 100);
    expect(tr.get('client0_net_copier')).toMatchObject({ phase: 'printing', lastLine: 'client0_net_cop|INFO: copying' });
    tr.feed('ethernet_driver|INFO: link up\n', 110);
    expect(tr.get('ethernet_driver_0')!.lines + tr.get('ethernet_driver_1')!.lines).toBe(0);
    expect(tr.unattributed).toBe(1);
    tr.feed(faultReport('ethernet_driver', 2), 120);
    for (const n of ['ethernet_driver_0', 'ethernet_driver_1']) {
      expect(tr.get(n)).toMatchObject({ phase: 'faulted', fault: { reported: 'ethernet_driver', candidates: ['ethernet_driver_0', 'ethernet_driver_1'] } });
      expect(tr.get(n)!.fault!.text).toMatch(/^VMFault: /);
    }
    // A shorter name is never a prefix match: "net_virt" is not net_virt_rx.
    tr.feed('net_virt: hi\n', 130);
    expect(tr.get('net_virt_rx')!.lines).toBe(0);
    // A name in another case is the PD's when only one PD has it.
    tr.feed('NET_VIRT_RX|INFO: up\n', 140);
    expect(tr.get('net_virt_rx')!.lines).toBe(1);
  });

  it('a faulting PD that never printed was started; a fault line names a PD the system does not have: nobody', () => {
    const tr = new PdActivityTracker(['a', 'b']);
    tr.feed(faultReport('zz'), 5);
    expect(tr.all().every((p) => p.phase === 'not-started')).toBe(true);
    tr.feed(faultReport('b'), 7);
    expect(tr.get('b')).toMatchObject({ phase: 'faulted', startedAt: 2 });
  });

  it('bounded: lines are capped, a line with no newline is kept to its head, escapes and CRs do not count', () => {
    const tr = new PdActivityTracker(['p', 'q']);
    tr.feed('MON|INFO: completed system invocations\r\n', 0);
    tr.feed(`\x1b[32mp|INFO: ${'x'.repeat(1000)}\x1b[0m\r\n`, 1);
    expect(tr.get('p')!.lastLine!.length).toBe(MAX_LINE);
    expect(tr.get('p')!.lastLine!.startsWith('p|INFO: xxx')).toBe(true);
    // 2 MiB without a newline, in small chunks: kept to MAX_PARTIAL characters, fast (no re-scan of what is kept).
    const t0 = performance.now();
    const chunk = 'q: '.padEnd(64, 'y');
    for (let i = 0; i < (2 * 1024 * 1024) / 64; i++) tr.feed(chunk, 2);
    tr.feed('\n', 3);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(tr.get('q')!.lines).toBe(1);
    expect(tr.get('q')!.lastLine!.length).toBe(MAX_LINE);
    expect(MAX_PARTIAL).toBeGreaterThan(MAX_LINE);
  });

  it('linear in the stream: 8 MiB of PD lines take about four times as long as 2 MiB', () => {
    const names = Array.from({ length: 12 }, (_, i) => `pd_${i}`);
    const text = (mib: number) => {
      const out: string[] = [];
      let n = 0;
      for (let i = 0; n < mib * 1024 * 1024; i++) {
        const l = `pd_${i % 12}|INFO: message ${i} ${'z'.repeat(i % 60)}`;
        out.push(l);
        n += l.length + 1;
      }
      return `MON|INFO: completed system invocations\n${out.join('\n')}\n`;
    };
    const time = (s: string) => {
      const tr = new PdActivityTracker(names);
      const t0 = performance.now();
      for (let i = 0; i < s.length; i += 4096) tr.feed(s.slice(i, i + 4096), i);
      const ms = performance.now() - t0;
      expect(tr.get('pd_3')!.phase).toBe('printing');
      return ms;
    };
    const small = text(2);
    const big = text(8);
    time(small);
    const a = Math.min(time(small), time(small));
    const b = Math.min(time(big), time(big));
    expect(b / a).toBeLessThan(8);
  });

  it('reset starts over for a new boot', () => {
    const tr = new PdActivityTracker(['hello']);
    tr.feed(log, 0);
    tr.reset();
    expect(tr.get('hello')).toEqual({ name: 'hello', phase: 'not-started', lines: 0 });
    expect(tr.transitions).toEqual([]);
    tr.feed(log, 50);
    expect(tr.get('hello')!.phase).toBe('printing');
  });
});
