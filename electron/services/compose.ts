import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Result } from '../../shared/api/contract';
import type { Diagnostic } from '../../shared/api/diagnostics';
import { plainComposite, renameFiles } from '../../shared/sdf/composite';
import { isCppTemplate, type CppSettings } from '../../shared/sdf/template';
import { hasXInclude, resolveXIncludes } from '../../shared/sdf/xinclude';
import { confine, isReallyInside } from './confine';
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
  // Every file the composition reads is read only when it really lies in the folder (a link out of it counts as outside);
  // one it would have read outside refuses the whole text (the system cpp's output holds what it read, whatever we read).
  const outsideRead = new Set<string>();
  const read = (f: string) => {
    if (isReallyInside(root, f)) return readText(f);
    outsideRead.add(f);
    return undefined;
  };
  const readMakefile = (f: string) => (isReallyInside(root, f) ? readText(f) : undefined);
  const relative = (f: string) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/');
  const notes: string[] = [];
  let kind: Result<'system.compose'>['kind'] = 'plain';
  let out: { composite?: ReturnType<typeof plainComposite>; diagnostics: Diagnostic[] };
  let used: CppSettings | undefined;
  if (isCppTemplate(text)) {
    kind = 'template';
    let settings = cpp && { defines: cpp.defines, includeDirs: cpp.includeDirs.map((d) => confine(root, d)) };
    if (!settings) {
      const found = detectTemplateSettings(abs, readMakefile);
      settings = found?.settings ?? { defines: {}, includeDirs: [] };
      // The folder is not trusted to widen what is read: include folders it names outside itself are not passed.
      const outside = settings.includeDirs.filter((d) => !isReallyInside(root, d));
      if (outside.length) notes.push(`include folders outside the folder not passed: ${outside.join(' ')}`);
      settings = { ...settings, includeDirs: settings.includeDirs.filter((d) => isReallyInside(root, d)) };
      if (found) notes.push(`cpp flags from ${relative(found.makefile)}:${found.line}`);
      if (found?.unresolved.length) notes.push(`not passed (they need make variables set elsewhere): ${found.unresolved.join(' ')}`);
    }
    used = { defines: settings.defines, includeDirs: settings.includeDirs.map(relative) };
    const r = await preprocessTemplate(abs, { ...settings, read });
    if (r.by === 'subset') notes.push('no cpp on PATH: preprocessed with seL4 Studio’s own cpp subset');
    out = r;
  } else if (hasXInclude(text)) {
    kind = 'xinclude';
    // Only files inside the folder are read for an include.
    out = resolveXIncludes(abs, read);
  } else out = { composite: plainComposite(abs, text), diagnostics: [] };
  let composite = out.composite && renameFiles(out.composite, relative);
  // Nothing outside the folder reaches the page (an absolute #include, a system header): refused with its name.
  const foreign = [...new Set([...Object.keys(composite?.files ?? {}).filter((f) => f.startsWith('..')), ...[...outsideRead].filter((f) => !f.startsWith('<'))])];
  if (foreign.length) {
    composite = undefined;
    out.diagnostics.push({ severity: 'error', rule: 'confined', file: rel, line: 1, column: 1, message: `${rel} reads files outside the folder (${foreign.length}); they are not opened` });
  }
  const hashes: Record<string, string> = {};
  for (const [f, t] of Object.entries(composite?.files ?? {})) if (!f.startsWith('..')) hashes[f] = contentHash(t);
  // A problem in a file outside the folder (a header cpp found by an absolute #include) is named, its words are not:
  // cpp quotes the file's text (`#error …`).
  const diagnostics = out.diagnostics.map((d) => {
    if (!d.file) return d;
    if (isReallyInside(root, d.file)) return { ...d, file: relative(d.file) };
    return { severity: d.severity, ...(d.rule ? { rule: d.rule } : {}), file: rel, line: 1, column: 1, message: `${rel} reads ${path.resolve(root, d.file)}, outside the folder: its problems are not shown` };
  });
  return { kind, ...(composite ? { composite } : {}), hashes, diagnostics, notes, ...(used ? { cpp: used } : {}) };
}
