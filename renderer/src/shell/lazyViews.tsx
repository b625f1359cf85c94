import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';

// The first screen (no project open: toolbar, palette, the empty canvas, inspector, XML pane, Problems, status bar)
// is all the entry chunk holds. What it does not show is loaded the first time it is shown: React Flow and the graph,
// the memory map (d3), the Build, Output, Terminal and Doctor panels, presentation mode. Monaco and xterm are
// lazy where they are used. npm run bench -- --only startup measures the first screen against a bare page.

/** A component loaded on first render, with what to show while its chunk arrives. */
function onDemand(load: () => Promise<ComponentType>, fallback: ReactNode = null): ComponentType {
  const Loaded = lazy(async () => ({ default: await load() }));
  const OnDemand = () => (
    <Suspense fallback={fallback}>
      <Loaded />
    </Suspense>
  );
  return OnDemand;
}

const panelFallback = <p className="muted">Loading…</p>;
export const BuildPanel = onDemand(() => import('../features/build/BuildPanel').then((m) => m.BuildPanel), panelFallback);
export const OutputPanel = onDemand(() => import('../features/output/OutputPanel').then((m) => m.OutputPanel), panelFallback);
export const TerminalPanel = onDemand(() => import('../features/terminal/TerminalPanel').then((m) => m.TerminalPanel), panelFallback);
export const DoctorPanel = onDemand(() => import('../features/doctor/DoctorPanel').then((m) => m.DoctorPanel), panelFallback);
export const Presentation = onDemand(() => import('../features/presentation/Presentation').then((m) => m.Presentation));
export const MemoryMap = onDemand(() => import('../features/memory-map/MemoryMap').then((m) => m.MemoryMap));
// The passthrough wizard and its engine (device trees, the planner) load the first time it opens.
// Run on board: its dialog (targets, steps, console, timeline) loads the first time it opens.
export const BoardRunDialog = onDemand(() => import('../features/boardrun/BoardRunDialog').then((m) => m.BoardRunDialog));
export const BoardWizard = onDemand(() => import('../features/boardwizard/BoardWizard').then((m) => m.BoardWizard));
export const PassthroughWizard = onDemand(() => import('../features/wizard/Wizard').then((m) => m.Wizard));

// The graph's pieces share one React Flow store, so its provider is lazy too; Center puts one Suspense around all three.
const reactFlow = () => import('@xyflow/react');
const graphCanvas = () => import('../features/graph/Canvas');
export const FlowProvider = lazy(() => reactFlow().then((m) => ({ default: m.ReactFlowProvider })));
export const Canvas = lazy(() => graphCanvas().then((m) => ({ default: m.Canvas })));
export const GraphTools = lazy(() => import('../features/graph/GraphTools').then((m) => ({ default: m.GraphTools })));

/** Fetch the graph's chunks ahead of the first project (called once the first screen is up and idle). */
export function prefetchGraph(): void {
  void Promise.all([reactFlow(), graphCanvas(), import('../features/graph/GraphTools')]).catch(() => undefined);
}
