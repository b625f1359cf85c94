import { ProblemsPanel } from '../features/problems/ProblemsPanel';
import { useProblems } from '../features/problems/useProblems';
import { BuildPanel, DoctorPanel, OutputPanel, TerminalPanel } from './lazyViews';
import { useActions, useStudio } from '../stores/context';
import type { PanelTab } from '../stores/studioStore';

export function BottomPanel() {
  const panel = useStudio((s) => s.panel);
  const actions = useActions();
  const { problems } = useProblems();
  const tabs: [PanelTab, string][] = [
    ['problems', `Problems (${problems.length})`],
    ['build', 'Build'],
    ['output', 'Output'],
    ['terminal', 'Terminal'],
    ['doctor', 'Doctor'],
  ];
  return (
    <section className={`bottom-panel${panel === 'terminal' || panel === 'build' ? ' tall' : ''}`} aria-label="Panel">
      <nav className="tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" aria-selected={panel === id} data-testid={`tab-${id}`} className={panel === id ? 'active' : ''} onClick={() => actions.setPanel(id)}>
            {label}
          </button>
        ))}
      </nav>
      <div className="panel-body">
        {panel === 'problems' && <ProblemsPanel />}
        {panel === 'build' && <BuildPanel />}
        {panel === 'output' && <OutputPanel />}
        {panel === 'terminal' && <TerminalPanel />}
        {panel === 'doctor' && <DoctorPanel />}
      </div>
    </section>
  );
}
