import { useState, type KeyboardEvent } from 'react';
import { attrRange, parseNumberIn, SDF_SCHEMA } from '../../../../shared/sdf/schema';
import type { Perms } from '../../../../shared/model/system';

/**
 * Inspector fields: edits stay local until Enter or blur, then are committed as one undoable edit; an invalid value
 * is shown inline and never reaches the model. Help text is the schema's (shared/sdf/schema.ts), the same text the
 * XML pane's hover shows.
 */
export type Parse<T> = (raw: string) => { value?: T; error?: string };

export const int =
  (min: number, max: number): Parse<number | undefined> =>
  (raw) =>
    parseNumberIn(raw, { min, max });
/**
 * A number in the range the schema gives the attribute (shared/sdf/schema.ts): the checker enforces the same range,
 * so the field and the Problems panel never disagree. Attributes without a range take any editable number.
 */
export const ranged =
  (element: string, attr: string): Parse<number | undefined> =>
  (raw) =>
    parseNumberIn(raw, attrRange(element, attr) ?? { min: 0, max: Number.MAX_SAFE_INTEGER });
/** A required number in the schema's range: empty is an error. */
export const reqRanged =
  (element: string, attr: string): Parse<number> =>
  (raw) => {
    const r = ranged(element, attr)(raw);
    return r.error || r.value !== undefined ? (r as { value?: number; error?: string }) : { error: 'a number' };
  };
export const name: Parse<string> = (raw) => (/^[A-Za-z_][\w-]*$/.test(raw) ? { value: raw } : { error: 'letters, digits, _ and -' });
export const text: Parse<string> = (raw) => ({ value: raw.trim() });
export const optText: Parse<string | undefined> = (raw) => ({ value: raw.trim() === '' ? undefined : raw.trim() });
export const perms: Parse<Perms> = (raw) => (/^(r|w|x|rw|rx|wx|rwx)$/.test(raw.trim()) ? { value: raw.trim() as Perms } : { error: 'r, w and x in that order (rw, rx, rwx…)' });
export const symbol: Parse<string | undefined> = (raw) => (raw.trim() === '' ? { value: undefined } : /^[A-Za-z_]\w*$/.test(raw.trim()) ? { value: raw.trim() } : { error: 'a C identifier' });

/** The schema's one-line explanation of an attribute. */
export const help = (element: string, attr: string) => SDF_SCHEMA[element]?.attrs[attr]?.doc ?? '';

export function Field<T>(props: { label: string; help: string; value: string; parse: Parse<T>; onCommit: (v: T) => void; testId: string; placeholder?: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? props.value;
  const parsed = props.parse(shown);
  const commit = () => {
    if (draft === null) return;
    if (!parsed.error && draft !== props.value) props.onCommit(parsed.value as T);
    if (!parsed.error) setDraft(null);
  };
  return (
    <label className="field">
      <span className="field-label" title={props.help}>
        {props.label}
      </span>
      <input
        data-testid={props.testId}
        value={shown}
        placeholder={props.placeholder}
        aria-invalid={Boolean(parsed.error)}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(null);
          // Typing stays in the field (Delete, F, Backspace are the text's); a chord (Ctrl+S) is the app's, and the
          // value typed so far is committed first so that Save saves it.
          if (e.ctrlKey || e.metaKey) commit();
          else e.stopPropagation();
        }}
      />
      <span className="field-help">{parsed.error ? `Expected ${parsed.error}` : props.help}</span>
    </label>
  );
}

/** An optional attribute with fixed values: "default" leaves it out of the file (the tool's default applies). */
export function Choice<T extends string>(props: { label: string; help: string; value: T | undefined; options: readonly T[]; onCommit: (v: T | undefined) => void; testId: string; defaultLabel?: string }) {
  return (
    <label className="field">
      <span className="field-label" title={props.help}>
        {props.label}
      </span>
      <select data-testid={props.testId} value={props.value ?? ''} onChange={(e) => props.onCommit((e.target.value || undefined) as T | undefined)}>
        <option value="">{props.defaultLabel ?? 'default'}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <span className="field-help">{props.help}</span>
    </label>
  );
}

/** A boolean attribute as default / true / false. */
export function BoolChoice(props: { label: string; help: string; value: boolean | undefined; onCommit: (v: boolean | undefined) => void; testId: string }) {
  return (
    <Choice
      label={props.label}
      help={props.help}
      testId={props.testId}
      value={props.value === undefined ? undefined : props.value ? 'true' : 'false'}
      options={['true', 'false'] as const}
      onCommit={(v) => props.onCommit(v === undefined ? undefined : v === 'true')}
    />
  );
}
