import { useEffect, useMemo, useState } from 'react';
import { groupDevices, searchDevices, type DeviceEntry } from '../../../../shared/passthrough';
import { useActions } from '../../stores/context';
import type { WizardSession } from '../../stores/studioStore';
import { DeviceFactsView } from './DeviceFactsView';
import { deviceName, irqText, windowText } from './describe';

/** Step 2: every device of the tree, grouped or as the tree, searchable; the chosen ones ticked, one in detail. */
export function DevicesStep({ w }: { w: WizardSession }) {
  const actions = useActions();
  const entries = useMemo(() => w.tree?.entries ?? [], [w.tree]);
  // The first rows are painted at once, the rest right after (a whole SoC tree lists hundreds of devices): the list
  // is on screen as soon as its top is; when that frame is painted, the time from the choice of the tree is recorded.
  const [full, setFull] = useState(false);
  useEffect(() => {
    let inner = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outer = requestAnimationFrame(() => {
      inner = requestAnimationFrame(() => {
        actions.wizardListShown();
        timer = setTimeout(() => setFull(true), 0);
      });
    });
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
      if (timer) clearTimeout(timer);
    };
  }, [actions]);
  const found = useMemo(() => searchDevices(entries, w.query), [entries, w.query]);
  const focus = entries.find((e) => e.id === w.focus);
  return (
    <div className="wz-devices">
      <div className="wz-devices-list">
        <div className="row wz-search">
          <input
            type="search"
            autoFocus
            data-testid="wz-search"
            placeholder="Search: name, label, compatible or an address (uart, mgbe0, tegra194-hsuart, 0x3100000)"
            value={w.query}
            onChange={(e) => actions.setWizardQuery(e.target.value)}
          />
          <div className="wz-toggle" role="group" aria-label="View">
            <button className={w.view === 'groups' ? 'active' : ''} data-testid="wz-view-groups" onClick={() => actions.setWizardView('groups')}>
              Groups
            </button>
            <button className={w.view === 'tree' ? 'active' : ''} data-testid="wz-view-tree" onClick={() => actions.setWizardView('tree')}>
              Tree
            </button>
          </div>
        </div>
        <div className="muted wz-count" data-testid="wz-count">
          {found.length === entries.length ? `${entries.length} devices` : `${found.length} of ${entries.length} devices`} · {w.chosen.length} chosen · {w.tree?.label}
          {w.tree?.shownMs !== undefined && <span data-testid="wz-list-timing"> · on screen {Math.round(w.tree.shownMs)} ms after the tree was chosen</span>}
        </div>
        <div className="wz-scroll" data-testid="wz-device-list">
          {w.view === 'groups' ? <Groups entries={found} w={w} limit={full ? Infinity : FIRST_ROWS} /> : <TreeView entries={found} w={w} />}
          {!found.length && <p className="muted">No device matches “{w.query}”.</p>}
        </div>
      </div>
      <aside className="wz-facts" data-testid="wz-facts">
        {focus ? <DeviceFactsView entry={focus} /> : <p className="muted">Pick a device to see its registers, interrupts, clocks, resets, power domains and SMMU streams.</p>}
      </aside>
    </div>
  );
}

/** Windows and interrupts a row shows (all of them are in the device's facts). */
const SHOWN = 6;

/** Rows in the first frame: more than a screen holds. */
const FIRST_ROWS = 60;

function Groups({ entries, w, limit }: { entries: DeviceEntry[]; w: WizardSession; limit: number }) {
  const groups = useMemo(() => groupDevices(entries), [entries]);
  let left = limit;
  return (
    <>
      {groups.map((g) => {
        const rows = g.devices.slice(0, Math.max(0, left));
        left -= rows.length;
        return (
          <details key={g.group} open className="wz-group" data-testid={`wz-group-${g.group}`}>
            <summary>
              {g.title} <span className="muted">{g.devices.length}</span>
            </summary>
            <ul className="wz-rows">
              {rows.map((e) => (
                <DeviceRow key={e.id} e={e} w={w} />
              ))}
            </ul>
          </details>
        );
      })}
    </>
  );
}

interface TreeNode {
  name: string;
  path: string;
  entry?: DeviceEntry;
  children: TreeNode[];
}

/** The devices where they sit in the tree (buses as folders); board-pack devices the tree lacks at the end. */
function TreeView({ entries, w }: { entries: DeviceEntry[]; w: WizardSession }) {
  const root = useMemo(() => {
    const top: TreeNode = { name: '/', path: '/', children: [] };
    const byPath = new Map<string, TreeNode>([['/', top]]);
    const nodeAt = (path: string): TreeNode => {
      const have = byPath.get(path);
      if (have) return have;
      const parent = nodeAt(path.slice(0, path.lastIndexOf('/')) || '/');
      const n: TreeNode = { name: path.slice(path.lastIndexOf('/') + 1), path, children: [] };
      parent.children.push(n);
      byPath.set(path, n);
      return n;
    };
    const loose: DeviceEntry[] = [];
    for (const e of entries) {
      if (e.path && e.id === e.path) nodeAt(e.path).entry = e;
      else loose.push(e);
    }
    if (loose.length) top.children.push({ name: 'board pack devices the tree does not have', path: 'board:', children: loose.map((e) => ({ name: e.name, path: e.id, entry: e, children: [] })) });
    return top;
  }, [entries]);
  return <ul className="wz-rows wz-treeview">{root.children.map((n) => <TreeItem key={n.path} n={n} w={w} />)}</ul>;
}

function TreeItem({ n, w }: { n: TreeNode; w: WizardSession }) {
  if (!n.children.length && n.entry) return <DeviceRow e={n.entry} w={w} />;
  return (
    <li className="wz-branch">
      <details open>
        <summary>{n.entry ? <DeviceLine e={n.entry} w={w} /> : <code>{n.name}</code>}</summary>
        <ul className="wz-rows">
          {n.children.map((c) => (
            <TreeItem key={c.path} n={c} w={w} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function DeviceRow({ e, w }: { e: DeviceEntry; w: WizardSession }) {
  return (
    <li>
      <DeviceLine e={e} w={w} />
    </li>
  );
}

function DeviceLine({ e, w }: { e: DeviceEntry; w: WizardSession }) {
  const actions = useActions();
  const chosen = w.chosen.includes(e.id);
  const name = deviceName(e);
  return (
    <div className={`wz-device${w.focus === e.id ? ' focused' : ''}${e.notPassable ? ' not-passable' : ''}`} data-testid={`wz-device-${name}`} onClick={() => actions.focusWizardDevice(e.id)}>
      <input
        type="checkbox"
        aria-label={`Pass ${name} through`}
        data-testid={`wz-choose-${name}`}
        checked={chosen}
        disabled={Boolean(e.notPassable)}
        title={e.notPassable ? `Cannot be passed through: ${e.notPassable}` : `Pass ${name} through to the VM`}
        onClick={(ev) => ev.stopPropagation()}
        onChange={() => actions.toggleWizardDevice(e.id)}
      />
      <span className="wz-device-name">{name}</span>
      <span className="muted wz-device-node">{e.path ?? e.title ?? e.name}</span>
      {e.status !== 'okay' && <span className="chip wz-chip-status">{e.status}</span>}
      {e.notPassable && <span className="chip wz-chip-no">not passable</span>}
      <span className="wz-device-meta">
        {e.regs.slice(0, SHOWN).map((r, i) => (
          <span key={i} className={`wz-win${r.reserved ? ' reserved' : ''}`} title={r.reserved ? `Kept out of the guest: ${r.reserved}` : undefined}>
            {windowText(r)}
          </span>
        ))}
        {e.regs.length > SHOWN && <span>+{e.regs.length - SHOWN} windows</span>}
        {e.irqs.slice(0, SHOWN).map((i, k) => (
          <span key={`i${k}`} className="wz-irq">
            {irqText(i)}
          </span>
        ))}
        {e.irqs.length > SHOWN && <span className="wz-irq">+{e.irqs.length - SHOWN} interrupts</span>}
      </span>
    </div>
  );
}
