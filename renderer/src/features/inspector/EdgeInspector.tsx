import { removeChannel, updateChannelEnd, updateMap } from '../../../../shared/model/edits';
import type { Channel, MapEntry } from '../../../../shared/model/system';
import { hex } from '../../../../shared/format/hex';
import { useActions } from '../../stores/context';
import { Field, help, int, perms, ranged, symbol } from './fields';

export interface MapSelection {
  pd: string;
  into: 'pd' | 'vm';
  index: number;
  map: MapEntry;
}

/** A map edge: where and how the region appears in the PD's (or VM's) address space. */
export function MapInspector({ mapSel, selKey }: { mapSel: MapSelection; selKey: string }) {
  const actions = useActions();
  const key = selKey;
  return (
    <>
      <div key={key}>
          <div className="inspector-kind">
            Map: {mapSel.map.mr} into {mapSel.into === 'vm' ? `${mapSel.pd}'s VM` : mapSel.pd}
          </div>
          <Field label="vaddr" testId="inspect-vaddr" help={help('map', 'vaddr')} value={hex(mapSel.map.vaddr)} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => {
            if (v !== undefined) actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { vaddr: v }));
          }} />
          <Field label="perms" testId="inspect-perms" help={help('map', 'perms')} value={mapSel.map.perms ?? 'rw'} parse={perms} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { perms: v }))} />
          <label className="field check">
            <input type="checkbox" data-testid="inspect-cached" checked={mapSel.map.cached ?? true} onChange={(e) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { cached: e.target.checked ? undefined : false }))} />
            <span className="field-label" title={help('map', 'cached')}>cached</span>
          </label>
          {mapSel.into === 'pd' && (
            <>
              <Field label="setvar_vaddr" testId="inspect-setvar" help={help('map', 'setvar_vaddr')} value={mapSel.map.setvarVaddr ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { setvarVaddr: v }))} />
              <Field label="setvar_size" testId="inspect-setvar-size" help={help('map', 'setvar_size')} value={mapSel.map.setvarSize ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { setvarSize: v }))} />
              <Field label="setvar_prefill_size" testId="inspect-setvar-prefill" help={help('map', 'setvar_prefill_size')} value={mapSel.map.setvarPrefillSize ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, { setvarPrefillSize: v }))} />
            </>
          )}
          <button data-testid="inspect-remove-map" onClick={() => (actions.edit(updateMap(mapSel.pd, mapSel.index, mapSel.into, null)), actions.select([]))}>
            Remove map
          </button>
        </div>
    </>
  );
}

/**
 * A channel edge: each end's id, pp and notify. A rule it breaks (the PPC priority rule among them) is listed under
 * it by the Inspector from the checker's diagnostics for this channel.
 */
export function ChannelInspector({ channel, chIndex, selKey }: { channel: Channel; chIndex: number; selKey: string }) {
  const actions = useActions();
  const key = selKey;
  return (
    <>
        <div key={key}>
          <div className="inspector-kind">
            Channel: {channel.ends[0].pd} ↔ {channel.ends[1].pd}
          </div>
          {([0, 1] as const).map((e) => {
            const end = channel.ends[e];
            return (
              <fieldset key={e} className="channel-end">
                <legend>{end.pd}</legend>
                <Field label="id" testId={`inspect-end${e}-id`} help={help('end', 'id')} value={String(end.id)} parse={ranged('end', 'id')} onCommit={(v) => {
                  if (v !== undefined) actions.edit(updateChannelEnd(chIndex, e, { id: v }));
                }} />
                <label className="field check">
                  <input type="checkbox" data-testid={`inspect-end${e}-pp`} checked={end.pp ?? false} onChange={(ev) => actions.edit(updateChannelEnd(chIndex, e, { pp: ev.target.checked || undefined }))} />
                  <span className="field-label" title={help('end', 'pp')}>pp (may call the other end)</span>
                </label>
                <label className="field check">
                  <input type="checkbox" data-testid={`inspect-end${e}-notify`} checked={end.notify ?? true} onChange={(ev) => actions.edit(updateChannelEnd(chIndex, e, { notify: ev.target.checked ? undefined : false }))} />
                  <span className="field-label" title={help('end', 'notify')}>notify</span>
                </label>
                <Field label="setvar_id" testId={`inspect-end${e}-setvar`} help={help('end', 'setvar_id')} value={end.setvarId ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateChannelEnd(chIndex, e, { setvarId: v }))} />
              </fieldset>
            );
          })}
          <button data-testid="inspect-remove-channel" onClick={() => (actions.edit(removeChannel(chIndex)), actions.select([]))}>
            Remove channel
          </button>
        </div>
    </>
  );
}
