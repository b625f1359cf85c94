import { mkdtempSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { contentHash, MISSING_FILE_HASH, readWithHash, writeChecked } from './fileIo';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'studio-fileio-'));
});

describe('checked writes (real files)', () => {
  it('reads text with the sha256 of its bytes', async () => {
    const f = path.join(dir, 'a.system');
    await fs.writeFile(f, '<system/>\n');
    const r = await readWithHash(f, 'a.system');
    expect(r.text).toBe('<system/>\n');
    // As `sha256sum` prints it.
    expect(r.hash).toBe('0ba5914798390bdfa79813499c24e9d90f48b4ed88ab411b0c51548669da3cb6');
    expect(MISSING_FILE_HASH).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(r.mtimeMs).toBe((await fs.stat(f)).mtimeMs);
  });

  it('writes over the content that was read, and returns the new hash', async () => {
    const f = path.join(dir, 'a.system');
    await fs.writeFile(f, 'one');
    const { hash } = await readWithHash(f, 'a.system');
    const w = await writeChecked(f, 'a.system', 'two', hash);
    expect(await fs.readFile(f, 'utf8')).toBe('two');
    expect(w.hash).toBe((await readWithHash(f, 'a.system')).hash);
    expect(readdirSync(dir)).toEqual(['a.system']);
  });

  it('refuses to write over a file changed on disk since it was read, and leaves it alone', async () => {
    const f = path.join(dir, 'a.system');
    await fs.writeFile(f, 'one');
    const { hash } = await readWithHash(f, 'a.system');
    await fs.writeFile(f, 'someone else');
    await expect(writeChecked(f, 'a.system', 'mine', hash)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/a\.system changed on disk since it was read/) });
    expect(await fs.readFile(f, 'utf8')).toBe('someone else');
    expect(readdirSync(dir)).toEqual(['a.system']);
  });

  it('refuses when the file read was deleted since, unless the caller expected nothing', async () => {
    const f = path.join(dir, 'gone.c');
    await fs.writeFile(f, 'int x;');
    const { hash } = await readWithHash(f, 'gone.c');
    await fs.rm(f);
    await expect(writeChecked(f, 'gone.c', 'int y;', hash)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/was deleted/) });
    await expect(fs.access(f)).rejects.toThrow();
    // A missing file counts as the hash of no bytes.
    await writeChecked(f, 'gone.c', 'int y;', MISSING_FILE_HASH);
    expect(await fs.readFile(f, 'utf8')).toBe('int y;');
  });

  it('without expectHash only creates: an existing file is refused, a new one (and its folders) made', async () => {
    const f = path.join(dir, 'sub/dir/new.system');
    await writeChecked(f, 'sub/dir/new.system', 'first', undefined);
    expect(await fs.readFile(f, 'utf8')).toBe('first');
    await expect(writeChecked(f, 'sub/dir/new.system', 'second', undefined)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already exists/) });
    expect(await fs.readFile(f, 'utf8')).toBe('first');
    expect(readdirSync(path.dirname(f))).toEqual(['new.system']);
  });

  it('tells the watcher before the rename and after it, with the outcome', async () => {
    const f = path.join(dir, 'w.system');
    await fs.writeFile(f, 'old');
    const seen: string[] = [];
    const { hash } = await readWithHash(f, 'w.system');
    await writeChecked(f, 'w.system', 'new', hash, { writing: (h) => seen.push(`writing ${h === contentHash('new')} ${readFileSync(f, 'utf8')}`), done: (ok) => seen.push(`done ${ok}`) });
    expect(seen).toEqual(['writing true old', 'done true']);
    seen.length = 0;
    await expect(writeChecked(f, 'w.system', 'x', hash, { writing: () => seen.push('writing'), done: () => seen.push('done') })).rejects.toMatchObject({ code: 'conflict' });
    expect(seen).toEqual([]);
  });

  it('a missing file reads as not-found, a folder as unsupported', async () => {
    await expect(readWithHash(path.join(dir, 'nope.c'), 'nope.c')).rejects.toMatchObject({ code: 'not-found' });
    await expect(readWithHash(dir, 'x')).rejects.toMatchObject({ code: 'unsupported' });
  });
});
