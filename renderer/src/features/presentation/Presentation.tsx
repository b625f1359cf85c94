import { Suspense, useEffect, useState } from 'react';
import { DEFAULT_PATTERNS, MilestoneTracker, parseUserPatterns, type Milestone } from '../../../../shared/logs/milestones';
import { useActions, useStudio } from '../../stores/context';
import { EMULATOR_CONSOLE } from '../../stores/studioStore';
import { Canvas, FlowProvider } from '../../shell/lazyViews';
import { QemuConsole } from '../terminal/TerminalPanel';
import { SerialConsole } from '../terminal/SerialConsole';
import { Timeline } from '../timeline/Timeline';
import './presentation.css';

/**
 * Presentation mode: the system graph (with the live view of the running console), the console and the boot
 * timeline on one screen, large, with no side panels. Esc (or the button) leaves.
 */
export function Presentation() {
  const actions = useActions();
  const name = useStudio((s) => s.project?.studio.name);
  const board = useStudio((s) => s.project?.studio.board);
  const active = useStudio((s) => s.activeConsole);
  const serial = useStudio((s) => s.serials.some((x) => x.id === s.activeConsole));
  return (
    <>
      <header className="pres-bar">
        <strong data-testid="presentation-title">{name ?? 'seL4 Studio'}</strong>
        {board && <span className="muted">{board}</span>}
        <span className="grow" />
        <button data-testid="presentation-leave" onClick={() => actions.setPresentation(false)} title="Leave presentation mode (Esc)">
          Leave (Esc)
        </button>
      </header>
      <div className="pres-main">
        <section className="pres-graph" aria-label="System graph">
          {name ? (
            <Suspense fallback={<div className="canvas" />}>
              <FlowProvider>
                <Canvas />
              </FlowProvider>
            </Suspense>
          ) : (
            <div className="panel-empty">Open a project to show its system here.</div>
          )}
        </section>
        <section className="pres-console" aria-label="Console and timeline">
          {active !== EMULATOR_CONSOLE && serial ? (
            <div className="pres-serial">
              <SerialConsole id={active} />
              <SerialTimeline id={active} />
            </div>
          ) : (
            <QemuConsole />
          )}
        </section>
      </div>
    </>
  );
}

/**
 * The timeline of a serial console (a board's boot watched on its own port, not through Run on board): its milestones
 * found in what the console kept and then as it arrives, with the project's patterns ahead of the built-in ones.
 */
function SerialTimeline({ id }: { id: string }) {
  const actions = useActions();
  const patterns = useStudio((s) => s.timelinePatterns);
  const [milestones, setMilestones] = useState<Milestone[]>([]);
  useEffect(() => {
    const tracker = new MilestoneTracker([...parseUserPatterns(patterns).patterns, ...DEFAULT_PATTERNS]);
    const decoder = new TextDecoder();
    let found: Milestone[] = [];
    setMilestones(found);
    // Times from the console's first byte (the tracker counts from the first text it is given either way).
    return actions.attachConsole(id, (chunk) => {
      const more = tracker.feed(decoder.decode(chunk.data, { stream: true }), chunk.t);
      if (more.length) setMilestones((found = [...found, ...more]));
    });
  }, [id, actions, patterns]);
  return <Timeline milestones={milestones} />;
}
