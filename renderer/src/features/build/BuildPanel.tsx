import { useEffect, useMemo, useState } from 'react';
import type { StepId } from '../../../../shared/build/plan';
import { useActions, useStudio } from '../../stores/context';
import { ReportView } from './ReportView';
import { MakeVariables } from './MakeVariables';
import { useCommandEnabled, useCommands, useCommandTitle } from '../../commands/CommandsProvider';
import { BUILD_CONFIGS, TOOLCHAINS } from '../../commands/registry';

/** The last `n` lines of a text. */
function newestLines(text: string, n: number): string {
  let at = text.length;
  for (let i = 0; i <= n && at > 0; i++) at = text.lastIndexOf('\n', at - 1);
  return at <= 0 ? text : text.slice(at + 1);
}

const NO_BOARDS: string[] = [];

const ICON: Record<string, string> = { pending: '·', running: '⟳', done: '✓', failed: '✗', skipped: '↷', cancelled: '■' };

/**
 * The build: settings (SDK, configuration, compiler), the steps with their status and time, a progress bar (step k of
 * n, and Ninja/Make counts), each step's output, Cancel, the report of the last image and the build history.
 */
export function BuildPanel() {
  const build = useStudio((s) => s.build);
  const history = useStudio((s) => s.buildHistory);
  const settings = useStudio((s) => s.buildSettings);
  const report = useStudio((s) => s.buildReport);
  const board = useStudio((s) => s.project?.studio.board);
  const repo = useStudio((s) => (s.repoMakefile?.kind === 'repo' ? s.repoMakefile.makefile : null));
  const actions = useActions();
  // Settings change through their commands (undoable, and they mark the project unsaved).
  const commands = useCommands();
  const [shown, setShown] = useState<StepId | undefined>();
  const [view, setView] = useState<'output' | 'report' | 'history'>('output');
  const sdkInfo = useStudio((s) => s.sdkStatus);
  const native = useStudio((s) => s.host?.capabilities.nativeDialogs ?? false);
  const sdkBoards = sdkInfo?.boards ?? NO_BOARDS;
  const packs = useStudio((s) => s.boards);
  // Restricted mode: Build and Build & Run are off (their tooltips say why), and the folder's SDK path is not looked at.
  const restricted = useStudio((s) => s.trusted === false);
  const canBuild = useCommandEnabled('build');
  const buildTitle = useCommandTitle('build');
  const buildRunTitle = useCommandTitle('buildRun');
  const running = build && !build.record;
  const current = build?.steps.find((s) => s.status === 'running') ?? build?.steps.filter((s) => s.status !== 'pending').at(-1);
  const step = shown ?? current?.id;
  const full = step ? (build?.output[step] ?? '') : '';
  // The newest lines only: a <pre> of megabytes would stall every frame. The whole output is in the log file.
  const printed = step ? (build?.outputLines[step] ?? 0) : 0;
  const text = useMemo(() => newestLines(full, 200), [full]);
  const hidden = Math.max(0, printed - (text.match(/\n/g)?.length ?? 0));
  // What the chosen (or found) SDK offers, and whether it has the project's board (the slice looks again after a
  // successful build and when an SDK is chosen).
  useEffect(() => {
    void actions.refreshSdk();
  }, [actions, settings.sdk, board, restricted]);
  // The Makefile may have changed since the folder opened: read it again when the tab shows and after each build.
  const finished = build?.record?.buildId;
  useEffect(() => {
    void actions.loadMakefile();
  }, [actions, finished]);
  const chooseSdk = (path?: string) => void actions.chooseSdk(path);
  const done = build ? build.steps.filter((s) => !['pending', 'running'].includes(s.status)).length : 0;
  const total = build?.steps.length ?? 0;
  const frac = build?.progress && build.progress.step === current?.id && build.progress.total ? build.progress.done / build.progress.total : 0;
  return (
    <div className="build-panel" data-testid="build-panel">
      <div className="build-bar">
        <button className="primary" data-testid="build-start" disabled={!canBuild} onClick={() => commands.run('build')} title={buildTitle}>
          Build
        </button>
        <button data-testid="build-run" disabled={!canBuild} onClick={() => commands.run('buildRun')} title={buildRunTitle}>
          Build &amp; Run
        </button>
        <button data-testid="build-cancel" disabled={!running} onClick={() => commands.run('cancelBuild')}>
          Cancel
        </button>
        <label>
          SDK{' '}
          <input data-testid="build-sdk" placeholder="$MICROKIT_SDK or ~/microkit-sdk-*" defaultValue={settings.sdk} onBlur={(e) => e.target.value.trim() !== settings.sdk && commands.run('setSdk', e.target.value)} />
        </label>
        <label>
          board{' '}
          <select data-testid="build-board" value={board} onChange={(e) => commands.run('setBoard', e.target.value)} title="The boards this SDK builds for (and this project's board)">
            {[...new Set([...(board ? [board] : []), ...sdkBoards])].map((b) => (
              <option key={b} value={b}>
                {packs.find((p) => p.name === b)?.title ?? b}
                {sdkBoards.length && !sdkBoards.includes(b) ? ' (not in this SDK)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          config{' '}
          <select data-testid="build-config" value={settings.config} onChange={(e) => commands.run('setBuildConfig', e.target.value)}>
            {BUILD_CONFIGS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          compiler{' '}
          <select data-testid="build-toolchain" value={settings.toolchain} onChange={(e) => commands.run('setToolchain', e.target.value)}>
            {TOOLCHAINS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        {native && (
          <button data-testid="build-sdk-pick" onClick={() => chooseSdk()} title="Choose the Microkit SDK folder in a folder dialog">
            Choose…
          </button>
        )}
        <span className={sdkInfo?.bad ? 'build-sdk-bad' : 'muted'} data-testid="build-sdk-info">
          {sdkInfo?.text ?? '…'}
        </span>
        {sdkInfo?.unchosen && (
          <button data-testid="build-sdk-use" onClick={() => chooseSdk(sdkInfo.unchosen)} title="Builds will run this SDK's bin/microkit (seL4 Studio asks you to confirm in its own dialog)">
            Use this SDK
          </button>
        )}
      </div>
      {repo && <MakeVariables info={repo} />}
      {build && (
        <div className="build-progress" data-testid="build-progress" title={`step ${Math.min(done + 1, total)} of ${total}`}>
          <div style={{ width: `${((done + (running ? frac : 0)) / Math.max(total, 1)) * 100}%` }} className={build.record ? `build-progress-${build.record.result}` : ''} />
          <span>
            {build.record
              ? `${build.record.result === 'ok' ? 'Built' : build.record.result === 'cancelled' ? 'Cancelled' : `Failed at ${build.record.failedStep}`} in ${(build.record.durationMs / 1000).toFixed(1)} s · ${build.record.problems} problem${build.record.problems === 1 ? '' : 's'}`
              : `step ${Math.min(done + 1, total)} of ${total}: ${current?.label ?? ''}${build.progress && build.progress.step === current?.id ? ` [${build.progress.done}/${build.progress.total}]` : ''}`}
          </span>
        </div>
      )}
      <div className="build-body">
        <ul className="build-steps" data-testid="build-steps">
          {build?.steps.map((s) => (
            <li key={s.id} className={`build-step build-${s.status}${s.id === step ? ' active' : ''}`} data-testid={`build-step-${s.id}`} onClick={() => (setShown(s.id), setView('output'))} title={s.command.join(' ') || s.label}>
              <span className="build-icon">{ICON[s.status]}</span> {s.label}
              {s.durationMs !== undefined && <span className="muted"> {(s.durationMs / 1000).toFixed(1)} s</span>}
              {s.status === 'skipped' && s.detail && <div className="muted build-detail">{s.detail}</div>}
            </li>
          ))}
          {!build && <li className="muted">Build compiles the PD programs, writes the .system and runs microkit.</li>}
          <li className="build-views">
            <button className={view === 'output' ? 'active' : ''} onClick={() => setView('output')}>
              Output
            </button>
            <button className={view === 'report' ? 'active' : ''} data-testid="build-view-report" onClick={() => setView('report')} disabled={!report}>
              Report
            </button>
            <button className={view === 'history' ? 'active' : ''} data-testid="build-view-history" onClick={() => setView('history')}>
              History ({history.length})
            </button>
          </li>
        </ul>
        {view === 'output' && (
          // column-reverse keeps the view at the newest line while output streams (unless the user scrolls up),
          // without measuring the text each frame.
          <div className="build-output" data-testid="build-output">
            <pre>
              {step && build?.steps.find((s) => s.id === step)?.command.length ? `$ ${build.steps.find((s) => s.id === step)!.command.join(' ')}\n` : ''}
              {hidden > 0 && (
                <span className="muted">
                  … {hidden} earlier line{hidden === 1 ? '' : 's'}:{' '}
                  <button className="link" data-testid="build-open-log" onClick={() => void actions.openSource(`build/sel4-studio-${step}.log`)}>
                    open the whole log
                  </button>
                  {'\n'}
                </span>
              )}
              {text}
            </pre>
          </div>
        )}
        {view === 'report' && report && <ReportView report={report} />}
        {view === 'history' && (
          <table className="build-history" data-testid="build-history">
            <tbody>
              {history.map((h) => (
                <tr key={h.buildId + h.startedAt} className={`build-${h.result}`}>
                  <td>{new Date(h.startedAt).toLocaleString()}</td>
                  <td>{h.result}{h.failedStep ? ` at ${h.failedStep}` : ''}</td>
                  <td>{(h.durationMs / 1000).toFixed(1)} s</td>
                  <td>{h.board} · {h.config}</td>
                  <td>{h.problems} problem{h.problems === 1 ? '' : 's'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
