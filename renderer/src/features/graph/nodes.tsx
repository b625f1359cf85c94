import { Handle, Position, type NodeProps } from '@xyflow/react';
import { hex } from '../../../../shared/sdf/export';
import type { MrNodeData, PdNodeData } from './graphModel';

export function PdNode({ data, selected }: NodeProps & { data: PdNodeData }) {
  return (
    <div className={`node node-pd${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}${data.vm ? ' node-vmm' : ''}`} data-testid={`node-pd-${data.name}`}>
      <Handle type="target" position={Position.Left} />
      <div className="node-kind">{data.parent ? `child of ${data.parent.name}` : data.vm ? 'protection domain · VMM' : 'protection domain'}</div>
      <div className="node-title">{data.name}</div>
      <div className="node-meta">
        prio {data.priority ?? 0} · {data.image || 'no image'}
      </div>
      {data.irqs.length > 0 && (
        <div className="node-irqs">
          {data.irqs.map((i) => (
            <span key={i} className="chip chip-irq">
              {i}
            </span>
          ))}
        </div>
      )}
      {data.vm && (
        <div className="node-vm" data-testid={`node-vm-${data.vm.name}`}>
          <div className="node-kind">virtual machine</div>
          <div className="node-title">{data.vm.name}</div>
          <div className="node-meta">
            {data.vm.vcpus.length} vCPU{data.vm.vcpus.length === 1 ? '' : 's'}
          </div>
          <Handle type="source" id="vm" position={Position.Right} />
        </div>
      )}
      {data.problems > 0 && <div className="node-badge" title={`${data.problems} problem(s)`}>{data.problems}</div>}
      <Handle type="source" id="pd" position={Position.Right} style={data.vm ? { top: 24 } : undefined} />
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
