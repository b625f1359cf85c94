import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { EdgeRoute } from '../../../../shared/model/elkLayout';

/** An orthogonal route as a path, its corners rounded by up to `r` pixels. */
export function routePath(points: readonly { x: number; y: number }[], r = 6): string {
  let d = `M ${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const k = Math.min(r, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const ux = Math.sign(b.x - a.x) * k;
    const uy = Math.sign(b.y - a.y) * k;
    const vx = Math.sign(c.x - b.x) * k;
    const vy = Math.sign(c.y - b.y) * k;
    d += ` L ${b.x - ux},${b.y - uy} Q ${b.x},${b.y} ${b.x + vx},${b.y + vy}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x},${last.y}`;
}

/**
 * An edge that bows out by `data.offset` pixels, so several channels (or maps) between the same two nodes are drawn
 * side by side with their own labels instead of on top of each other. Offset 0 is React Flow's bezier.
 */
export function SpreadEdge(props: EdgeProps) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, markerEnd, style, interactionWidth } = props;
  const data = props.data as { offset?: number; route?: EdgeRoute } | undefined;
  const offset = Number(data?.offset ?? 0);
  // Routed by the automatic layout (ELK): its orthogonal route, its label where ELK placed it, clear of the others.
  if (data?.route) {
    const { points, label: box } = data.route;
    const lx = box ? box.x + box.width / 2 : (points[0]!.x + points[points.length - 1]!.x) / 2;
    const ly = box ? box.y + box.height / 2 : (points[0]!.y + points[points.length - 1]!.y) / 2;
    return <BaseEdge id={props.id} path={routePath(points)} labelX={lx} labelY={ly} label={label} labelBgPadding={[4, 2]} labelBgBorderRadius={3} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
  }
  let path: string;
  let labelX: number;
  let labelY: number;
  if (offset === 0) {
    [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  } else {
    const mx = (sourceX + targetX) / 2;
    const my = (sourceY + targetY) / 2;
    const len = Math.hypot(targetX - sourceX, targetY - sourceY) || 1;
    // The unit normal of the chord; a quadratic's midpoint sits halfway to its control point.
    const nx = -(targetY - sourceY) / len;
    const ny = (targetX - sourceX) / len;
    path = `M ${sourceX},${sourceY} Q ${mx + nx * offset * 2},${my + ny * offset * 2} ${targetX},${targetY}`;
    labelX = mx + nx * offset;
    labelY = my + ny * offset;
  }
  return <BaseEdge id={props.id} path={path} labelX={labelX} labelY={labelY} label={label} labelBgPadding={[4, 2]} labelBgBorderRadius={3} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
}

export const edgeTypes = { spread: SpreadEdge };
