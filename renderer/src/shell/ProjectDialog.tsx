import type { FormEvent } from 'react';
import { useActions, useStudio } from '../stores/context';

const TITLES = { new: 'New project', open: 'Open folder', saveAs: 'Save project as' } as const;

/**
 * New / Open / Save As. The folder is typed (browser mode) or picked with the host's native dialog where the host
 * says it has one (`capabilities.nativeDialogs`); the UI never asks which host it is.
 */
export function ProjectDialog() {
  const kind = useStudio((s) => s.dialog);
  const recent = useStudio((s) => s.recent);
  const boards = useStudio((s) => s.boards);
  const native = useStudio((s) => s.host?.capabilities.nativeDialogs ?? false);
  const actions = useActions();
  // The fields live in the store and are blank at each opening: a second New starts from a clean choice.
  const { dir, name, board, template } = useStudio((s) => s.projectForm);
  const setDir = (d: string) => actions.editProjectForm({ dir: d });
  const templates = useStudio((s) => s.templates);
  const chosen = templates.find((t) => t.id === template);
  if (!kind) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!dir.trim()) return;
    if (kind === 'new') void actions.newProject(dir.trim(), name.trim() || dir.trim().split(/[\\/]/).filter(Boolean).pop() || 'project', board, template || undefined);
    else if (kind === 'open') void actions.openProject(dir.trim());
    else void actions.saveAs(dir.trim());
  };
  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && actions.openDialog(undefined)}>
      <form className="modal" role="dialog" aria-label={TITLES[kind]} data-testid="project-dialog" onSubmit={submit}>
        <h2>{TITLES[kind]}</h2>
        <label className="field">
          <span className="field-label">Folder</span>
          <div className="row">
            {/* With a native dialog the host takes only folders chosen in it (or recent ones): the path is shown, not typed. */}
            <input
              autoFocus
              data-testid="dialog-dir"
              placeholder={native ? 'Choose the folder with Browse…' : '/home/me/projects/my-system'}
              value={dir}
              readOnly={native}
              onChange={(e) => setDir(e.target.value)}
            />
            {native && (
              <button type="button" onClick={() => void actions.pickDirectory(TITLES[kind], kind === 'open' ? 'open' : 'create').then((d) => d && setDir(d))}>
                Browse…
              </button>
            )}
          </div>
          <span className="field-help">
            {kind === 'open'
              ? 'Any folder: a seL4 Studio project, or a checkout such as LionsOS, sDDF or libvmm (nothing is written on open; it opens in restricted mode until you trust it)'
              : 'An empty or new folder (or a git checkout none of whose files would be replaced)'}
          </span>
        </label>
        {kind === 'new' && (
          <>
            <label className="field">
              <span className="field-label">Name</span>
              <input data-testid="dialog-name" placeholder="hello" value={name} onChange={(e) => actions.editProjectForm({ name: e.target.value })} />
            </label>
            <label className="field">
              <span className="field-label">Start from</span>
              <select
                data-testid="dialog-template"
                value={template}
                // A template's device addresses and IRQs are its board's: choosing one chooses its board.
                onChange={(e) => actions.editProjectForm({ template: e.target.value })}
              >
                <option value="">Empty system (one protection domain)</option>
                {templates.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
              </select>
              <span className="field-help">{chosen ? `${chosen.description} Written for ${chosen.board}.` : 'Add PDs, memory regions and channels yourself.'}</span>
            </label>
            <label className="field">
              <span className="field-label">Board</span>
              <select data-testid="dialog-board" value={board} onChange={(e) => actions.editProjectForm({ board: e.target.value })}>
                {boards.map((b) => (
                  <option key={b.name} value={b.name}>
                    {b.name} — {b.title}
                    {b.experimental ? ' (experimental)' : ''}
                    {b.origin?.kind === 'user' ? (b.origin.replaces ? ' (yours, used instead of the shipped one)' : ' (yours)') : b.origin?.kind === 'sdk' ? ' (from the SDK)' : ''}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {kind === 'open' && recent.length > 0 && (
          <div className="recent">
            <div className="field-label">Recent</div>
            <ul>
              {recent.map((r) => (
                <li key={r.dir}>
                  <button type="button" className="link" onClick={() => void actions.openProject(r.dir)}>
                    {r.name} <span className="muted">{r.dir}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="row end">
          <button type="button" onClick={() => actions.openDialog(undefined)}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="dialog-ok">
            {kind === 'new' ? 'Create' : kind === 'open' ? 'Open' : 'Save'}
          </button>
        </div>
      </form>
    </div>
  );
}
