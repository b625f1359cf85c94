import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash, readWithHash, writeChecked } from './fileIo';
import { FileWatcher, type FileChange } from './fileWatch';

let dir: string;
let changes: FileChange[];
let watcher: FileWatcher;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'studio-watch-'));
  changes = [];
  watcher = new FileWatcher((c) => changes.push(c));
});
afterEach(() => watcher.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out; changes: ${JSON.stringify(changes)}`);
    await sleep(20);
  }
}
/** Long enough for an event, its 100 ms debounce and the read behind it. */
const QUIET_MS = 500;

async function watched(name: string, text: string): Promise<string> {
  const abs = path.join(dir, name);
  await fs.writeFile(abs, text);
  await watcher.watch([{ abs, rel: name }]);
  return abs;
}

describe('FileWatcher (real fs.watch)', () => {
  it('reports a write by another program with the new content hash', async () => {
    const f = await watched('a.system', '<system/>');
    await fs.writeFile(f, '<system><!-- edited --></system>');
    await until(() => changes.length > 0);
    await sleep(QUIET_MS);
    expect(changes).toEqual([{ path: 'a.system', hash: contentHash('<system><!-- edited --></system>') }]);
  });

  it('follows an editor that saves by renaming a new file over the old one, save after save', async () => {
    const f = await watched('b.system', 'v1');
    for (const v of ['v2', 'v3']) {
      const tmp = path.join(dir, `.b.system.${v}.swp`);
      await fs.writeFile(tmp, v);
      await fs.rename(tmp, f);
      await until(() => changes.some((c) => c.hash === contentHash(v)));
    }
    expect(changes).toEqual([{ path: 'b.system', hash: contentHash('v2') }, { path: 'b.system', hash: contentHash('v3') }]);
  });

  it('reports a delete, then the file coming back', async () => {
    const f = await watched('c.dts', '/dts-v1/;');
    await fs.rm(f);
    await until(() => changes.length === 1);
    expect(changes[0]).toEqual({ path: 'c.dts', deleted: true });
    await fs.writeFile(f, '/dts-v1/; / {};');
    await until(() => changes.length === 2);
    expect(changes[1]).toEqual({ path: 'c.dts', hash: contentHash('/dts-v1/; / {};') });
  });

  it('stays quiet for our own checked write, and still sees the next external one', async () => {
    const f = await watched('d.system', 'ours?');
    const { hash } = await readWithHash(f, 'd.system');
    let previous: string | undefined;
    await writeChecked(f, 'd.system', 'ours!', hash, {
      writing: (h) => {
        previous = watcher.beginWriting(f, h).previous;
      },
      done: (ok) => watcher.doneWriting(f, ok, previous),
    });
    await sleep(QUIET_MS);
    expect(changes).toEqual([]);
    await fs.writeFile(f, 'theirs');
    await until(() => changes.length === 1);
    expect(changes[0]!.hash).toBe(contentHash('theirs'));
  });

  it('a touch or a rewrite of the same bytes is no change', async () => {
    const f = await watched('e.c', 'int main;');
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(f, later, later);
    await fs.writeFile(f, 'int main;');
    await sleep(QUIET_MS);
    expect(changes).toEqual([]);
  });

  it('watches exactly the latest set: a file dropped from it is not reported', async () => {
    const a = await watched('f1.c', '1');
    const b = path.join(dir, 'f2.c');
    await fs.writeFile(b, '2');
    await watcher.watch([{ abs: b, rel: 'f2.c' }]);
    await fs.writeFile(a, '1!');
    await fs.writeFile(b, '2!');
    await until(() => changes.length > 0);
    await sleep(QUIET_MS);
    expect(changes).toEqual([{ path: 'f2.c', hash: contentHash('2!') }]);
  });

  it('a change between the UI reading a file and the watch starting is reported', async () => {
    const f = path.join(dir, 'g.system');
    await fs.writeFile(f, 'as read');
    watcher.noteContent(f, (await readWithHash(f, 'g.system')).hash);
    await fs.writeFile(f, 'changed before the watch');
    await watcher.watch([{ abs: f, rel: 'g.system' }]);
    await until(() => changes.length === 1);
    expect(changes[0]).toEqual({ path: 'g.system', hash: contentHash('changed before the watch') });
  });
});
