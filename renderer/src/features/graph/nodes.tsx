import { Handle, Position, type NodeProps } from '@xyflow/react';
import { hex } from '../../../../shared/format/hex';
import type { MouseEvent } from 'react';
import { useActions, useStudio } from '../../stores/context';
import type { GroupFrame, GroupNodeData, MrNodeData, PdNodeData } from './graphModel';
import { useLiveNode } from './liveOverlay';

export function PdNode({ data, selected }: NodeProps & { data: PdNodeData }) {
  const actions = useActions();
  // A VM box or an IRQ chip is selected on its own (the inspector edits it), not the PD around it.
  const part = useStudio((s) => (s.selection.length === 1 && /^(vm|irq):/.test(s.selection[0]!) ? s.selection[0] : undefined));
  const pick = (key: string) => (e: MouseEvent) => {
    e.stopPropagation();
    actions.select([key]);
  };
  // The live system view: this PD's state on the running console (nothing while none runs).
  const live = useLiveNode(data.name);
  return (
    <div
      className={`node node-pd${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}${data.vm ? ' node-vmm' : ''}${live.className}`}
      data-testid={`node-pd-${data.name}`}
      data-live={live.phase}
      onMouseEnter={live.onMouseEnter}
      onMouseLeave={live.onMouseLeave}
    >
      <Handle type="target" id="in" position={Position.Left} />
      {/* Side handles: channel edges leave and enter on the sides facing each other (graphModel.channelSides). */}
      <Handle type="target" id="in-top" position={Position.Top} className="side-handle" />
      <Handle type="target" id="in-bottom" position={Position.Bottom} className="side-handle" />
      <Handle type="target" id="in-right" position={Position.Right} className="side-handle" style={{ top: '70%' }} />
      <Handle type="source" id="out-top" position={Position.Top} className="side-handle" style={{ left: '60%' }} />
      <Handle type="source" id="out-bottom" position={Position.Bottom} className="side-handle" style={{ left: '60%' }} />
      <Handle type="source" id="out-left" position={Position.Left} className="side-handle" style={{ top: '70%' }} />
      <div className="node-kind">{data.parent ? `child of ${data.parent.name}` : data.vm ? 'protection domain · VMM' : 'protection domain'}</div>
      <div className="node-title">{data.name}</div>
      <div className="node-meta">
        prio {data.priority ?? 0} · {data.image || 'no image'}
      </div>
      {data.irqs.length > 0 && (
        <div className="node-irqs">
          {data.irqs.map((label, i) => (
            <button key={i} className={`chip chip-irq${part === `irq:${data.name}:${i}` ? ' selected' : ''}`} data-testid={`chip-irq-${data.name}-${i}`} onClick={pick(`irq:${data.name}:${i}`)} title="Edit this interrupt">
              {label}
            </button>
          ))}
        </div>
      )}
      {data.vm && (
        <div className={`node-vm${part === `vm:${data.name}` ? ' selected' : ''}`} data-testid={`node-vm-${data.vm.name}`} onClick={pick(`vm:${data.name}`)} title="Edit this virtual machine">
          <div className="node-kind">virtual machine</div>
          <div className="node-title">{data.vm.name}</div>
          <div className="node-meta">
            {data.vm.vcpus.length} vCPU{data.vm.vcpus.length === 1 ? '' : 's'}
          </div>
          <Handle type="source" id="vm" position={Position.Right} />
        </div>
      )}
      {data.problems > 0 && <div className="node-badge" title={`${data.problems} problem(s)`}>{data.problems}</div>}
      {live.overlay}
      <Handle type="source" id="pd" position={Position.Right} style={data.vm ? { top: 24 } : undefined} />
    </div>
  );
}

export function MrNode({ data, selected }: NodeProps & { data: MrNodeData }) {
  return (
    <div className={`node node-mr${selected ? ' selected' : ''}${data.problems ? ' has-problems' : ''}`} data-testid={`node-mr-${data.name}`}>
      <Handle type="target" id="in" position={Position.Left} />
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

const GROUP_KIND: Record<GroupNodeData['groupKind'], string> = { sddf: 'sDDF subsystem', vmm: 'VMM and its VM', children: 'PD and its children' };

/** A collapsed group: one node; ▸ (one click) expands it. Selecting it shows the group's summary in the inspector. */
export function GroupNode({ id, data, selected }: NodeProps & { data: GroupNodeData }) {
  const actions = useActions();
  return (
    <div className={`node node-group group-${data.groupKind}${selected ? ' selected' : ''}`} data-testid={`node-group-${id}`}>
      <Handle type="target" id="in" position={Position.Left} />
      <div className="node-kind">
        <button
          className="group-toggle nodrag"
          data-testid={`group-expand-${id}`}
          title="Expand this group"
          onClick={(e) => {
            e.stopPropagation();
            actions.setGroupCollapsed(id, false);
          }}
        >
          ▸
        </button>{' '}
        {GROUP_KIND[data.groupKind]} · collapsed
      </div>
      <div className="node-title">{data.name}</div>
      <div className="node-meta">
        {data.pds} PD{data.pds === 1 ? '' : 's'} · {data.mrs} region{data.mrs === 1 ? '' : 's'} · {data.links} external edge{data.links === 1 ? '' : 's'}
      </div>
      <Handle type="source" id="pd" position={Position.Right} />
    </div>
  );
}

/**
 * The expanded groups' frames, drawn in the viewport beneath the edges and nodes (they are not nodes: counts, the
 * minimap and selection stay the nodes'); they take no clicks (their titles do: GroupTitles).
 */
export function GroupFrames({ frames }: { frames: readonly GroupFrame[] }) {
  return (
    <>
      {frames.map((f) => (
        <div
          key={f.id}
          className={`group-frame group-${f.kind}`}
          data-testid={`group-frame-${f.id}`}
          data-members={f.members.join(' ')}
          style={{ transform: `translate(${f.x}px, ${f.y}px)`, width: f.width, height: f.height }}
        />
      ))}
    </>
  );
}

/**
 * The frames' titles, each the group's collapse button: in the edge-label layer, so above the edges (clickable at fit
 * zoom, where a title is a few pixels high) and beneath the nodes.
 */
export function GroupTitles({ frames }: { frames: readonly GroupFrame[] }) {
  const actions = useActions();
  return (
    <>
      {frames.map((f) => (
        <button
          key={f.id}
          className={`group-frame-title group-${f.kind}`}
          data-testid={`group-collapse-${f.id}`}
          title="Collapse this group to one node"
          style={{ transform: `translate(${f.x + 6}px, ${f.y + 4}px)` }}
          onClick={() => actions.setGroupCollapsed(f.id, true)}
        >
          <span className="group-toggle">▾</span> {f.label}
        </button>
      ))}
    </>
  );
}

export const nodeTypes = { pd: PdNode, mr: MrNode, group: GroupNode };
