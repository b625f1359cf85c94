import { describe, expect, it } from 'vitest';
import type { BoardPack } from '../model/board';
import { extraArgsProblem, qemuCommand } from './command';

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
});
