import { Handle, Position, type NodeProps } from '@xyflow/react';
import { hex } from '../../../../shared/sdf/export';
import type { MrNodeData, PdNodeData } from './graphModel';

export function PdNode({ data, selected }: NodeProps & { data: PdNodeData }) {
  return (
    <div className={`node node-pd${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}`} data-testid={`node-pd-${data.name}`}>
      <Handle type="target" position={Position.Left} />
      <div className="node-kind">protection domain</div>
      <div className="node-title">{data.name}</div>
      <div className="node-meta">
        prio {data.priority ?? 0} · {data.image || 'no image'}
      </div>
      {data.problems > 0 && <div className="node-badge" title={`${data.problems} problem(s)`}>{data.problems}</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export function MrNode({ data, selected }: NodeProps & { data: MrNodeData }) {
  return (
    <div className={`node node-mr${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}`} data-testid={`node-mr-${data.name}`}>
      <Handle type="target" position={Position.Left} />
      <div className="node-kind">{data.physAddr !== undefined ? 'device region' : 'memory region'}</div>
      <div className="node-title">{data.name}</div>
      <div className="node-meta">
        {data.size !== undefined ? hex(data.size) : 'prefilled'}
        {data.physAddr !== undefined ? ` @ ${hex(data.physAddr)}` : ''}
      </div>
      {data.problems > 0 && <div className="node-badge">{data.problems}</div>}
    </div>
  );
}

export const nodeTypes = { pd: PdNode, mr: MrNode };
