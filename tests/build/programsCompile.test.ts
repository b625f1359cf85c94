// The generated header and stub compile with the real cross compiler against the stand-in SDK's microkit.h (which has
// the real libmicrokit signatures), and the header's numbers are what the .system says (static assertions).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CFLAGS } from '../../shared/build/plan';
import { idsHeader, programFiles, programStub } from '../../shared/build/programs';
import { BoardPackSchema } from '../../shared/model/board';
import { importSystem } from '../../shared/sdf/import';
import qemuBoard from '../../boards/qemu_virt_aarch64/board.json';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = has('aarch64-linux-gnu-gcc');
if (!ok && process.env.CI === 'true') throw new Error('aarch64-linux-gnu-gcc is required in CI');
const SYSTEM = readFileSync(path.join(import.meta.dirname, '../fixtures/programs/demo.system'), 'utf8');
const include = path.join(import.meta.dirname, '../fixtures/standin-sdk');

describe.runIf(ok)('generated programs compile', () => {
  const model = importSystem(SYSTEM).model!;
  const board = BoardPackSchema.parse(qemuBoard);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'programs-'));
  for (const pd of ['client', 'server', 'uart-driver']) {
    const f = programFiles(pd);
    writeFileSync(path.join(dir, f.header), idsHeader(model, pd, 'demo.system', board));
    writeFileSync(path.join(dir, f.source), programStub(model, pd, board));
  }
  const gcc = (file: string) => spawnSync('aarch64-linux-gnu-gcc', ['-c', ...CFLAGS, '-I', include, file, '-o', `${file}.o`], { cwd: dir, encoding: 'utf8' });

  for (const pd of ['client', 'server', 'uart-driver']) {
    it(`the stub of ${pd} compiles with the SDK's flags (-Wall -Werror)`, () => {
      const r = gcc(programFiles(pd).source);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('the numbers are right (static assertions), and a wrong one fails to compile', () => {
    const asserts = (server: number) => [
      '#include <microkit.h>',
      '#include "client_ids.h"',
      `_Static_assert(CH_SERVER == ${server}, "client's end of its channel to server");`,
      '_Static_assert(CH_SERVER_2 == 2, "second channel to server");',
      '_Static_assert(CH_UART_DRIVER == 0, "channel to uart-driver");',
      '_Static_assert(BUFFER_SIZE == 0x2000, "size of shared");',
      '#undef CH_SERVER',
      '#include "server_ids.h"',
      '_Static_assert(CH_CLIENT == 0 && CH_CLIENT_3 == 3 && PPC_CLIENT == 0, "server ends");',
      '#include "uart-driver_ids.h"',
      '_Static_assert(IRQ_UART == 4 && IRQ_77 == 5, "IRQ ids");',
      'uintptr_t *p = &uart_base;',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'check.c'), asserts(1));
    const good = gcc('check.c');
    expect(good.stderr).toBe('');
    writeFileSync(path.join(dir, 'bad.c'), asserts(7));
    const bad = gcc('bad.c');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("client's end of its channel to server");
  });
});
