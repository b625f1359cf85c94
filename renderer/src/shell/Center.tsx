import { lazy, Suspense } from 'react';
import { SourcePicker } from '../features/editor/SourcePicker';
import { NoProject } from '../features/graph/NoProject';
import { Canvas, FlowProvider, GraphTools, MemoryMap } from './lazyViews';
import { useActions, useStudio } from '../stores/context';
import { DocTabs } from './DocTabs';

// Monaco loads on first use, as for the XML pane.
const SourceEditor = lazy(() => import('../features/editor/SourceEditor'));
const DiskDiff = lazy(() => import('../features/editor/DiskDiff'));

/** The centre of the workbench: the graph, or the memory map of the same system. */
export function Center() {
  const view = useStudio((s) => s.centerView);
  const source = useStudio((s) => s.source);
  const hasProject = useStudio((s) => Boolean(s.project));
  const comparing = useStudio((s) => s.comparing && Boolean(s.diskConflict));
  const actions = useActions();
  // The first screen: no React Flow until there is something to draw.
  if (!hasProject) return <NoProject />;
  return (
    <Suspense fallback={<div className="center" />}>
      <FlowProvider>
        <div className="center">
          <DocTabs />
          <nav className="center-tabs" role="tablist" aria-label="View">
            <button role="tab" aria-selected={view === 'graph'} className={view === 'graph' ? 'active' : ''} data-testid="view-graph" onClick={() => actions.setCenterView('graph')}>
              Graph
            </button>
            <button role="tab" aria-selected={view === 'memory'} className={view === 'memory' ? 'active' : ''} data-testid="view-memory" onClick={() => actions.setCenterView('memory')}>
              Memory map
            </button>
            {source && (
              <button role="tab" aria-selected={view === 'source'} className={view === 'source' ? 'active' : ''} data-testid="view-source" onClick={() => actions.setCenterView('source')}>
                {source.path.split('/').pop()}
                {source.text !== source.saved ? ' ●' : ''}
              </button>
            )}
            <SourcePicker />
            <span className="grow" />
            {view === 'graph' && <GraphTools />}
          </nav>
          {comparing ? (
            <Suspense fallback={<div className="panel-empty">Loading the comparison…</div>}>
              <DiskDiff />
            </Suspense>
          ) : view === 'graph' ? (
            <Canvas />
          ) : view === 'memory' ? (
            <MemoryMap />
          ) : (
            <Suspense fallback={<pre className="xml-fallback">{source?.text}</pre>}>
              <SourceEditor />
            </Suspense>
          )}
        </div>
      </FlowProvider>
    </Suspense>
  );
}
