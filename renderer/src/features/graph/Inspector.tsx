import { useState, type KeyboardEvent } from 'react';
import { ppProblem, removeChannel, updateChannelEnd, updateMap, updateMemoryRegion, updateProtectionDomain } from '../../../../shared/model/edits';
import { allProtectionDomains, type MapEntry, type Perms } from '../../../../shared/model/system';
import { hex } from '../../../../shared/sdf/export';
import { useActions, useStudio } from '../../stores/context';
import { useProblems } from '../problems/useProblems';

type Parse<T> = (raw: string) => { value?: T; error?: string };
const int =
  (min: number, max: number): Parse<number | undefined> =>
  (raw) => {
    const s = raw.trim().replace(/_/g, '');
    if (s === '') return { value: undefined };
    const n = s.startsWith('0x') ? parseInt(s.slice(2), 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n)) return { error: 'a decimal or 0x-prefixed number' };
    if (n < min || n > max) return { error: `between ${min} and ${max}` };
    return { value: n };
  };
const name: Parse<string> = (raw) => (/^[A-Za-z_][\w-]*$/.test(raw) ? { value: raw } : { error: 'letters, digits, _ and -' });
const text: Parse<string> = (raw) => ({ value: raw.trim() });
const perms: Parse<Perms> = (raw) => (/^(r|w|x|rw|rx|wx|rwx)$/.test(raw.trim()) ? { value: raw.trim() as Perms } : { error: 'r, w and x in that order (rw, rx, rwx…)' });
const symbol: Parse<string | undefined> = (raw) => (raw.trim() === '' ? { value: undefined } : /^[A-Za-z_]\w*$/.test(raw.trim()) ? { value: raw.trim() } : { error: 'a C identifier' });

/** `map:PD:3` / `vmmap:PD:3`: the selected map edge. */
function selectedMap(key: string | undefined, system: Parameters<typeof allProtectionDomains>[0]) {
  const m = key && /^(map|vmmap):(.+):(\d+)$/.exec(key);
  if (!m) return undefined;
  const pd = allProtectionDomains(system).find((p) => p.name === m[2]);
  const into = m[1] === 'vmmap' ? ('vm' as const) : ('pd' as const);
  const index = Number(m[3]);
  const map: MapEntry | undefined = into === 'vm' ? pd?.virtualMachine?.maps[index] : pd?.maps[index];
  return pd && map ? { pd: pd.name, into, index, map } : undefined;
}

/**
 * One field: edits are local until Enter or blur, then committed as one undoable edit; an invalid value is shown
 * inline and never reaches the model.
 */
function Field<T>(props: { label: string; help: string; value: string; parse: Parse<T>; onCommit: (v: T) => void; testId: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? props.value;
  const parsed = props.parse(shown);
  const commit = () => {
    if (draft === null) return;
    if (!parsed.error && draft !== props.value) props.onCommit(parsed.value as T);
    if (!parsed.error) setDraft(null);
  };
  return (
    <label className="field">
      <span className="field-label" title={props.help}>
        {props.label}
      </span>
      <input
        data-testid={props.testId}
        value={shown}
        aria-invalid={Boolean(parsed.error)}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(null);
          e.stopPropagation();
        }}
      />
      <span className="field-help">{parsed.error ? `Expected ${parsed.error}` : props.help}</span>
    </label>
  );
}

export function Inspector() {
  const selection = useStudio((s) => s.selection);
  const system = useStudio((s) => s.doc.system);
  const actions = useActions();
  const { problems } = useProblems();
  const key = selection.length === 1 ? selection[0]! : undefined;
  const pd = key?.startsWith('pd:') ? system.protectionDomains.find((p) => `pd:${p.name}` === key) : undefined;
  const mr = key?.startsWith('mr:') ? system.memoryRegions.find((m) => `mr:${m.name}` === key) : undefined;
  const mapSel = selectedMap(key, system);
  const chIndex = key && /^ch:\d+$/.test(key) ? Number(key.slice(3)) : -1;
  const channel = chIndex >= 0 ? system.channels[chIndex] : undefined;
  const pp = channel ? ppProblem(system, channel.ends) : undefined;
  const mine = key ? problems.filter((p) => p.key === key) : [];
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      <h3>Inspector</h3>
      {!pd && !mr && !mapSel && !channel && <p className="muted">{selection.length > 1 ? `${selection.length} items selected` : 'Select a node to edit it.'}</p>}
      {pd && (
        <div key={key}>
          <div className="inspector-kind">Protection domain</div>
          <Field label="name" testId="inspect-name" help="Unique among all PDs; 'monitor' is reserved" value={pd.name} parse={name} onCommit={(v) => {
            actions.edit(updateProtectionDomain(pd.name, { name: v }));
            actions.select([`pd:${v}`]);
          }} />
          <Field label="priority" testId="inspect-priority" help="0–254; higher runs first (255 is the monitor)" value={pd.priority?.toString() ?? ''} parse={int(0, 254)} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { priority: v }))} />
          <Field label="budget (µs)" testId="inspect-budget" help="CPU time per period; default 1000" value={pd.budget?.toString() ?? ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { budget: v }))} />
          <Field label="period (µs)" testId="inspect-period" help="Replenishment period; ≥ budget, default = budget" value={pd.period?.toString() ?? ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { period: v }))} />
          <Field label="stack_size" testId="inspect-stack" help="0x1000–0x1000000, 4 KiB aligned; default 0x2000" value={pd.stackSize !== undefined ? hex(pd.stackSize) : ''} parse={int(0x1000, 0x1000000)} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { stackSize: v }))} />
          <Field label="cpu" testId="inspect-cpu" help="Core the PD runs on; default 0" value={pd.cpu?.toString() ?? ''} parse={int(0, 255)} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { cpu: v }))} />
          <Field label="program_image" testId="inspect-image" help="ELF file, found through --search-path" value={pd.programImage} parse={text} onCommit={(v) => actions.edit(updateProtectionDomain(pd.name, { programImage: v }))} />
        </div>
      )}
      {mr && (
        <div key={key}>
          <div className="inspector-kind">Memory region</div>
          <Field label="name" testId="inspect-name" help="Unique among memory regions" value={mr.name} parse={name} onCommit={(v) => {
            actions.edit(updateMemoryRegion(mr.name, { name: v }));
            actions.select([`mr:${v}`]);
          }} />
          <Field label="size" testId="inspect-size" help="Bytes; a multiple of the page size" value={mr.size !== undefined ? hex(mr.size) : ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => {
            if (v !== undefined) actions.edit(updateMemoryRegion(mr.name, { size: v }));
          }} />
          <Field label="phys_addr" testId="inspect-phys" help="Fixed physical address (device registers); page aligned" value={mr.physAddr !== undefined ? hex(mr.physAddr) : ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => actions.edit(updateMemoryRegion(mr.name, { physAddr: v }))} />
          <Field label="page_size" testId="inspect-page" help="0x1000 or 0x200000" value={mr.pageSize !== undefined ? hex(mr.pageSize) : ''} parse={int(0x1000, 0x200000)} onCommit={(v) => actions.edit(updateMemoryRegion(mr.name, { pageSize: v }))} />
        </div>
      )}
      {mapSel && (
        <div key={key}>
          <div className="inspector-kind">
            Map: {mapSel.map.mr} into {mapSel.into === 'vm' ? `${mapSel.pd}'s VM` : mapSel.pd}
          </div>
          <Field label="vaddr" testId="inspect-vaddr" help="Where the region appears in the address space; page aligned" value={hex(mapSel.map.vaddr)} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => {
            if (v !== undefined) actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { vaddr: v }));
          }} />
          <Field label="perms" testId="inspect-perms" help="r, w, x; write-only is not allowed" value={mapSel.map.perms ?? 'rw'} parse={perms} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { perms: v }))} />
          <label className="field check">
            <input type="checkbox" data-testid="inspect-cached" checked={mapSel.map.cached ?? true} onChange={(e) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { cached: e.target.checked ? undefined : false }))} />
            <span className="field-label" title="Device registers want cached=false">cached</span>
          </label>
          {mapSel.into === 'pd' && (
            <Field label="setvar_vaddr" testId="inspect-setvar" help="A symbol in the program that Microkit sets to vaddr" value={mapSel.map.setvarVaddr ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { setvarVaddr: v }))} />
          )}
          <button data-testid="inspect-remove-map" onClick={() => (actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, null)), actions.select([]))}>
            Remove map
          </button>
        </div>
      )}
      {channel && (
        <div key={key}>
          <div className="inspector-kind">
            Channel: {channel.ends[0].pd} ↔ {channel.ends[1].pd}
          </div>
          {([0, 1] as const).map((e) => {
            const end = channel.ends[e];
            return (
              <fieldset key={e} className="channel-end">
                <legend>{end.pd}</legend>
                <Field label="id" testId={`inspect-end${e}-id`} help="0–62; unique among this PD's channels and IRQs" value={String(end.id)} parse={int(0, 62)} onCommit={(v) => {
                  if (v !== undefined) actions.edit(updateChannelEnd(chIndex, e, { id: v }));
                }} />
                <label className="field check">
                  <input type="checkbox" data-testid={`inspect-end${e}-pp`} checked={end.pp ?? false} onChange={(ev) => actions.edit(updateChannelEnd(chIndex, e, { pp: ev.target.checked || undefined }))} />
                  <span className="field-label" title="This PD may make protected procedure calls to the other end (which needs a higher priority)">pp (may call the other end)</span>
                </label>
                <label className="field check">
                  <input type="checkbox" data-testid={`inspect-end${e}-notify`} checked={end.notify ?? true} onChange={(ev) => actions.edit(updateChannelEnd(chIndex, e, { notify: ev.target.checked ? undefined : false }))} />
                  <span className="field-label" title="This PD may notify the other end">notify</span>
                </label>
              </fieldset>
            );
          })}
          {pp && (
            <p className="inspector-problem-error" data-testid="inspect-pp-problem">
              {pp}
            </p>
          )}
          <button data-testid="inspect-remove-channel" onClick={() => (actions.edit(removeChannel(chIndex)), actions.select([]))}>
            Remove channel
          </button>
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
