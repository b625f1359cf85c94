import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';

/**
 * An edge that bows out by `data.offset` pixels, so several channels (or maps) between the same two nodes are drawn
 * side by side with their own labels instead of on top of each other. Offset 0 is React Flow's bezier.
 */
export function SpreadEdge(props: EdgeProps) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, markerEnd, style, interactionWidth } = props;
  const offset = Number((props.data as { offset?: number } | undefined)?.offset ?? 0);
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
