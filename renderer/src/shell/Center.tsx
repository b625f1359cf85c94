import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from '../features/graph/Canvas';
import { GraphTools } from '../features/graph/GraphTools';
import { MemoryMap } from '../features/memory-map/MemoryMap';
import { useActions, useStudio } from '../stores/context';

/** The centre of the workbench: the graph, or the memory map of the same system. */
export function Center() {
  const view = useStudio((s) => s.centerView);
  const hasProject = useStudio((s) => Boolean(s.project));
  const actions = useActions();
  if (!hasProject)
    return (
      <ReactFlowProvider>
        <Canvas />
      </ReactFlowProvider>
    );
  return (
    <ReactFlowProvider>
      <div className="center">
        <nav className="center-tabs" role="tablist" aria-label="View">
          <button role="tab" aria-selected={view === 'graph'} className={view === 'graph' ? 'active' : ''} data-testid="view-graph" onClick={() => actions.setCenterView('graph')}>
            Graph
          </button>
          <button role="tab" aria-selected={view === 'memory'} className={view === 'memory' ? 'active' : ''} data-testid="view-memory" onClick={() => actions.setCenterView('memory')}>
            Memory map
          </button>
          <span className="grow" />
          {view === 'graph' && <GraphTools />}
        </nav>
        {view === 'graph' ? <Canvas /> : <MemoryMap />}
      </div>
    </ReactFlowProvider>
  );
}
