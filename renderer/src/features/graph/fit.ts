import type { FitViewOptions, Node, Rect } from '@xyflow/react';

/** The minimap's box (React Flow's default 200 × 150, 15 px from the corner) and room around it. */
export const MINIMAP = { width: 200, height: 150, margin: 15 };
const EDGE = 24;

/**
 * Fit-view options that keep every node clear of the minimap in the bottom-right corner: the drawing is fitted either
 * above the minimap's strip or left of it, whichever gives the larger zoom.
 */
export function fitOptions(bounds: Rect | undefined, pane: { width: number; height: number } | undefined, extra: Partial<FitViewOptions> = {}): FitViewOptions {
  const bottom = { top: `${EDGE}px`, left: `${EDGE}px`, right: `${EDGE}px`, bottom: `${MINIMAP.height + MINIMAP.margin + 12}px` } as const;
  const right = { top: `${EDGE}px`, left: `${EDGE}px`, bottom: `${EDGE}px`, right: `${MINIMAP.width + MINIMAP.margin + 12}px` } as const;
  let padding: FitViewOptions['padding'] = bottom;
  if (bounds && pane && bounds.width > 0 && bounds.height > 0) {
    const zoomBottom = Math.min((pane.width - 2 * EDGE) / bounds.width, (pane.height - EDGE - (MINIMAP.height + MINIMAP.margin + 12)) / bounds.height);
    const zoomRight = Math.min((pane.width - EDGE - (MINIMAP.width + MINIMAP.margin + 12)) / bounds.width, (pane.height - 2 * EDGE) / bounds.height);
    padding = zoomRight > zoomBottom ? right : bottom;
  }
  return { maxZoom: 1.2, padding, ...extra };
}

/** Zoom to fit every node, clear of the minimap (the canvas element gives the pane's size). */
export function fitAll(flow: { getNodes(): Node[]; getNodesBounds(nodes: Node[]): Rect; fitView(o: FitViewOptions): Promise<boolean> }, extra: Partial<FitViewOptions> = {}): Promise<boolean> {
  const pane = document.querySelector('[data-testid=canvas]')?.getBoundingClientRect();
  const nodes = flow.getNodes();
  return flow.fitView(fitOptions(nodes.length ? flow.getNodesBounds(nodes) : undefined, pane, extra));
}
