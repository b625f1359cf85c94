import { allProtectionDomains, type MapEntry, type SystemModel } from '../../../../shared/model/system';
import { recogniseGroups } from '../../../../shared/model/groups';
import { GroupInspector } from './GroupInspector';
import { useStudio } from '../../stores/context';
import { useProblems } from '../problems/useProblems';
import { ChannelInspector, MapInspector, type MapSelection } from './EdgeInspector';
import { MrInspector } from './MrInspector';
import { IrqInspector, VmInspector } from './PartsInspector';
import { PdInspector, SetvarFields } from './PdInspector';

/** `map:PD:3` / `vmmap:PD:3`: the selected map edge. */
function selectedMap(key: string | undefined, system: SystemModel): MapSelection | undefined {
  const m = key && /^(map|vmmap):(.+):(\d+)$/.exec(key);
  if (!m) return undefined;
  const pd = allProtectionDomains(system).find((p) => p.name === m[2]);
  const into = m[1] === 'vmmap' ? ('vm' as const) : ('pd' as const);
  const index = Number(m[3]);
  const map: MapEntry | undefined = into === 'vm' ? pd?.virtualMachine?.maps[index] : pd?.maps[index];
  return pd && map ? { pd: pd.name, into, index, map } : undefined;
}

/** Edits whatever one selected key names: a PD (child PDs too), a region, a map, a channel, a VM or an IRQ. */
export function Inspector() {
  const selection = useStudio((s) => s.selection);
  const system = useStudio((s) => s.doc.system);
  const { problems } = useProblems();
  const key = selection.length === 1 ? selection[0]! : undefined;
  const pds = allProtectionDomains(system);
  const pd = key?.startsWith('pd:') ? pds.find((p) => `pd:${p.name}` === key) : undefined;
  const mr = key?.startsWith('mr:') ? system.memoryRegions.find((m) => `mr:${m.name}` === key) : undefined;
  const mapSel = selectedMap(key, system);
  const chIndex = key && /^ch:\d+$/.test(key) ? Number(key.slice(3)) : -1;
  const channel = chIndex >= 0 ? system.channels[chIndex] : undefined;
  const vmPd = key?.startsWith('vm:') ? pds.find((p) => p.name === key.slice(3) && p.virtualMachine) : undefined;
  const irqSel = key ? /^irq:(.+):(\d+)$/.exec(key) : null;
  const irqPd = irqSel ? pds.find((p) => p.name === irqSel[1] && p.irqs[Number(irqSel[2])]) : undefined;
  const svSel = key ? /^setvar:(.+):(\d+)$/.exec(key) : null;
  const svPd = svSel ? pds.find((p) => p.name === svSel[1] && p.setvars?.[Number(svSel[2])]) : undefined;
  const group = key?.startsWith('group:') ? recogniseGroups(system).find((g) => g.id === key) : undefined;
  const mine = key ? problems.filter((p) => p.key === key) : [];
  const nothing = !pd && !mr && !mapSel && !channel && !vmPd && !irqPd && !svPd && !group;
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      <h3>Inspector</h3>
      {nothing && <p className="muted">{selection.length > 1 ? `${selection.length} items selected` : 'Select a node to edit it.'}</p>}
      {pd && <PdInspector key={key} pd={pd} system={system} isChild={!system.protectionDomains.includes(pd)} />}
      {mr && <MrInspector key={key} mr={mr} />}
      {group && <GroupInspector key={key} group={group} />}
      {mapSel && <MapInspector key={key} mapSel={mapSel} selKey={key!} />}
      {channel && <ChannelInspector key={key} channel={channel} chIndex={chIndex} selKey={key!} />}
      {vmPd && <VmInspector key={key} pd={vmPd} />}
      {irqPd && <IrqInspector key={key} pd={irqPd} index={Number(irqSel![2])} />}
      {svPd && (
        <div key={key}>
          <div className="inspector-kind">Setvar of {svPd.name}</div>
          <SetvarFields pd={svPd} index={Number(svSel![2])} system={system} />
        </div>
      )}
      {mine.length > 0 && (
        <ul className="inspector-problems">
          {mine.map((p, i) => (
            <li key={i} className={`inspector-problem-${p.severity}`}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
