import { StudioError } from '../../../shared/api/errors';
import type { LinkProposal, PortGuide, TreeFacts } from '../../../shared/board';
import type { BoardPack } from '../../../shared/model/board';
import type { SliceFactory } from './slice';

/**
 * The board wizard (issue 17): a device tree (a DTS/DTB of the folder, or QEMU's own virt tree dumped by the host) →
 * the facts found, each with its node (a click opens the tree at its line) → the loader link address with its reason
 * for the payload the user says → a name, and the pack written as the user's own (boards.save), used by the editor at
 * once → the port guide, its ticks kept in the folder settings. The engine is shared/board, loaded on first use.
 */
export const BOARD_WIZARD_STEPS = [
  { id: 'tree', title: 'Device tree' },
  { id: 'facts', title: 'Facts found' },
  { id: 'link', title: 'Loader link address' },
  { id: 'write', title: 'Name and write' },
  { id: 'guide', title: 'Port guide' },
] as const;
export type BoardWizardStep = (typeof BOARD_WIZARD_STEPS)[number]['id'];

export type BoardTreeSource = { kind: 'file'; path: string } | { kind: 'qemu' };

export interface BoardWizardSession {
  step: BoardWizardStep;
  source?: BoardTreeSource;
  loading: boolean;
  error?: string;
  /** What the tree is called in every fact's source: the file, or QEMU's command. */
  label?: string;
  facts?: TreeFacts;
  /** Node path → where it is written (a DTS of the folder). */
  places?: Record<string, { file: string; line: number }>;
  /** Payload the loader image carries, in MiB (the proposal's room). */
  payloadMiB: number;
  /** A link address the user typed ('' = the proposal). */
  linkText: string;
  name: string;
  title: string;
  saving: boolean;
  saved?: { name: string; file: string; replaces?: 'shipped' };
}

export interface BoardWizardState {
  boardWizard: BoardWizardSession | undefined;
  boardWizardOpen: boolean;
}

/** What the wizard shows for the current choices (computed, never stored). */
export interface BoardWizardView {
  link: LinkProposal;
  pack?: BoardPack;
  problems: string[];
  guide?: PortGuide;
  /** The name is a shipped board's (the user's pack would be used instead of it). */
  shadows?: string;
}

export interface BoardWizardActions {
  openBoardWizard(): void;
  closeBoardWizard(): void;
  boardWizardGo(step: BoardWizardStep): void;
  loadBoardTree(source: BoardTreeSource): Promise<void>;
  setBoardWizard(patch: Partial<Pick<BoardWizardSession, 'payloadMiB' | 'linkText' | 'name' | 'title'>>): void;
  boardWizardView(): BoardWizardView | undefined;
  /** Write the pack as the user's own; `overwrite` replaces one of theirs of the same name. */
  saveBoardPack(overwrite?: boolean): Promise<boolean>;
  toggleGuideItem(board: string, id: string): Promise<void>;
}

type Engine = typeof import('./boardWizardEngine');
let enginePromise: Promise<Engine> | undefined;
let engine: Engine | undefined;
const loadEngine = () =>
  (enginePromise ??= import('./boardWizardEngine').then((m) => {
    engine = m;
    return m;
  }));

const fromBase64 = (b64: string) => {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
};

const MIB = 0x10_0000n;
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const createBoardWizardSlice: SliceFactory<BoardWizardState, BoardWizardActions> = (client, set, get, actions) => {
  const patch = (p: Partial<BoardWizardSession>) => set((s) => (s.boardWizard ? { boardWizard: { ...s.boardWizard, ...p } } : {}));
  let seq = 0;

  const view = (): BoardWizardView | undefined => {
    const w = get().boardWizard;
    if (!w?.facts || !engine) return undefined;
    const payloadSize = BigInt(Math.max(1, Math.round(w.payloadMiB))) * MIB;
    let given: bigint | undefined;
    const typed = w.linkText.trim();
    if (typed) {
      if (!/^0x[0-9a-f]+$/i.test(typed)) return { link: { reason: '', problems: [`${typed} is not a hex address (0x…)`] }, problems: [`${typed} is not a hex address (0x…)`] };
      given = BigInt(typed);
    }
    const name = w.name.trim();
    const made = engine.boardPackFromFacts(w.facts, {
      name: /^[a-z0-9_]+$/.test(name) ? name : 'unnamed',
      ...(w.title.trim() ? { title: w.title.trim() } : {}),
      payloadSize,
      ...(given !== undefined ? { loaderLinkAddress: given } : {}),
    });
    const problems = [...made.problems];
    if (!/^[a-z0-9_]{1,64}$/.test(name)) problems.unshift('name: lower-case letters, digits and _ (as Microkit names boards)');
    let pack = made.pack;
    // QEMU's own tree: the pack runs the machine it was dumped from, the loader at its link address.
    if (pack && w.source?.kind === 'qemu' && pack.loaderLinkAddress) {
      pack = {
        ...pack,
        qemu: ['qemu-system-aarch64', '-machine', 'virt,virtualization=on', '-cpu', 'cortex-a53', '-nographic', '-serial', 'mon:stdio', '-device', `loader,file=loader.img,addr=${pack.loaderLinkAddress},cpu-num=0`, '-m', 'size=2G'],
      };
    }
    const shipped = get().boards.find((b) => b.name === name && b.origin?.kind !== 'user');
    return {
      link: made.link,
      ...(pack ? { pack } : {}),
      problems,
      ...(pack ? { guide: engine.portGuide(w.facts, pack, made.link, payloadSize) } : {}),
      ...(shipped ? { shadows: shipped.name } : {}),
    };
  };

  const load = async (source: BoardTreeSource) => {
    const my = ++seq;
    patch({ source, loading: true, error: undefined });
    try {
      const [e, answer] = await Promise.all([
        loadEngine(),
        source.kind === 'file'
          ? client.call('dt.load', { path: source.path, places: true }).then((r) => ({ dtb: r.dtb, places: r.places, label: source.path }))
          : client.call('dt.qemuVirt', {}).then((r) => ({ dtb: r.dtb, places: undefined, label: r.command.join(' ') })),
      ]);
      if (my !== seq || !get().boardWizard) return;
      const idx = e.indexTree(e.readDtb(fromBase64(answer.dtb)));
      const facts = e.treeFacts(idx, source.kind === 'file' ? source.path : 'qemu-system-aarch64 virt (dumpdtb)');
      patch({ loading: false, facts, label: answer.label, places: answer.places, step: 'facts' });
    } catch (err) {
      if (my !== seq) return;
      patch({ loading: false, error: err instanceof StudioError && err.diagnostics?.[0]?.file ? `${err.message}` : messageOf(err) });
    }
  };

  return {
    state: { boardWizard: undefined, boardWizardOpen: false },
    actions: {
      openBoardWizard() {
        const s = get();
        if (!s.project) return set({ notice: { kind: 'error', message: 'Open a folder first: the board wizard reads a device tree of it (or QEMU’s own) and keeps the port guide’s ticks in its settings' } });
        if (!s.boardWizard) set({ boardWizard: { step: 'tree', loading: false, payloadMiB: 32, linkText: '', name: '', title: '', saving: false } });
        set({ boardWizardOpen: true });
        // The trees step 1 lists: the folder as it is now (a tree copied in a moment ago is there).
        void actions.refreshFiles();
        // A port guide of this folder: its tree again, the name it was made for.
        const guides = s.folderSettings?.portGuides ?? {};
        const [board, entry] = Object.entries(guides).find(([, g]) => g.tree) ?? [];
        const w = get().boardWizard!;
        if (!w.facts && !w.loading && board && entry?.tree) {
          patch({ name: board });
          void load({ kind: 'file', path: entry.tree });
        }
      },
      closeBoardWizard() {
        set({ boardWizardOpen: false });
      },
      boardWizardGo(step) {
        patch({ step });
      },
      loadBoardTree: (source) => load(source),
      setBoardWizard(p) {
        patch({ ...p, saved: undefined });
      },
      boardWizardView: view,
      async saveBoardPack(overwrite = false) {
        const w = get().boardWizard;
        const v = view();
        if (!w || !v?.pack || w.saving) return false;
        if (v.problems.some((p) => p.startsWith('name:'))) return set({ notice: { kind: 'error', message: v.problems[0]! } }), false;
        patch({ saving: true });
        try {
          const r = await client.call('boards.save', { pack: v.pack, ...(overwrite ? { overwrite } : {}) });
          const list = await client.call('boards.list', {});
          set({ boards: list.boards });
          patch({ saving: false, saved: { name: v.pack.name, file: r.file, ...(r.replaces ? { replaces: r.replaces } : {}) } });
          // The guide's entry: the tree it came from, so reopening the guide reads it again.
          const fs0 = get().folderSettings;
          if (fs0 && w.source?.kind === 'file') {
            const guides = { ...(fs0.portGuides ?? {}) };
            guides[v.pack.name] = { ticked: guides[v.pack.name]?.ticked ?? [], tree: w.source.path };
            await actions.saveFolderSettings({ ...fs0, portGuides: guides });
          }
          set({ notice: { kind: 'info', message: `Board pack ${v.pack.name} written to ${r.file}${r.replaces ? ' (yours is used instead of the shipped one of the same name)' : ''}: choose it in the board menu` } });
          return true;
        } catch (err) {
          patch({ saving: false });
          set({ notice: { kind: 'error', message: `Board pack not written: ${messageOf(err)}` } });
          return false;
        }
      },
      async toggleGuideItem(board, id) {
        const fs0 = get().folderSettings;
        if (!fs0) return;
        const guides = { ...(fs0.portGuides ?? {}) };
        const cur = guides[board] ?? { ticked: [] };
        const ticked = cur.ticked.includes(id) ? cur.ticked.filter((t) => t !== id) : [...cur.ticked, id];
        guides[board] = { ...cur, ticked };
        const ok = await actions.saveFolderSettings({ ...fs0, portGuides: guides });
        if (!ok) set({ notice: { kind: 'error', message: `The tick was not kept: ${get().workspaceError ?? 'the settings could not be saved'}` } });
      },
    },
    dispose() {
      seq++;
    },
  };
};
