import { mapEdit, type CompositeSource, type FileEdit, type TextEdit } from './composite';
import { applyTextEdits } from './reconcile';

/**
 * Edits of a composite's text (a preprocessed cpp template, a system with XIncludes) carried into the files it is
 * made of: each edit must fall inside text copied verbatim from one file (mapEdit). The result is the new composite —
 * its text edited, each file's text edited, the segments moved by what was inserted or removed — so further edits
 * map without preprocessing again. `unmapped`: the first edit that touches generated text (a macro's expansion, an
 * included file's boundary); nothing is applied then.
 */
export function editComposite(c: CompositeSource, edits: readonly TextEdit[]): { composite: CompositeSource; fileEdits: FileEdit[] } | { unmapped: TextEdit } {
  const mapped: { edit: TextEdit; file: FileEdit }[] = [];
  for (const edit of edits) {
    const file = mapEdit(c, edit);
    if (!file) return { unmapped: edit };
    mapped.push({ edit, file });
  }
  const files = { ...c.files };
  for (const name of new Set(mapped.map((m) => m.file.file))) {
    files[name] = applyTextEdits(c.files[name] ?? '', mapped.filter((m) => m.file.file === name).map((m) => m.file));
  }
  // Each segment moves by what changed before it in the composite and grows by what changed inside it; a verbatim
  // segment's place in its file moves by what changed before it in that file.
  const segments = c.segments.map((s) => {
    let start = s.start;
    let end = s.end;
    let fileStart = s.fileStart;
    for (const { edit, file } of mapped) {
      const delta = edit.text.length - (edit.end - edit.start);
      const inside = mapEdit(c, edit) === undefined ? false : isOwn(c, s, edit);
      if (inside) end += delta;
      else if (edit.end <= s.start) {
        start += delta;
        end += delta;
      }
      if (file.file === s.file && !inside && file.end <= s.fileStart) fileStart += delta;
    }
    return { ...s, start, end, fileStart };
  });
  return { composite: { ...c, text: applyTextEdits(c.text, edits), segments, files }, fileEdits: mapped.map((m) => m.file) };
}

/** Whether `edit` is the segment's own (the one mapEdit would put it in). */
function isOwn(c: CompositeSource, s: CompositeSource['segments'][number], edit: TextEdit): boolean {
  const fits = (x: CompositeSource['segments'][number]) => x.verbatim && x.start <= edit.start && edit.end <= x.end;
  const own = c.segments.find((x) => x.start === edit.start && fits(x)) ?? c.segments.find(fits);
  return own === s;
}
