import { useMemo } from 'react';
import { deviceFacts, type PassthroughPreview, type PlanMessage } from '../../../../shared/passthrough';
import { useActions, useStudio } from '../../stores/context';
import type { WizardSession } from '../../stores/studioStore';
import { boardOf, tablesOf } from '../../stores/wizardSlice';
import { deviceName } from './describe';

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Step 3: what each chosen device needs from other nodes, what giving it to a guest risks, and the choices that follow. */
export function RisksStep({ w, preview }: { w: WizardSession; preview: PassthroughPreview | undefined }) {
  const actions = useActions();
  const board = useStudio((s) => boardOf(s, s.wizard?.board));
  const tree = w.tree;
  const chosen = useMemo(() => (tree?.entries ?? []).filter((e) => w.chosen.includes(e.id)), [tree, w.chosen]);
  const facts = useMemo(() => chosen.map((e) => deviceFacts(e, { ...(tree?.idx ? { idx: tree.idx } : {}), ...(board ? { board } : {}), tables: tree ? tablesOf(tree) : [] })), [chosen, tree, board]);
  const planned = preview?.plan.devices ?? [];
  const messagesOf = (name: string): PlanMessage[] => (preview?.plan.messages ?? []).filter((m) => m.device === name).sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const general = (preview?.plan.messages ?? []).filter((m) => !m.device && m.severity !== 'info');
  const nic = chosen.some((e) => e.group === 'ethernet');
  const reserved = chosen.some((e) => e.regs.some((r) => r.reserved));
  const firmware = facts.some((f) => f.clocks.length + f.resets.length + f.powerDomains.length > 0);
  if (!chosen.length) return <p className="muted">Choose at least one device first (step 2).</p>;
  return (
    <div className="wz-risks">
      <div className="wz-options" data-testid="wz-options">
        {nic && (
          <fieldset data-testid="wz-nic-route">
            <legend>The NIC goes…</legend>
            <label>
              <input type="radio" name="wz-nic" data-testid="wz-nic-direct" checked={w.options.nicRoute === 'direct'} onChange={() => actions.setWizardOptions({ nicRoute: 'direct' })} /> directly to the
              guest (it drives the MAC, its DMA and its clocks)
            </label>
            <label>
              <input type="radio" name="wz-nic" data-testid="wz-nic-path-b" checked={w.options.nicRoute === 'path-b'} onChange={() => actions.setWizardOptions({ nicRoute: 'path-b' })} /> behind a
              trusted driver PD (Path B: eth_driver, sDDF virtualisers and a copier; the guest sees virtio-net)
            </label>
          </fieldset>
        )}
        {reserved && (
          <label className="wz-check" title="Windows a binding gives to the hypervisor stay out of the guest unless you say so">
            <input type="checkbox" data-testid="wz-keep-hyp" checked={w.options.hypervisorWindows === 'keep'} onChange={(e) => actions.setWizardOptions({ hypervisorWindows: e.target.checked ? 'keep' : 'exclude' })} />
            Map the hypervisor’s windows into the guest anyway (override; each is reported)
          </label>
        )}
        {firmware && (
          <fieldset>
            <legend>Clocks, resets and power domains in the guest’s nodes</legend>
            <label>
              <input type="radio" name="wz-fw" data-testid="wz-fw-keep" checked={w.options.firmwareResources === 'keep'} onChange={() => actions.setWizardOptions({ firmwareResources: 'keep' })} /> kept: the VMM
              proxies the guest’s BPMP requests (an allow-list of exactly these)
            </label>
            <label>
              <input type="radio" name="wz-fw" data-testid="wz-fw-remove" checked={w.options.firmwareResources === 'remove'} onChange={() => actions.setWizardOptions({ firmwareResources: 'remove' })} /> removed:
              the host leaves them on (the report says what each Linux driver then needs)
            </label>
          </fieldset>
        )}
      </div>
      {general.map((m, i) => (
        <p key={i} className={`wz-msg wz-${m.severity}`}>
          {m.message}
        </p>
      ))}
      {chosen.map((e, i) => {
        const f = facts[i]!;
        const name = planned.find((p) => p.entry.id === e.id)?.name ?? deviceName(e);
        const suppliers = [...new Map(f.suppliers.map((s) => [`${s.path} ${s.via}`, s])).values()];
        return (
          <section key={e.id} className="wz-device-risks" data-testid={`wz-risks-${name}`}>
            <h3>
              {name} <span className="muted">{e.path ?? e.title}</span>
            </h3>
            <ul className="wz-list">
              {messagesOf(name).map((m, k) => (
                <li key={k} className={`wz-msg wz-${m.severity}`} data-code={m.code}>
                  <strong>{m.severity}</strong> {m.message}
                </li>
              ))}
            </ul>
            {suppliers.length > 0 && (
              <details open>
                <summary>
                  Needs {suppliers.length} other node{suppliers.length === 1 ? '' : 's'} (the supplier closure: firmware, mailboxes, pin control, SMMU…)
                </summary>
                <ul className="wz-list mono wz-small" data-testid={`wz-suppliers-${name}`}>
                  {suppliers.map((s, k) => (
                    <li key={k}>
                      {s.path} <span className="muted">via {s.via}{s.for !== e.path ? ` of ${s.for}` : ''}</span>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </section>
        );
      })}
    </div>
  );
}
