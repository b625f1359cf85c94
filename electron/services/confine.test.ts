import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confine } from './confine';

describe('confine (real filesystem)', () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'studio-outside-'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'studio-root-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(outside, 'secret'), 'x');
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(root, 'src'), path.join(root, 'inner'));
  // Links to what does not exist yet: opening one for writing creates the file where it points.
  symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'dangling-out'));
  symlinkSync('../../not-yet-dir', path.join(root, 'src', 'dangling-rel'));
  symlinkSync('dangling-out', path.join(root, 'chain'));
  symlinkSync('src/new.c', path.join(root, 'dangling-in'));
  symlinkSync('loop-b', path.join(root, 'loop-a'));
  symlinkSync('loop-a', path.join(root, 'loop-b'));

  it('resolves paths inside the project, existing or not', () => {
    expect(confine(root, 'src/main.c')).toBe(path.join(root, 'src/main.c'));
    expect(confine(root, 'new/dir/file.c')).toBe(path.join(root, 'new/dir/file.c'));
    expect(confine(root, 'inner/x.c')).toBe(path.join(root, 'inner/x.c'));
    expect(confine(root, 'dangling-in')).toBe(path.join(root, 'dangling-in'));
  });

  it.each(['../secret', 'src/../../x', '/etc/passwd', 'escape/secret', 'escape/new-file', 'a\0b', 'C:\\Windows', 'dangling-out', 'src/dangling-rel/x.log', 'chain', 'loop-a'])('refuses %j', (p) => {
    expect(() => confine(root, p)).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});
