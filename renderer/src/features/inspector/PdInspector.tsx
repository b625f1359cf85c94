import { updateProtectionDomain } from '../../../../shared/model/edits';
import { addChildPd, addIrq, addVirtualMachine, editSetvar } from '../../../../shared/model/editsInsidePd';
import { isArmIrq, type ProtectionDomain, type SystemModel } from '../../../../shared/model/system';
import { hex } from '../../../../shared/format/hex';
import { useActions, useStudio } from '../../stores/context';
import { commandTitle } from '../../commands/registry';
import { BoolChoice, Field, help, name, optText, ranged, symbol, text } from './fields';

const PD = 'protection_domain';

/** Every attribute of a PD (a child PD's id and setvar_id too), its program image, and what lives inside it. */
export function PdInspector({ pd, system, isChild }: { pd: ProtectionDomain; system: SystemModel; isChild: boolean }) {
  const actions = useActions();
  const position = useStudio((s) => s.doc.layout.nodes[`pd:${pd.name}`]);
  const set = (patch: Partial<ProtectionDomain>) => actions.edit(updateProtectionDomain(pd.name, patch));
  return (
    <div>
      <div className="inspector-kind">{isChild ? 'Child protection domain' : 'Protection domain'}</div>
      <Field label="name" testId="inspect-name" help={help(PD, 'name')} value={pd.name} parse={name} onCommit={(v) => {
        // A default-named image (`<name>.elf`) and its program's files follow the rename.
        void actions.renamePd(pd.name, v).then(() => actions.select([`pd:${v}`]));
      }} />
      <Field label="priority" testId="inspect-priority" help={help(PD, 'priority')} value={pd.priority?.toString() ?? ''} parse={ranged(PD, 'priority')} onCommit={(v) => set({ priority: v })} />
      <Field label="budget (µs)" testId="inspect-budget" help={help(PD, 'budget')} value={pd.budget?.toString() ?? ''} parse={ranged(PD, 'budget')} onCommit={(v) => set({ budget: v })} />
      <Field label="period (µs)" testId="inspect-period" help={help(PD, 'period')} value={pd.period?.toString() ?? ''} parse={ranged(PD, 'period')} onCommit={(v) => set({ period: v })} />
      <BoolChoice label="passive" testId="inspect-passive" help={help(PD, 'passive')} value={pd.passive} onCommit={(v) => set({ passive: v })} />
      <Field label="stack_size" testId="inspect-stack" help={help(PD, 'stack_size')} value={pd.stackSize !== undefined ? hex(pd.stackSize) : ''} parse={ranged(PD, 'stack_size')} onCommit={(v) => set({ stackSize: v })} />
      <Field label="cpu" testId="inspect-cpu" help={help(PD, 'cpu')} value={pd.cpu?.toString() ?? ''} parse={ranged(PD, 'cpu')} onCommit={(v) => set({ cpu: v })} />
      <BoolChoice label="smc" testId="inspect-smc" help={help(PD, 'smc')} value={pd.smc} onCommit={(v) => set({ smc: v })} />
      <BoolChoice label="fpu" testId="inspect-fpu" help={help(PD, 'fpu')} value={pd.fpu} onCommit={(v) => set({ fpu: v })} />
      {(pd.domain !== undefined || system.domains) && <Field label="domain" testId="inspect-domain" help={help(PD, 'domain')} value={pd.domain ?? ''} parse={optText} onCommit={(v) => set({ domain: v })} />}
      {isChild && (
        <>
          <Field label="id" testId="inspect-child-id" help={help(PD, 'id')} value={pd.id?.toString() ?? ''} parse={ranged(PD, 'id')} onCommit={(v) => set({ id: v })} />
          <Field label="setvar_id" testId="inspect-child-setvar" help={help(PD, 'setvar_id')} value={pd.setvarId ?? ''} parse={symbol} onCommit={(v) => set({ setvarId: v })} />
        </>
      )}
      <Field label="program_image" testId="inspect-image" help={help('program_image', 'path')} value={pd.programImage} parse={text} onCommit={(v) => set({ programImage: v })} />
      <Field label="path_for_symbols" testId="inspect-symbols" help={help('program_image', 'path_for_symbols')} value={pd.pathForSymbols ?? ''} parse={optText} onCommit={(v) => set({ pathForSymbols: v })} />

      <h4>Inside {pd.name}</h4>
      <ul className="inspector-list" data-testid="inspect-parts">
        {pd.virtualMachine && (
          <li>
            <button className="link" data-testid="inspect-open-vm" onClick={() => actions.select([`vm:${pd.name}`])}>
              virtual machine {pd.virtualMachine.name} ({pd.virtualMachine.vcpus.length} vCPU)
            </button>
          </li>
        )}
        {pd.irqs.map((q, i) => (
          <li key={i}>
            <button className="link" data-testid={`inspect-open-irq-${i}`} onClick={() => actions.select([`irq:${pd.name}:${i}`])}>
              {isArmIrq(q) ? `irq ${q.irq}` : 'pin' in q ? `ioapic pin ${q.pin}` : `msi ${q.pcidev}`} → channel id {q.id}
            </button>
          </li>
        ))}
        {(pd.children ?? []).map((c) => (
          <li key={c.name}>
            <button className="link" onClick={() => actions.showNode(`pd:${c.name}`)}>
              child {c.name} (id {c.id ?? '?'})
            </button>
          </li>
        ))}
        {(pd.ioports?.length ?? 0) > 0 && <li className="muted">{pd.ioports!.length} I/O port range(s): edit them in the XML pane</li>}
        {(pd.cspace?.length ?? 0) > 0 && <li className="muted">{pd.cspace!.length} cspace cap(s): edit them in the XML pane</li>}
      </ul>
      <div className="row">
        {!pd.virtualMachine && (
          <button data-testid="inspect-add-vm" title="Make this PD a VMM: it runs a guest with one vCPU" onClick={() => (actions.edit(addVirtualMachine(pd.name)), actions.select([`vm:${pd.name}`]))}>
            + VM
          </button>
        )}
        <button data-testid="inspect-create-program" title={commandTitle('createProgram')} onClick={() => void actions.createPrograms([pd.name])}>
          Create program
        </button>
        <button data-testid="inspect-add-irq" title="Deliver a hardware interrupt to this PD" onClick={() => (actions.edit(addIrq(pd.name)), actions.select([`irq:${pd.name}:${pd.irqs.length}`]))}>
          + IRQ
        </button>
        <button data-testid="inspect-add-child" title="A child PD this PD starts, stops and handles faults of" onClick={() => actions.edit(addChildPd(pd.name, { x: (position?.x ?? 0) + 40, y: (position?.y ?? 0) + 160 }))}>
          + child PD
        </button>
        <button data-testid="inspect-add-setvar" title="Patch a symbol with a region's physical address" disabled={!system.memoryRegions.length} onClick={() => actions.edit(editSetvar(pd.name, undefined, null))}>
          + setvar
        </button>
      </div>
      {(pd.setvars ?? []).map((_, i) => (
        <SetvarFields key={i} pd={pd} index={i} system={system} />
      ))}
    </div>
  );
}

/** One setvar of a PD: the symbol and the region whose physical address it receives. */
export function SetvarFields({ pd, index: i, system }: { pd: ProtectionDomain; index: number; system: SystemModel }) {
  const actions = useActions();
  const sv = pd.setvars![i]!;
  return (
    <fieldset className="channel-end">
      <legend>setvar</legend>
      <Field label="symbol" testId={`inspect-setvar-symbol-${i}`} help={help('setvar', 'symbol')} value={sv.symbol} parse={symbol} onCommit={(v) => v && actions.edit(editSetvar(pd.name, i, { symbol: v }))} />
      <label className="field">
        <span className="field-label">region_paddr</span>
        <select data-testid={`inspect-setvar-region-${i}`} value={sv.regionPaddr} onChange={(e) => actions.edit(editSetvar(pd.name, i, { regionPaddr: e.target.value }))}>
          {!system.memoryRegions.some((m) => m.name === sv.regionPaddr) && <option value={sv.regionPaddr}>{sv.regionPaddr} (missing)</option>}
          {system.memoryRegions.map((m) => (
            <option key={m.name}>{m.name}</option>
          ))}
        </select>
        <span className="field-help">{help('setvar', 'region_paddr')}</span>
      </label>
      <button onClick={() => actions.edit(editSetvar(pd.name, i, null))}>Remove setvar</button>
    </fieldset>
  );
}
