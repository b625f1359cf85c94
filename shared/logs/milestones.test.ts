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

  it('a real Debian arm64 kernel booting a busybox initrd (recorded here): banner, version, init, the first shell prompt', () => {
    // Captured from qemu-system-aarch64 -M virt -kernel vmlinuz-6.1.0-57-arm64 -initrd (sel4-studio guest-kernel).
    const boot = readFileSync(path.resolve(import.meta.dirname, '../../tests/fixtures/recorded/debian-6.1-arm64-busybox-boot.log'), 'latin1');
    for (const step of [1, 7, 64, 4096]) {
      const tr = new MilestoneTracker();
      let t = 0;
      for (let i = 0; i < boot.length; i += step) tr.feed(boot.slice(i, i + step), (t += 1));
      expect(tr.milestones.map((m) => `${m.lane}: ${m.label}`), `chunks of ${step}`).toEqual([
        'linux: Linux booting',
        'linux: Linux 6.1.0-57-arm64',
        'linux: Kernel init done',
        'linux: Run /init',
        'linux: Shell prompt',
      ]);
      // busybox asks the terminal for the cursor position after its prompt (ESC [6n): not part of the line.
      expect(tr.milestones[4]!.line).toMatch(/^guest# ?$/);
    }
  });

  it('a shell prompt counts only after the guest ran its init, and once', () => {
    const tr = new MilestoneTracker();
    tr.feed('build# ', 0);
    tr.feed('\n[    1.1] Run /init as init process\n/ # ', 5);
    tr.feed('ls\r\nbin  dev\r\n/ # ', 9);
    expect(tr.milestones.map((m) => m.label)).toEqual(['Run /init', 'Shell prompt']);
    tr.reset();
    tr.feed('# ', 0);
    expect(tr.milestones).toEqual([]);
  });

  it("libvmm's VMM lines, as LOG_VMM and LOG_VMM_ERR print them with the PD's name", () => {
    const tr = new MilestoneTracker();
    tr.feed('CLIENT_VMM|INFO: Copying guest kernel image to 0x40000000 (0x1f6f200 bytes)\n', 0);
    tr.feed('CLIENT_VMM|INFO: Copying guest DTB to GPA 0x4f000000 (0x2000 bytes)\n', 1);
    tr.feed('CLIENT_VMM|INFO: starting guest at 0x40000000, DTB at 0x4f000000, initial RAM disk at 0x4d700000\n', 2);
    tr.feed('VMM|ERROR (linux_setup_images:55): Linux kernel image magic check failed\n', 3);
    expect(tr.milestones.map((m) => `${m.lane}: ${m.label}`)).toEqual([
      'client_vmm: Guest kernel copied to 0x40000000',
      'client_vmm: Copying guest DTB to GPA 0x4f000000 (0x2…',
      'client_vmm: Guest started at 0x40000000',
      'vmm: Error: Linux kernel image magic check failed',
    ]);
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
