import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { planRun } from '../../../../shared/boardrun/plan';
import { pxeConfig } from '../../../../shared/boardrun/pxe';
import { BoardTargetSchema, TARGET_NAME, type BoardTarget } from '../../../../shared/boardrun/target';
import { useActions, useStudio } from '../../stores/context';
import { Timeline } from '../timeline/Timeline';
import './boardrun.css';

const ConsoleView = lazy(() => import('../terminal/ConsoleView'));

/** The form's text fields for one target; turned into a BoardTarget (and checked by its schema) on Save. */
interface Draft {
  name: string;
  image: string;
  deployKind: 'tftp' | 'medium' | 'command';
  deployFolder: string;
  deployFile: string;
  deployArgv: string;
  powerKind: 'home-assistant' | 'command' | 'manual';
  haUrl: string;
  haEntity: string;
  offMs: string;
  powerOn: string;
  powerOff: string;
  powerCycle: string;
  consoleKind: 'serial' | 'network';
  serialPath: string;
  tcu: boolean;
  netProtocol: 'rfc2217' | 'tcp';
  netHost: string;
  netPort: string;
  baud: string;
  firmwareKind: 'uefi-pxe' | 'u-boot';
  loadAddress: string;
  ubootBoot: 'go' | 'bootefi';
  expect: string;
  bootTimeout: string;
}

const EMPTY: Draft = {
  name: 'board',
  image: '',
  deployKind: 'tftp',
  deployFolder: '/srv/tftp',
  deployFile: 'sel4.img',
  deployArgv: '',
  powerKind: 'manual',
  haUrl: 'http://homeassistant.local:8123',
  haEntity: 'switch.',
  offMs: '',
  powerOn: '',
  powerOff: '',
  powerCycle: '',
  consoleKind: 'serial',
  serialPath: '/dev/ttyACM0',
  tcu: false,
  netProtocol: 'rfc2217',
  netHost: '127.0.0.1',
  netPort: '3000',
  baud: '115200',
  firmwareKind: 'u-boot',
  loadAddress: '0x40000000',
  ubootBoot: 'go',
  expect: '',
  bootTimeout: '',
};

/** One argument per line: no quoting to get wrong. */
const argvOf = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);

function draftOf(name: string, t: BoardTarget): Draft {
  const d: Draft = { ...EMPTY, name, image: t.image ?? '', expect: t.expect ?? '', bootTimeout: t.bootTimeoutMs ? String(t.bootTimeoutMs / 1000) : '' };
  d.deployKind = t.deploy.kind;
  if (t.deploy.kind === 'tftp') Object.assign(d, { deployFolder: t.deploy.folder, deployFile: t.deploy.fileName });
  if (t.deploy.kind === 'medium') Object.assign(d, { deployFolder: t.deploy.path, deployFile: t.deploy.fileName });
  if (t.deploy.kind === 'command') d.deployArgv = t.deploy.argv.join('\n');
  d.powerKind = t.power.kind;
  if (t.power.kind === 'home-assistant') Object.assign(d, { haUrl: t.power.baseUrl, haEntity: t.power.entityId, offMs: t.power.offMs?.toString() ?? '' });
  if (t.power.kind === 'command') Object.assign(d, { powerOn: t.power.on?.join('\n') ?? '', powerOff: t.power.off?.join('\n') ?? '', powerCycle: t.power.cycle?.join('\n') ?? '', offMs: t.power.offMs?.toString() ?? '' });
  d.consoleKind = t.console.kind;
  d.baud = String(t.console.baudRate);
  d.tcu = t.console.tcu ?? false;
  if (t.console.kind === 'serial') d.serialPath = t.console.path;
  else Object.assign(d, { netProtocol: t.console.protocol, netHost: t.console.host, netPort: String(t.console.port) });
  d.firmwareKind = t.firmware.kind;
  if (t.firmware.kind === 'u-boot') Object.assign(d, { loadAddress: t.firmware.loadAddress, ubootBoot: t.firmware.boot });
  return d;
}

function targetOf(d: Draft): unknown {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const argv = (s: string) => (argvOf(s).length ? argvOf(s) : undefined);
  const deploy = d.deployKind === 'command' ? { kind: 'command', argv: argvOf(d.deployArgv) } : d.deployKind === 'tftp' ? { kind: 'tftp', folder: d.deployFolder, fileName: d.deployFile } : { kind: 'medium', path: d.deployFolder, fileName: d.deployFile };
  const offMs = num(d.offMs);
  const power =
    d.powerKind === 'manual'
      ? { kind: 'manual' }
      : d.powerKind === 'home-assistant'
        ? { kind: 'home-assistant', baseUrl: d.haUrl.trim(), entityId: d.haEntity.trim(), ...(offMs !== undefined ? { offMs } : {}) }
        : { kind: 'command', ...(argv(d.powerOn) ? { on: argv(d.powerOn) } : {}), ...(argv(d.powerOff) ? { off: argv(d.powerOff) } : {}), ...(argv(d.powerCycle) ? { cycle: argv(d.powerCycle) } : {}), ...(offMs !== undefined ? { offMs } : {}) };
  const baudRate = Number(d.baud);
  const console = d.consoleKind === 'serial' ? { kind: 'serial', path: d.serialPath.trim(), baudRate, ...(d.tcu ? { tcu: true } : {}) } : { kind: 'network', protocol: d.netProtocol, host: d.netHost.trim(), port: Number(d.netPort), baudRate, ...(d.tcu ? { tcu: true } : {}) };
  const firmware = d.firmwareKind === 'uefi-pxe' ? { kind: 'uefi-pxe' } : { kind: 'u-boot', loadAddress: d.loadAddress.trim(), boot: d.ubootBoot };
  const timeout = num(d.bootTimeout);
  return { ...(d.image.trim() ? { image: d.image.trim() } : {}), deploy, power, console, firmware, ...(d.expect.trim() ? { expect: d.expect.trim() } : {}), ...(timeout !== undefined ? { bootTimeoutMs: Math.round(timeout * 1000) } : {}) };
}

type Field = keyof Draft;

/** Run on board (issue 18): a board target's configuration, the run's steps and output, the console and the timeline. */
export function BoardRunDialog() {
  const actions = useActions();
  const targets = useStudio((s) => s.folderSettings?.boardTargets) ?? {};
  const chosen = useStudio((s) => s.boardRunTarget);
  const run = useStudio((s) => s.boardRun);
  const trusted = useStudio((s) => s.trusted);
  const milestones = useStudio((s) => s.milestones);
  const pxeRunId = useStudio((s) => s.pxeRunId);
  const names = Object.keys(targets);
  const current = chosen !== undefined ? targets[chosen] : undefined;
  const [draft, setDraft] = useState<Draft>(() => (chosen && current ? draftOf(chosen, current) : EMPTY));
  const [editing, setEditing] = useState(names.length === 0);
  const [errors, setErrors] = useState<string[]>([]);
  const [token, setToken] = useState('');
  const [tokenStored, setTokenStored] = useState<boolean | undefined>();
  const [build, setBuild] = useState(true);
  const [ifaces, setIfaces] = useState<{ name: string; address: string; netmask: string }[]>([]);
  const [iface, setIface] = useState('');

  useEffect(() => {
    if (chosen && current) setDraft(draftOf(chosen, current));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new choice of target reloads the form
  }, [chosen]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      actions.closeBoardRun();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [actions]);
  const haUrl = current?.power.kind === 'home-assistant' ? current.power.baseUrl : draft.powerKind === 'home-assistant' ? draft.haUrl : undefined;
  useEffect(() => {
    if (!haUrl) return setTokenStored(undefined);
    let live = true;
    void actions.powerTokenStored(haUrl).then((s) => live && setTokenStored(s));
    return () => {
      live = false;
    };
  }, [haUrl, actions]);

  const plan = useMemo(() => (chosen && current ? planRun(chosen, current) : undefined), [chosen, current]);
  const set = (f: Field) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [f]: e.target.value }));
  const text = (f: Field, label: string, placeholder?: string) => (
    <label className="field br-field">
      <span className="field-label">{label}</span>
      <input data-testid={`bt-${f}`} value={draft[f] as string} placeholder={placeholder} onChange={set(f)} />
    </label>
  );
  const area = (f: Field, label: string) => (
    <label className="field br-field">
      <span className="field-label">{label}</span>
      <textarea data-testid={`bt-${f}`} rows={3} value={draft[f] as string} placeholder="one argument per line; {image} = the image's path" onChange={set(f)} />
    </label>
  );
  function choice<K extends Field>(f: K, label: string, options: [string, string][]) {
    return (
      <label className="field br-field">
        <span className="field-label">{label}</span>
        <select data-testid={`bt-${f}`} value={draft[f] as string} onChange={set(f)}>
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
    );
  }

  const save = async () => {
    if (!TARGET_NAME.test(draft.name)) return setErrors(['name: letters, digits, _ . - (at most 64)']);
    const parsed = BoardTargetSchema.safeParse(targetOf(draft));
    if (!parsed.success) return setErrors(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    setErrors([]);
    if (await actions.saveBoardTarget(draft.name, parsed.data)) {
      if (token && parsed.data.power.kind === 'home-assistant') {
        if (await actions.setPowerToken(parsed.data.power.baseUrl, token)) setToken('');
        setTokenStored(await actions.powerTokenStored(parsed.data.power.baseUrl));
      }
      setEditing(false);
    }
  };

  const running = run && !run.ended;
  const pxe = useMemo(() => {
    const i = ifaces.find((x) => x.name === iface);
    if (!i || !current || current.deploy.kind !== 'tftp' || current.firmware.kind !== 'uefi-pxe') return undefined;
    try {
      return pxeConfig({ iface: i.name, address: i.address, netmask: i.netmask, tftpRoot: current.deploy.folder, bootFile: current.deploy.fileName });
    } catch {
      return undefined;
    }
  }, [ifaces, iface, current]);

  return (
    <div className="modal-backdrop">
      <div className="modal br" role="dialog" aria-label="Run on board" data-testid="boardrun">
        <header className="br-head">
          <h2>Run on board</h2>
          <select data-testid="br-target" value={chosen ?? ''} onChange={(e) => actions.selectBoardTarget(e.target.value)} disabled={names.length === 0 || Boolean(running)}>
            {names.length === 0 && <option value="">(no board target yet)</option>}
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <button data-testid="br-edit" onClick={() => setEditing((e) => !e)} disabled={Boolean(running)}>
            {editing ? 'Done' : 'Configure…'}
          </button>
          <button
            data-testid="br-new"
            disabled={Boolean(running)}
            onClick={() => {
              setDraft({ ...EMPTY, name: `board${names.length ? names.length + 1 : ''}` });
              setEditing(true);
            }}
          >
            New target
          </button>
          <span className="grow" />
          <button className="wz-close" aria-label="Close" data-testid="br-close" onClick={() => actions.closeBoardRun()}>
            ×
          </button>
        </header>
        <div className="br-body">
          {editing ? (
            <section className="br-form" data-testid="br-form">
              <p className="muted">Kept in .sel4-studio/settings.json. A command runs as you write it (no shell), only in a trusted folder; a Home Assistant token is kept in your config, never in the folder.</p>
              {text('name', 'Name')}
              {text('image', 'Image', 'build/loader.img')}
              <fieldset>
                <legend>Deploy</legend>
                {choice('deployKind', 'How', [
                  ['tftp', 'copy into a TFTP folder'],
                  ['medium', 'copy onto a removable medium'],
                  ['command', 'my command'],
                ])}
                {draft.deployKind === 'command' ? (
                  area('deployArgv', 'Command')
                ) : (
                  <>
                    {text('deployFolder', draft.deployKind === 'tftp' ? 'TFTP folder' : 'Mounted at')}
                    {text('deployFile', 'File name', 'agx/sel4.efi')}
                  </>
                )}
              </fieldset>
              <fieldset>
                <legend>Power</legend>
                {choice('powerKind', 'How', [
                  ['manual', 'by hand'],
                  ['home-assistant', 'Home Assistant switch (smart plug)'],
                  ['command', 'my commands'],
                ])}
                {draft.powerKind === 'home-assistant' && (
                  <>
                    {text('haUrl', 'Base URL')}
                    {text('haEntity', 'Switch entity')}
                    {text('offMs', 'Off for (ms)', '2000')}
                    <label className="field br-field">
                      <span className="field-label">Token</span>
                      <input data-testid="bt-token" type="password" autoComplete="off" value={token} placeholder={tokenStored ? '(stored in your config; type to replace)' : 'long-lived access token'} onChange={(e) => setToken(e.target.value)} />
                    </label>
                  </>
                )}
                {draft.powerKind === 'command' && (
                  <>
                    {area('powerOff', 'Off')}
                    {area('powerOn', 'On')}
                    {area('powerCycle', 'Cycle')}
                    {text('offMs', 'Off for (ms)', '2000')}
                  </>
                )}
              </fieldset>
              <fieldset>
                <legend>Console</legend>
                {choice('consoleKind', 'Where', [
                  ['serial', 'a local serial port'],
                  ['network', 'ser2net (RFC 2217 or raw TCP)'],
                ])}
                {draft.consoleKind === 'serial' ? (
                  text('serialPath', 'Port')
                ) : (
                  <>
                    {choice('netProtocol', 'Protocol', [
                      ['rfc2217', 'RFC 2217 (telnet)'],
                      ['tcp', 'raw TCP'],
                    ])}
                    {text('netHost', 'Host')}
                    {text('netPort', 'Port')}
                  </>
                )}
                {text('baud', 'Baud')}
                <label className="br-check">
                  <input type="checkbox" data-testid="bt-tcu" checked={draft.tcu} onChange={(e) => setDraft((d) => ({ ...d, tcu: e.target.checked }))} /> TCU (Orin): pad each Enter to 8 bytes
                </label>
              </fieldset>
              <fieldset>
                <legend>Firmware</legend>
                {choice('firmwareKind', 'Boots by', [
                  ['uefi-pxe', 'UEFI PXE (an EFI application)'],
                  ['u-boot', 'U-Boot over TFTP'],
                ])}
                {draft.firmwareKind === 'u-boot' && (
                  <>
                    {text('loadAddress', 'Load address')}
                    {choice('ubootBoot', 'Start with', [
                      ['go', 'go (a raw loader image)'],
                      ['bootefi', 'bootefi (an EFI image)'],
                    ])}
                  </>
                )}
              </fieldset>
              <fieldset>
                <legend>Boot</legend>
                {text('expect', 'Booted when', 'MON|INFO: completed system invocations')}
                {text('bootTimeout', 'Within (s)', '120')}
              </fieldset>
              {errors.length > 0 && (
                <ul className="br-errors" data-testid="br-errors">
                  {errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              )}
              <div className="br-actions">
                <button className="primary" data-testid="bt-save" onClick={() => void save()}>
                  Save target
                </button>
                {chosen && targets[chosen] && (
                  <button data-testid="bt-delete" onClick={() => void actions.saveBoardTarget(chosen, undefined)}>
                    Remove “{chosen}”
                  </button>
                )}
              </div>
            </section>
          ) : (
            <section className="br-plan" data-testid="br-plan">
              {plan ? (
                <>
                  <p className="muted" data-testid="br-firmware">
                    {plan.firmwareNote}
                  </p>
                  {haUrl && tokenStored === false && (
                    <p className="br-warn" data-testid="br-no-token">
                      No Home Assistant token is stored for {haUrl}: Configure… and type it (it goes to your config, not the folder).
                    </p>
                  )}
                  {current?.deploy.kind === 'tftp' && current.firmware.kind === 'uefi-pxe' && (
                    <details className="br-pxe" data-testid="br-pxe" onToggle={(e) => (e.currentTarget.open && ifaces.length === 0 ? void actions.pxeInterfaces().then(setIfaces) : undefined)}>
                      <summary>Proxy-DHCP for network boot (dnsmasq)</summary>
                      <label className="field br-field">
                        <span className="field-label">Interface</span>
                        <select data-testid="br-pxe-iface" value={iface} onChange={(e) => setIface(e.target.value)}>
                          <option value="">(choose the board's network)</option>
                          {ifaces.map((i) => (
                            <option key={`${i.name}-${i.address}`} value={i.name}>
                              {i.name} — {i.address}/{i.netmask}
                            </option>
                          ))}
                        </select>
                      </label>
                      {pxe && (
                        <>
                          <pre className="br-pre" data-testid="br-pxe-config">{pxe.text}</pre>
                          <ul className="br-explain">
                            {pxe.explanation.map((l) => (
                              <li key={l}>{l}</li>
                            ))}
                          </ul>
                          {pxeRunId ? (
                            <button data-testid="br-pxe-stop" onClick={() => void actions.stopPxe()}>
                              Stop proxy-DHCP
                            </button>
                          ) : (
                            <button data-testid="br-pxe-start" disabled={trusted === false} onClick={() => void actions.startPxe(iface)}>
                              Start proxy-DHCP
                            </button>
                          )}
                        </>
                      )}
                    </details>
                  )}
                </>
              ) : (
                <p className="muted">No board target: New target to describe how your board is reached.</p>
              )}
              {run?.error && (
                <div className="br-error" role="alert" data-testid="br-error">
                  {run.failedStep} failed: {run.error}
                </div>
              )}
              {run?.result === 'booted' && (
                <div className="br-ok" data-testid="br-booted">
                  Booted. Console open; the run log is {run.log}.
                </div>
              )}
              <ol className="br-steps" data-testid="br-steps">
                {(run?.steps ?? plan?.steps.map((s) => ({ ...s, status: s.skip ? 'skipped' : 'pending', output: '', result: undefined })))?.map((s) => (
                  <li key={s.id} className={`br-step br-${s.status}`} data-testid={`br-step-${s.id}`} data-status={s.status}>
                    <div className="br-step-head">
                      <span className="br-dot" aria-hidden />
                      <strong>{s.label}</strong> <span className="br-status">{s.status}</span>
                    </div>
                    <div className="br-detail">{s.detail}</div>
                    {s.result && s.result !== s.detail && <div className="br-result">{s.result}</div>}
                    {s.output && (
                      <details open={s.status === 'failed'}>
                        <summary>output</summary>
                        <pre className="br-pre" data-testid={`br-output-${s.id}`}>{s.output}</pre>
                      </details>
                    )}
                  </li>
                ))}
              </ol>
              <div className="br-actions">
                <label className="br-check">
                  <input type="checkbox" data-testid="br-build" checked={build} onChange={(e) => setBuild(e.target.checked)} /> build if stale
                </label>
                <button className="primary" data-testid="br-run" disabled={!plan || Boolean(running) || trusted === false} title={trusted === false ? 'Restricted mode: trust this folder first' : 'F6'} onClick={() => void actions.startBoardRun(build)}>
                  Run on board
                </button>
                <button data-testid="br-stop" disabled={!running} onClick={() => void actions.stopBoardRun(false)}>
                  {run?.result === 'booted' ? 'Close console' : 'Cancel'}
                </button>
                <button data-testid="br-stop-off" disabled={!running || current?.power.kind === 'manual'} onClick={() => void actions.stopBoardRun(true)}>
                  {run?.result === 'booted' ? 'Close & power off' : 'Cancel & power off'}
                </button>
              </div>
            </section>
          )}
          <section className="br-live">
            <div className="br-console" data-testid="br-console">
              {run?.consoleId && !run.ended ? (
                <Suspense fallback={<p className="muted">Loading…</p>}>
                  <ConsoleView id={run.consoleId} onInput={(d) => actions.sendSerial(run.consoleId!, d)} canEcho />
                </Suspense>
              ) : (
                <p className="muted">{run?.ended ? 'The console is closed.' : 'The console opens before the board is powered on.'}</p>
              )}
            </div>
            <div className="br-timeline" data-testid="br-timeline">
              <Timeline milestones={run ? milestones : []} />
            </div>
          </section>
        </div>
      </div>
    </div>
  );
}
