import type { Diagnostic } from '../api/diagnostics';

/**
 * What a repository's own Makefile takes from whoever runs `make` (sDDF, libvmm and LionsOS examples): the variables
 * it lets the caller set (`NAME ?= value`, and the ones it requires: `ifndef NAME … endif` or
 * `ifeq ($(strip $(NAME)),)` + `$(error …)`), its rule names (so a `qemu`/`run` target can be offered), and whether it
 * builds the Microkit image itself. Pure: the host reads the Makefile and the `.mk` files it includes from the folder
 * (`includedMakefiles` names them) and hands the texts here; make itself is never run to find this out.
 *
 * Read as GNU make reads it, as far as these need: `\` continuations, `#` comments outside recipes, `define … endef`
 * blocks skipped, conditionals tracked (an assignment inside one is marked `conditional`), a tab-led line is a recipe
 * only after a rule (libvmm indents assignments inside `ifeq` with tabs). A line make would stop at ("missing
 * separator"), a conditional never closed and an included `.mk` that is not there are problems with their places.
 */

export type MakeVarKind = 'sdk' | 'board' | 'config' | 'path' | 'tool' | 'other';

export interface MakeVariable {
  name: string;
  /** The default as written (`build`, `$(MICROKIT_SDK)/bin/microkit`); absent for a variable the Makefile requires. */
  default?: string;
  /** The Makefile stops without it (`$(error …)` when it is empty, or `ifndef`). */
  required: boolean;
  /** What it holds, guessed from its name, default and use: the UI offers a path field, a menu or plain text. */
  kind: MakeVarKind;
  /** Set only in a branch of a conditional (`ifeq ($(ARCH),aarch64)` … `LINUX ?= …`). */
  conditional: boolean;
  /** The `$(error …)` text for a required variable. */
  message?: string;
  file: string;
  line: number;
  column: number;
}

export interface MakeTarget {
  name: string;
  file: string;
  line: number;
  column: number;
}

export interface MakefileInfo {
  /** The Makefile read first (relative to the folder), then the `.mk` files it includes that were found. */
  files: string[];
  variables: MakeVariable[];
  targets: MakeTarget[];
  /** A target that boots the image (`qemu`, `run`, `simulate`), to offer as the Run step. */
  runTarget?: string;
  /** The Makefile makes the image itself: it runs the Microkit tool or has a `.img` target. */
  buildsImage: boolean;
  /** Where the Makefile puts its output when the caller sets no BUILD_DIR (its `BUILD_DIR ?=` default, plain text). */
  defaultBuildDir?: string;
  problems: Diagnostic[];
}

export interface MakefileText {
  path: string;
  text: string;
}

/** A logical line: continuations joined; its place is where it starts. */
export interface Line {
  text: string;
  line: number;
  /** 1-based column of `text`'s first character in the file's line. */
  column: number;
  recipe: boolean;
}

/** Variables the seL4 Studio settings set themselves: the chosen SDK and the board and configuration menus. */
export const HOST_VARIABLES: Record<string, MakeVarKind> = { MICROKIT_SDK: 'sdk', MICROKIT_BOARD: 'board', MICROKIT_CONFIG: 'config' };

/** Names that change how make itself runs, never passed from the settings. */
const MAKE_OWN = new Set(['MAKEFLAGS', 'MFLAGS', 'GNUMAKEFLAGS', 'MAKEFILES', 'MAKEFILE_LIST', 'MAKECMDGOALS', 'MAKELEVEL', 'MAKE', 'SHELL', 'VPATH', 'MAKEOVERRIDES', 'SUFFIXES', 'CURDIR']);

const ASSIGN = /^((?:(?:export|override|private)\s+)*)([A-Za-z_][A-Za-z0-9_.-]*)\s*(:::=|::=|:=|\?=|\+=|!=|=)\s*(.*?)\s*$/;
const CONDITIONAL = /^(ifeq|ifneq|ifdef|ifndef)\b\s*(.*)$/;
const DIRECTIVE = /^(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|define|endef|undefine|export|unexport|override|vpath|private)\b/;
const RUN_TARGETS = ['qemu', 'run', 'simulate'];

/**
 * A Makefile's logical lines: continuations joined, comments removed outside recipes, a tab-led line a recipe only
 * after a rule (shared with the cpp-flags reader, shared/sdf/makefileCpp.ts).
 */
export function makefileLines(text: string): Line[] {
  const raw = text.split('\n');
  const out: Line[] = [];
  let inRule = false;
  for (let k = 0; k < raw.length; k++) {
    const first = k;
    let t = raw[k]!.replace(/\r$/, '');
    while (/(^|[^\\])(\\\\)*\\$/.test(t) && k + 1 < raw.length) t = `${t.slice(0, -1)} ${raw[++k]!.replace(/\r$/, '').trimStart()}`;
    if (t.startsWith('\t') && inRule) {
      out.push({ text: t.slice(1), line: first + 1, column: 2, recipe: true });
      continue;
    }
    const body = t.replace(/(^|[^\\])#.*$/, '$1');
    const lead = body.length - body.trimStart().length;
    const trimmed = body.trim();
    if (trimmed) {
      // A variable assignment or an include ends a rule's recipe; conditionals and comments do not.
      if (ASSIGN.test(trimmed) || /^(?:-?include|sinclude|define)\b/.test(trimmed)) inRule = false;
      else if (!DIRECTIVE.test(trimmed) && isRule(trimmed)) inRule = true;
    }
    out.push({ text: trimmed, line: first + 1, column: lead + 1, recipe: false });
  }
  return out;
}

/** A rule line: a `:` outside `$(…)` that is not part of an assignment operator. */
function isRule(s: string): boolean {
  return ruleColon(s) >= 0;
}

function ruleColon(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      depth++;
      i++;
    } else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === ':' && depth === 0) return s[i + 1] === '=' ? -1 : i;
    else if (c === '=' && depth === 0) return -1;
  }
  return -1;
}

/** The variable a required-variable test looks at: `ifeq ($(strip $(X)),)`, `ifeq ($(X),)`, `ifeq (,$(X))`, `ifndef X`. */
function testedEmpty(kind: string, rest: string): string | undefined {
  if (kind === 'ifndef') return /^([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(rest)?.[1];
  if (kind !== 'ifeq') return undefined;
  const v = String.raw`\$[({](?:strip\s+\$[({])?([A-Za-z_][A-Za-z0-9_]*)[)}]\)?`;
  const m = new RegExp(String.raw`^\(\s*${v}\s*,\s*\)$|^\(\s*,\s*${v}\s*\)$|^"${v}"\s*""$|^""\s*"${v}"$`).exec(rest.replace(/\s+\)/g, ')'));
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
}

/** The kind of a variable from its name and default (before its use in recipes is looked at). */
export function guessKind(name: string, value: string | undefined): MakeVarKind {
  if (HOST_VARIABLES[name]) return HOST_VARIABLES[name]!;
  if (/(^|_)(CC|CXX|CPP|LD|AR|AS|OBJCOPY|OBJDUMP|NM|STRIP|RANLIB|TOOL|QEMU|DTC|PYTHON|GDB|CMD|COMMAND)$|FLAGS$|^(MAKE|SHELL)/.test(name)) return 'tool';
  if (/(^|_)(SDK|DIR|PATH|LINUX|KERNEL|INITRD|ROOTFS|IMAGE|DTB|DTS|FILE|LIBVMM|SDDF|LIONSOS)$/.test(name) || /^(LINUX|INITRD|SDDF|LIBVMM|LIONSOS)/.test(name)) return 'path';
  if (value !== undefined && /^(\.{0,2}\/|~\/)|\//.test(value) && !/\s/.test(value.trim())) return 'path';
  if (/(^|_)BOARD$/.test(name)) return 'board';
  if (/(^|_)CONFIG$/.test(name) && value !== undefined && /^(debug|release|benchmark)$/.test(value)) return 'config';
  return 'other';
}

/** Literal `.mk`/Makefile names a Makefile includes that lie in its own folder (no variables, no `..`, no absolute). */
export function includedMakefiles(text: string): { path: string; line: number; column: number; optional: boolean }[] {
  const out: { path: string; line: number; column: number; optional: boolean }[] = [];
  for (const l of makefileLines(text)) {
    if (l.recipe) continue;
    const m = /^(-include|sinclude|include)\s+(.*)$/.exec(l.text);
    if (!m) continue;
    let col = l.column + l.text.length - m[2]!.length;
    for (const word of m[2]!.split(/(\s+)/)) {
      if (/^\s+$/.test(word) || !word) {
        col += word.length;
        continue;
      }
      if (!word.includes('$') && !word.startsWith('/') && !word.split('/').includes('..') && !/[*?[]/.test(word)) out.push({ path: word.replace(/^\.\//, ''), line: l.line, column: col, optional: m[1] !== 'include' });
      col += word.length;
    }
  }
  return out;
}

/**
 * The variables, targets and problems of a Makefile and the in-folder `.mk` files it includes (`files[0]` is the
 * Makefile; the others as `includedMakefiles` named them, missing ones left out).
 */
export function readMakefiles(files: readonly MakefileText[]): MakefileInfo {
  const variables = new Map<string, MakeVariable>();
  const targets: MakeTarget[] = [];
  const problems: Diagnostic[] = [];
  const commandVars = new Set<string>();
  let buildsImage = false;
  const main = files[0];
  if (main) {
    const present = new Set(files.map((f) => f.path));
    for (const inc of includedMakefiles(main.text)) {
      if (!inc.optional && !present.has(inc.path)) problems.push({ severity: 'error', file: main.path, line: inc.line, column: inc.column, message: `${inc.path}: No such file or directory (make stops here: the Makefile includes it)` });
    }
  }
  for (const f of files) {
    const stack: { kind: string; line: number; column: number; required?: string }[] = [];
    let define: { line: number; column: number } | undefined;
    for (const l of makefileLines(f.text)) {
      if (define) {
        if (/^endef\b/.test(l.text)) define = undefined;
        continue;
      }
      if (l.recipe) {
        for (const cmd of l.text.split(/;|&&|\|\|/)) {
          const first = cmd.trim().replace(/^[@+-]+/, '').split(/\s+/)[0] ?? '';
          const ref = /^\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]$/.exec(first);
          if (ref) commandVars.add(ref[1]!);
          if (/(^|\/)microkit$/.test(first) || ref?.[1] === 'MICROKIT_TOOL') buildsImage = true;
        }
        continue;
      }
      if (!l.text) continue;
      const cond = CONDITIONAL.exec(l.text);
      if (cond) {
        stack.push({ kind: cond[1]!, line: l.line, column: l.column, ...(testedEmpty(cond[1]!, cond[2]!.trim()) ? { required: testedEmpty(cond[1]!, cond[2]!.trim())! } : {}) });
        continue;
      }
      if (/^else\b/.test(l.text)) {
        const top = stack[stack.length - 1];
        if (!top) problems.push({ severity: 'error', file: f.path, line: l.line, column: l.column, message: 'extraneous `else` (make stops here: no conditional is open)' });
        else {
          delete top.required;
          const again = CONDITIONAL.exec(l.text.replace(/^else\s+/, ''));
          if (again) Object.assign(top, { kind: again[1]!, ...(testedEmpty(again[1]!, again[2]!.trim()) ? { required: testedEmpty(again[1]!, again[2]!.trim())! } : {}) });
        }
        continue;
      }
      if (/^endif\b/.test(l.text)) {
        if (!stack.pop()) problems.push({ severity: 'error', file: f.path, line: l.line, column: l.column, message: 'extraneous `endif` (make stops here: no conditional is open)' });
        continue;
      }
      if (/^define\b/.test(l.text)) {
        define = { line: l.line, column: l.column };
        continue;
      }
      // `$(error …)` inside a test for an empty variable: that variable is required.
      const error = /^\$[({](error|warning)\s+(.*)[)}]$/.exec(l.text);
      if (error) {
        const req = stack[stack.length - 1]?.required;
        if (req && error[1] === 'error') {
          if (!variables.has(req)) variables.set(req, { name: req, required: true, kind: guessKind(req, undefined), conditional: false, message: error[2]!.trim(), file: f.path, line: l.line, column: l.column });
        }
        continue;
      }
      const a = ASSIGN.exec(l.text);
      if (a) {
        const [, mods, name, op, value] = a as unknown as [string, string, string, string, string];
        if (op === '?=' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !MAKE_OWN.has(name)) {
          const have = variables.get(name);
          // The first `?=` wins in make; a required one gets its default from a later `?=` only in another file.
          if (!have || (have.required && have.default === undefined)) {
            variables.set(name, { name, default: value, required: have?.required ?? false, kind: guessKind(name, value), conditional: stack.length > 0, ...(have?.message ? { message: have.message } : {}), file: f.path, line: l.line, column: l.column + mods.length });
          }
        }
        if (/\.img\b/.test(value) && /IMAGE/.test(name)) buildsImage = true;
        continue;
      }
      if (DIRECTIVE.test(l.text) || /^-?include\b|^sinclude\b/.test(l.text)) continue;
      // A line that is only an expansion (`$(info …)`, `$(eval …)`, `$(call …)`) is valid make.
      if (/^\$[({].*[)}]$/.test(l.text)) continue;
      const colon = ruleColon(l.text);
      if (colon < 0) {
        problems.push({ severity: 'error', file: f.path, line: l.line, column: l.column, message: 'missing separator (make stops here: the line is neither a rule, an assignment nor a directive; a recipe line must start with a tab)' });
        continue;
      }
      const names = l.text.slice(0, colon);
      let col = l.column;
      for (const word of names.split(/(\s+)/)) {
        if (word && !/^\s+$/.test(word) && !word.includes('%') && !word.startsWith('.') && !word.includes('$')) {
          if (!targets.some((t) => t.name === word)) targets.push({ name: word, file: f.path, line: l.line, column: col });
        }
        if (/\.img$/.test(word)) buildsImage = true;
        col += word.length;
      }
    }
    for (const open of stack) problems.push({ severity: 'error', file: f.path, line: open.line, column: open.column, message: `missing \`endif\` (make stops at the end of ${f.path}: this \`${open.kind}\` is never closed)` });
    if (define) problems.push({ severity: 'error', file: f.path, line: define.line, column: define.column, message: `missing \`endef\` (make stops at the end of ${f.path}: this \`define\` is never closed)` });
  }
  for (const v of variables.values()) if (commandVars.has(v.name) && !HOST_VARIABLES[v.name]) v.kind = 'tool';
  const buildDir = variables.get('BUILD_DIR')?.default;
  const runTarget = RUN_TARGETS.find((t) => targets.some((x) => x.name === t));
  return {
    files: files.map((f) => f.path),
    variables: [...variables.values()],
    targets,
    ...(runTarget ? { runTarget } : {}),
    buildsImage,
    ...(buildDir && !buildDir.includes('$') ? { defaultBuildDir: buildDir } : {}),
    problems,
  };
}

/** A make variable name as the settings, the contract and the command line accept it. */
export const MAKE_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What a value may hold to be passed as `NAME=value`: make's recipes hand it to /bin/sh unquoted, so it is letters,
 * digits, space and `_ . / + - @ ~ , : = %` only (no quote, `$`, backtick, `;`, `|`, `&`, redirection, glob or
 * control character), and no word of it starts with `-` (it would reach a tool as an option).
 */
const SAFE_VALUE = /^[\p{L}\p{N} _./+\-@~,:=%]*$/u;

/**
 * Why `NAME=value` cannot go on make's command line, or undefined. With `info`, only a variable the Makefile lets the
 * caller set is accepted, and never one it runs as a program or passes as flags (that would run any program).
 */
export function makeVariableProblem(name: string, value: string, info?: MakefileInfo): string | undefined {
  if (!MAKE_VARIABLE_NAME.test(name) || name.length > 128) return `${JSON.stringify(name).slice(0, 80)} is not a make variable name (letters, digits and _, not starting with a digit)`;
  if (MAKE_OWN.has(name)) return `${name} changes how make itself runs; seL4 Studio does not set it`;
  if (HOST_VARIABLES[name]) return `${name} comes from the ${HOST_VARIABLES[name] === 'sdk' ? 'chosen SDK' : `${HOST_VARIABLES[name]} menu`}, not from a variable`;
  if (value.length > 4096) return `the value of ${name} is longer than 4096 characters`;
  if (/[\n\r\0]/.test(value)) return `the value of ${name} holds a line break or NUL`;
  if (!SAFE_VALUE.test(value)) return `the value of ${name} (${JSON.stringify(value).slice(0, 120)}) cannot be passed to make and the shell its recipes run safely: letters, digits, spaces and _ . / + - @ ~ , : = % only (no $, quotes, backticks, ; | & < > or globs)`;
  if (value.split(/\s+/).some((w) => w.startsWith('-'))) return `the value of ${name} holds a word starting with "-", which would reach a tool as an option`;
  if (info) {
    const v = info.variables.find((x) => x.name === name);
    if (!v) return `the Makefile does not take ${name} (it sets with ?= or requires: ${info.variables.filter((x) => !HOST_VARIABLES[x.name]).map((x) => x.name).join(', ') || 'nothing'})`;
    if (v.kind === 'tool') return `the Makefile runs ${name} as a program or passes it as flags (${v.file}:${v.line}); seL4 Studio does not set it: edit the Makefile instead`;
  }
  return undefined;
}

/** `NAME=value` for make's argv: `$` doubled so make never expands what the value holds. */
export function makeAssignment(name: string, value: string): string {
  return `${name}=${value.replace(/\$/g, '$$$$')}`;
}
