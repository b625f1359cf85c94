import { addVcpu, updateIrq, updateVcpu, updateVirtualMachine } from '../../../../shared/model/editsInsidePd';
import { isArmIrq, type ProtectionDomain } from '../../../../shared/model/system';
import { boardIntidSources } from '../../../../shared/model/board';
import { classifyIntid } from '../../../../shared/model/intid';
import { useActions, useStudio } from '../../stores/context';
import { Choice, Field, help, name, ranged, reqRanged, symbol } from './fields';

const VM = 'virtual_machine';

/** The VM a PD runs: its name and (AArch64) scheduling, each vCPU, and removing it. */
export function VmInspector({ pd }: { pd: ProtectionDomain }) {
  const actions = useActions();
  const vm = pd.virtualMachine!;
  return (
    <div>
      <div className="inspector-kind">Virtual machine in {pd.name}</div>
      <Field label="name" testId="inspect-vm-name" help={help(VM, 'name')} value={vm.name} parse={name} onCommit={(v) => actions.edit(updateVirtualMachine(pd.name, { name: v }))} />
      <Field label="priority" testId="inspect-vm-priority" help={help(VM, 'priority')} value={vm.priority?.toString() ?? ''} parse={ranged(VM, 'priority')} onCommit={(v) => actions.edit(updateVirtualMachine(pd.name, { priority: v }))} />
      <Field label="budget (µs)" testId="inspect-vm-budget" help={help(VM, 'budget')} value={vm.budget?.toString() ?? ''} parse={ranged(VM, 'budget')} onCommit={(v) => actions.edit(updateVirtualMachine(pd.name, { budget: v }))} />
      <Field label="period (µs)" testId="inspect-vm-period" help={help(VM, 'period')} value={vm.period?.toString() ?? ''} parse={ranged(VM, 'period')} onCommit={(v) => actions.edit(updateVirtualMachine(pd.name, { period: v }))} />
      {vm.vcpus.map((c, i) => (
        <fieldset key={i} className="channel-end">
          <legend>vCPU {i}</legend>
          <Field label="id" testId={`inspect-vcpu-id-${i}`} help={help('vcpu', 'id')} value={String(c.id)} parse={reqRanged('vcpu', 'id')} onCommit={(v) => actions.edit(updateVcpu(pd.name, i, { id: v }))} />
          <Field label="cpu" testId={`inspect-vcpu-cpu-${i}`} help={help('vcpu', 'cpu')} value={c.cpu?.toString() ?? ''} parse={ranged('vcpu', 'cpu')} onCommit={(v) => actions.edit(updateVcpu(pd.name, i, { cpu: v }))} />
          <button disabled={vm.vcpus.length === 1} title={vm.vcpus.length === 1 ? 'A VM needs at least one vCPU' : undefined} onClick={() => actions.edit(updateVcpu(pd.name, i, null))}>
            Remove vCPU
          </button>
        </fieldset>
      ))}
      <div className="row">
        <button data-testid="inspect-add-vcpu" onClick={() => actions.edit(addVcpu(pd.name))}>
          + vCPU
        </button>
        <button data-testid="inspect-remove-vm" onClick={() => (actions.edit(updateVirtualMachine(pd.name, null)), actions.select([`pd:${pd.name}`]))}>
          Remove VM
        </button>
      </div>
      <p className="muted">Map a region into the guest by dragging from the VM’s own dot to the region; vaddr is the guest-physical address.</p>
    </div>
  );
}

/** One interrupt of a PD: the GIC INTID, its channel id, trigger, setvar. x86 forms are edited in the XML pane. */
export function IrqInspector({ pd, index }: { pd: ProtectionDomain; index: number }) {
  const actions = useActions();
  const q = pd.irqs[index]!;
  const board = useStudio((s) => s.boards.find((b) => b.name === (s.doc.settings.board || s.project?.studio.board)));
  // Who raises it: the device tree the passthrough wizard loaded (by node path), else the board pack, else the
  // architecture (the timers, the GIC maintenance interrupt).
  const treeSources = useStudio((s) => (s.wizard?.board === board?.name ? s.wizard?.tree?.irqSources : undefined));
  const facts = isArmIrq(q) ? classifyIntid(q.irq, { hypervisor: board?.hypervisor ?? true, sources: [...(treeSources ?? []), ...boardIntidSources(board)] }) : undefined;
  return (
    <div>
      <div className="inspector-kind">IRQ of {pd.name}</div>
      {isArmIrq(q) ? (
        <>
          <Field label="irq" testId="inspect-irq-number" help={help('irq', 'irq')} value={String(q.irq)} parse={reqRanged('irq', 'irq')} onCommit={(v) => actions.edit(updateIrq(pd.name, index, { irq: v }))} />
          {facts && (
            <div className="muted" data-testid="inspect-irq-source">
              <div>
                <strong>{facts.kind}</strong> · {facts.label}
                {facts.dtCells ? ` · device tree ${facts.dtCells}` : ''}
              </div>
              <div data-testid="inspect-irq-raised-by">{facts.raisedBy ? `raised by ${facts.raisedBy.name} (${facts.raisedBy.from})` : 'no device known to raise it'}</div>
              {facts.kernelOwned && <div className="inspector-problem-error">{facts.kernelOwned}</div>}
            </div>
          )}
          <Field label="id" testId="inspect-irq-id" help={help('irq', 'id')} value={String(q.id)} parse={reqRanged('irq', 'id')} onCommit={(v) => actions.edit(updateIrq(pd.name, index, { id: v }))} />
          <Choice label="trigger" testId="inspect-irq-trigger" help={help('irq', 'trigger')} value={q.trigger} options={['level', 'edge'] as const} onCommit={(v) => actions.edit(updateIrq(pd.name, index, { trigger: v }))} />
          <Field label="setvar_id" testId="inspect-irq-setvar" help={help('irq', 'setvar_id')} value={q.setvarId ?? ''} parse={symbol} onCommit={(v) => actions.edit(updateIrq(pd.name, index, { setvarId: v }))} />
        </>
      ) : (
        <p className="muted">An x86 {'pin' in q ? 'I/O APIC' : 'MSI'} interrupt on channel id {q.id}: edit it in the XML pane.</p>
      )}
      <button data-testid="inspect-remove-irq" onClick={() => (actions.edit(updateIrq(pd.name, index, null)), actions.select([`pd:${pd.name}`]))}>
        Remove IRQ
      </button>
    </div>
  );
}
