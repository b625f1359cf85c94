import { COMMANDS } from './registry';
import { shortcutRows } from './shortcutList';

const ROWS = shortcutRows(COMMANDS);

/** The keyboard shortcuts, from the command registry (and the notes on mouse gestures and the editors' own keys). */
export function ShortcutList() {
  return (
    <dl data-testid="shortcut-list">
      {ROWS.map((row) => (
        <div key={`${row.id ?? 'note'}:${row.keys.join()}:${row.label}`} data-command={row.id}>
          <dt>{row.keys.join(', ')}</dt>
          <dd>{row.label}</dd>
        </div>
      ))}
    </dl>
  );
}
