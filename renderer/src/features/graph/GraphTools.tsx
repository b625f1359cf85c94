import { useReactFlow } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { setLayout } from '../../../../shared/model/edits';
import { fromElkGraph, pinnedPositions, toElkGraph } from '../../../../shared/model/elkLayout';
import { layoutRequestOf } from './graphModel';
import { recogniseGroups } from '../../../../shared/model/groups';
import { userLayout, warmLayoutWorker } from './elkClient';
import { fitAll } from './fit';
import { allProtectionDomains, mrKey, pdKey } from '../../../../shared/model/system';
import { useActions, useStudio, useStudioStore } from '../../stores/context';
import type { StudioDoc } from '../../stores/documentSlice';
import { useCommandSurface } from '../../commands/CommandsProvider';
import { commandTitle } from '../../commands/registry';
import { ShortcutList } from '../../commands/ShortcutList';

/** The View menu: kinds to hide, focus mode. */
const VIEW_TOGGLES = [
  ['hideRegions', 'Hide regions'],
  ['hideMaps', 'Hide maps'],
  ['hideIrqs', 'Hide IRQs'],
  ['focus', 'Focus on the selection'],
] as const;

/**
 * Over the canvas: find a node by name (Ctrl+F), zoom to fit (F, clear of the minimap), auto layout (ELK in a worker;
 * one undoable edit; nodes the user dragged stay, unless `all`) and the shortcut list (?), generated from the commands.
 */
export function GraphTools() {
  const flow = useReactFlow();
  const actions = useActions();
  const store = useStudioStore();
  const system = useStudio((s) => s.doc.system);
  const layout = useStudio((s) => s.autoLayout);
  const view = useStudio((s) => s.graphView);
  const groupIds = useMemo(() => recogniseGroups(system).map((g) => g.id), [system]);
  const [query, setQuery] = useState('');
  const [miss, setMiss] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const names = [...allProtectionDomains(system).map((p) => pdKey(p.name)), ...system.memoryRegions.map((m) => mrKey(m.name))];
  const fit = () => void fitAll(flow);
  const find = (q: string) => {
    const t = q.trim().toLowerCase();
    if (!t) return;
    // An exact name first, then the first name containing the text.
    const hit = names.find((k) => k.slice(3).toLowerCase() === t) ?? names.find((k) => k.slice(3).toLowerCase().includes(t));
    setMiss(!hit);
    if (!hit) return;
    // A node inside a collapsed group: the groups around it open first.
    const opened = actions.showNode(hit);
    input.current?.blur();
    const zoom = () => void flow.fitView({ nodes: [{ id: hit }], maxZoom: 1.2, duration: 200 });
    // An opened group's members reach the canvas on the next render.
    if (opened) setTimeout(zoom, 50);
    else zoom();
  };
  /** The layout request for a document as the canvas draws it, at the sizes drawn (graphModel.ts). */
  const layoutRequest = (doc: StudioDoc) => layoutRequestOf(doc, (id) => flow.getInternalNode(id)?.measured);
  // A system opened: the layout worker warmed while the user leaves the page alone (see warmLayoutWorker).
  const opened = useStudio((s) => s.opened);
  useEffect(() => (opened ? warmLayoutWorker(() => toElkGraph(layoutRequest(store.getState().doc))) : undefined), [opened]); // eslint-disable-line react-hooks/exhaustive-deps
  const autoLayout = (all = false) => {
    const doc = store.getState().doc;
    const req = layoutRequest(doc);
    const pinned = all ? {} : pinnedPositions(doc.layout.nodes);
    actions.layoutStarted();
    userLayout(toElkGraph(req)).then(
      ({ laid, ms }) => {
        // Edited while ELK ran: the answer is for a document that is gone.
        if (store.getState().doc !== doc) return actions.layoutFailed('the system changed during the layout; run it again');
        const { positions, routes } = fromElkGraph(req, laid, pinned);
        // The members of a collapsed group keep their places (expanding moves them with the group's node).
        const hidden = Object.fromEntries(Object.entries(doc.layout.nodes).filter(([k]) => !(k in positions)));
        actions.edit(setLayout({ ...hidden, ...positions }, all ? 'Auto layout (all)' : 'Auto layout'));
        actions.layoutDone(routes, ms);
        setTimeout(fit, 50);
      },
      (err: unknown) => actions.layoutFailed(err instanceof Error ? err.message : String(err)),
    );
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
      <details className="graph-view" data-testid="graph-view">
        <summary title="Hide kinds of nodes and edges; focus on the selection">View</summary>
        <div className="graph-view-menu">
          {VIEW_TOGGLES.map(([key, label]) => (
            <label key={key}>
              <input type="checkbox" data-testid={`view-${key}`} checked={Boolean(view[key])} onChange={(e) => actions.setGraphView({ [key]: e.target.checked })} /> {label}
            </label>
          ))}
          <hr />
          <button data-testid="view-path" title={commandTitle('highlightPath')} onClick={() => actions.highlightPath()}>
            Highlight path between…
          </button>
          {view.path && (
            <button data-testid="view-path-clear" onClick={() => actions.setGraphView({ path: undefined })}>
              Clear path ({view.path.map((k) => k.slice(3)).join(' ↔ ')})
            </button>
          )}
          {groupIds.length > 0 && (
            <>
              <button data-testid="view-collapse-all" onClick={() => groupIds.forEach((id) => actions.setGroupCollapsed(id, true))}>
                Collapse all groups
              </button>
              <button data-testid="view-expand-all" onClick={() => groupIds.forEach((id) => actions.setGroupCollapsed(id, false))}>
                Expand all groups
              </button>
            </>
          )}
        </div>
      </details>
      <details className="shortcuts" data-testid="shortcuts" open={shortcutsOpen} onToggle={(e) => setShortcutsOpen(e.currentTarget.open)}>
        <summary title={commandTitle('shortcuts')}>?</summary>
        <ShortcutList />
      </details>
      <button data-testid="btn-autolayout" title={commandTitle('autoLayout')} onClick={(e) => autoLayout(e.shiftKey)} disabled={layout.running} data-ms={layout.ms?.toFixed(0)} data-runs={layout.runs ?? 0}>
        {layout.running ? 'Laying out…' : 'Auto layout'}
      </button>
      {layout.error && (
        <span className="graph-tools-error" role="status" data-testid="autolayout-error">
          {layout.error}
        </span>
      )}
    </div>
  );
}
