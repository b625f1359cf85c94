import { makefileLines } from '../build/makefile';
import { cppSettingsFromArgs, type CppSettings } from './template';

/**
 * The `-D`/`-I` a project's Makefiles pass to cpp for a `.system` template, read from the Makefile text (make is
 * not run). Patterns this understands, as LionsOS VMM examples write them:
 *
 *     vmm.system: ${SYSTEM} vmm_ram.h ${MAKEFILE}
 *     	cpp -I. -P ${EXAMPLE_DIR}/vmm.system -o $@
 *
 * and the same through variables (`cpp $(CPPFLAGS) $< -o $@`, `$(CC) -E -P -DBOARD_$(MICROKIT_BOARD) …`). LionsOS
 * sets `SYSTEM` in the example's Makefile and runs cpp in a per-variant `.mk` copied into the build directory, so
 * every Makefile of the folder is read together; a variable assigned in two branches of a conditional is tried with
 * each value. Variables none of them sets (passed on the make command line or from the environment) are left as
 * written, and the words that need them are listed as unresolved for the user to fill in.
 */
export interface MakefileCpp {
  settings: CppSettings;
  /** `-D`/`-I` words that need a variable no Makefile here sets, as written (`-I$(BOARD_DIR)/include`). */
  unresolved: string[];
  /** The Makefile and the 1-based line of the recipe that runs cpp on the template. */
  makefile: string;
  line: number;
  command: string;
}

export interface MakefileText {
  path: string;
  text: string;
}

const ASSIGN = /^\s*(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(:::=|::=|:=|\?=|\+=|!=|=)\s*(.*?)\s*$/;
const RULE = /^([^\s:=#][^:=]*?)\s*::?(?!=)\s*(.*)$/;
const DIRECTIVE = /^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|define|endef|unexport|vpath)\b/;
/** Marks an unresolved reference during expansion, so it is not expanded again. */
const OPEN = '\u0001';
const CLOSE = '\u0002';

type Vars = Map<string, string[]>;

/** Expand make references, taking each variable's `pick`-th value (its last when it has fewer). */
function expand(s: string, vars: Vars, auto: Record<string, string>, pick: number): string {
  let text = s.split('$$').join('\u0003');
  for (let guard = 0; guard < 50; guard++) {
    const next = text.replace(/\$(?:[({]([^$(){}]*)[)}]|([@<^*?]))/g, (_m, ref: string | undefined, single: string | undefined) => {
      if (single !== undefined) return auto[single] ?? `${OPEN}${single}${CLOSE}`;
      const [fn, ...rest] = ref!.split(/\s+/);
      const arg = ref!.slice(fn!.length).trim();
      if (rest.length && fn === 'strip') return arg.replace(/\s+/g, ' ');
      if (rest.length && fn === 'firstword') return arg.split(/\s+/)[0] ?? '';
      if (rest.length && fn === 'notdir') return arg.split(/\s+/).map((w) => w.slice(w.lastIndexOf('/') + 1)).join(' ');
      if (rest.length && fn === 'dir') return arg.split(/\s+/).map((w) => (w.includes('/') ? w.slice(0, w.lastIndexOf('/') + 1) : './')).join(' ');
      const values = rest.length ? undefined : vars.get(ref!);
      if (!values?.length) return `${OPEN}${ref}${CLOSE}`;
      return values[Math.min(pick, values.length - 1)]!;
    });
    if (next === text) break;
    text = next;
  }
  return text.replace(new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, 'g'), (_m, r: string) => (r.length === 1 ? `$${r}` : `$(${r})`)).split('\u0003').join('$');
}

/** Shell words of a simple command: quotes and backslashes removed as the shell removes them. */
function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      cur = (cur ?? '') + s.slice(i + 1, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      for (; j < s.length && s[j] !== '"'; j++) v += s[j] === '\\' && /["\\$`]/.test(s[j + 1] ?? '') ? s[++j] : s[j];
      cur = (cur ?? '') + v;
      i = j;
    } else if (c === '\\' && i + 1 < s.length) cur = (cur ?? '') + s[++i];
    else if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** The simple commands of a recipe line (split at `;`, `&&`, `||`, `|` outside quotes). */
function simpleCommands(s: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ';' || c === '|' || (c === '&' && s[i + 1] === '&')) {
      out.push(s.slice(start, i));
      if (s[i + 1] === c) i++;
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((c) => c.trim().replace(/^[@+-]+/, '')).filter(Boolean);
}

const isPreprocessor = (words: string[]) => {
  const tool = (words[0] ?? '').slice((words[0] ?? '').lastIndexOf('/') + 1);
  if (/^(?:[\w.-]+-)?cpp(?:-\d+)?$/.test(tool) || tool === '$(CPP)') return true;
  return /^(?:[\w.-]+-)?(?:gcc|clang|cc)(?:-\d+)?$|^\$\(CC\)$/.test(tool) && words.includes('-E');
};

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export function cppOfMakefiles(makefiles: readonly MakefileText[], template: string): MakefileCpp | undefined {
  const vars: Vars = new Map();
  const parsed = makefiles.map((m) => ({ path: m.path, lines: makefileLines(m.text) }));
  for (const { lines } of parsed) {
    for (const l of lines) {
      if (l.recipe || DIRECTIVE.test(l.text)) continue;
      const a = ASSIGN.exec(l.text);
      if (!a) continue;
      const [, name, op, value] = a as unknown as [string, string, string, string];
      const have = vars.get(name) ?? [];
      if (op === '+=') vars.set(name, have.length ? have.map((v) => `${v} ${value}`) : [value]);
      else if (op !== '!=' && !(op === '?=' && have.length)) vars.set(name, [...have, value]);
    }
  }
  const wanted = baseName(template);
  const variants = Math.max(1, ...[...vars.values()].map((v) => v.length));
  const found: (MakefileCpp & { literal: boolean })[] = [];
  for (const { path, lines } of parsed) {
    let rule: { targets: string; prereqs: string } | undefined;
    for (const l of lines) {
      if (!l.recipe) {
        const r = !ASSIGN.test(l.text) && !DIRECTIVE.test(l.text) ? RULE.exec(l.text) : null;
        if (r) rule = { targets: r[1]!, prereqs: r[2]!.split(';')[0]! };
        continue;
      }
      for (const cmd of simpleCommands(l.text)) {
        if (!isPreprocessor(shellWords(cmd))) continue;
        for (let pick = 0; pick < variants; pick++) {
          const prereqs = rule ? expand(rule.prereqs, vars, {}, pick).split(/\s+/).filter(Boolean) : [];
          const auto = { '@': rule ? expand(rule.targets, vars, {}, pick).split(/\s+/)[0]! : '', '<': prereqs[0] ?? '', '^': prereqs.join(' ') };
          const words = shellWords(expand(cmd, vars, auto, pick));
          if (!words.slice(1).some((w) => baseName(w) === wanted)) continue;
          const unresolved: string[] = [];
          const usable: string[] = [];
          for (let k = 1; k < words.length; k++) {
            const w = words[k]!;
            const flag = /^-[DIU]$|^-iquote$|^-isystem$/.test(w) ? w : undefined;
            const whole = flag ? `${w} ${words[k + 1] ?? ''}` : w;
            if (flag) k++;
            if (/^-[DIU]|^-i(?:quote|system)/.test(whole) && whole.includes('$')) unresolved.push(whole);
            else usable.push(...whole.split(' '));
          }
          const { settings } = cppSettingsFromArgs(usable);
          found.push({ settings, unresolved, makefile: path, line: l.line, command: cmd, literal: cmd.includes(wanted) });
          break;
        }
      }
    }
  }
  const best = found.find((f) => f.literal) ?? found[0];
  if (!best) return undefined;
  const { literal: _literal, ...result } = best;
  return result;
}
