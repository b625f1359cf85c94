import { StudioError } from '../../../shared/api/errors';
import { cmakeHasProgram, cmakeRenameProgram, cmakeWithProgram, newCmakeLists } from '../../../shared/build/cmakePrograms';
import { cIdent, defaultImage, idsHeader, isGeneratedHeader, PLAIN_IMAGE, programFiles, programStub } from '../../../shared/build/programs';
import { updatePd, updateProtectionDomain, type Edit } from '../../../shared/model/edits';
import { allProtectionDomains, type SystemModel } from '../../../shared/model/system';
import { docFile, onHistoryStep, type StudioDoc } from './documentSlice';
import { failure, type GetState, type SliceFactory, type StudioState } from './slice';
import type { StudioClient } from '../../../shared/api/rpc';

/** Programs for protection domains: their stubs, generated headers and build-file lines (shared/build/programs.ts). */
export type ProgramsState = Record<never, never>;

export interface ProgramsActions {
  /**
   * Give PDs a program (the named ones, or every PD when none is named): a default `<pd>.elf` image where a PD has
   * none (one undo step), the C stub (never over an existing file), the generated header, and the image in the
   * project's CMakeLists.txt (appended; a new one like the templates' when the folder has no build file).
   */
  createPrograms(pdNames?: string[]): Promise<void>;
  /** Rewrite the generated headers of the open system whose text changed (after a save). Never a stub. */
  regenerateHeaders(): Promise<string[]>;
  /**
   * Rename a PD. When its image has the default name (`<old>.elf`), the image follows, and so do its stub, header,
   * CMakeLists.txt line and its peers' `CH_<OLD>` names: one undo step, whose undo (and redo) moves the files back.
   */
  renamePd(from: string, to: string): Promise<void>;
}

const BUILD_FILE = 'CMakeLists.txt';

/** The folder of the open .system (relative to the project; '' at its top): its programs' files live beside it. */
const folderOf = (s: StudioState) => {
  const f = docFile(s);
  const i = f.lastIndexOf('/');
  return i < 0 ? '' : f.slice(0, i + 1);
};

async function readMaybe(client: StudioClient, path: string): Promise<{ text: string; hash: string } | undefined> {
  try {
    return await client.call('fs.read', { path });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'not-found') return undefined;
    throw err;
  }
}

const boardOf = (s: StudioState) => s.boards.find((b) => b.name === s.doc.settings.board);

/** Writes a PD's generated header from `system` when its text differs; a file there that is not ours is left alone. */
async function writeHeader(client: StudioClient, get: GetState, system: SystemModel, pd: string): Promise<'written' | 'same' | 'foreign'> {
  const s = get();
  const path = `${folderOf(s)}${programFiles(pd).header}`;
  const text = idsHeader(system, pd, docFile(s).split('/').pop()!, boardOf(s));
  const now = await readMaybe(client, path);
  if (now && !isGeneratedHeader(now.text)) return 'foreign';
  if (now?.text === text) return 'same';
  await client.call('fs.write', { path, text, ...(now ? { expectHash: now.hash } : {}) });
  return 'written';
}

/** `CH_<FROM>`, `CH_<FROM>_3`, `PPC_<FROM>`, `CHILD_<FROM>` as whole words → the same names for `to`. */
function renameIds(text: string, from: string, to: string): string {
  const re = new RegExp(`\\b(CH|PPC|CHILD)_${cIdent(from)}(_\\d+)?\\b`, 'g');
  return text.replace(re, (_m, kind: string, suffix: string | undefined) => `${kind}_${cIdent(to)}${suffix ?? ''}`);
}

export const createProgramsSlice: SliceFactory<ProgramsState, ProgramsActions> = (client, set, get, actions) => {
  /**
   * Move a default-named PD program from `from` to `to` on disk, for `system` (the model after the move): the stub
   * renamed (and its header include), the old header renamed and regenerated, the CMakeLists.txt line, the peers'
   * stubs' id names. Each file only over the bytes read; what is absent is skipped. Returns what changed.
   */
  const moveProgram = async (from: string, to: string, system: SystemModel): Promise<string[]> => {
    const s = get();
    const dir = folderOf(s);
    const a = programFiles(from);
    const b = programFiles(to);
    const done: string[] = [];
    const stub = await readMaybe(client, `${dir}${a.source}`);
    if (stub) {
      await client.call('fs.rename', { from: `${dir}${a.source}`, to: `${dir}${b.source}`, expectHash: stub.hash });
      const fixed = stub.text.replace(`#include "${a.header}"`, `#include "${b.header}"`);
      if (fixed !== stub.text) await client.call('fs.write', { path: `${dir}${b.source}`, text: fixed, expectHash: stub.hash });
      done.push(`${a.source} → ${b.source}`);
    }
    const header = await readMaybe(client, `${dir}${a.header}`);
    if (header && isGeneratedHeader(header.text)) {
      await client.call('fs.rename', { from: `${dir}${a.header}`, to: `${dir}${b.header}`, expectHash: header.hash });
      done.push(`${a.header} → ${b.header}`);
    }
    if (stub || header) await writeHeader(client, get, system, to);
    const cm = await readMaybe(client, BUILD_FILE);
    const renamed = cm && cmakeRenameProgram(cm.text, { image: defaultImage(from), source: `${dir}${a.source}` }, { image: defaultImage(to), source: `${dir}${b.source}` });
    if (cm && renamed !== undefined && renamed !== cm.text) {
      await client.call('fs.write', { path: BUILD_FILE, text: renamed, expectHash: cm.hash });
      done.push(BUILD_FILE);
    }
    // The peers' programs name this PD in their ids (CH_<PD>): they follow, and their headers are regenerated.
    const peers = new Set(system.channels.flatMap((c) => (c.ends.some((e) => e.pd === to) ? c.ends.map((e) => e.pd) : [])).filter((p) => p !== to));
    for (const p of allProtectionDomains(system)) if (p.children?.some((c) => c.name === to)) peers.add(p.name);
    for (const peer of peers) {
      const path = `${dir}${programFiles(peer).source}`;
      const src = await readMaybe(client, path);
      const next = src && renameIds(src.text, from, to);
      if (src && next !== src.text) {
        await client.call('fs.write', { path, text: next!, expectHash: src.hash });
        done.push(programFiles(peer).source);
      }
      if ((await writeHeader(client, get, system, peer).catch(() => 'foreign')) === 'written') done.push(programFiles(peer).header);
    }
    return done;
  };

  // Undo and redo of a rename that moved files move them back and forth with the document.
  const moved = new WeakMap<StudioDoc, { from: string; to: string }>();
  onHistoryStep(get, (dir, before, after) => {
    const m = dir === 'undo' ? moved.get(before) : moved.get(after);
    if (!m) return;
    const [from, to] = dir === 'undo' ? [m.to, m.from] : [m.from, m.to];
    void moveProgram(from, to, after.system)
      .then(() => actions.refreshFiles())
      .catch((err: unknown) => set({ notice: { kind: 'error', message: `${dir === 'undo' ? 'Undo' : 'Redo'}: the program files of ${from} were not moved back: ${err instanceof Error ? err.message : String(err)}` } }));
  });

  return {
    state: {},
    actions: {
      async createPrograms(pdNames?: string[]) {
        const s0 = get();
        if (!s0.project) return;
        if (s0.doc.composite) return set({ notice: { kind: 'error', message: 'Create program: this system is composed of several files (a cpp template or XIncludes); add the program to the build by hand' } });
        actions.flushXml();
        try {
          const chosen = allProtectionDomains(get().doc.system).filter((p) => !pdNames || pdNames.includes(p.name));
          if (!chosen.length) return set({ notice: { kind: 'error', message: 'Create program: no protection domain to make a program for' } });
          // PDs without an image get the default name: one undo step for all of them.
          const imageless = chosen.filter((p) => p.programImage === '').map((p) => p.name);
          if (imageless.length) {
            const edit: Edit = {
              label: `Give ${imageless.join(', ')} a program image`,
              apply: (doc) => ({ ...doc, system: { ...doc.system, protectionDomains: imageless.reduce((list, name) => updatePd(list, name, (p) => ({ ...p, programImage: defaultImage(name) })), doc.system.protectionDomains) } }),
            };
            actions.edit(edit);
          }
          const s = get();
          const system = s.doc.system;
          const dir = folderOf(s);
          const pds = allProtectionDomains(system).filter((p) => chosen.some((c) => c.name === p.name));
          const odd = pds.filter((p) => !PLAIN_IMAGE.test(p.programImage));
          const ok = pds.filter((p) => PLAIN_IMAGE.test(p.programImage));
          const created: string[] = [];
          const kept: string[] = [];
          for (const pd of ok) {
            const f = programFiles(pd.name);
            try {
              await client.call('fs.write', { path: `${dir}${f.source}`, text: programStub(system, pd.name, boardOf(s)) });
              created.push(f.source);
            } catch (err) {
              if (!(err instanceof StudioError && err.code === 'conflict')) throw err;
              kept.push(f.source);
            }
            const h = await writeHeader(client, get, system, pd.name);
            if (h === 'written') created.push(f.header);
            if (h === 'foreign') kept.push(`${f.header} (not generated by seL4 Studio)`);
          }
          // The build file: CMake gets the programs; a Makefile is the user's (its rules are not a pattern we can add to safely).
          const cm = await readMaybe(client, BUILD_FILE);
          const make = cm ? undefined : await readMaybe(client, 'Makefile');
          let buildNote = '';
          if (make) {
            buildNote = `; the Makefile is not changed: add ${ok.map((p) => `${p.programImage} from ${dir}${programFiles(p.name).source}`).join(', ')} to its rules`;
          } else if (ok.length) {
            const base = cm?.text ?? newCmakeLists(s.project?.studio.name ?? 'system');
            const added = ok.filter((p) => !cmakeHasProgram(base, p.programImage));
            const text = added.reduce((t, p) => cmakeWithProgram(t, p.programImage, `${dir}${programFiles(p.name).source}`), base);
            if (text !== cm?.text) {
              await client.call('fs.write', { path: BUILD_FILE, text, ...(cm ? { expectHash: cm.hash } : {}) });
              buildNote = `; ${BUILD_FILE} ${cm ? 'builds' : 'created for'} ${added.map((p) => p.programImage).join(', ')}`;
            }
          }
          const parts = [created.length ? `Created ${created.join(', ')}` : 'No new files', kept.length ? `kept ${kept.join(', ')} as they are` : '', odd.length ? `skipped ${odd.map((p) => `${p.name} (image "${p.programImage}" is not a plain .elf name)`).join(', ')}` : ''];
          set({ notice: { kind: odd.length ? 'error' : 'info', message: `${parts.filter(Boolean).join('; ')}${buildNote}` } });
          void actions.refreshFiles();
        } catch (err) {
          set(failure(err));
        }
      },
      async regenerateHeaders() {
        const s = get();
        if (!s.project || s.doc.composite) return [];
        const dir = folderOf(s);
        const written: string[] = [];
        for (const pd of allProtectionDomains(s.doc.system)) {
          const f = programFiles(pd.name);
          // Only a header that is there, or that the PD's stub includes, is written: a save never adds a file to the
          // user's folder that nothing asked for (a checkout's own hello.c is not a reason to write hello_ids.h).
          const header = await readMaybe(client, `${dir}${f.header}`);
          if (!header && !(await readMaybe(client, `${dir}${f.source}`))?.text.includes(`#include "${f.header}"`)) continue;
          if ((await writeHeader(client, get, s.doc.system, pd.name)) === 'written') written.push(f.header);
        }
        return written;
      },
      async renamePd(from: string, to: string) {
        const s = get();
        if (!s.project || from === to) return;
        const pd = allProtectionDomains(s.doc.system).find((p) => p.name === from);
        if (!pd) return;
        const follows = pd.programImage === defaultImage(from) && !s.doc.composite;
        // The model edit comes first, at once: an edit the user makes while the files are looked at must land after
        // the rename (and on the new name), never before it.
        actions.edit(updateProtectionDomain(from, { name: to, ...(follows ? { programImage: defaultImage(to) } : {}) }));
        const after = get().doc;
        if (!follows || after === s.doc) return;
        // A file is never renamed over another: when a new name is taken, the program keeps its files and its image
        // name (one more edit), and the user is told which file is in the way.
        const dir = folderOf(s);
        for (const f of [programFiles(from).source, programFiles(from).header]) {
          const target = f === programFiles(from).source ? programFiles(to).source : programFiles(to).header;
          if ((await readMaybe(client, `${dir}${f}`)) && (await readMaybe(client, `${dir}${target}`))) {
            if (allProtectionDomains(get().doc.system).some((p) => p.name === to && p.programImage === defaultImage(to))) actions.edit(updateProtectionDomain(to, { programImage: defaultImage(from) }));
            return set({ notice: { kind: 'error', message: `Renamed ${from} to ${to}, but its program keeps ${defaultImage(from)} and its files: ${dir}${target} already exists, so ${dir}${f} cannot follow (rename or remove it, then rename again)` } });
          }
        }
        try {
          const done = await moveProgram(from, to, after.system);
          if (done.length) {
            moved.set(after, { from, to });
            set({ notice: { kind: 'info', message: `Renamed ${from} to ${to}: ${defaultImage(to)}, ${done.join(', ')} (undo moves them back)` } });
            void actions.refreshFiles();
          }
        } catch (err) {
          set(failure(err));
        }
      },
    },
    dispose() {},
  };
};
