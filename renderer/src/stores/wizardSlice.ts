import type { Diagnostic } from '../../../shared/api/diagnostics';
import { StudioError } from '../../../shared/api/errors';
import type { Index } from '../../../shared/dt/query';
import type { BoardPack } from '../../../shared/model/board';
import type { BindingTable, DeviceEntry, PassthroughPreview, PlanOptions, VmSpec } from '../../../shared/passthrough';
import { docFile } from './documentSlice';
import type { GetState, SliceFactory, StudioState } from './slice';

/**
 * The passthrough wizard (issue 14): choose a device tree, devices, the VM, see the exact change and apply it as one
 * undoable edit, with guest.dts, vmm_irqs.c and the report written into the folder. The session lives while the
 * project is open (closing the wizard keeps it; the IRQ inspector uses its tree). The engine is shared/passthrough,
 * loaded on first use (wizardEngine.ts); the wizard only edits and reads, so it works in restricted mode.
 */
export const WIZARD_STEPS = [
  { id: 'tree', title: 'Device tree' },
  { id: 'devices', title: 'Devices' },
  { id: 'risks', title: 'Dependencies and risks' },
  { id: 'vm', title: 'VM' },
  { id: 'preview', title: 'Preview' },
  { id: 'apply', title: 'Apply' },
] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number]['id'];

/** Where the devices come from: the board pack's list, or a DTS/DTB of the folder (compiled by the host). */
export type TreeSource = { kind: 'board' } | { kind: 'file'; path: string; includeDirs?: string[] };

export interface LoadedTree {
  source: TreeSource;
  /** For the UI: `board pack orin_agx` or the file. */
  label: string;
  /** Which preprocessor read a DTS; `none` for a DTB or a DTS without cpp directives. */
  by?: 'system-cpp' | 'subset' | 'none';
  includeDirs: string[];
  /** The dt-bindings headers names come from (their text is read into tables when names are first needed: {@link tablesOf}). */
  headers: { path: string; text: string }[];
  notes: string[];
  files: number;
  idx?: Index;
  entries: DeviceEntry[];
  /** Who raises which INTID, from this tree (the IRQ inspector's sources). */
  irqSources: { intid: number; name: string; from: 'board pack' | 'device tree' }[];
  /**
   * When the tree was chosen (performance.now()); until the host's answer was in (dt.load, of which `compileMs` the
   * host's own work); until its catalogue was in the store.
   */
  chosenAt: number;
  hostMs: number;
  compileMs: number;
  loadMs: number;
  /** From the choice to the device list painted (the list reports it once). */
  shownMs?: number;
}

export interface WizardSession {
  step: WizardStep;
  /** The board the session plans for (the document's when it opened). */
  board: string;
  source: TreeSource;
  loading: boolean;
  tree?: LoadedTree;
  treeError?: { message: string; diagnostics: Diagnostic[] };
  query: string;
  view: 'groups' | 'tree';
  /** Catalogue ids of the chosen devices, in the order chosen. */
  chosen: string[];
  /** The device whose facts are shown. */
  focus?: string;
  options: Required<PlanOptions>;
  vm: VmSpec;
  kvmExtras: boolean;
  /** Where guest.dts, vmm_irqs.c and report.md go, relative to the folder. */
  outDir: string;
  /** A device region's address the wizard was opened from: its device is chosen once the catalogue is there. */
  preselect?: number;
  /** Files Apply would replace (another content is there): listed until the user says overwrite or cancels. */
  conflicts?: string[];
  applying: boolean;
  applied?: { label: string; written: string[]; unchanged: string[] };
}

export interface WizardState {
  wizard: WizardSession | undefined;
  wizardOpen: boolean;
}

export interface WizardActions {
  /** Open the wizard on the open system (from a device region: `physAddr` chooses its device). */
  openWizard(from?: { physAddr?: number }): void;
  closeWizard(): void;
  wizardGo(step: WizardStep): void;
  /**
   * Load the devices of a source; the chosen devices follow to the new catalogue where they exist. `advance`: show
   * them (step 2) once loaded, when the wizard is still on step 1.
   */
  chooseTree(source: TreeSource, advance?: boolean): Promise<void>;
  setWizardQuery(query: string): void;
  setWizardView(view: WizardSession['view']): void;
  toggleWizardDevice(id: string): void;
  focusWizardDevice(id: string | undefined): void;
  setWizardOptions(patch: Partial<PlanOptions>): void;
  setWizardVm(patch: VmSpec): void;
  setWizardKvmExtras(on: boolean): void;
  setWizardOutDir(dir: string): void;
  /** The device list is on screen: record how long it took from the choice of the tree. */
  wizardListShown(): void;
  /** What Apply does now (undefined while the engine or a tree loads, or without a board pack). */
  wizardPreview(): PassthroughPreview | undefined;
  /**
   * The edit (one undo step) and the files, created only: a file with other content is not replaced unless
   * `overwrite` (asked first, `conflicts`); one with the same content is left alone.
   */
  applyWizard(overwrite?: boolean): Promise<boolean>;
}

type Engine = typeof import('./wizardEngine');
let enginePromise: Promise<Engine> | undefined;
let engine: Engine | undefined;
const loadEngine = () =>
  (enginePromise ??= import('./wizardEngine').then((m) => {
    engine = m;
    return m;
  }));

const DEFAULT_OPTIONS: Required<PlanOptions> = { hypervisorWindows: 'exclude', firmwareResources: 'keep', nicRoute: 'direct' };

export function boardOf(s: Pick<StudioState, 'boards' | 'doc' | 'project'>, name?: string): BoardPack | undefined {
  const n = name ?? (s.doc.settings.board || s.project?.studio.board);
  return s.boards.find((b) => b.name === n);
}

/** The folder `passthrough/` beside the open system (where `sel4-studio passthrough --into` writes too). */
function defaultOutDir(s: Pick<StudioState, 'project' | 'docPath'>): string {
  const file = docFile(s);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  return dir ? `${dir}/passthrough` : 'passthrough';
}

/**
 * The tree the wizard read last for the open system file (folder settings), while the folder still lists it (a
 * listing not in yet does not hide it: the load then says what is wrong).
 */
export function rememberedTree(s: Pick<StudioState, 'folderSettings' | 'workspaceFiles' | 'project' | 'docPath'>): TreeSource | undefined {
  const entry = s.folderSettings?.passthroughTrees?.[docFile(s)];
  if (!entry) return undefined;
  if (s.workspaceFiles.length && !s.workspaceFiles.some((f) => f.path === entry.tree && f.kind === 'devicetree' && !f.overlay)) return undefined;
  return { kind: 'file', path: entry.tree, ...(entry.includeDirs ? { includeDirs: entry.includeDirs } : {}) };
}

const sourceLabel = (source: TreeSource, board: string) => (source.kind === 'board' ? `board pack ${board}` : source.path);

/** Where a chosen device is in another catalogue: the same id, the same board-pack device, or the same first window. */
function follow(ids: string[], from: readonly DeviceEntry[], to: readonly DeviceEntry[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const old = from.find((e) => e.id === id);
    const hit =
      to.find((e) => e.id === id) ??
      (old?.boardDevice ? to.find((e) => e.boardDevice === old.boardDevice) : undefined) ??
      (old?.regs[0] ? to.find((e) => e.regs[0]?.address === old.regs[0]!.address) : undefined);
    if (hit && !out.includes(hit.id)) out.push(hit.id);
  }
  return out;
}

/** The passable device whose registers hold `address` (a board-pack device first). */
function deviceAt(entries: readonly DeviceEntry[], address: number): DeviceEntry | undefined {
  const a = BigInt(address);
  const hits = entries.filter((e) => !e.notPassable && e.regs.some((r) => a >= r.address && a < r.address + r.size));
  return hits.find((e) => e.boardDevice) ?? hits[0];
}

function errorOf(err: unknown): { message: string; diagnostics: Diagnostic[] } {
  if (err instanceof StudioError) return { message: err.message, diagnostics: err.diagnostics ?? [] };
  return { message: err instanceof Error ? err.message : String(err), diagnostics: [] };
}

// By the headers (a tree's copies share them).
const tables = new WeakMap<LoadedTree['headers'], BindingTable[]>();

/**
 * The names of clocks, resets, power domains and stream IDs the tree's dt-bindings headers define: read when first
 * needed (a device's facts, the plan), not before its devices are listed.
 */
export function tablesOf(tree: LoadedTree): BindingTable[] {
  let t = tables.get(tree.headers);
  if (!t) {
    if (!engine) return [];
    t = tree.headers.flatMap((h) => engine!.parseBindingHeader(h.path, h.text));
    tables.set(tree.headers, t);
  }
  return t;
}

function previewOf(get: GetState): PassthroughPreview | undefined {
  const s = get();
  const w = s.wizard;
  const board = w && boardOf(s, w.board);
  if (!w || !board || !engine || !w.tree || w.loading) return undefined;
  return engine.previewPassthrough({
    board,
    ...(w.tree.idx ? { dt: w.tree.idx } : {}),
    tables: tablesOf(w.tree),
    doc: s.doc,
    file: docFile(s),
    config: s.doc.settings.build.config,
    choice: { devices: w.chosen, options: w.options, vm: w.vm, kvmExtras: w.kvmExtras },
  });
}

export const createWizardSlice: SliceFactory<WizardState, WizardActions> = (client, set, get, actions) => {
  const patch = (p: Partial<WizardSession> | ((w: WizardSession) => Partial<WizardSession>)) =>
    set((s) => (s.wizard ? { wizard: { ...s.wizard, ...(typeof p === 'function' ? p(s.wizard) : p) } } : {}));
  // Only the latest choice of tree lands.
  let loadSeq = 0;

  /**
   * Keep the tree read for this system file in the folder settings (`passthroughTrees`), so the wizard opens on it
   * next time, after a reload too; the board pack is the default and needs no entry. Written only when it changes.
   */
  const remember = async (source: TreeSource) => {
    const s = get();
    const fs0 = s.folderSettings;
    const file = docFile(s);
    if (!fs0 || !file) return;
    const was = fs0.passthroughTrees?.[file];
    const entry = source.kind === 'file' ? { tree: source.path, ...(source.includeDirs?.length ? { includeDirs: source.includeDirs } : {}) } : undefined;
    if (JSON.stringify(was) === JSON.stringify(entry)) return;
    const trees = { ...(fs0.passthroughTrees ?? {}) };
    if (entry) trees[file] = entry;
    else delete trees[file];
    const { passthroughTrees: _old, ...rest } = fs0;
    void _old;
    await actions.saveFolderSettings(Object.keys(trees).length ? { ...rest, passthroughTrees: trees } : rest);
  };

  const load = async (source: TreeSource, advance = false): Promise<void> => {
    const w = get().wizard;
    if (!w) return;
    const seq = ++loadSeq;
    const chosenAt = performance.now();
    patch({ source, loading: true, treeError: undefined });
    try {
      const [e, answer] = await Promise.all([loadEngine(), source.kind === 'file' ? client.call('dt.load', { path: source.path, ...(source.includeDirs ? { includeDirs: source.includeDirs } : {}) }) : Promise.resolve(undefined)]);
      const hostMs = performance.now() - chosenAt;
      if (seq !== loadSeq || !get().wizard) return;
      const board = boardOf(get(), w.board);
      let idx: Index | undefined;
      if (answer) {
        const bin = atob(answer.dtb);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        idx = e.indexTree(e.readDtb(bytes));
        // A DTB keeps labels in __symbols__ only: give them back to their nodes (the guest tree names providers by them).
        for (const [label, loc] of idx.byLabel) if (!loc.node.labels.includes(label)) loc.node.labels.push(label);
      }
      const entries = e.catalogue(board, idx);
      const tree: LoadedTree = {
        source,
        label: sourceLabel(source, w.board),
        ...(answer ? { by: answer.by } : {}),
        includeDirs: answer?.includeDirs ?? [],
        headers: answer?.headers ?? [],
        notes: answer?.notes ?? [],
        files: answer?.files ?? 0,
        ...(idx ? { idx } : {}),
        entries,
        irqSources: e.intidSources(entries),
        chosenAt,
        hostMs,
        compileMs: answer?.ms ?? 0,
        loadMs: performance.now() - chosenAt,
      };
      patch((cur) => {
        let chosen = follow(cur.chosen, cur.tree?.entries ?? [], entries);
        let focus = cur.focus && follow([cur.focus], cur.tree?.entries ?? [], entries)[0];
        let preselect = cur.preselect;
        if (preselect !== undefined) {
          const hit = deviceAt(entries, preselect);
          if (hit) {
            if (!chosen.includes(hit.id)) chosen = [...chosen, hit.id];
            focus = hit.id;
            preselect = undefined;
          }
        }
        return { tree, loading: false, chosen, focus, preselect, ...(advance && cur.step === 'tree' ? { step: 'devices' as const } : {}) };
      });
      void remember(source);
    } catch (err) {
      if (seq !== loadSeq) return;
      patch({ loading: false, treeError: errorOf(err) });
    }
  };

  return {
    state: { wizard: undefined, wizardOpen: false },
    actions: {
      openWizard(from) {
        const s = get();
        if (!s.project) return set({ notice: { kind: 'error', message: 'Open a project first: the wizard passes devices through to a VM of its system' } });
        const board = s.doc.settings.board || s.project.studio.board;
        if (!boardOf(s, board)) {
          return set({ notice: { kind: 'error', message: `No board pack for '${board}': the passthrough wizard needs one (its interrupt controller, memory and devices). Set the board first.` } });
        }
        const fresh = !s.wizard || s.wizard.board !== board;
        if (fresh) {
          set({
            wizard: { step: 'tree', board, source: rememberedTree(s) ?? { kind: 'board' }, loading: false, query: '', view: 'groups', chosen: [], options: { ...DEFAULT_OPTIONS }, vm: {}, kvmExtras: false, outDir: defaultOutDir(s), applying: false },
          });
        }
        set({ wizardOpen: true });
        // The trees step 1 lists start compiling in the host now (the likeliest first): the choice finds its tree
        // compiled, or being compiled, instead of starting from nothing. A host without it just compiles on choice.
        const trees = s.workspaceFiles.filter((f) => f.kind === 'devicetree' && !f.overlay && /\.dts$/.test(f.path)).map((f) => f.path);
        if (trees.length) client.call('dt.prefetch', { paths: trees }).catch(() => undefined);
        // After an Apply, the next run starts from the devices of the same tree.
        patch((cur) => ({ conflicts: undefined, ...(cur.applied ? { applied: undefined, chosen: [], focus: undefined, step: cur.tree ? 'devices' : 'tree' } : {}), ...(from?.physAddr !== undefined ? { preselect: from.physAddr } : {}) }));
        const w = get().wizard!;
        if (!w.tree && !w.loading) void load(w.source);
        else if (from?.physAddr !== undefined && w.tree) {
          const hit = deviceAt(w.tree.entries, from.physAddr);
          if (hit) patch((cur) => ({ chosen: cur.chosen.includes(hit.id) ? cur.chosen : [...cur.chosen, hit.id], focus: hit.id, preselect: undefined, step: 'devices' }));
        }
      },
      closeWizard() {
        set({ wizardOpen: false });
      },
      wizardGo(step) {
        patch({ step, conflicts: undefined });
      },
      chooseTree: (source, advance) => load(source, advance),
      setWizardQuery(query) {
        patch({ query });
      },
      setWizardView(view) {
        patch({ view });
      },
      toggleWizardDevice(id) {
        patch((w) => {
          const entry = w.tree?.entries.find((e) => e.id === id);
          if (!entry || entry.notPassable) return {};
          return w.chosen.includes(id) ? { chosen: w.chosen.filter((c) => c !== id) } : { chosen: [...w.chosen, id], focus: id };
        });
      },
      focusWizardDevice(id) {
        patch({ focus: id });
      },
      setWizardOptions(p) {
        patch((w) => ({ options: { ...w.options, ...p } }));
      },
      setWizardVm(p) {
        patch((w) => {
          const vm: VmSpec = { ...w.vm, ...p };
          for (const k of Object.keys(vm) as (keyof VmSpec)[]) if (vm[k] === undefined) delete vm[k];
          return { vm };
        });
      },
      setWizardKvmExtras(on) {
        patch({ kvmExtras: on });
      },
      setWizardOutDir(dir) {
        patch({ outDir: dir.trim().replace(/^\.\/+/, '').replace(/\/+$/, '') });
      },
      wizardListShown() {
        const t = get().wizard?.tree;
        if (t && t.shownMs === undefined) patch({ tree: { ...t, shownMs: performance.now() - t.chosenAt } });
      },
      wizardPreview: () => previewOf(get),
      async applyWizard(overwrite = false) {
        const w = get().wizard;
        if (!w || w.applying) return false;
        await loadEngine();
        const p = previewOf(get);
        if (!p) return false;
        if (p.blockers.length) {
          set({ notice: { kind: 'error', message: `Passthrough not applied: ${p.blockers[0]}` } });
          return false;
        }
        if (w.outDir.split('/').some((part) => part === '..') || w.outDir.startsWith('/')) {
          set({ notice: { kind: 'error', message: `The files go inside the folder: ${w.outDir} is not a folder in it` } });
          return false;
        }
        patch({ applying: true, conflicts: undefined });
        const targets = Object.entries(p.files).map(([name, text]) => ({ path: w.outDir ? `${w.outDir}/${name}` : name, text: text as string }));
        try {
          // What is there already: the same bytes stay, other bytes are replaced only when the user says so.
          const there = await Promise.all(
            targets.map((t) =>
              client.call('fs.read', { path: t.path }).then(
                (r) => r,
                (err: unknown) => {
                  if (err instanceof StudioError && err.code === 'not-found') return undefined;
                  throw err;
                },
              ),
            ),
          );
          const conflicts = targets.filter((t, i) => there[i] && there[i].text !== t.text).map((t) => t.path);
          if (conflicts.length && !overwrite) {
            patch({ applying: false, conflicts });
            return false;
          }
          const before = get().doc;
          actions.edit(p.edit);
          if (get().doc === before) {
            patch({ applying: false });
            return false;
          }
          const written: string[] = [];
          const unchanged: string[] = [];
          for (const [i, t] of targets.entries()) {
            const had = there[i];
            if (had && had.text === t.text) {
              unchanged.push(t.path);
              continue;
            }
            await client.call('fs.write', { path: t.path, text: t.text, ...(had ? { expectHash: had.hash } : {}) });
            written.push(t.path);
          }
          patch({ applying: false, applied: { label: p.edit.label, written, unchanged }, step: 'apply' });
          set({ notice: { kind: 'info', message: `${p.edit.label} (Ctrl+Z undoes the change to ${docFile(get())})${written.length ? `; wrote ${written.join(', ')}` : ''}` } });
          void actions.refreshFiles();
          return true;
        } catch (err) {
          patch({ applying: false });
          set({ notice: { kind: 'error', message: `Passthrough files not written: ${errorOf(err).message}` } });
          return false;
        }
      },
    },
    dispose() {
      loadSeq++;
    },
  };
};
