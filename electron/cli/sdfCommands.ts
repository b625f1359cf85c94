import { UsageError } from './args';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { boardConfigs, kernelConfigForBoard, type BoardPack } from '../../shared/model/board';
import { checkSystem } from '../../shared/sdf/check';
import { formatSystemText } from '../../shared/sdf/format';
import { importSystem } from '../../shared/sdf/import';
import { migrateToV2 } from '../../shared/sdf/migrate';
import { featuresNewerThan, MICROKIT_TARGETS, type MicrokitTarget } from '../../shared/sdf/versions';
import { parseXml, XmlSyntaxError } from '../../shared/sdf/xml';
import { placeDiagnostic, renameFiles } from '../../shared/sdf/composite';
import { defaultBoardsDir, loadBoards } from '../services/boards';
import { writeFileAtomic } from '../services/atomicWrite';
import { loadSource, takeCppArgs } from './sdfSources';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  here: string;
}

function parseFlags(argv: string[], spec: Record<string, 'value' | 'flag'>) {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('-') && a !== '-') {
      const [name, inline] = a.split('=', 2) as [string, string | undefined];
      const kind = spec[name];
      if (!kind) throw new UsageError(`unknown option ${name}`);
      if (kind === 'flag') flags[name] = true;
      else {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        flags[name] = v;
      }
    } else positional.push(a);
  }
  return { flags, positional };
}

async function board(io: Io, name: string | undefined): Promise<BoardPack> {
  const { boards } = await loadBoards(defaultBoardsDir(io.here));
  const wanted = name ?? 'qemu_virt_aarch64';
  const b = boards.find((x) => x.name === wanted);
  if (!b) throw new UsageError(`unknown board '${wanted}' (boards: ${boards.map((x) => x.name).join(', ')})`);
  return b;
}

function target(v: string | true | undefined): MicrokitTarget {
  const t = (typeof v === 'string' ? v : '2.3').replace(/^(\d+\.\d+)\.\d+$/, '$1');
  if (!(MICROKIT_TARGETS as readonly string[]).includes(t)) throw new UsageError(`--microkit must be one of ${MICROKIT_TARGETS.join(', ')}`);
  return t as MicrokitTarget;
}

/**
 * `sel4-studio validate FILE... [--board B] [--config C] [--microkit V] [--json] [--cpp [-D NAME[=V]]... [-I DIR]...]
 * [--xinclude]`: exit 0 when every file is valid. `--cpp` reads each file as a cpp template (flags from its Makefile
 * unless given), `--xinclude` resolves its XIncludes as `xmllint --xinclude`; problems are placed in the template or
 * in the included file that holds them.
 */
export async function validate(args: string[], io: Io): Promise<number> {
  const { rest: argv, settings } = takeCppArgs(args);
  const { flags, positional } = parseFlags(argv, { '--board': 'value', '--config': 'value', '--microkit': 'value', '--json': 'flag', '--cpp': 'flag', '--xinclude': 'flag' });
  if (positional.length === 0) throw new UsageError('validate needs at least one .system file');
  if (flags['--cpp'] && flags['--xinclude']) throw new UsageError('--cpp and --xinclude cannot be combined');
  if (settings && !flags['--cpp']) throw new UsageError('-D, -U and -I need --cpp');
  const mode = { cpp: Boolean(flags['--cpp']), xinclude: Boolean(flags['--xinclude']), settings };
  const b = await board(io, flags['--board'] as string | undefined);
  const config = (flags['--config'] as string | undefined) ?? 'debug';
  if (!boardConfigs(b).includes(config)) throw new UsageError(`board ${b.name} has no configuration '${config}' (${boardConfigs(b).join(', ')})`);
  const kc = kernelConfigForBoard(b, config);
  const version = target(flags['--microkit']);
  const results: { file: string; ok: boolean; diagnostics: Diagnostic[] }[] = [];
  for (const file of positional) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      results.push({ file, ok: false, diagnostics: [{ severity: 'error', rule: 'read', message: `Error: cannot read '${file}': ${(e as NodeJS.ErrnoException).code}`, file }] });
      continue;
    }
    const source = await loadSource(file, text, mode);
    for (const n of source.notes) io.err(`note: ${n}\n`);
    // Files named as the user named this one (the system cpp was given absolute paths): relative names stay relative.
    const relative = (f: string) => (path.isAbsolute(f) && !path.relative(process.cwd(), f).startsWith('..') ? path.relative(process.cwd(), f) : f);
    const shown = (f: string) => (f === path.resolve(file) ? file : path.isAbsolute(file) ? f : relative(f));
    const diagnostics = source.diagnostics.map((d) => (d.file ? { ...d, file: shown(d.file) } : d));
    if (source.composite) {
      const composite = renameFiles(source.composite, shown);
      const found: Diagnostic[] = [];
      if (version !== '2.3') {
        try {
          found.push(...featuresNewerThan(parseXml(composite.text).root, version, composite.main));
        } catch {
          // not XML: already reported by the checker
        }
      }
      found.push(...checkSystem(composite.text, composite.main, kc).diagnostics);
      diagnostics.push(...found.map((d) => placeDiagnostic(composite, d)));
    }
    results.push({ file, ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics });
  }
  if (flags['--json']) {
    const json = results.map((r) => ({
      file: r.file,
      ok: r.ok,
      diagnostics: r.diagnostics.map((d) => ({ severity: d.severity, rule: d.rule ?? null, message: d.message, file: d.file ?? r.file, line: d.line ?? null, column: d.column ?? null })),
    }));
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) {
        // Errors are printed as the Microkit tool prints them; ours that carry no place get one.
        const where = `${d.file ?? r.file}:${d.line}:${d.column}`;
        if (d.severity === 'error') io.out(`${d.message}${d.line && !d.message.includes(where) ? ` (${where})` : ''}\n`);
        else io.out(`warning: ${d.message} (${where})\n`);
      }
      if (r.ok) io.out(`${r.file}: valid for ${b.name} (${config}, Microkit ${version})\n`);
    }
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

async function writeOut(io: Io, out: string | undefined, text: string) {
  if (out) await writeFileAtomic(path.resolve(out), text);
  else io.out(text);
}

/** `sel4-studio format FILE [-o OUT]`: re-indented, everything written kept (format.ts). A file that does not parse is refused, never rewritten. */
export async function format(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseFlags(argv, { '-o': 'value', '--output': 'value' });
  if (positional.length !== 1) throw new UsageError('format needs exactly one .system file');
  const file = positional[0]!;
  const text = await fs.readFile(file, 'utf8');
  const r = importSystem(text, file);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.model || errors.length) {
    for (const d of errors) io.err(`${d.message} (${file}:${d.line}:${d.column})\n`);
    return 1;
  }
  await writeOut(io, (flags['-o'] ?? flags['--output']) as string | undefined, formatSystemText(text));
  return 0;
}

/** `sel4-studio migrate FILE --to 2.3 [-o OUT]`: Microkit 1.x syntax to 2.x, with a report of every change. */
export async function migrate(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseFlags(argv, { '--to': 'value', '-o': 'value', '--output': 'value' });
  if (positional.length !== 1) throw new UsageError('migrate needs exactly one .system file');
  target(flags['--to'] ?? '2.3');
  const file = positional[0]!;
  let r;
  try {
    r = migrateToV2(await fs.readFile(file, 'utf8'));
  } catch (e) {
    // A file that is not well-formed XML (or nests past the reader's bound) is reported at its place, as validate does.
    if (!(e instanceof XmlSyntaxError)) throw e;
    io.err(`Could not parse '${file}': ${e.message} (${file}:${e.line}:${e.column})\n`);
    return 1;
  }
  for (const c of r.changes) io.err(`${file}:${c.line}:${c.column}: ${c.warning ? 'warning' : 'note'}: ${c.message}\n`);
  if (!r.legacy) io.err(`${file}: already Microkit 2.x syntax; nothing to change\n`);
  await writeOut(io, (flags['-o'] ?? flags['--output']) as string | undefined, r.text);
  return 0;
}

export async function runSdfCommand(cmd: 'validate' | 'format' | 'migrate', argv: string[], io: Io): Promise<number> {
  try {
    return await { validate, format, migrate }[cmd](argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sel4-studio ${cmd}: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code) {
      io.err(`sel4-studio ${cmd}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
