import { useReactFlow } from '@xyflow/react';
import { useEffect, useRef, useState } from 'react';
import { setLayout } from '../../../../shared/model/edits';
import { fallbackLayout } from '../../../../shared/model/layout';
import { allProtectionDomains, mrKey, pdKey } from '../../../../shared/model/system';
import { useActions, useStudio, useStudioStore } from '../../stores/context';

const SHORTCUTS: [string, string][] = [
  ['Ctrl+Z / Ctrl+Y', 'undo / redo (in the XML pane: the text’s own)'],
  ['Ctrl+C / Ctrl+V', 'copy / paste PDs and regions'],
  ['Ctrl+D', 'duplicate the selection'],
  ['Delete', 'delete (lists what goes with it first)'],
  ['Ctrl+A', 'select every node'],
  ['Ctrl+click, Shift+drag', 'add to the selection, box select'],
  ['Ctrl+F', 'find a node by name'],
  ['F', 'zoom to fit'],
  ['Ctrl+S, Ctrl+Shift+S', 'save, save as'],
  ['Ctrl+Shift+B', 'validate and write the .system'],
  ['Ctrl+Space (XML pane)', 'complete element, attribute, PD/region name'],
];

/**
 * Over the canvas: find a node by name (Ctrl+F), zoom to fit (F), and auto-layout (one undoable edit that places
 * every node where the no-overlap layout puts it).
 */
export function GraphTools() {
  const flow = useReactFlow();
  const actions = useActions();
  const store = useStudioStore();
  const system = useStudio((s) => s.doc.system);
  const [query, setQuery] = useState('');
  const [miss, setMiss] = useState(false);
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
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as Element | null;
      const inText = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || Boolean(t?.closest?.('.monaco-editor, .xterm'));
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f' && !t?.closest?.('.monaco-editor, .xterm')) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      } else if (!inText && !e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === 'f') fit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <div className="graph-tools">
      <input
        ref={input}
        data-testid="find-node"
        list="graph-node-names"
        placeholder="Find node (Ctrl+F)"
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
      <button data-testid="btn-fit" title="Zoom to fit (F)" onClick={fit}>
        Fit
      </button>
      <details className="shortcuts" data-testid="shortcuts">
        <summary title="Keyboard shortcuts">?</summary>
        <dl>
          {SHORTCUTS.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </details>
      <button data-testid="btn-autolayout" title="Place every node again, without overlaps (one undo step)" onClick={autoLayout}>
        Auto layout
      </button>
    </div>
  );
}
