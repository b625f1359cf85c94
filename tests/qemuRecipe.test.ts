import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { qemuCommand, qemuRecipeProblem } from '../shared/qemu/command';

describe('a board pack QEMU recipe (a user pack may come from the page through boards.save)', () => {
  it('holds every shipped recipe and refuses another program, file-writing or command-running options and paths', () => {
    const dir = new URL('../boards/', import.meta.url);
    const recipes = readdirSync(dir)
      .map((b) => new URL(`${b}/board.json`, dir))
      .filter((f) => existsSync(f))
      .map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { qemu?: string[] }).qemu)
      .filter((r): r is string[] => Array.isArray(r));
    expect(recipes.length).toBeGreaterThanOrEqual(5);
    for (const r of recipes) expect(qemuRecipeProblem(r), r.join(' ')).toBeUndefined();
    const virt = recipes[0]!;
    for (const bad of [
      ['/bin/sh', '-c', 'id'],
      [virt[0]!, '-incoming', 'exec:touch /tmp/x'],
      [virt[0]!, '-chardev', 'file,id=f,path=/tmp/x'],
      [virt[0]!, '-D', '/tmp/x'],
      [virt[0]!, '-device', 'loader,file=/etc/passwd,addr=0x70000000,cpu-num=0'],
      [virt[0]!, '-kernel', '../outside.elf'],
      [virt[0]!, '-machine', 'virt,dumpdtb=/tmp/x'],
      [virt[0]!, '-m'],
    ])
      expect(qemuRecipeProblem(bad), bad.join(' ')).toMatch(/is not/);
    expect(() => qemuCommand({ name: 'mine', qemu: [virt[0]!, '-incoming', 'exec:id'] } as never, { image: 'build/loader.img' }, { qmpSocket: '/tmp/q' })).toThrow(/board mine: the QEMU option "-incoming"/);
  });
});
