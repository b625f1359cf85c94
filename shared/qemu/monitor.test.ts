import { describe, expect, it } from 'vitest';
import { checkMonitorCommand, MONITOR_COMMANDS } from './monitor';

describe('the QEMU monitor allow-list', () => {
  it('lets inspection, run control and keys through as typed', () => {
    for (const line of ['info mtree', 'info registers', 'info mtree -f', 'info', 'x /10i $pc', 'x/10i $pc', 'xp /4xw 0x9000000', 'print $pc', 'p/x $sp', 'stop', 'cont', 'c', 'system_reset', 'sendkey ctrl-alt-delete', 'gva2gpa 0x1000', 'cpu 1', 'help']) {
      expect(checkMonitorCommand(line), line).toEqual({ ok: true, command: /^[a-z_0-9]+/.exec(line)![0] });
    }
  });

  it('refuses what writes files, runs programs or adds backends, with the reason', () => {
    for (const line of [
      'migrate "exec:touch /tmp/x"',
      'migrate exec:sh',
      'dump-guest-memory /tmp/x',
      'pmemsave 0 4096 /tmp/x',
      'memsave 0 4096 /tmp/x',
      'screendump /tmp/x.ppm',
      'logfile /tmp/x',
      'log all',
      'chardev-add file,id=f,path=/tmp/x',
      'drive_add 0 file=/tmp/x,if=none',
      'device_add virtio-net-device',
      'netdev_add user,id=n,guestfwd=tcp:10.0.2.100:1-cmd:sh',
      'object_add memory-backend-file,id=m,mem-path=/tmp/x,size=4096',
      'hostfwd_add tcp::2222-:22',
      'gdbserver tcp::1234',
      'savevm snap',
      'quit',
      'qom-set /machine x y',
    ]) {
      const r = checkMonitorCommand(line);
      expect(r.ok, line).toBe(false);
      expect(r.ok ? '' : r.reason, line).toMatch(/is not one of the monitor commands seL4 Studio sends/);
    }
  });

  it('reads the command word strictly: no leading space, control characters, quoting or glued punctuation', () => {
    for (const line of [' migrate exec:sh', '\tinfo mtree', 'info mtree\nmigrate exec:sh', 'info\x00', '"migrate" exec:sh', "'info' mtree", 'info;migrate exec:sh', 'info/../migrate', 'stop;migrate', 'INFO mtree', 'info  mtree', 'info "mtree"', 'info ', '', 'x'.repeat(1025), 'info mtré']) {
      expect(checkMonitorCommand(line).ok, JSON.stringify(line)).toBe(false);
    }
    expect(Object.keys(MONITOR_COMMANDS)).not.toContain('migrate');
  });
});
