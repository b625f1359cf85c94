import { describe, expect, it } from 'vitest';
import { createStudioStore } from './studioStore';
import { createFakeClient } from './testing/fakeClient';
import { fakeHash, memoryDisk } from './testing/fixtures';

function withFiles(files: Record<string, string>) {
  const fake = createFakeClient();
  memoryDisk(fake, files);
  fake.answer('fs.sources', { files: Object.keys(files), truncated: false });
  return { fake, store: createStudioStore(fake) };
}

describe('source slice', () => {
  it('open shows the file at a line in the source view; save writes the edited text', async () => {
    const files = { 'src/sender.c': 'int main(void) {}\n' };
    const { store, fake } = withFiles(files);
    await store.actions.openSource('src/sender.c', 1);
    expect(store.getState().source).toEqual({ path: 'src/sender.c', text: 'int main(void) {}\n', saved: 'int main(void) {}\n', hash: fakeHash('int main(void) {}\n'), line: 1, seq: 1 });
    expect(store.getState().centerView).toBe('source');
    store.actions.editSource('int main(void) { return 0; }\n');
    // Opening the same file again (a second problem in it) keeps the unsaved text.
    await store.actions.openSource('src/sender.c', 1);
    expect(store.getState().source?.text).toBe('int main(void) { return 0; }\n');
    expect(store.getState().source?.seq).toBe(2);
    expect(fake.callsOf('fs.read')).toHaveLength(1);
    expect(await store.actions.saveSource()).toBe(true);
    expect(files['src/sender.c']).toBe('int main(void) { return 0; }\n');
    expect(store.getState().source?.saved).toBe('int main(void) { return 0; }\n');
    expect(store.getState().notice?.message).toBe('Saved src/sender.c');
    store.dispose();
  });

  it('a file changed on disk since it was opened is never overwritten: the save is refused until the user chooses', async () => {
    const files = { 'src/sender.c': 'int a;\n' };
    const { store } = withFiles(files);
    await store.actions.openSource('src/sender.c');
    store.actions.editSource('int a = 1;\n');
    files['src/sender.c'] = 'int a = 2; /* fixed in another editor */\n';
    expect(await store.actions.saveSource()).toBe(false);
    expect(files['src/sender.c']).toBe('int a = 2; /* fixed in another editor */\n');
    expect(store.getState().sourceConflict).toBe('src/sender.c');
    expect(store.getState().notice?.message).toMatch(/changed on disk since it was opened: not saved/);
    // Keep mine: now the save may replace what the user has seen on disk.
    await store.actions.keepSource();
    expect(await store.actions.saveSource()).toBe(true);
    expect(files['src/sender.c']).toBe('int a = 1;\n');
    // Reload takes the disk's text.
    files['src/sender.c'] = 'int b;\n';
    await store.actions.reloadSource();
    expect(store.getState().source?.text).toBe('int b;\n');
    store.dispose();
  });

  it('a missing file gives a notice; the picker lists the sources the host finds', async () => {
    const { store } = withFiles({ 'CMakeLists.txt': '', 'src/a.c': '' });
    await store.actions.openSource('src/gone.c');
    expect(store.getState().notice).toEqual({ kind: 'error', message: 'src/gone.c: no such file' });
    expect(store.getState().source).toBeUndefined();
    expect(await store.actions.listSources()).toEqual(['CMakeLists.txt', 'src/a.c']);
    expect(await store.actions.saveSource()).toBe(false);
    store.dispose();
  });

  it('no project: the picker offers nothing', async () => {
    const store = createStudioStore(createFakeClient());
    expect(await store.actions.listSources()).toEqual([]);
    store.dispose();
  });
});
