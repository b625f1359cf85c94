import { updateMemoryRegion } from '../../../../shared/model/edits';
import { deviceRegion } from '../../../../shared/model/deviceRegion';
import type { MemoryRegion } from '../../../../shared/model/system';
import { hex } from '../../../../shared/format/hex';
import { SDF_SCHEMA } from '../../../../shared/sdf/schema';
import { useActions, useStudio } from '../../stores/context';
import { Choice, Field, help, int, name, optText } from './fields';

const MR = 'memory_region';

/** A region's attributes; for a device region, the board pack's devices to take the registers from. */
export function MrInspector({ mr }: { mr: MemoryRegion }) {
  const actions = useActions();
  const board = useStudio((s) => s.boards.find((b) => b.name === s.project?.studio.board));
  const set = (patch: Partial<MemoryRegion>) => actions.edit(updateMemoryRegion(mr.name, patch));
  const regs = (board?.devices ?? []).flatMap((d) => d.regs.map((r, i) => ({ key: `${d.name}:${i}`, label: `${d.title}${r.name ? ` (${r.name})` : ''} @ ${r.address}`, address: parseInt(r.address, 16), size: parseInt(r.size, 16) })));
  const current = regs.find((r) => mr.physAddr !== undefined && deviceRegion('', r.address, r.size).physAddr === mr.physAddr);
  return (
    <div>
      <div className="inspector-kind">{mr.physAddr !== undefined ? 'Device region' : 'Memory region'}</div>
      <Field label="name" testId="inspect-name" help={help(MR, 'name')} value={mr.name} parse={name} onCommit={(v) => {
        set({ name: v });
        actions.select([`mr:${v}`]);
      }} />
      <Field label="size" testId="inspect-size" help={help(MR, 'size')} value={mr.size !== undefined ? hex(mr.size) : ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => set({ size: v })} />
      <Field label="phys_addr" testId="inspect-phys" help={help(MR, 'phys_addr')} value={mr.physAddr !== undefined ? hex(mr.physAddr) : ''} parse={int(0, Number.MAX_SAFE_INTEGER)} onCommit={(v) => set({ physAddr: v })} />
      <Field label="page_size" testId="inspect-page" help={help(MR, 'page_size')} value={mr.pageSize !== undefined ? hex(mr.pageSize) : ''} parse={int(0x1000, 0x200000)} onCommit={(v) => set({ pageSize: v })} />
      <Field label="prefill_path" testId="inspect-prefill" help={help(MR, 'prefill_path')} value={mr.prefillPath ?? ''} parse={optText} onCommit={(v) => set({ prefillPath: v })} />
      <Choice label="prefill_bootinfo" testId="inspect-bootinfo" help={help(MR, 'prefill_bootinfo')} value={mr.prefillBootinfo} options={SDF_SCHEMA[MR]!.attrs.prefill_bootinfo!.values!} defaultLabel="none" onCommit={(v) => set({ prefillBootinfo: v })} />
      {regs.length > 0 && (
        <label className="field">
          <span className="field-label">board device</span>
          <select
            data-testid="inspect-device"
            value={current?.key ?? ''}
            onChange={(e) => {
              const r = regs.find((x) => x.key === e.target.value);
              if (!r) return;
              const d = deviceRegion(mr.name, r.address, r.size);
              set({ physAddr: d.physAddr, size: d.size });
            }}
          >
            <option value="">{mr.physAddr !== undefined ? 'custom address' : 'none (RAM the tool allocates)'}</option>
            {regs.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
          <span className="field-help">Sets phys_addr and size to the device’s registers on {board!.title}, in whole pages</span>
        </label>
      )}
      {mr.physAddr !== undefined && (
        <div className="row">
          <button data-testid="inspect-passthrough" title="Open the passthrough wizard with the device at this address chosen" onClick={() => actions.openWizard({ physAddr: mr.physAddr! })}>
            Pass through to a VM…
          </button>
        </div>
      )}
    </div>
  );
}
