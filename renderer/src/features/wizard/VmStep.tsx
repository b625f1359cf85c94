import { useState } from 'react';
import { hex } from '../../../../shared/format/hex';
import { allProtectionDomains } from '../../../../shared/model/system';
import { vmmCandidates, type PassthroughPreview, type VmSpec } from '../../../../shared/passthrough';
import { useActions, useStudio } from '../../stores/context';
import type { WizardSession } from '../../stores/studioStore';
import { parseBig } from './describe';

/** Step 4: the VMM PD and VM the devices go to: one the system has, or new ones with their guest RAM. */
export function VmStep({ w, preview }: { w: WizardSession; preview: PassthroughPreview | undefined }) {
  const actions = useActions();
  const system = useStudio((s) => s.doc.system);
  const vms = allProtectionDomains(system).filter((p) => p.virtualMachine);
  const pds = allProtectionDomains(system).filter((p) => !p.virtualMachine);
  // PDs that can take a VM first; drivers and virtualisers of sDDF subsystems (by name or shape) only behind "show all".
  const candidates = vmmCandidates(system);
  const [showAll, setShowAll] = useState(false);
  const hidden = candidates.filter((c) => !c.fit);
  const offered = candidates.filter((c) => c.fit || showAll || c.pd === w.vm.vmm);
  const t = preview?.plan.vm;
  const busMaster = preview?.plan.devices.some((d) => d.facts.busMaster && d.route === 'direct') ?? false;
  const choice = w.vm.vmm ? (vms.some((p) => p.name === w.vm.vmm) ? `vm:${w.vm.vmm}` : pds.some((p) => p.name === w.vm.vmm) ? `pd:${w.vm.vmm}` : 'new') : vms.length === 1 ? `vm:${vms[0]!.name}` : 'new';
  const pick = (v: string) => {
    const [kind, name] = v.split(':') as [string, string | undefined];
    if (kind === 'new') actions.setWizardVm({ vmm: vms.length || pds.some((p) => p.name === 'vmm') ? uniqueName('vmm', system) : undefined, name: undefined });
    else actions.setWizardVm({ vmm: name, name: undefined });
  };
  return (
    <div className="wz-vm">
      <label className="field">
        <span className="field-label">VMM</span>
        <select data-testid="wz-vm-target" value={choice} onChange={(e) => pick(e.target.value)}>
          {vms.map((p) => (
            <option key={p.name} value={`vm:${p.name}`}>
              VM {p.virtualMachine!.name} in PD {p.name} (existing)
            </option>
          ))}
          {offered.map((c) => (
            <option key={c.pd} value={`pd:${c.pd}`} title={c.reason}>
              PD {c.pd}: give it a new VM{c.fit ? '' : ` (${c.reason.split(':')[0]})`}
            </option>
          ))}
          <option value="new">A new VMM PD and VM</option>
        </select>
      </label>
      {hidden.length > 0 && (
        <p className="muted wz-vmm-rule" data-testid="wz-vmm-rule">
          {hidden.length} PD{hidden.length === 1 ? '' : 's'} without a VM {hidden.length === 1 ? 'is' : 'are'} not offered: a VMM is a PD with no VM yet that is not the driver or a
          virtualiser of an sDDF subsystem (by name: *_driver, *_virt*, mux_*, copiers; by shape: a hardware IRQ and device registers) — those serve other PDs. ({hidden.map((c) => c.pd).join(', ')}){' '}
          <label className="wz-check-inline">
            <input type="checkbox" data-testid="wz-vmm-show-all" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show all
          </label>
        </p>
      )}
      {t && (
        <p className="wz-summary" data-testid="wz-vm-summary">
          {t.createVmm ? 'New' : 'Existing'} VMM PD <strong>{t.vmm}</strong> (priority {t.vmmPriority}, {t.programImage}); {t.createVm ? 'new' : 'existing'} VM <strong>{t.vm}</strong> with {t.vcpus} vCPU
          {t.vcpus === 1 ? '' : 's'}; guest RAM <code>{t.ramRegion}</code> at guest {hex(t.ramBase)} + {hex(t.ramSize)}
          {t.ramPhys === undefined ? ' (physical address chosen by Microkit)' : t.ramPhys === t.ramBase ? ' (1:1)' : ` at physical ${hex(t.ramPhys)}`}.
        </p>
      )}
      {t && t.createVm && (
        <div className="wz-form">
          <Text label="VM name" testId="wz-vm-name" value={w.vm.name ?? ''} placeholder={t.vm} onCommit={(v) => actions.setWizardVm({ name: v || undefined })} />
          {t.createVmm && <Text label="VMM PD" testId="wz-vmm-name" value={w.vm.vmm ?? ''} placeholder={t.vmm} onCommit={(v) => actions.setWizardVm({ vmm: v || undefined })} />}
          <Num label="vCPUs" testId="wz-vm-vcpus" value={w.vm.vcpus} placeholder={t.vcpus} onCommit={(v) => actions.setWizardVm({ vcpus: v === undefined ? undefined : Number(v) })} />
          <Num label="guest RAM base" testId="wz-vm-ram-base" value={w.vm.ramBase} placeholder={t.ramBase} hexValue onCommit={(v) => actions.setWizardVm(one(w.vm, { ramBase: v }))} />
          <Num label="guest RAM size" testId="wz-vm-ram-size" value={w.vm.ramSize} placeholder={t.ramSize} hexValue onCommit={(v) => actions.setWizardVm({ ramSize: v })} />
          <label className="field wz-check">
            <span className="field-label">1:1</span>
            <span>
              <input type="checkbox" data-testid="wz-vm-one-to-one" checked={t.ramPhys !== undefined && t.ramPhys === t.ramBase} onChange={(e) => actions.setWizardVm({ ramPhys: e.target.checked ? t.ramBase : undefined })} /> guest RAM at the same
              physical address (IPA = PA){busMaster ? ': a DMA-capable device programs guest-physical addresses, so it needs this (or an SMMU that translates)' : ''}
            </span>
          </label>
          {t.createVmm && (
            <>
              <Num label="VMM priority" testId="wz-vmm-priority" value={w.vm.vmmPriority} placeholder={t.vmmPriority} onCommit={(v) => actions.setWizardVm({ vmmPriority: v === undefined ? undefined : Number(v) })} />
              <Text label="program image" testId="wz-vmm-image" value={w.vm.programImage ?? ''} placeholder={t.programImage} onCommit={(v) => actions.setWizardVm({ programImage: v || undefined })} />
            </>
          )}
        </div>
      )}
      {t && !t.createVm && <p className="muted">The devices go into this VM as it is: its vCPUs and guest RAM are kept. Pick “A new VMM PD and VM” for another guest.</p>}
      {(preview?.plan.messages ?? [])
        .filter((m) => ['which-vm', 'vmm-name', 'ram', 'no-hypervisor', 'guest-overlap'].includes(m.code ?? ''))
        .map((m, i) => (
          <p key={i} className={`wz-msg wz-${m.severity}`}>
            {m.message}
          </p>
        ))}
    </div>
  );
}

/** Moving guest RAM keeps a 1:1 choice 1:1. */
function one(vm: VmSpec, patch: { ramBase: bigint | undefined }): VmSpec {
  return vm.ramPhys !== undefined && vm.ramPhys === vm.ramBase ? { ...patch, ramPhys: patch.ramBase } : patch;
}

function uniqueName(base: string, system: Parameters<typeof allProtectionDomains>[0]): string {
  const names = new Set(allProtectionDomains(system).map((p) => p.name));
  let n = base;
  for (let i = 1; names.has(n); i++) n = `${base}${i}`;
  return n;
}

function Text({ label, testId, value, placeholder, onCommit }: { label: string; testId: string; value: string; placeholder: string; onCommit(v: string): void }) {
  const [text, setText] = useState(value);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input data-testid={testId} value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onBlur={() => onCommit(text.trim())} onKeyDown={(e) => e.key === 'Enter' && onCommit(text.trim())} />
    </label>
  );
}

function Num({ label, testId, value, placeholder, hexValue, onCommit }: { label: string; testId: string; value: number | bigint | undefined; placeholder: number | bigint; hexValue?: boolean; onCommit(v: bigint | undefined): void }) {
  const show = (v: number | bigint | undefined) => (v === undefined ? '' : hexValue ? hex(v) : String(v));
  const [text, setText] = useState(show(value));
  const parsed = text.trim() ? parseBig(text) : undefined;
  const bad = text.trim() !== '' && parsed === undefined;
  const commit = () => !bad && onCommit(parsed);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input data-testid={testId} value={text} aria-invalid={bad} placeholder={show(placeholder)} onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
    </label>
  );
}
