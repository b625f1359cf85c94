import { describe, expect, it } from 'vitest';
import type { BoardPack } from '../model/board';
import { extraArgsProblem, qemuCommand, qemuOptionArgs, QemuOptionsSchema } from './command';

const virt = {
  name: 'qemu_virt_aarch64',
  qemu: ['qemu-system-aarch64', '-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-serial', 'mon:stdio', '-device', 'loader,file=loader.img,addr=0x70000000,cpu-num=0', '-m', 'size=2G'],
} as unknown as BoardPack;

describe('QEMU command lines', () => {
  it('a Microkit loader.img as the manual boots it, paused, with QMP and the serial port on stdio', () => {
    expect(qemuCommand(virt, { image: '/p/build/loader.img' }, { qmpSocket: '/tmp/q.sock' })).toEqual({
      command: 'qemu-system-aarch64',
      args: ['-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-device', 'loader,file=/p/build/loader.img,addr=0x70000000,cpu-num=0', '-m', 'size=2G', '-serial', 'stdio', '-monitor', 'none', '-S', '-qmp', 'unix:/tmp/q.sock,server=on,wait=off'],
    });
  });
  it('a plain ELF with -kernel, extra user arguments last', () => {
    const c = qemuCommand(virt, { kernel: 'a.elf' }, { qmpSocket: 's', extraArgs: ['-smp', '2'] });
    expect(c.args).not.toContain('-device');
    expect(c.args.slice(-11)).toEqual(['-kernel', 'a.elf', '-serial', 'stdio', '-monitor', 'none', '-S', '-qmp', 'unix:s,server=on,wait=off', '-smp', '2']);
  });

  it('extra arguments may not take over what the IDE supervises (console, QMP, paused start)', () => {
    expect(extraArgsProblem(['-smp', '4', '-d', 'guest_errors'])).toBeUndefined();
    for (const bad of [['-serial', 'pty'], ['-monitor', 'stdio'], ['--qmp', 'tcp::4444'], ['-daemonize'], ['-S'], ['-display=gtk']]) {
      expect(extraArgsProblem(bad)).toMatch(/is set by seL4 Studio/);
    }
    expect(() => qemuCommand(virt, { kernel: 'a.elf' }, { qmpSocket: 's', extraArgs: ['-serial', 'pty'] })).toThrow(/-serial is set by seL4 Studio/);
  });

  it('typed options become arguments the IDE composes: memory and CPUs replace the board\'s, GDB and forwards on loopback', () => {
    const c = qemuCommand(virt, { image: '/p/build/loader.img' }, { qmpSocket: 's', options: { memoryMiB: 1024, smp: 2, gdbPort: 1234, network: { hostfwd: [{ protocol: 'tcp', hostPort: 5555, guestPort: 22 }] } } });
    expect(c.args.filter((a) => a === '-m')).toHaveLength(1);
    expect(c.args.join(' ')).toContain('-m size=1024M -smp 2 -gdb tcp:127.0.0.1:1234 -netdev user,id=net0,hostfwd=tcp:127.0.0.1:5555-:22 -device virtio-net-device,netdev=net0');
    expect(c.args.slice(-5, -3)).toEqual(['-monitor', 'none']);
    // A trace goes to the log file the host names, nowhere else.
    expect(qemuOptionArgs({ trace: ['guest_errors', 'unimp'] }, '/p/build/sel4-studio-qemu-trace.log')).toEqual(['-d', 'guest_errors,unimp', '-D', '/p/build/sel4-studio-qemu-trace.log']);
    expect(() => qemuOptionArgs({ trace: ['int'] })).toThrow(/needs its log file/);
  });

  it('the options take no free text: paths, host addresses, unknown keys and out-of-range values are refused', () => {
    for (const bad of [
      { extraArgs: ['-pidfile', '/tmp/x'] },
      { gdbPort: 'tcp::1234' },
      { gdbPort: 80 },
      { memoryMiB: 1.5 },
      { network: { hostfwd: [{ protocol: 'tcp', hostPort: 5555, guestPort: 22, hostAddr: '0.0.0.0' }] } },
      { network: { hostfwd: [{ protocol: 'tcp', hostPort: '5555,guestfwd=tcp:10.0.2.100:1-cmd:touch x', guestPort: 22 }] } },
      { network: { script: '/tmp/evil.sh', hostfwd: [] } },
      { trace: ['guest_errors', 'nochain -D /tmp/x'] },
      { trace: [] },
      { logFile: '/tmp/x' },
    ]) {
      expect(QemuOptionsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('an image whose name holds a comma cannot add keys to the loader device (QEMU reads ",," as a comma)', () => {
    const c = qemuCommand(virt, { image: '/p/build/x,file=/etc/shadow' }, { qmpSocket: 's' });
    expect(c.args).toContain('loader,file=/p/build/x,,file=/etc/shadow,addr=0x70000000,cpu-num=0');
    // A `$` in the name is taken as it is (no replacement patterns).
    expect(qemuCommand(virt, { image: "/p/$&$'" }, { qmpSocket: 's' }).args).toContain("loader,file=/p/$&$',addr=0x70000000,cpu-num=0");
  });
});
