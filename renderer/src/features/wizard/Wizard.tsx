import { useEffect, useMemo } from 'react';
import { useActions, useStudio } from '../../stores/context';
import { WIZARD_STEPS, type WizardStep } from '../../stores/studioStore';
import { ApplyStep } from './ApplyStep';
import { DevicesStep } from './DevicesStep';
import { PreviewStep } from './PreviewStep';
import { RisksStep } from './RisksStep';
import { TreeStep } from './TreeStep';
import { VmStep } from './VmStep';
import './wizard.css';

/** The passthrough wizard (issue 14): six steps over the open system, one undoable edit at the end. */
export function Wizard() {
  const w = useStudio((s) => s.wizard);
  const doc = useStudio((s) => s.doc);
  const boards = useStudio((s) => s.boards);
  const actions = useActions();
  // The preview follows every choice and the document itself (an edit made meanwhile is planned around).
  const chosen = w?.chosen;
  const options = w?.options;
  const vm = w?.vm;
  const kvm = w?.kvmExtras;
  const tree = w?.tree;
  const loading = w?.loading;
  const needsPreview = w && w.step !== 'tree' && w.step !== 'devices';
  const preview = useMemo(
    () => (needsPreview && tree && !loading ? actions.wizardPreview() : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the preview is a function of exactly these
    [needsPreview, tree, loading, chosen, options, vm, kvm, doc, boards, actions],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      actions.closeWizard();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [actions]);
  if (!w) return null;
  const index = WIZARD_STEPS.findIndex((s) => s.id === w.step);
  const go = (step: WizardStep) => actions.wizardGo(step);
  const next = WIZARD_STEPS[index + 1];
  const prev = WIZARD_STEPS[index - 1];
  const nextBlocked = w.step === 'tree' ? !w.tree || w.loading : w.step === 'devices' ? !w.chosen.length : false;
  return (
    <div className="modal-backdrop">
      <div className="modal wz" role="dialog" aria-label="Pass devices through to a VM" data-testid="wizard">
        <header className="wz-head">
          <h2>Pass devices through to a VM</h2>
          <ol className="wz-steps" data-testid="wz-steps">
            {WIZARD_STEPS.map((s, i) => (
              <li key={s.id}>
                <button className={s.id === w.step ? 'active' : i < index ? 'done' : ''} data-testid={`wz-step-${s.id}`} disabled={i > 0 && !w.tree} onClick={() => go(s.id)}>
                  <span className="wz-step-n">{i + 1}</span> {s.title}
                </button>
              </li>
            ))}
          </ol>
          <button className="link wz-close" aria-label="Close" data-testid="wz-close" onClick={() => actions.closeWizard()}>
            ×
          </button>
        </header>
        <section className="wz-body" data-testid={`wz-body-${w.step}`}>
          {w.step === 'tree' && <TreeStep w={w} />}
          {w.step === 'devices' && <DevicesStep w={w} />}
          {w.step === 'risks' && <RisksStep w={w} preview={preview} />}
          {w.step === 'vm' && <VmStep w={w} preview={preview} />}
          {w.step === 'preview' && <PreviewStep w={w} preview={preview} />}
          {w.step === 'apply' && <ApplyStep w={w} preview={preview} />}
        </section>
        <footer className="row wz-foot">
          <span className="muted wz-chosen" data-testid="wz-chosen">
            {w.chosen.length ? `Chosen: ${w.chosen.map((id) => w.tree?.entries.find((e) => e.id === id)).map((e) => e?.boardDevice ?? e?.labels[0] ?? e?.name).join(', ')}` : 'No device chosen yet'}
            {w.tree ? ` · ${w.tree.label}` : ''}
          </span>
          <span className="grow" />
          <button data-testid="wz-back" disabled={!prev} onClick={() => prev && go(prev.id)}>
            Back
          </button>
          {next && (
            <button className="primary" data-testid="wz-next" disabled={nextBlocked} onClick={() => go(next.id)}>
              Next: {next.title}
            </button>
          )}
        </footer>
      </div>
    </div>
  );
}
