import { describe, expect, it } from 'vitest';
import { addChannel, updateProtectionDomain } from '../../../shared/model/edits';
import { settle } from './testing/fakeClient';
import { memoryDisk, openedStore, TWO_PD_SYSTEM } from './testing/fixtures';

/** An opened TWO_PD_SYSTEM project whose folder is `files` (the .system is demo.system). */
async function project(extra: Record<string, string> = {}) {
  const opened = await openedStore();
  const files = memoryDisk(opened.fake, { 'demo.system': TWO_PD_SYSTEM, ...extra });
  opened.fake.answer('project.save', { savedAt: 'now', files: [] });
  opened.fake.answer('workspace.files', { files: [], truncated: false });
  return { ...opened, files };
}

describe('programs slice', () => {
  it('Create program: stubs and headers for every PD, a new CMakeLists.txt; an existing stub is kept', async () => {
    const { store, files } = await project({ 'receiver.c': '/* mine */\n' });
    await store.actions.createPrograms();
    expect(files['sender.c']).toContain('#include "sender_ids.h"');
    expect(files['sender.c']).toContain('case CH_RECEIVER:');
    expect(files['receiver.c']).toBe('/* mine */\n');
    expect(files['receiver_ids.h']).toMatch(/^#define CH_SENDER 0 /m);
    expect(files['CMakeLists.txt']).toMatch(/project\(demo C\)\nadd_executable\(sender\.elf sender\.c\)\nadd_executable\(receiver\.elf receiver\.c\)\n$/);
    expect(store.getState().notice?.message).toMatch(/Created sender\.c, sender_ids\.h, receiver_ids\.h; kept receiver\.c as they are; CMakeLists\.txt created for sender\.elf, receiver\.elf/);
    // Again: nothing new, the build file unchanged.
    const cmake = files['CMakeLists.txt'];
    await store.actions.createPrograms(['sender']);
    expect(files['CMakeLists.txt']).toBe(cmake);
    store.dispose();
  });

  it('a Makefile project gets the files but its Makefile is left alone, with what to add', async () => {
    const { store, files } = await project({ Makefile: 'all:\n' });
    await store.actions.createPrograms(['sender']);
    expect(files.Makefile).toBe('all:\n');
    expect(files['CMakeLists.txt']).toBeUndefined();
    expect(store.getState().notice?.message).toContain('the Makefile is not changed: add sender.elf from sender.c');
    store.dispose();
  });

  it('save regenerates the headers whose text changed, never a stub or a header that is not generated', async () => {
    const { store, files, fake } = await project();
    await store.actions.createPrograms(['sender']);
    const stub = files['sender.c'];
    files['receiver_ids.h'] = '/* my own header */\n';
    store.actions.edit(addChannel('sender', 'receiver'));
    const writes = fake.callsOf('fs.write').length;
    expect(await store.actions.save()).toBe(true);
    expect(files['sender_ids.h']).toMatch(/^#define CH_RECEIVER_1 1 /m);
    expect(files['sender.c']).toBe(stub);
    expect(files['receiver_ids.h']).toBe('/* my own header */\n');
    expect(store.getState().notice?.message).toMatch(/regenerated sender_ids\.h$/);
    // Saved again with nothing changed: the header is not written again.
    const after = fake.callsOf('fs.write').length;
    expect(after).toBeGreaterThan(writes);
    await store.actions.save();
    expect(fake.callsOf('fs.write').filter((c) => c.path === 'sender_ids.h')).toHaveLength(2);
    store.dispose();
  });

  it('save adds no header the folder did not ask for: a stub of its own is not a reason; a stub that includes it is', async () => {
    const { store, files } = await project({ 'sender.c': '/* a checkout of its own */\n', 'receiver.c': '#include "receiver_ids.h"\n' });
    store.actions.edit(addChannel('sender', 'receiver'));
    expect(await store.actions.save()).toBe(true);
    expect(files['sender_ids.h']).toBeUndefined();
    expect(files['receiver_ids.h']).toMatch(/^#define CH_SENDER 0 /m);
    store.dispose();
  });

  it('rename of a default-named PD moves its files, build line and peers’ ids; undo moves them back, redo again', async () => {
    const { store, files } = await project();
    await store.actions.createPrograms();
    await store.actions.renamePd('sender', 'talker');
    const model = store.getState().doc.system;
    expect(model.protectionDomains[0]).toMatchObject({ name: 'talker', programImage: 'talker.elf' });
    expect(store.getState().doc.text).toContain('<program_image path="talker.elf" />');
    expect(files['sender.c']).toBeUndefined();
    expect(files['talker.c']).toContain('#include "talker_ids.h"');
    expect(files['talker_ids.h']).toContain("protection domain 'talker'");
    expect(files['sender_ids.h']).toBeUndefined();
    expect(files['CMakeLists.txt']).toContain('add_executable(talker.elf talker.c)');
    expect(files['receiver.c']).toContain('case CH_TALKER:');
    expect(files['receiver_ids.h']).toMatch(/^#define CH_TALKER 0 /m);
    store.actions.undo();
    await settle();
    await settle();
    expect(store.getState().doc.text).toBe(TWO_PD_SYSTEM);
    expect(files['talker.c']).toBeUndefined();
    expect(files['sender.c']).toContain('#include "sender_ids.h"');
    expect(files['CMakeLists.txt']).toContain('add_executable(sender.elf sender.c)');
    expect(files['receiver.c']).toContain('case CH_SENDER:');
    store.actions.redo();
    await settle();
    await settle();
    expect(files['talker.c']).toBeDefined();
    expect(files['receiver_ids.h']).toMatch(/^#define CH_TALKER 0 /m);
    store.dispose();
  });

  it('a rename whose new file names are taken renames the PD but leaves its program: image name and files kept', async () => {
    const { store, files } = await project({ 'talker.c': 'int x;\n' });
    await store.actions.createPrograms(['sender']);
    const stub = files['sender.c'];
    await store.actions.renamePd('sender', 'talker');
    expect(store.getState().doc.text).toContain('<protection_domain name="talker"');
    expect(store.getState().doc.text).toContain('<program_image path="sender.elf" />');
    expect(files['talker.c']).toBe('int x;\n');
    expect(files['sender.c']).toBe(stub);
    expect(store.getState().notice?.message).toMatch(/keeps sender\.elf and its files: talker\.c already exists/);
    store.dispose();
  });

  it('an edit made while a rename looks at the files lands after the rename, on the new name', async () => {
    const { store } = await project();
    const renaming = store.actions.renamePd('sender', 'talker');
    // At once, as the inspector's next field would: the PD already has its new name.
    store.actions.edit(updateProtectionDomain('talker', { priority: 200 }));
    await renaming;
    expect(store.getState().doc.text).toMatch(/<protection_domain name="talker" priority="200"/);
    store.actions.undo();
    expect(store.getState().doc.text).toMatch(/<protection_domain name="talker" priority="(?!200)/);
    store.dispose();
  });
});
