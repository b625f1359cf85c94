import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Result } from '../../shared/api/contract';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { plainComposite, renameFiles } from '../../shared/sdf/composite';
import { isCppTemplate, type CppSettings } from '../../shared/sdf/template';
import { hasXInclude, resolveXIncludes } from '../../shared/sdf/xinclude';
import { confine } from './confine';
import { contentHash } from './fileIo';
import { detectTemplateSettings, preprocessTemplate, readText } from './systemCpp';

/**
 * A system file of the open folder as the Microkit tool gets it from the folder's build: preprocessed when it is a
 * cpp template (with the -D/-I its Makefile passes unless the user gives them), its XIncludes resolved, or as it is.
 * Paths come back relative to the folder; a file outside it (a system header) can be read but never edited.
 */
export async function composeSystem(root: string, rel: string, cpp?: CppSettings): Promise<Result<'system.compose'>> {
  const abs = confine(root, rel);
  const text = await fs.readFile(abs, 'utf8');
  const relative = (f: string) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/');
  const notes: string[] = [];
  let kind: Result<'system.compose'>['kind'] = 'plain';
  let out: { composite?: ReturnType<typeof plainComposite>; diagnostics: Diagnostic[] };
  let used: CppSettings | undefined;
  if (isCppTemplate(text)) {
    kind = 'template';
    let settings = cpp && { defines: cpp.defines, includeDirs: cpp.includeDirs.map((d) => confine(root, d)) };
    if (!settings) {
      const found = detectTemplateSettings(abs);
      settings = found?.settings ?? { defines: {}, includeDirs: [] };
      if (found) notes.push(`cpp flags from ${relative(found.makefile)}:${found.line}`);
      if (found?.unresolved.length) notes.push(`not passed (they need make variables set elsewhere): ${found.unresolved.join(' ')}`);
    }
    used = { defines: settings.defines, includeDirs: settings.includeDirs.map(relative) };
    const r = await preprocessTemplate(abs, settings);
    if (r.by === 'subset') notes.push('no cpp on PATH: preprocessed with seL4 Studio’s own cpp subset');
    out = r;
  } else if (hasXInclude(text)) {
    kind = 'xinclude';
    // Only files inside the folder are read for an include.
    out = resolveXIncludes(abs, (f) => (path.relative(root, f).startsWith('..') ? undefined : readText(f)));
  } else out = { composite: plainComposite(abs, text), diagnostics: [] };
  const composite = out.composite && renameFiles(out.composite, relative);
  const hashes: Record<string, string> = {};
  for (const [f, t] of Object.entries(composite?.files ?? {})) if (!f.startsWith('..')) hashes[f] = contentHash(t);
  const diagnostics = out.diagnostics.map((d) => (d.file ? { ...d, file: relative(d.file) } : d));
  return { kind, ...(composite ? { composite } : {}), hashes, diagnostics, notes, ...(used ? { cpp: used } : {}) };
}
