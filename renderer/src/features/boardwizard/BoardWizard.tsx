import { useEffect, useMemo } from 'react';
import { hex } from '../../../../shared/format/hex';
import { GUIDE_SECTIONS } from '../../../../shared/board/portGuide';
import { useActions, useStudio } from '../../stores/context';
import { BOARD_WIZARD_STEPS, type BoardWizardSession, type BoardWizardStep, type BoardWizardView } from '../../stores/studioStore';
import '../wizard/wizard.css';
import './boardwizard.css';

const LOADABLE = /\.(dts|dtb)$/;

/** The board wizard (issue 17): a tree → its facts → the loader link address → a pack of the user's → the port guide. */
export function BoardWizard() {
  const w = useStudio((s) => s.boardWizard);
  const boards = useStudio((s) => s.boards);
  const actions = useActions();
  const facts = w?.facts;
  const view = useMemo(
    () => (facts ? actions.boardWizardView() : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the view is a function of exactly these
    [facts, w?.payloadMiB, w?.linkText, w?.name, w?.title, w?.source, boards, actions],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      actions.closeBoardWizard();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [actions]);
  if (!w) return null;
  const index = BOARD_WIZARD_STEPS.findIndex((s) => s.id === w.step);
  const go = (step: BoardWizardStep) => actions.boardWizardGo(step);
  const next = BOARD_WIZARD_STEPS[index + 1];
  const prev = BOARD_WIZARD_STEPS[index - 1];
  const nextBlocked = !w.facts || w.loading || (w.step === 'write' && !w.saved);
  return (
    <div className="modal-backdrop">
      <div className="modal wz bw" role="dialog" aria-label="New board from a device tree" data-testid="board-wizard">
        <header className="wz-head">
          <h2>New board from a device tree</h2>
          <ol className="wz-steps">
            {BOARD_WIZARD_STEPS.map((s, i) => (
              <li key={s.id}>
                <button className={s.id === w.step ? 'active' : i < index ? 'done' : ''} data-testid={`bw-step-${s.id}`} disabled={i > 0 && !w.facts} onClick={() => go(s.id)}>
                  <span className="wz-step-n">{i + 1}</span> {s.title}
                </button>
              </li>
            ))}
          </ol>
          <button className="link wz-close" aria-label="Close" data-testid="bw-close" onClick={() => actions.closeBoardWizard()}>
            ×
          </button>
        </header>
        <section className="wz-body" data-testid={`bw-body-${w.step}`}>
          {w.step === 'tree' && <TreeChoice w={w} />}
          {w.step === 'facts' && <FactsStep w={w} />}
          {w.step === 'link' && <LinkStep w={w} view={view} />}
          {w.step === 'write' && <WriteStep w={w} view={view} />}
          {w.step === 'guide' && <GuideStep w={w} view={view} />}
        </section>
        <footer className="row wz-foot">
          <span className="muted">{w.label ? `Tree: ${w.label}` : 'No tree yet'}</span>
          <span className="grow" />
          <button data-testid="bw-back" disabled={!prev} onClick={() => prev && go(prev.id)}>
            Back
          </button>
          {next && (
            <button className="primary" data-testid="bw-next" disabled={nextBlocked} onClick={() => go(next.id)}>
              Next: {next.title}
            </button>
          )}
        </footer>
      </div>
    </div>
  );
}

function TreeChoice({ w }: { w: BoardWizardSession }) {
  const actions = useActions();
  const files = useStudio((s) => s.workspaceFiles);
  const trees = files.filter((f) => f.kind === 'devicetree' && LOADABLE.test(f.path)).map((f) => f.path);
  const current = w.source?.kind === 'file' ? w.source.path : '';
  return (
    <div className="wz-tree">
      <p className="muted">
        The board’s facts come from its device tree: a vendor tree with its includes, a runtime dump (<code>/sys/firmware/fdt</code> saved as a .dtb in this folder), or QEMU’s own
        virt machine, dumped by the host.
      </p>
      <div className="wz-status" aria-live="polite" data-testid="bw-tree-status">
        {w.loading ? <span>Reading {w.source?.kind === 'qemu' ? 'QEMU’s virt tree' : current}…</span> : w.facts ? <span>Read {w.label}</span> : null}
      </div>
      {w.error && (
        <div className="wz-error" role="alert" data-testid="bw-tree-error">
          {w.error}
        </div>
      )}
      <ul className="wz-sources" aria-label="Device tree">
        <li>
          <button data-testid="bw-source-qemu" disabled={w.loading} onClick={() => void actions.loadBoardTree({ kind: 'qemu' })}>
            Dump QEMU’s virt tree
          </button>{' '}
          <span className="muted">qemu-system-aarch64 -machine virt,virtualization=on,dumpdtb=… -cpu cortex-a53 -smp 4 -m 2G (the shipped qemu_virt_aarch64 machine)</span>
        </li>
        {trees.map((p) => (
          <li key={p}>
            <label>
              <input type="radio" name="bw-source" data-testid={`bw-source-${p}`} checked={current === p} disabled={w.loading} onChange={() => void actions.loadBoardTree({ kind: 'file', path: p })} />
              <code>{p}</code>
            </label>
          </li>
        ))}
        {!trees.length && <li className="muted">No .dts or .dtb in this folder: copy your board’s tree in to use it.</li>}
      </ul>
    </div>
  );
}

/** A node path, a link to where the tree writes it when it is a file of the folder. */
function NodeLink({ w, path }: { w: BoardWizardSession; path: string }) {
  const actions = useActions();
  const at = w.places?.[path];
  if (!at) return <code className="muted">{path}</code>;
  return (
    <button
      className="link"
      data-testid={`bw-node-${path}`}
      title={`Open ${at.file}:${at.line}`}
      onClick={() => {
        actions.closeBoardWizard();
        void actions.openSource(at.file, at.line);
      }}
    >
      <code>{path}</code>
    </button>
  );
}

function FactsStep({ w }: { w: BoardWizardSession }) {
  const f = w.facts;
  if (!f) return null;
  const rows: { label: string; value: string; path: string; id: string }[] = [
    ...f.memory.map((b, i) => ({ id: `memory-${i}`, label: 'RAM bank', value: `${hex(b.base)} + ${hex(b.size)}`, path: b.path })),
    ...f.reserved.map((r, i) => ({ id: `reserved-${i}`, label: `reserved${r.noMap ? ' (no-map)' : ''}`, value: `${hex(r.base)} + ${hex(r.size)}`, path: r.path === '/memreserve/' ? '/' : r.path })),
    ...(f.gic ? [{ id: 'gic', label: `GICv${f.gic.version}`, value: `${f.gic.compatible}: ${f.gic.regs.map((r) => `${r.name} ${hex(r.address)}`).join(', ')}${f.gic.maintenanceIntid !== undefined ? `; maintenance INTID ${f.gic.maintenanceIntid}` : ''}`, path: f.gic.path }] : []),
    ...(f.timer ? [{ id: 'timer', label: 'timer PPIs', value: f.timer.ppis.map((p) => `${p.name} ${p.intid}`).join(', '), path: f.timer.path }] : []),
    ...f.uarts.map((u, i) => ({
      id: `uart-${i}`,
      label: `UART${u.stdout ? ' (console)' : ''}${u.kernel ? ' (kernel)' : ''}`,
      value: `${u.compatible[0] ?? '?'} at ${u.regs[0] ? hex(u.regs[0].base) : '?'}, INTID ${u.intids.join(', ') || 'none'}${u.status !== 'okay' ? `, ${u.status}` : ''}`,
      path: u.path,
    })),
    ...(f.psci ? [{ id: 'psci', label: 'PSCI', value: f.psci.method, path: f.psci.path }] : []),
    { id: 'cpus', label: 'CPUs', value: `${f.cpus.count}: ${f.cpus.models.map((m) => `${m.count}× ${m.compatible}`).join(', ')}`, path: '/cpus' },
    { id: 'pabits', label: 'PA bits', value: `${f.addressWidth.paBits ?? '—'} (${f.addressWidth.how})`, path: f.addressWidth.highest.path },
  ];
  return (
    <div className="bw-facts">
      <table className="bw-table" data-testid="bw-facts">
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`bw-fact-${r.id}`}>
              <th>{r.label}</th>
              <td>{r.value}</td>
              <td>
                <NodeLink w={w} path={r.path} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {f.problems.length > 0 && (
        <ul className="bw-problems" data-testid="bw-problems">
          {f.problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <strong>{p.severity}</strong> {p.message} — <NodeLink w={w} path={p.path} />
              {w.places?.[p.path] ? '' : ` (${p.place.file}:${p.place.line})`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function LinkStep({ w, view }: { w: BoardWizardSession; view: BoardWizardView | undefined }) {
  const actions = useActions();
  const link = view?.link;
  return (
    <div className="bw-link">
      <label className="field">
        <span className="field-label" title="kernel, monitor, every PD image; a Linux guest with its initrd">Payload (MiB)</span>
        <input type="number" min={1} max={4096} data-testid="bw-payload" value={w.payloadMiB} onChange={(e) => actions.setBoardWizard({ payloadMiB: Number(e.target.value) || 1 })} />
      </label>
      <p data-testid="bw-link-proposal">
        <strong>{link?.address !== undefined ? hex(link.address) : 'No address'}</strong> {link?.reason}
      </p>
      <label className="field">
        <span className="field-label" title="the SDK’s, for a board it already builds">Your address</span>
        <input data-testid="bw-link-address" placeholder={link?.address !== undefined ? hex(link.address) : '0x…'} value={w.linkText} onChange={(e) => actions.setBoardWizard({ linkText: e.target.value })} />
      </label>
      {link && link.problems.length > 0 && (
        <ul className="bw-problems" data-testid="bw-link-problems">
          {link.problems.map((p, i) => (
            <li key={i} className="error">
              {p}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function WriteStep({ w, view }: { w: BoardWizardSession; view: BoardWizardView | undefined }) {
  const actions = useActions();
  return (
    <div className="bw-write">
      <label className="field">
        <span className="field-label">Board name</span>
        <input data-testid="bw-name" placeholder="as Microkit names boards: lower-case letters, digits, _" value={w.name} onChange={(e) => actions.setBoardWizard({ name: e.target.value })} />
      </label>
      <label className="field">
        <span className="field-label">Title</span>
        <input data-testid="bw-title" placeholder={w.facts?.model ?? ''} value={w.title} onChange={(e) => actions.setBoardWizard({ title: e.target.value })} />
      </label>
      {view?.shadows && (
        <p className="wz-note" data-testid="bw-shadows">
          {view.shadows} is a shipped board: your pack will be used instead of the shipped one (the board menu marks it “yours”; remove it from your config folder to use the shipped one again).
        </p>
      )}
      {view && view.problems.length > 0 && (
        <ul className="bw-problems" data-testid="bw-pack-problems">
          {view.problems.map((p, i) => (
            <li key={i} className="error">
              {p}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button className="primary" data-testid="bw-save" disabled={!view?.pack || w.saving || view.problems.length > 0} onClick={() => void actions.saveBoardPack()}>
          Write the board pack
        </button>
        {w.saved && w.saved.name === w.name.trim() && (
          <button data-testid="bw-overwrite" onClick={() => void actions.saveBoardPack(true)}>
            Write again (replace)
          </button>
        )}
      </div>
      {w.saved && (
        <p data-testid="bw-saved">
          Written: <code>{w.saved.file}</code>
          {w.saved.replaces ? ' — used instead of the shipped pack of that name' : ''}. It is in the board menu now.
        </p>
      )}
      {view?.pack && (
        <details>
          <summary>board.json</summary>
          <pre className="bw-json" data-testid="bw-json">
            {JSON.stringify(view.pack, null, 2)}
          </pre>
        </details>
      )}
    </div>
  );
}

function GuideStep({ w, view }: { w: BoardWizardSession; view: BoardWizardView | undefined }) {
  const actions = useActions();
  const guide = view?.guide;
  const board = w.saved?.name ?? w.name.trim();
  const ticked = useStudio((s) => s.folderSettings?.portGuides?.[board]?.ticked);
  if (!guide) return <p className="muted">The guide needs a pack: fix the problems of the previous steps first.</p>;
  const done = ticked?.length ?? 0;
  return (
    <div className="bw-guide" data-testid="bw-guide">
      <p className="muted">
        Porting {board} to Microkit: what the SDK does not have yet, with the tree’s values filled in. Ticks are kept in this folder’s settings ({done} of {guide.items.length} done).
      </p>
      {(Object.keys(GUIDE_SECTIONS) as (keyof typeof GUIDE_SECTIONS)[]).map((section) => {
        const items = guide.items.filter((i) => i.section === section);
        if (!items.length) return null;
        return (
          <section key={section}>
            <h3>{GUIDE_SECTIONS[section]}</h3>
            {items.map((item) => (
              <div key={item.id} className="bw-item" data-testid={`bw-item-${item.id}`}>
                <label className="bw-item-head">
                  <input type="checkbox" data-testid={`bw-tick-${item.id}`} checked={ticked?.includes(item.id) ?? false} onChange={() => void actions.toggleGuideItem(board, item.id)} />
                  <strong>{item.title}</strong>
                </label>
                <div className="muted">{item.where}</div>
                {item.facts.length > 0 && (
                  <ul className="bw-item-facts">
                    {item.facts.map((f, i) => (
                      <li key={i}>
                        {f.label}: <code>{f.value}</code> {f.path && <NodeLink w={w} path={f.path} />}
                      </li>
                    ))}
                  </ul>
                )}
                <pre className="bw-snippet" data-testid={`bw-snippet-${item.id}`}>
                  {item.snippet}
                </pre>
                {item.notes.map((n, i) => (
                  <p key={i} className="muted bw-note">
                    {n}
                  </p>
                ))}
              </div>
            ))}
          </section>
        );
      })}
    </div>
  );
}
