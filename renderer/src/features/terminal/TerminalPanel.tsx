import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { SerialConsole } from './SerialConsole';
import { useActions, useStudio } from '../../stores/context';
import { Timeline } from '../timeline/Timeline';
import { parseFraming } from '../../../../shared/serial/transform';
import { EMULATOR_CONSOLE, type SerialOpenOptions } from '../../stores/studioStore';
import { MONITOR_COMMANDS } from '../../../../shared/qemu/monitor';
import { parseQemuOptionText } from '../../../../shared/qemu/optionsText';
import { smpOffer } from '../../../../shared/qemu/silence';

const ConsoleView = lazy(() => import('./ConsoleView'));

/** Consoles, one tab each: the QEMU session and every open serial port. */
export function TerminalPanel() {
  const serials = useStudio((s) => s.serials);
  const active = useStudio((s) => s.activeConsole);
  const actions = useActions();
  const [adding, setAdding] = useState(false);
  return (
    <div className="consoles">
      <nav className="console-tabs" role="tablist">
        <button role="tab" aria-selected={active === EMULATOR_CONSOLE} className={active === EMULATOR_CONSOLE ? 'active' : ''} data-testid="console-tab-qemu" onClick={() => actions.showConsole(EMULATOR_CONSOLE)}>
          QEMU
        </button>
        {serials.map((s) => (
          <button key={s.id} role="tab" aria-selected={active === s.id} className={`${active === s.id ? 'active' : ''} serial-${s.status}`} data-testid={`console-tab-${s.id}`} onClick={() => actions.showConsole(s.id)}>
            {s.target} {s.status !== 'open' ? `(${s.status})` : ''}
          </button>
        ))}
        <button data-testid="serial-add" onClick={() => setAdding((a) => !a)}>+ Serial</button>
      </nav>
      {adding && <SerialOpenForm onDone={() => setAdding(false)} />}
      {active === EMULATOR_CONSOLE ? <QemuConsole /> : <SerialConsole id={active} />}
    </div>
  );
}

function SerialOpenForm({ onDone }: { onDone: () => void }) {
  const actions = useActions();
  const [ports, setPorts] = useState<{ path: string; name: string; tcu?: boolean }[] | undefined>();
  const [target, setTarget] = useState('');
  const [baud, setBaud] = useState('115200');
  const [framing, setFraming] = useState('8N1');
  const [flow, setFlow] = useState<SerialOpenOptions['flowControl']>('none');
  const [enter, setEnter] = useState<SerialOpenOptions['enter']>('cr');
  const [tcu, setTcu] = useState(false);
  const [log, setLog] = useState(true);
  if (!ports) void actions.listSerialPorts().then(setPorts);
  const badFraming = !parseFraming(framing);
  return (
    <form
      className="row serial-form"
      data-testid="serial-form"
      onSubmit={(e) => {
        e.preventDefault();
        void actions.openSerial(target.trim(), { baudRate: Number(baud), framing, flowControl: flow, enter, tcu, log }).then((ok) => ok && onDone());
      }}
    >
      <input list="serial-ports" data-testid="serial-target" placeholder="/dev/ttyACM1, tcp://host:port or rfc2217://host:port" value={target}
        onChange={(e) => {
          setTarget(e.target.value);
          // A Jetson TCU port: TCU mode on (each Enter padded to 8 bytes), as the field notes do it.
          if (ports?.some((p) => p.path === e.target.value && p.tcu)) setTcu(true);
        }}
      />
      <datalist id="serial-ports">
        {(ports ?? []).map((p) => (
          <option key={p.path} value={p.path}>
            {p.name}
          </option>
        ))}
      </datalist>
      <input data-testid="serial-baud" className="baud" value={baud} onChange={(e) => setBaud(e.target.value)} aria-label="Baud rate" list="serial-bauds" />
      <datalist id="serial-bauds">
        {['9600', '57600', '115200', '230400', '460800', '921600', '1500000', '3000000'].map((b) => (
          <option key={b} value={b} />
        ))}
      </datalist>
      <input data-testid="serial-framing" className="framing" value={framing} onChange={(e) => setFraming(e.target.value)} aria-label="Framing (data bits, parity, stop bits)" aria-invalid={badFraming} title="Data bits, parity (N/E/O), stop bits: 8N1, 7E1…" />
      <select data-testid="serial-flow" value={flow} onChange={(e) => setFlow(e.target.value as typeof flow)} aria-label="Flow control">
        <option value="none">no flow control</option>
        <option value="rtscts">RTS/CTS</option>
        <option value="xonxoff">XON/XOFF</option>
      </select>
      <select data-testid="serial-enter" value={enter} onChange={(e) => setEnter(e.target.value as typeof enter)} aria-label="Enter sends">
        <option value="cr">Enter sends CR</option>
        <option value="lf">Enter sends LF</option>
        <option value="crlf">Enter sends CR LF</option>
      </select>
      <label className="check" title="Jetson TCU: pad each line to 8 bytes so the SPE flushes it">
        <input type="checkbox" data-testid="serial-tcu" checked={tcu} onChange={(e) => setTcu(e.target.checked)} /> TCU
      </label>
      <label className="check">
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log to logs/
      </label>
      <button type="submit" data-testid="serial-open" disabled={!target.trim() || !/^\d+$/.test(baud) || badFraming}>
        Open
      </button>
    </form>
  );
}

/** The QEMU session: boot the project's image, watch the console and the boot timeline, steer the machine. */
export function QemuConsole() {
  const qemu = useStudio((s) => s.qemu);
  const milestones = useStudio((s) => s.milestones);
  const monitorText = useStudio((s) => s.monitorText);
  const monitorRefusal = useStudio((s) => s.monitorRefusal);
  const hasProject = useStudio((s) => Boolean(s.project));
  const board = useStudio((s) => s.project?.studio.board);
  const restricted = useStudio((s) => s.trusted === false);
  const actions = useActions();
  const last = useStudio((s) => s.qemuTarget);
  const [kind, setKind] = useState<'image' | 'kernel'>(last.kind);
  const [file, setFile] = useState(last.file);
  const [monitor, setMonitor] = useState('info mtree');
  const running = qemu && qemu.status !== 'exited';
  const presenting = useStudio((s) => s.presentation);
  const sendToQemu = useCallback((d: string) => actions.sendToQemu(d), [actions]);
  const optionsText = useStudio((s) => s.qemuOptionsText);
  const parsed = useMemo(() => parseQemuOptionText(optionsText), [optionsText]);
  const picked = useStudio((s) => s.pickedImages);
  const nativeDialogs = useStudio((s) => Boolean(s.host?.capabilities.nativeDialogs));
  const silent = useStudio((s) => s.qemuSilent);
  // -smp N offered from the SDK's smp-* configurations for this board (the board pack's cores while no SDK is found).
  const boardPack = useStudio((s) => s.boards.find((b) => b.name === s.project?.studio.board));
  const [sdk, setSdk] = useState<{ version: string; boards: Record<string, string[]> } | null>(null);
  useEffect(() => {
    if (!hasProject) return;
    void actions.listImages();
    let live = true;
    void actions.inspectSdk().then((r) => live && setSdk(r.sdk));
    return () => {
      live = false;
    };
  }, [actions, hasProject, board]);
  const smp = smpOffer(boardPack, sdk);
  const start = (e: FormEvent) => {
    e.preventDefault();
    if (parsed.refused.length) return;
    void actions.startQemu(kind === 'image' ? { image: file } : { kernel: file }, parsed.options);
  };
  if (!hasProject) return <div className="panel-empty">Open a project to boot its image in QEMU.</div>;
  return (
    <div className="qemu-panel" data-testid="qemu-panel">
      <form className="row qemu-bar" onSubmit={start}>
        <select data-testid="qemu-kind" value={kind} onChange={(e) => setKind(e.target.value as 'image' | 'kernel')} disabled={Boolean(running)}>
          <option value="image">loader.img</option>
          <option value="kernel">ELF or Linux Image (-kernel)</option>
        </select>
        <input
          data-testid="qemu-file"
          value={file}
          onChange={(e) => setFile(e.target.value)}
          disabled={Boolean(running)}
          list="qemu-picked-images"
          aria-label="Image or kernel: relative to the project, or one of your picked images"
        />
        <datalist id="qemu-picked-images">
          {picked.map((i) => (
            <option key={i.path} value={i.path} label={i.size === undefined ? 'missing' : `${Math.round(i.size / 1024)} KiB`} />
          ))}
        </datalist>
        {nativeDialogs && (
          <button
            type="button"
            data-testid="qemu-pick"
            disabled={Boolean(running)}
            title="Choose a file anywhere on this machine (kernel, initrd, disk, blob); it is remembered in your settings"
            onClick={() => void actions.pickImage().then((p) => p && setFile(p))}
          >
            Pick image…
          </button>
        )}
        <button
          type="submit"
          data-testid="qemu-start"
          disabled={Boolean(running) || restricted || parsed.refused.length > 0}
          title={restricted ? 'Restricted mode: this folder is not trusted, so run is off (Trust this folder to turn it on)' : parsed.refused.length ? 'Some machine options are refused (see why under them)' : `Boot on ${board}`}
        >
          Start
        </button>
        <button type="button" data-testid="qemu-pause" disabled={qemu?.status !== 'running'} onClick={() => void actions.controlQemu('pause')}>Pause</button>
        <button type="button" data-testid="qemu-resume" disabled={qemu?.status !== 'paused'} onClick={() => void actions.controlQemu('resume')}>Resume</button>
        <button type="button" data-testid="qemu-reset" disabled={!running} onClick={() => void actions.controlQemu('reset')}>Reset</button>
        <button type="button" data-testid="qemu-stop" disabled={!running} onClick={() => void actions.controlQemu('stop')}>Stop</button>
        <button type="button" data-testid="qemu-report" disabled={!qemu} onClick={() => void actions.exportBootReport()} title="Timeline and console as a standalone HTML page in reports/">
          Export report
        </button>
        <button type="button" data-testid="presentation" onClick={() => actions.setPresentation(!presenting)} title="Large console and timeline for demos (Esc leaves)">
          {presenting ? 'Leave presentation' : 'Present'}
        </button>
        <span className={`qemu-status status-${qemu?.status ?? 'none'}`} data-testid="qemu-status">
          {qemu ? (qemu.status === 'exited' ? qemu.exit ?? 'stopped' : qemu.status) : 'not started'}
        </span>
      </form>
      {!presenting && (
        <div className="row qemu-options">
          <input
            data-testid="qemu-options"
            value={optionsText}
            onChange={(e) => actions.setQemuOptionsText(e.target.value)}
            disabled={Boolean(running)}
            placeholder="Machine options: -smp 2 -m 1G -netdev user,hostfwd=tcp::5555-:22 -device virtio-rng-device -initrd FILE -append 'console=ttyAMA0'"
            aria-label="Machine options, as QEMU spells them (an allow-list)"
            aria-invalid={parsed.refused.length > 0}
            title="Allowed: -smp, -m, -netdev user (forwards on 127.0.0.1), -device virtio-net-device|virtio-blk-device|virtio-rng-device|loader,file=…,addr=…, -drive file=RAW, -initrd, -append, -gdb tcp::PORT, -s, -d. Files: in the project or picked."
          />
          {smp && !/(^|\s)-smp\b/.test(optionsText) && (
            <button
              type="button"
              data-testid="qemu-smp"
              disabled={Boolean(running)}
              title={`${smp.why}. Build with one, then boot with -smp ${smp.cores}`}
              onClick={() => actions.setQemuOptionsText(`-smp ${smp.cores} ${optionsText}`.trim())}
            >
              SMP ×{smp.cores}
            </button>
          )}
        </div>
      )}
      {parsed.refused.length > 0 && !presenting && (
        <ul className="qemu-refused" role="alert" data-testid="qemu-options-refused">
          {parsed.refused.map((r, i) => (
            <li key={i}>
              <code>{r.arg}</code> — {r.reason}
            </li>
          ))}
        </ul>
      )}
      {!nativeDialogs && !presenting && (
        <div className="qemu-pick-hint" data-testid="qemu-pick-hint">
          A file outside the project (a kernel, initrd or disk anywhere on this machine): add it from a terminal with <code>sel4-studio image add PATH</code>, then{' '}
          <button type="button" className="link" onClick={() => void actions.listImages()}>
            refresh
          </button>{' '}
          and choose it in the file field.
        </div>
      )}
      {silent && (
        <div className="qemu-silent" role="alert" data-testid="qemu-silent">
          <strong>No output after {silent.seconds} s.</strong> Check:
          <ul>
            {silent.hints.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="qemu-body">
        <div className="qemu-console">
          {qemu ? (
            <Suspense fallback={<div className="panel-empty">Loading terminal…</div>}>
              <ConsoleView id={qemu.id} onInput={sendToQemu} />
            </Suspense>
          ) : (
            <div className="panel-empty">Start QEMU to see the serial console here.</div>
          )}
        </div>
        <div className="qemu-side">
          <Timeline milestones={milestones} />
          <PatternEditor />
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void actions.monitorQemu(monitor);
            }}
          >
            <input
              data-testid="qemu-monitor-input"
              value={monitor}
              onChange={(e) => setMonitor(e.target.value)}
              aria-label="QEMU monitor command"
              list="qemu-monitor-commands"
              title={`Monitor commands sent as typed: ${Object.keys(MONITOR_COMMANDS).join(', ')}`}
            />
            <datalist id="qemu-monitor-commands">
              {Object.entries(MONITOR_COMMANDS).map(([name, help]) => (
                <option key={name} value={name === 'info' ? 'info mtree' : name} label={help} />
              ))}
            </datalist>
            <button type="submit" disabled={!running}>Monitor</button>
          </form>
          {monitorRefusal && (
            <div className="monitor-refused" role="alert" data-testid="qemu-monitor-refused">
              {monitorRefusal}
            </div>
          )}
          {monitorText && <pre className="monitor-out" data-testid="qemu-monitor-output">{monitorText}</pre>}
        </div>
      </div>
    </div>
  );
}

/** The project's own milestones: `label = /regex/` lines, kept in timeline-patterns.txt. */
function PatternEditor() {
  const saved = useStudio((s) => s.timelinePatterns);
  const errors = useStudio((s) => s.patternErrors);
  const actions = useActions();
  const [text, setText] = useState<string | undefined>();
  const value = text ?? saved;
  return (
    <details className="pattern-editor" data-testid="pattern-editor">
      <summary>Milestone patterns{saved.trim() ? ` (${saved.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length})` : ''}</summary>
      <textarea
        data-testid="pattern-text"
        rows={4}
        spellCheck={false}
        placeholder={'# one per line, checked before the built-in ones\nVMM ready = /^VMM\\|INFO: Linux booting/\nNetwork up = /eth0: Link is Up/'}
        value={value}
        onChange={(e) => setText(e.target.value)}
        aria-label="Milestone patterns"
      />
      <div className="row">
        <button data-testid="pattern-apply" onClick={() => void actions.setTimelinePatterns(value).then((ok) => ok && setText(undefined))} disabled={text === undefined || text === saved}>
          Apply and save
        </button>
        <span className="hint">saved in timeline-patterns.txt</span>
      </div>
      {errors.length > 0 && (
        <ul className="pattern-errors" data-testid="pattern-errors">
          {errors.map((e) => (
            <li key={e.line}>
              timeline-patterns.txt:{e.line}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
