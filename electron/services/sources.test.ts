import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectSources } from './sources';

describe('project sources', () => {
  it('lists programs and build files, not build output, hidden files or what a link points outside', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'src-'));
    for (const f of ['hello.c', 'CMakeLists.txt', 'Makefile', 'include/hello.h', 'dts/board.dts', 'build/hello.c.obj', 'build/gen.c', '.hidden.c', 'studio.json', 'hello.system']) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), '');
    }
    const outside = mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    writeFileSync(path.join(outside, 'secret.c'), '');
    symlinkSync(outside, path.join(root, 'linked'));
    expect(await projectSources(root)).toEqual({ files: ['CMakeLists.txt', 'dts/board.dts', 'hello.c', 'include/hello.h', 'Makefile'], truncated: false });
  });
});
