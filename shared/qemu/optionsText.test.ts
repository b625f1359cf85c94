import { describe, expect, it } from 'vitest';
import type { BoardPack } from '../model/board';
import { qemuCommand } from './command';
import { parseQemuOptionText, splitWords } from './optionsText';

const virt = {
  name: 'qemu_virt_aarch64',
  qemu: ['qemu-system-aarch64', '-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-serial', 'mon:stdio', '-device', 'loader,file=loader.img,addr=0x70000000,cpu-num=0', '-m', 'size=2G'],
} as unknown as BoardPack;

describe('machine options typed as QEMU spells them', () => {
  it('a Linux guest: cores, memory, user networking with a forward, virtio devices, initrd and command line', () => {
    const { options, refused } = parseQemuOptionText(`-smp 2 -m 1G -netdev user,id=n0,hostfwd=tcp::5555-:22 -device virtio-net-device,netdev=n0
      -device virtio-rng-device -drive file=disk.img,if=none,format=raw,id=hd0 -device virtio-blk-device,drive=hd0
      -device loader,file=blob.bin,addr=0x48000000 -initrd guest/initrd.cpio -append "console=ttyAMA0 earlycon" -s -d guest_errors,unimp`);
    expect(refused).toEqual([]);
    expect(options).toEqual({
      smp: 2,
      memoryMiB: 1024,
      network: { hostfwd: [{ protocol: 'tcp', hostPort: 5555, guestPort: 22 }] },
      rng: true,
      disk: 'disk.img',
      loaders: [{ file: 'blob.bin', addr: 0x48000000 }],
      initrd: 'guest/initrd.cpio',
      append: 'console=ttyAMA0 earlycon',
      gdbPort: 1234,
      trace: ['guest_errors', 'unimp'],
    });
    const c = qemuCommand(virt, { kernel: '/g/Image' }, { qmpSocket: 's', options, traceLog: '/p/build/t.log' });
    expect(c.args.join(' ')).toContain(
      '-kernel /g/Image -m size=1024M -smp 2 -gdb tcp:127.0.0.1:1234 -netdev user,id=net0,hostfwd=tcp:127.0.0.1:5555-:22 -device virtio-net-device,netdev=net0 -device virtio-rng-device -drive if=none,format=raw,id=disk0,file=disk.img -device virtio-blk-device,drive=disk0 -device loader,file=blob.bin,addr=0x48000000,force-raw=on -initrd guest/initrd.cpio',
    );
    // The command line stays one argument, spaces and all.
    expect(c.args[c.args.indexOf('-append') + 1]).toBe('console=ttyAMA0 earlycon');
  });

  it('everything else is refused, each with its reason', () => {
    const { options, refused } = parseQemuOptionText('-smp 4 -serial pty -netdev tap,id=t0,script=/tmp/x -netdev user,hostfwd=tcp:0.0.0.0:80-:80 -device e1000 -object memory-backend-file,id=m,mem-path=/dev/shm -d exec,nochain -drive file=x.qcow2,format=qcow2 -device virtio-blk-device -m lots bare');
    expect(options).toEqual({ smp: 4 });
    expect(refused.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^-serial is set by seL4 Studio/),
      expect.stringMatching(/^-netdev tap: only user-mode networking/),
      expect.stringMatching(/only hostfwd=tcp::HOSTPORT-:GUESTPORT \(listening on 127\.0\.0\.1\)/),
      expect.stringMatching(/^e1000 is not on the device list \(virtio-net-device, virtio-blk-device, virtio-rng-device, loader\)/),
      expect.stringMatching(/^-object is not on the list .* sel4-studio qemu … -- ARGS$/),
      expect.stringMatching(/not nochain/),
      expect.stringMatching(/only a raw image/),
      expect.stringMatching(/^-m lots: give a size/),
      expect.stringMatching(/^bare is not an option/),
      expect.stringMatching(/a virtio disk needs its image/),
    ]);
    expect(refused[0]!.arg).toBe('-serial');
  });

  it('a privileged host port, a control character in the command line or a file name are refused by the schema', () => {
    expect(parseQemuOptionText('-netdev user,hostfwd=tcp::80-:80').refused[0]!.reason).toMatch(/1024–65535/);
    expect(parseQemuOptionText('-append "a\u0007b"').refused[0]!.reason).toMatch(/one line of text/);
    expect(parseQemuOptionText('-initrd "a\nb"').refused[0]!.reason).toMatch(/control characters/);
    expect(parseQemuOptionText('-gdb tcp:0.0.0.0:1234').refused[0]!.reason).toMatch(/127\.0\.0\.1 only/);
  });

  it('-initrd and -append need a kernel booted directly', () => {
    expect(() => qemuCommand(virt, { image: '/p/loader.img' }, { qmpSocket: 's', options: { initrd: 'i' } })).toThrow(/-initrd is for a Linux kernel booted directly/);
  });

  it('words split as a shell splits them', () => {
    expect(splitWords(`-append 'a b' -x "c d"e f\\ g`)).toEqual(['-append', 'a b', '-x', 'c de', 'f g']);
  });
});
