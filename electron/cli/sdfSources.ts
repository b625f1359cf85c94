import type { Diagnostic } from '../../shared/api/diagnostics';
import { plainComposite, type CompositeSource } from '../../shared/sdf/composite';
import { cppSettingsFromArgs, isCppTemplate, type CppSettings } from '../../shared/sdf/template';
import { hasXInclude, resolveXIncludes } from '../../shared/sdf/xinclude';
import { detectTemplateSettings, preprocessTemplate, readText } from '../services/systemCpp';
import { UsageError } from './args';

/** How `validate` reads a file: as it is, as a cpp template (`--cpp`), or with its XIncludes (`--xinclude`). */
export interface SourceMode {
  cpp: boolean;
  xinclude: boolean;
  /** `-D`/`-U`/`-I` given on the command line; undefined when none was (then the Makefile's are used). */
  settings?: CppSettings;
}

/** Takes `-D NAME[=V]`, `-U NAME` and `-I DIR` (joined or separate) out of `argv`. */
export function takeCppArgs(argv: string[]): { rest: string[]; settings?: CppSettings } {
  const cpp: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^-[DUI]/.test(a)) {
      cpp.push(a);
      if (a.length === 2) {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        cpp.push(v);
      }
    } else rest.push(a);
  }
  return { rest, settings: cpp.length ? cppSettingsFromArgs(cpp).settings : undefined };
}

const flagsOf = (s: CppSettings) => [...Object.entries(s.defines).map(([k, v]) => `-D${k}=${v}`), ...s.includeDirs.map((d) => `-I${d}`)].join(' ');

/**
 * The composite source of `file` in `mode`, the problems met on the way (cpp errors, XInclude errors), and notes
 * for the user (where the cpp settings came from; a hint when a template is validated as plain XML).
 */
export async function loadSource(file: string, text: string, mode: SourceMode): Promise<{ composite?: CompositeSource; diagnostics: Diagnostic[]; notes: string[] }> {
  const notes: string[] = [];
  if (mode.cpp) {
    let settings = mode.settings;
    if (!settings) {
      const found = detectTemplateSettings(file);
      settings = found?.settings ?? { defines: {}, includeDirs: [] };
      if (found) notes.push(`${file}: cpp flags from ${found.makefile}:${found.line}: ${flagsOf(settings) || '(none)'}`);
      if (found?.unresolved.length) notes.push(`${file}: not passed (they need make variables set elsewhere; give them with -D/-I): ${found.unresolved.join(' ')}`);
    }
    const r = await preprocessTemplate(file, settings);
    if (r.by === 'subset') notes.push(`${file}: no cpp on PATH; preprocessed with seL4 Studio's own cpp subset`);
    return { composite: r.composite, diagnostics: r.diagnostics, notes };
  }
  if (mode.xinclude) return { ...resolveXIncludes(file, readText), notes };
  if (isCppTemplate(text)) notes.push(`${file}: this is a cpp template (it has preprocessor directives); validate it with --cpp [-D NAME[=V]]... [-I DIR]...`);
  else if (hasXInclude(text)) notes.push(`${file}: this file uses XInclude; validate it with --xinclude`);
  return { composite: plainComposite(file, text), diagnostics: [], notes };
}
