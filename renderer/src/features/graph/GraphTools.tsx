import { useReactFlow } from '@xyflow/react';
import { useRef, useState } from 'react';
import { setLayout } from '../../../../shared/model/edits';
import { fallbackLayout } from '../../../../shared/model/layout';
import { allProtectionDomains, mrKey, pdKey } from '../../../../shared/model/system';
import { useActions, useStudio, useStudioStore } from '../../stores/context';
import { useCommandSurface } from '../../commands/CommandsProvider';
import { commandTitle } from '../../commands/registry';
import { ShortcutList } from '../../commands/ShortcutList';

/**
 * Over the canvas: find a node by name (Ctrl+F), zoom to fit (F), auto-layout (one undoable edit that places every
 * node where the no-overlap layout puts it) and the shortcut list (?), generated from the commands.
 */
export function GraphTools() {
  const flow = useReactFlow();
  const actions = useActions();
  const store = useStudioStore();
  const system = useStudio((s) => s.doc.system);
  const [query, setQuery] = useState('');
  const [miss, setMiss] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const names = [...allProtectionDomains(system).map((p) => pdKey(p.name)), ...system.memoryRegions.map((m) => mrKey(m.name))];
  const fit = () => void flow.fitView({ maxZoom: 1.2, padding: 0.1 });
  const find = (q: string) => {
    const t = q.trim().toLowerCase();
    if (!t) return;
    // An exact name first, then the first name containing the text.
    const hit = names.find((k) => k.slice(3).toLowerCase() === t) ?? names.find((k) => k.slice(3).toLowerCase().includes(t));
    setMiss(!hit);
    if (!hit) return;
    actions.select([hit]);
    input.current?.blur();
    void flow.fitView({ nodes: [{ id: hit }], maxZoom: 1.2, duration: 200 });
  };
  const autoLayout = () => {
    actions.edit(setLayout(fallbackLayout(store.getState().doc.system)));
    setTimeout(fit, 50);
  };
  const focusFind = () => {
    input.current?.focus();
    input.current?.select();
  };
  // Find (Ctrl+F), fit (F), auto layout and the shortcut list are commands; they need this view's React Flow instance.
  useCommandSurface('canvas', { fit, focusFind, autoLayout, toggleShortcuts: () => setShortcutsOpen((open) => !open) });
  return (
    <div className="graph-tools">
      <input
        ref={input}
        data-testid="find-node"
        list="graph-node-names"
        placeholder={commandTitle('find')}
        value={query}
        aria-invalid={miss}
        onChange={(e) => {
          setQuery(e.target.value);
          setMiss(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') find(query);
          if (e.key === 'Escape') {
            setQuery('');
            (e.target as HTMLInputElement).blur();
          }
          e.stopPropagation();
        }}
      />
      <datalist id="graph-node-names">
        {names.map((k) => (
          <option key={k} value={k.slice(3)} />
        ))}
      </datalist>
      <button data-testid="btn-fit" title={commandTitle('fit')} onClick={fit}>
        Fit
      </button>
      <details className="shortcuts" data-testid="shortcuts" open={shortcutsOpen} onToggle={(e) => setShortcutsOpen(e.currentTarget.open)}>
        <summary title={commandTitle('shortcuts')}>?</summary>
        <ShortcutList />
      </details>
      <button data-testid="btn-autolayout" title={commandTitle('autoLayout')} onClick={autoLayout}>
        Auto layout
      </button>
    </div>
  );
}
