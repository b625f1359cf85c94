import type { StudioState } from '../stores/slice';
import type { BuildSettingsState } from '../stores/buildSlice';
import { titleOf } from './dispatch';
import { inText, type Command, type CommandChoice, type CommandContext } from './types';

type CommandDef = Omit<Command, 'id'>;

const hasProject = (s: StudioState) => Boolean(s.project);
const hasSelection = (s: StudioState) => Boolean(s.project) && s.selection.length > 0;
/** Restricted mode: a folder the user has not trusted is not built or run. */
const restricted = (s: StudioState) => Boolean(s.project) && s.trusted === false;
const canBuild = (s: StudioState) => Boolean(s.project) && !restricted(s) && !(s.build && !s.build.record);
const RESTRICTED_TITLE = 'Restricted mode: this folder is not trusted, so build and run are off (Trust this folder to turn them on)';
const whyNotBuild = (s: StudioState) => (restricted(s) ? RESTRICTED_TITLE : undefined);
/** Edits of the graph (undo, copy, select all…) leave keys in fields, editors and terminals to the text there. */
const outsideText = (ctx: CommandContext) => !inText(ctx.focus);
const onCanvas = (ctx: CommandContext) => Boolean(ctx.surfaces.canvas);

export const BUILD_CONFIGS: CommandChoice[] = [
  { value: 'debug', label: 'debug' },
  { value: 'release', label: 'release' },
  { value: 'benchmark', label: 'benchmark' },
];
export const TOOLCHAINS: CommandChoice[] = [
  { value: '', label: 'first found' },
  { value: 'aarch64-none-elf', label: 'aarch64-none-elf-gcc' },
  { value: 'aarch64-linux-gnu', label: 'aarch64-linux-gnu-gcc' },
  { value: 'clang', label: 'clang --target=aarch64-none-elf' },
];

/** How Microkit names a board (as board packs do: shared/model/board.ts). */
const BOARD_NAME = /^[a-z0-9_]+$/;

/** The project's board and every board pack, by name. */
function boardChoices(s: StudioState): CommandChoice[] {
  const packs = s.boards.map((b) => ({ value: b.name, label: `${b.title}${b.origin?.kind === 'user' ? (b.origin.replaces ? ' (yours, used instead of the shipped one)' : ' (yours)') : b.origin?.kind === 'sdk' ? ' (from the SDK)' : ''}` }));
  const board = s.project?.studio.board;
  return board && !packs.some((p) => p.value === board) ? [{ value: board, label: board }, ...packs] : packs;
}

/** A value the command does not offer is reported, never applied. */
function chosen(ctx: CommandContext, choices: CommandChoice[], arg: string | undefined, what: string): string | undefined {
  if (arg !== undefined && choices.some((c) => c.value === arg)) return arg;
  ctx.actions.notify({ kind: 'error', message: `${what} must be one of ${choices.map((c) => c.value || '(first found)').join(', ')}; got "${arg ?? ''}"` });
  return undefined;
}


/**
 * Every command of the window, in the order the shortcut list and the palette show them. Key rules are today's:
 * graph edits only outside text, Ctrl+S inside the source editor is the editor's own save, Ctrl+F on the canvas
 * except in an editor or terminal, F to fit only outside text, Escape leaves presentation mode.
 */
const definitions = {
  new: { label: 'New project…', keys: ['Ctrl+N'], run: (c) => c.actions.openDialog('new') },
  open: { label: 'Open folder…', description: 'Open a seL4 Studio project or any folder (a git checkout)', keys: ['Ctrl+O'], run: (c) => c.actions.openDialog('open') },
  save: {
    label: 'Save',
    description: 'Save the project',
    keys: ['Ctrl+S'],
    when: (c) => !c.focus.sourceEditor,
    enabled: hasProject,
    run: (c) => void c.actions.save(),
  },
  saveAs: { label: 'Save as…', description: 'Save the project in another folder', keys: ['Ctrl+Shift+S'], enabled: hasProject, run: (c) => c.actions.openDialog('saveAs') },
  undo: { label: 'Undo', description: 'Undo the last edit', keys: ['Ctrl+Z'], when: outsideText, enabled: (s) => s.history.past.length > 0, run: (c) => c.actions.undo() },
  redo: { label: 'Redo', description: 'Redo the edit undone last', keys: ['Ctrl+Y', 'Ctrl+Shift+Z'], when: outsideText, enabled: (s) => s.history.future.length > 0, run: (c) => c.actions.redo() },
  copy: { label: 'Copy', description: 'Copy the selected PDs (with their maps and children) and regions', keys: ['Ctrl+C'], when: outsideText, enabled: hasSelection, run: (c) => c.actions.copy() },
  paste: { label: 'Paste', description: 'Paste under fresh names', keys: ['Ctrl+V'], when: outsideText, enabled: (s) => hasProject(s) && Boolean(s.clipboard), run: (c) => c.actions.paste() },
  duplicate: { label: 'Duplicate', description: 'Duplicate the selection (copies keep mapping the same regions)', keys: ['Ctrl+D'], when: outsideText, enabled: hasSelection, run: (c) => c.actions.duplicate() },
  delete: { label: 'Delete', description: 'Delete the selection (lists what goes with it first)', keys: ['Delete', 'Backspace'], when: outsideText, enabled: hasSelection, run: (c) => c.actions.requestDelete() },
  selectAll: { label: 'Select all', description: 'Select every node', keys: ['Ctrl+A'], when: outsideText, enabled: hasProject, run: (c) => c.actions.selectAll() },
  find: { label: 'Find node', description: 'Find a node by name', keys: ['Ctrl+F'], when: (c) => onCanvas(c) && !c.focus.codeEditor && !c.focus.terminal, run: (c) => c.surfaces.canvas?.focusFind() },
  fit: { label: 'Zoom to fit', keys: ['F'], when: (c) => onCanvas(c) && outsideText(c), run: (c) => c.surfaces.canvas?.fit() },
  autoLayout: { label: 'Auto layout', description: 'Lay the graph out by data flow (ELK), keeping the nodes you dragged; Shift+click: all of them (one undo step)', when: onCanvas, enabled: hasProject, run: (c) => c.surfaces.canvas?.autoLayout() },
  focusMode: { label: 'Focus on the selection', description: 'Fade everything but the selection and its neighbours (again: show all)', when: onCanvas, enabled: hasProject, run: (c) => c.actions.setGraphView({ focus: !c.state.graphView.focus }) },
  highlightPath: {
    label: 'Highlight path between…',
    description: 'The shortest path over channels and shared regions between the two selected PDs (Ctrl+click the second; in focus mode Shift+click), the rest faded',
    when: onCanvas,
    enabled: (s) => s.selection.filter((k) => k.startsWith('pd:')).length === 2,
    run: (c) => c.actions.highlightPath(),
  },
  autoLayoutAll: { label: 'Auto layout, dragged nodes too', description: 'Lay out every node again, the ones you placed by hand too (one undo step)', when: onCanvas, enabled: hasProject, run: (c) => c.surfaces.canvas?.autoLayout(true) },
  format: {
    label: 'Format the system description',
    description: 'Re-indent the .system, keeping comments, blank-line groups and values as written (one undo step)',
    keys: ['Shift+Alt+F'],
    when: outsideText,
    enabled: hasProject,
    run: (c) => c.actions.formatDocument(),
  },
  build: { label: 'Build', description: 'Compile the PD programs and run microkit on the .system as saved (asks first when it has unsaved changes)', keys: ['Ctrl+Shift+B'], enabled: canBuild, blocked: whyNotBuild, run: (c) => void c.actions.startBuild(false) },
  buildRun: { label: 'Build & Run', description: 'Build, then boot build/loader.img in QEMU', keys: ['F5'], enabled: canBuild, blocked: whyNotBuild, run: (c) => void c.actions.startBuild(true) },
  runOnBoard: {
    label: 'Run on board',
    description: 'Build if stale, deploy to the board target, power-cycle it, open its console and follow the boot on the timeline',
    keys: ['F6'],
    enabled: (s) => canBuild(s) && !(s.boardRun && !s.boardRun.ended),
    blocked: whyNotBuild,
    run: (c) => {
      c.actions.openBoardRun();
      void c.actions.startBoardRun(true);
    },
  },
  boardTargets: { label: 'Board targets…', description: 'Configure how a board is reached: deploy (TFTP folder, medium, command), power (Home Assistant, command, manual), console, firmware; proxy-DHCP', enabled: hasProject, run: (c) => c.actions.openBoardRun() },
  cancelBuild: { label: 'Cancel build', enabled: (s) => Boolean(s.build && !s.build.record), run: (c) => void c.actions.cancelBuild() },
  setBoard: {
    label: 'Set board…',
    description: "The project's board: the checks and the build follow it",
    enabled: hasProject,
    choices: boardChoices,
    current: (s) => s.project?.studio.board,
    // Any board the SDK names may be chosen (the build panel offers the SDK's boards); the packs are suggestions.
    run: (c, arg) => {
      if (arg && BOARD_NAME.test(arg)) c.actions.setBoard(arg);
      else c.actions.notify({ kind: 'error', message: `"${arg ?? ''}" is not a board name (lower-case letters, digits and _)` });
    },
  },
  setBuildConfig: {
    label: 'Build configuration…',
    enabled: hasProject,
    choices: () => BUILD_CONFIGS,
    current: (s) => s.buildSettings.config,
    run: (c, arg) => {
      const config = chosen(c, BUILD_CONFIGS, arg, 'The build configuration');
      if (config !== undefined) c.actions.setBuildSettings({ config: config as BuildSettingsState['config'] });
    },
  },
  setToolchain: {
    label: 'Compiler…',
    enabled: hasProject,
    choices: () => TOOLCHAINS,
    current: (s) => s.buildSettings.toolchain,
    run: (c, arg) => {
      const toolchain = chosen(c, TOOLCHAINS, arg, 'The compiler');
      if (toolchain !== undefined) c.actions.setBuildSettings({ toolchain: toolchain as BuildSettingsState['toolchain'] });
    },
  },
  setSdk: {
    label: 'Microkit SDK folder…',
    description: 'Where the Microkit SDK is (empty: $MICROKIT_SDK or ~/microkit-sdk-*)',
    enabled: hasProject,
    current: (s) => s.buildSettings.sdk,
    takesText: { placeholder: 'SDK folder, empty for $MICROKIT_SDK or ~/microkit-sdk-*' },
    run: (c, arg) => c.actions.setBuildSettings({ sdk: (arg ?? '').trim() }),
  },
  createProgram: {
    label: 'Create program',
    description: 'A C stub (libmicrokit), a generated id header and a CMakeLists.txt line for the selected PDs, or every PD when none is selected (existing files are kept)',
    enabled: hasProject,
    run: (c) => {
      const pds = c.state.selection.filter((k) => k.startsWith('pd:')).map((k) => k.slice(3));
      void c.actions.createPrograms(pds.length ? pds : undefined);
    },
  },
  passthrough: {
    label: 'Pass devices through to a VM…',
    description: 'The passthrough wizard: devices of the board’s device tree into a VM of this system, every risk explained, one undo step (works in restricted mode: it only edits)',
    enabled: hasProject,
    run: (c) => c.actions.openWizard(),
  },
  boardWizard: {
    label: 'New board from a device tree…',
    description: 'The board wizard: a board pack from a device tree of this folder or QEMU’s own (memory, GIC, timer, UARTs, PSCI, CPUs, PA bits, the loader link address), kept as yours, and the port guide with its ticks',
    enabled: hasProject,
    run: (c) => c.actions.openBoardWizard(),
  },
  trustFolder: {
    label: 'Trust this folder',
    description: 'Leave restricted mode: let seL4 Studio build this folder (its Makefile or CMakeLists.txt, the tools its settings name) and run it in QEMU',
    enabled: restricted,
    run: (c) => void c.actions.trustFolder(true),
  },
  untrustFolder: {
    label: 'Stop trusting this folder',
    description: 'Back to restricted mode: view, edit and validate only; no build, no run',
    enabled: (s) => Boolean(s.project) && s.trusted === true,
    run: (c) => void c.actions.trustFolder(false),
  },
  showGraph: { label: 'Show the graph', enabled: hasProject, run: (c) => c.actions.setCenterView('graph') },
  showMemoryMap: { label: 'Show the memory map', enabled: hasProject, run: (c) => c.actions.setCenterView('memory') },
  toggleTheme: { label: 'Toggle light/dark theme', run: (c) => c.actions.setTheme(c.state.theme === 'dark' ? 'light' : 'dark') },
  presentation: { label: 'Presentation mode', description: 'The graph with the live view, the console and the timeline on one screen, large, for demos (Esc leaves)', run: (c) => c.actions.setPresentation(!c.state.presentation) },
  leavePresentation: { label: 'Leave presentation mode', keys: ['Escape'], when: (c) => c.state.presentation, run: (c) => c.actions.setPresentation(false) },
  shortcuts: { label: 'Keyboard shortcuts', description: 'Show the keyboard shortcuts', keys: ['?'], when: (c) => onCanvas(c) && outsideText(c), run: (c) => c.surfaces.canvas?.toggleShortcuts() },
  // Not in a terminal: Ctrl+Shift+P there is the board's.
  palette: { label: 'Command palette', description: 'Run any command by name', keys: ['Ctrl+Shift+P'], when: (c) => Boolean(c.surfaces.palette) && !c.focus.terminal, run: (c) => c.surfaces.palette?.open() },
} satisfies Record<string, CommandDef>;

export type CommandId = keyof typeof definitions;

/** Every command, in registry order. */
export const COMMANDS: readonly Command[] = Object.entries(definitions).map(([id, d]) => ({ id, ...(d as CommandDef) }));

const byId = new Map(COMMANDS.map((c) => [c.id, c]));

export function commandById(id: CommandId): Command {
  return byId.get(id)!;
}

/** A button's tooltip for a command: what it does and its key (`title={commandTitle('build')}`). */
export function commandTitle(id: CommandId): string {
  return titleOf(commandById(id));
}

/** The tooltip for a command's button now: why it cannot run when its command says, else {@link commandTitle}. */
export function commandTitleNow(id: CommandId, state: StudioState): string {
  return commandById(id).blocked?.(state) ?? commandTitle(id);
}
