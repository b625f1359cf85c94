import type { Group } from '../../../../shared/model/groups';
import { useActions, useStudio } from '../../stores/context';

const KIND: Record<Group['kind'], string> = { sddf: 'sDDF subsystem', vmm: 'VMM with its VM', children: 'PD with its children' };

/**
 * A group's summary (a collapsed group's node selected): what it holds, each member a link that expands the group and
 * selects it, and Expand. A summary rather than selecting every member: the inspector edits one thing, and a
 * collapsed group's members are not on the canvas to show a selection on.
 */
export function GroupInspector({ group }: { group: Group }) {
  const actions = useActions();
  const collapsed = useStudio((s) => (s.doc.layout.collapsed ?? []).includes(group.id));
  const open = (key: string) => void actions.showNode(key);
  const pds = group.members.filter((k) => k.startsWith('pd:'));
  const mrs = group.members.filter((k) => k.startsWith('mr:'));
  return (
    <div data-testid="group-inspector">
      <div className="inspector-kind">{KIND[group.kind]}{collapsed ? ' · collapsed' : ''}</div>
      <h4>{group.label}</h4>
      <button data-testid="group-inspector-toggle" onClick={() => actions.setGroupCollapsed(group.id, !collapsed)}>
        {collapsed ? 'Expand' : 'Collapse'}
      </button>
      <p className="muted">
        {pds.length} protection domain{pds.length === 1 ? '' : 's'}, {mrs.length} region{mrs.length === 1 ? '' : 's'}
      </p>
      <Members keys={pds} roles={group.roles} open={open} />
      {mrs.length > 0 && (
        <details>
          <summary>Regions</summary>
          <Members keys={mrs} open={open} />
        </details>
      )}
    </div>
  );
}

/** Members as links (each opens the group and selects it), with their part in the group when it has one. */
function Members({ keys, roles, open }: { keys: string[]; roles?: Group['roles']; open: (key: string) => void }) {
  return (
    <ul className="group-members">
      {keys.map((k) => (
        <li key={k}>
          <button className="link" onClick={() => open(k)}>
            {k.slice(3)}
          </button>
          {roles?.[k] ? <span className="muted"> · {roles[k]}</span> : null}
        </li>
      ))}
    </ul>
  );
}
