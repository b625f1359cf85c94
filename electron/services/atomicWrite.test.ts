import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepStaleTemps, writeFileAtomic } from './atomicWrite';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'studio-atomic-'));

describe('writeFileAtomic under concurrent writers', () => {
  it('100 concurrent pairs of different content: the file is always exactly one of the two, no write fails, no temp file is left', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'hello.system');
    const failures: unknown[] = [];
    for (let round = 0; round < 100; round++) {
      // Large enough that two writers sharing a temp file would interleave their bytes.
      const a = `${'A'.repeat(256 * 1024)} round ${round}\n`;
      const b = `${'b'.repeat(192 * 1024)} round ${round}\n`;
      const results = await Promise.allSettled([writeFileAtomic(file, a), writeFileAtomic(file, b)]);
      for (const r of results) if (r.status === 'rejected') failures.push(r.reason);
      const now = readFileSync(file, 'utf8');
      expect(now === a || now === b, `round ${round}: the file is neither writer's content (${now.length} bytes)`).toBe(true);
      expect(readdirSync(dir)).toEqual(['hello.system']);
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('writes to one file take turns: the second check before rename sees the first write done', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'studio.json');
    const seen: string[] = [];
    const check = async () => {
      seen.push(readFileSync(file, 'utf8'));
    };
    await writeFileAtomic(file, 'old');
    await Promise.all([writeFileAtomic(file, 'first', { beforeRename: check }), writeFileAtomic(file, 'second', { beforeRename: check })]);
    expect(seen).toEqual(['old', 'first']);
    expect(readFileSync(file, 'utf8')).toBe('second');
  });

  it('writes to different files in one folder do not wait for or disturb each other', async () => {
    const dir = tempDir();
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(path.join(dir, `f${i}.txt`), `content ${i}`)));
    expect(readdirSync(dir).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}.txt`).sort());
    for (let i = 0; i < 20; i++) expect(readFileSync(path.join(dir, `f${i}.txt`), 'utf8')).toBe(`content ${i}`);
  });

  it('a write that fails removes its temp file, and the next write to the same target still runs', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'taken');
    mkdirSync(path.join(target, 'inside'), { recursive: true });
    // Renaming a file over a non-empty folder fails (EISDIR/ENOTEMPTY): a real failure after the temp file exists.
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    await expect(writeFileAtomic(target, 'x', { beforeRename: async () => Promise.reject(new Error('changed on disk')) })).rejects.toThrow('changed on disk');
    expect(readdirSync(dir)).toEqual(['taken']);
    await writeFileAtomic(path.join(dir, 'other'), 'fine');
    expect(readdirSync(dir).sort()).toEqual(['other', 'taken']);
  });
});

describe('sweepStaleTemps', () => {
  it('removes a dead writer’s temp files, keeps a live writer’s fresh ones and every file it did not make', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sweep-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const names = {
      dead: `.a.system.${dead}.3.0123abcd.tmp`,
      live: `.a.system.${process.ppid}.4.89abcdef.tmp`,
      mine: `.a.system.${process.pid}.5.89abcdef.tmp`,
      user: 'notes.tmp',
      lookalike: `.a.system.${dead}.tmp`,
    };
    for (const n of Object.values(names)) writeFileSync(path.join(dir, n), 'x');
    expect(await sweepStaleTemps(dir)).toEqual([path.join(dir, names.dead)]);
    expect(readdirSync(dir).sort()).toEqual([names.live, names.lookalike, names.mine, names.user].sort());
    // A live writer's file that is too old to be a write in progress is left over all the same.
    const old = new Date(Date.now() - 11 * 60 * 1000);
    utimesSync(path.join(dir, names.live), old, old);
    expect(await sweepStaleTemps(dir)).toEqual([path.join(dir, names.live)]);
  });
});
