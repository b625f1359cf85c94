import { promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Result } from '../../shared/api/contract';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { StudioError } from '../../shared/api/errors';
import { DtError } from '../../shared/dt/cpp';
import { DtbError, readDtb, writeDtb } from '../../shared/dt/dtb';
import { isOverlayTree } from '../../shared/dt/overlay';
import { guessIncludeDirs } from '../../shared/dt/includes';
import { parseDtsFile } from '../../shared/dt/parse';
import type { DtNode } from '../../shared/dt/tree';
import { matchBuildOutput } from '../../shared/logs/buildProblems';
import { isBindingHeaderPath } from '../../shared/passthrough/bindings';
import { confine, isReallyInside } from './confine';
import { walkTree } from './sources';
import { readText, runCpp } from './systemCpp';

/** A DTS uses the preprocessor when a line starts with one of its directives (`#address-cells` is a property). */
const CPP_DIRECTIVE = /^[ \t]*#[ \t]*(include|define|undef|ifn?def|if|elif|else|endif|error)\b/m;
/** cpp's own names for what is not a file. */
const NOT_A_FILE = /^<[^>]*>$/;
const MARKER = /^# \d+ "((?:[^"\\]|\\.)*)"/gm;
/** Files looked at when include folders are guessed. */
const FILE_LIMIT = 20_000;

export interface LoadOptions {
  includeDirs?: string[];
  cpp?: boolean;
  /** The preprocessor command; `cpp` on PATH by default (tests point it at a missing one for the subset). */
  cppCommand?: string;
  timeoutMs?: number;
}

/**
 * A device tree of the open folder compiled for the passthrough wizard (the contract's `dt.load`): the system cpp (as
 * Linux's kbuild runs it: `-x assembler-with-cpp -nostdinc -undef -D__DTS__`), else the engine's cpp subset, then the
 * engine's compiler with `__symbols__` so the page keeps the labels. Nothing outside the folder is read into the
 * answer or quoted in an error.
 */
export async function loadDeviceTree(root: string, rel: string, opts: LoadOptions & { places?: boolean } = {}): Promise<Result<'dt.load'>> {
  // A choice goes before the prefetch: its next compile waits for this answer.
  const { places: withPlaces, ...rest } = opts;
  const answer = load(root, rel, rest);
  choice = answer.catch(() => undefined);
  const r = await answer;
  if (withPlaces) return r;
  const { places: _places, ...without } = r;
  return without;
}

/** The latest choice (a dt.load not made by the prefetch). */
let choice: Promise<unknown> = Promise.resolve();

async function load(root: string, rel: string, opts: LoadOptions = {}): Promise<Result<'dt.load'>> {
  const started = performance.now();
  const abs = confine(root, rel);
  if (/\.dtbo?$/i.test(rel)) {
    const bytes = await fs.readFile(abs).catch(() => {
      throw new StudioError('not-found', `cannot read ${rel}`);
    });
    let tree;
    try {
      tree = readDtb(new Uint8Array(bytes));
    } catch (e) {
      if (e instanceof DtbError) throw new StudioError('corrupt', `${rel}: ${e.message}`, [{ severity: 'error', rule: 'dtb', file: rel, line: 1, column: 1, message: e.message }]);
      throw e;
    }
    if (isOverlayTree(tree)) throw notABaseTree(rel, 1, 1, 'a compiled overlay (fragments with __overlay__ nodes)');
    return { format: 'dtb', by: 'none', dtb: bytes.toString('base64'), includeDirs: [], headers: [], files: 1, notes: ['a DTB carries numbers only: clock, reset and power-domain names come from the board pack'], ms: performance.now() - started };
  }
  const key = JSON.stringify([root, abs, opts.includeDirs ?? null, opts.cpp ?? null, opts.cppCommand ?? null]);
  // A compile of the same tree under way (a prefetch): its answer, if its files have not changed since.
  const pending = inFlight.get(key);
  if (pending) await pending.catch(() => undefined);
  const cached = compiled.get(key);
  if (cached && (await sameStats(cached.deps))) {
    compiled.delete(key);
    compiled.set(key, cached);
    return { ...cached.result, ms: performance.now() - started };
  }
  const run = compileTree(root, rel, abs, key, opts, started);
  inFlight.set(key, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === run) inFlight.delete(key);
  }
}

async function compileTree(root: string, rel: string, abs: string, key: string, opts: LoadOptions, started: number): Promise<Result<'dt.load'>> {
  const relative = (f: string) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/') || '.';
  const notes: string[] = [];
  const text = readText(abs);
  if (text === undefined) throw new StudioError('not-found', `cannot read ${rel}`);
  const useCpp = opts.cpp ?? CPP_DIRECTIVE.test(text);

  // Reads of the tree's files: only inside the folder; an attempt outside refuses the whole tree.
  const outside = new Set<string>();
  // What the answer depends on: every file read, and the folders they and the include folders are (a file added there
  // may shadow one of them).
  const deps = new Set<string>([abs, path.dirname(abs)]);
  const read = (f: string) => {
    if (isReallyInside(root, f)) {
      deps.add(f);
      deps.add(path.dirname(f));
      return readText(f);
    }
    outside.add(f);
    return undefined;
  };

  let includeDirs: string[];
  if (opts.includeDirs) includeDirs = opts.includeDirs.map((d) => confine(root, d));
  else {
    const walk = await walkTree(root, (n) => /\.(dtsi?|h|dtso)$/.test(n), FILE_LIMIT);
    const guess = guessIncludeDirs(relative(abs), walk.files, (f) => read(path.join(root, f)));
    includeDirs = guess.includeDirs.map((d) => path.join(root, d));
    if (guess.includeDirs.length) notes.push(`include folders found in the folder: ${guess.includeDirs.join(' ')}`);
    if (guess.missing.length) notes.push(`no file of the folder provides ${guess.missing.join(', ')}`);
  }
  const headers = new Set<string>();
  let source = text;
  let by: Result<'dt.load'>['by'] = 'none';
  let files = 1;
  if (useCpp) {
    const argv = ['-x', 'assembler-with-cpp', '-nostdinc', '-undef', '-D__DTS__', ...includeDirs.map((d) => `-I${d}`), abs];
    const r = await runCpp(opts.cppCommand ?? 'cpp', argv, path.dirname(abs), opts.timeoutMs ?? 20_000);
    if (r.stopped) {
      throw new StudioError('corrupt', `${rel}: ${r.stopped}`, [{ severity: 'error', rule: 'cpp', file: rel, line: 1, column: 1, message: r.stopped }]);
    } else if (r.code === 'missing') {
      by = 'subset';
      notes.push('no cpp on PATH: preprocessed with seL4 Studio’s own cpp subset');
    } else if (r.code !== 0) {
      const found = matchBuildOutput(r.stderr).filter((d) => d.severity === 'error');
      const diagnostics: Diagnostic[] = found.map((d) => placed(root, rel, { severity: 'error', rule: 'cpp', message: d.message, file: d.file ? path.resolve(path.dirname(abs), d.file) : abs, line: d.line ?? 1, column: d.column ?? 1 }));
      if (!diagnostics.length) diagnostics.push({ severity: 'error', rule: 'cpp', file: rel, line: 1, column: 1, message: `cpp exited with status ${r.code}` });
      const first = diagnostics[0]!;
      throw new StudioError('corrupt', `${first.file}:${first.line}:${first.column}: ${first.message}`, diagnostics);
    } else {
      by = 'system-cpp';
      const read = new Set<string>();
      for (const m of r.stdout.matchAll(MARKER)) read.add(m[1]!.replace(/\\(.)/g, '$1'));
      for (const f of read) {
        if (NOT_A_FILE.test(f)) continue;
        const full = path.resolve(path.dirname(abs), f);
        if (!isReallyInside(root, full)) outside.add(full);
        else {
          deps.add(full);
          deps.add(path.dirname(full));
          if (isBindingHeaderPath(full)) headers.add(full);
        }
      }
      files = [...read].filter((f) => !NOT_A_FILE.test(f)).length;
      source = r.stdout;
    }
  }
  if (outside.size) throw refusedOutside(rel, outside.size);

  let tree;
  try {
    const readTree = (f: string) => {
      if (f === abs) return source;
      const t = read(f);
      if (t !== undefined && isBindingHeaderPath(f)) headers.add(f);
      return t;
    };
    tree = parseDtsFile(abs, { readFile: readTree, includeDirs, cpp: by === 'subset', symbols: true });
  } catch (e) {
    if (!(e instanceof DtError)) throw e;
    if (outside.size) throw refusedOutside(rel, outside.size);
    const d = placed(root, rel, { severity: 'error', rule: 'dtc', message: e.message.slice(`${e.file}:${e.line}:${e.column}: `.length), file: path.resolve(path.dirname(abs), e.file), line: e.line, column: e.column ?? 1 });
    throw new StudioError('corrupt', `${d.file}:${d.line}:${d.column}: ${d.message}`, [d]);
  }
  if (outside.size) throw refusedOutside(rel, outside.size);
  if (isOverlayTree(tree)) {
    // Where the main file says so (an included /plugin/ is named at the tree's first line).
    const at = /\/plugin\/\s*;/.exec(text);
    const before = at ? text.slice(0, at.index).split('\n') : [''];
    throw notABaseTree(rel, before.length, before[before.length - 1]!.length + 1, at ? '/plugin/;' : 'a /plugin/ tree');
  }
  if (by === 'subset') files = new Set([abs, ...headers]).size;
  const dtb = writeDtb(tree);
  for (const d of includeDirs) deps.add(d);
  // Where each node is written (its first definition), for a tree of the folder's files only.
  const places: Record<string, { file: string; line: number }> = {};
  const walk = (n: DtNode, at: string) => {
    if (n.deleted) return;
    const file = path.resolve(path.dirname(abs), n.place.file);
    if (n.place.line > 0 && isReallyInside(root, file)) places[at] = { file: relative(file), line: n.place.line };
    for (const c of n.children) walk(c, at === '/' ? `/${c.name}` : `${at}/${c.name}`);
  };
  walk(tree.root, '/');
  const result: Result<'dt.load'> = {
    format: 'dts',
    by,
    dtb: Buffer.from(dtb.buffer, dtb.byteOffset, dtb.byteLength).toString('base64'),
    includeDirs: includeDirs.map(relative),
    headers: [...headers].sort().map((h) => ({ path: relative(h), text: readText(h) ?? '' })),
    files,
    notes,
    ms: performance.now() - started,
    places,
  };
  compiled.set(key, { result, deps: await statsOf([...deps]) });
  while (compiled.size > CACHE_ENTRIES) compiled.delete(compiled.keys().next().value!);
  return result;
}

/** Trees compiled lately, with the stats of everything they were made of: choosing one again answers at once. */
const CACHE_ENTRIES = 8;
const compiled = new Map<string, { result: Result<'dt.load'>; deps: [string, string][] }>();
/** Compiles under way, by the cache's key. */
const inFlight = new Map<string, Promise<Result<'dt.load'>>>();

/** How many trees one prefetch compiles at most (the cache keeps them and room for the ones chosen after). */
export const PREFETCH_LIMIT = 6;
let prefetchGeneration = 0;

/**
 * Compile trees of the folder the user is likely to choose next, one after the other in the background, into the
 * cache `loadDeviceTree` answers from (the wizard asks when it opens, and for a tree the pointer is over): a choice
 * then finds its tree compiled or being compiled. DTS files only (a DTB is read at once), the most recently changed
 * first (a tree just copied into the folder or edited is the likeliest), at most PREFETCH_LIMIT, each after the
 * choices made meanwhile were answered (a choice waits for one compile under way at most). A later call
 * replaces what an earlier one had not started; `wanted()` false (another folder opened) stops it. Errors are left
 * for the choice to report. Returns the trees queued, in order.
 */
export async function prefetchDeviceTrees(root: string, rels: string[], wanted: () => boolean = () => true): Promise<string[]> {
  const generation = ++prefetchGeneration;
  const dts = rels.filter((r) => /\.dts$/i.test(r));
  const stamped = await Promise.all(
    dts.map(async (rel) => {
      try {
        const st = await fs.stat(confine(root, rel));
        return st.isFile() ? { rel, mtime: st.mtimeMs } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const queue = stamped
    .filter((x): x is { rel: string; mtime: number } => x !== undefined)
    .sort((a, b) => b.mtime - a.mtime || (a.rel < b.rel ? -1 : 1))
    .slice(0, PREFETCH_LIMIT)
    .map((x) => x.rel);
  void (async () => {
    for (const rel of queue) {
      // Between compiles the host answers what else was asked.
      await new Promise((r) => setImmediate(r));
      // Not while a choice is being answered.
      for (let c = choice; ; c = choice) {
        await c;
        if (c === choice) break;
      }
      if (generation !== prefetchGeneration || !wanted()) return;
      await load(root, rel).catch(() => undefined);
    }
  })();
  return queue;
}

async function statsOf(files: string[]): Promise<[string, string][]> {
  return Promise.all(files.map(async (f): Promise<[string, string]> => [f, await fs.stat(f).then((st) => `${st.ino}:${st.size}:${st.mtimeMs}`, () => 'missing')]));
}

async function sameStats(deps: [string, string][]): Promise<boolean> {
  const now = await statsOf(deps.map(([f]) => f));
  return now.every(([, s], i) => s === deps[i]![1]);
}

/**
 * An overlay chosen as the tree to read devices from: it only changes nodes of a base tree (its fragments target labels
 * and paths the base defines), so alone it has no devices, no interrupt controller, no memory.
 */
function notABaseTree(rel: string, line: number, column: number, what: string): StudioError {
  const message = `${rel} is a device-tree overlay (${what}): it changes nodes of a base tree it is applied to and describes no devices alone. Choose the base tree (the board's .dts or .dtb); the bootloader or fdtoverlay applies overlays to it`;
  return new StudioError('corrupt', message, [{ severity: 'error', rule: 'overlay', file: rel, line, column, message }]);
}

function refusedOutside(rel: string, n: number): StudioError {
  return new StudioError('forbidden', `${rel} includes ${n} file${n === 1 ? '' : 's'} outside the folder: not read (include folders and #include names must stay inside it)`, [{ severity: 'error', rule: 'confined', file: rel, line: 1, column: 1, message: 'includes files outside the folder' }]);
}

/** A problem's place relative to the folder; one in a file outside it is named at the tree, without its words. */
function placed(root: string, rel: string, d: Diagnostic & { file: string }): Diagnostic {
  if (isReallyInside(root, d.file)) return { ...d, file: path.relative(root, d.file).split(path.sep).join('/') };
  return { severity: d.severity, rule: d.rule, file: rel, line: 1, column: 1, message: `${rel} reads a file outside the folder: its problems are not shown` };
}

/** The QEMU machine the shipped qemu_virt_aarch64 recipe runs, as its tree is dumped (dt.qemuVirt). */
export const QEMU_VIRT_DUMP_ARGS = (file: string) => ['-machine', `virt,virtualization=on,dumpdtb=${file}`, '-cpu', 'cortex-a53', '-smp', '4', '-m', '2G', '-nographic'];

/**
 * QEMU's own tree of its AArch64 virt machine: `qemu-system-aarch64 … dumpdtb=FILE` into a private temporary folder,
 * read back and removed. The argv is fixed here (the contract's intent has no arguments).
 */
export async function dumpQemuVirt(command = 'qemu-system-aarch64', timeoutMs = 30_000): Promise<Result<'dt.qemuVirt'>> {
  const started = performance.now();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sel4-studio-virt-'));
  const file = path.join(dir, 'virt.dtb');
  const args = QEMU_VIRT_DUMP_ARGS(file);
  try {
    const r = await new Promise<{ code: number | null; stderr: string; missing?: boolean }>((resolve) => {
      const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ code: null, stderr: err.message, missing: err.code === 'ENOENT' });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    if (r.missing) throw new StudioError('tool-missing', `${command} is not installed (Debian: apt install qemu-system-arm)`);
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (!bytes) throw new StudioError('internal', `${command} wrote no tree (exit status ${r.code ?? 'killed'}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
    return { dtb: bytes.toString('base64'), command: [command, ...QEMU_VIRT_DUMP_ARGS('<file>')], ms: performance.now() - started };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
