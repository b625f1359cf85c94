import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MilestoneTracker, parseUserPatterns, DEFAULT_PATTERNS } from './milestones';

// The real Microkit hello boot in QEMU (shared/recorded/microkit/qemu-boot-hello-2.0.1.log), copied into the fixtures.
const log = readFileSync(path.resolve(import.meta.dirname, '../../tests/fixtures/recorded/qemu-boot-hello-2.0.1.log'), 'utf8');

describe('boot milestones', () => {
  it('finds loader, kernel, monitor and the PD in a real Microkit boot, fed in odd chunks', () => {
    const tr = new MilestoneTracker();
    let t = 1000;
    for (let i = 0; i < log.length; i += 37) tr.feed(log.slice(i, i + 37), (t += 3));
    const labels = tr.milestones.map((m) => `${m.lane}: ${m.label}`);
    expect(labels).toEqual(['loader: Loader started', 'loader: Jumping to the kernel', 'kernel: Kernel bootstrapping', 'kernel: User space', 'monitor: Microkit monitor', 'monitor: System ready', 'pd: First PD output: hello, world']);
    // Stamped when the line completes, from the first byte: the first line ends in the second chunk, 3 ms later.
    expect(tr.milestones[0]!.t).toBe(3);
    expect(tr.milestones[tr.milestones.length - 1]!.t).toBeGreaterThan(0);
  });

  it('recognises a Linux guest and a login prompt that has no newline yet', () => {
    const tr = new MilestoneTracker();
    tr.feed('[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]\n', 0);
    tr.feed('[    1.234567] Run /init as init process\n', 50);
    tr.feed('Welcome to Alpine\nlocalhost login: ', 90);
    expect(tr.milestones.map((m) => m.label)).toEqual(['Linux booting', 'Run /init', 'Login prompt']);
  });

  it('VMM and driver prints get their own lanes', () => {
    const tr = new MilestoneTracker();
    tr.feed('VMM|INFO: starting "linux" with 1 vCPU\n', 0);
    expect(tr.milestones[0]).toMatchObject({ lane: 'vmm', label: 'starting "linux" with 1 vCPU' });
  });

  it('user patterns, with errors placed on their line', () => {
    const { patterns, errors } = parseUserPatterns('Net up = /eth0: link up/\n\nbad line\nx = /(/');
    expect(patterns).toHaveLength(1);
    expect(errors.map((e) => e.line)).toEqual([3, 4]);
    const tr = new MilestoneTracker([...patterns, ...DEFAULT_PATTERNS]);
    tr.feed('[  3.1] eth0: link up\n', 0);
    expect(tr.milestones[0]).toMatchObject({ lane: 'user', label: 'Net up' });
  });

  it('the recorded log is present', () => expect(existsSync(path.resolve(import.meta.dirname, '../../tests/fixtures/recorded/qemu-boot-hello-2.0.1.log'))).toBe(true));
});
