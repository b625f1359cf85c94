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
      <ul className="group-members">
        {pds.map((k) => (
          <li key={k}>
            <button className="link" onClick={() => open(k)}>
              {k.slice(3)}
            </button>
            {group.roles?.[k] ? <span className="muted"> · {group.roles[k]}</span> : null}
          </li>
        ))}
      </ul>
      {mrs.length > 0 && (
        <details>
          <summary>Regions</summary>
          <ul className="group-members">
            {mrs.map((k) => (
              <li key={k}>
                <button className="link" onClick={() => open(k)}>
                  {k.slice(3)}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
