import { useState } from 'react';
import { useActions, useStudio } from '../../stores/context';
import { docFile } from '../../stores/documentSlice';
import type { TreeSource, WizardSession } from '../../stores/studioStore';

/** Device trees of the folder step 1 lists: DTS and DTB files and overlays (`.dtsi` are parts of a tree). */
const LISTED = /\.(dts|dtb|dtbo|dtso)$/;

/** Step 1: where the devices come from: the board pack, or a DTS/DTB of the folder, compiled by the host. */
export function TreeStep({ w }: { w: WizardSession }) {
  const actions = useActions();
  const files = useStudio((s) => s.workspaceFiles);
  const listed = files.filter((f) => f.kind === 'devicetree' && LISTED.test(f.path));
  // Base trees first; overlays (the host told them by their first bytes) apart, since none can be read alone.
  // The tree read last for this system (folder settings) first.
  const remembered = useStudio((s) => s.folderSettings?.passthroughTrees?.[docFile(s)]?.tree);
  const trees = listed
    .filter((f) => !f.overlay)
    .map((f) => f.path)
    .sort((a, b) => (a === remembered ? -1 : b === remembered ? 1 : 0));
  const overlays = listed.filter((f) => f.overlay).map((f) => f.path);
  const current = w.source.kind === 'file' ? w.source.path : '';
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (p: string) => p === current || words.every((x) => p.toLowerCase().includes(x));
  const shownTrees = trees.filter(shown);
  const shownOverlays = overlays.filter(shown);
  const [dirs, setDirs] = useState(w.source.kind === 'file' && w.source.includeDirs ? w.source.includeDirs.join(' ') : '');
  const choose = (source: TreeSource) => void actions.chooseTree(source, true);
  const t = w.tree;
  return (
    <div className="wz-tree">
      <p className="muted">
        The devices, their registers, interrupts, clocks and resets come from a device tree: the board pack’s list, or the tree your board runs (a JetPack source tree with
        its includes, or a runtime dump such as <code>/sys/firmware/fdt</code> saved as a .dtb in this folder).
      </p>
      <div className="wz-status" data-testid="wz-tree-status" aria-live="polite">
        {w.loading ? (
          <span>Loading {w.source.kind === 'file' ? w.source.path : 'the board pack'}…</span>
        ) : t ? (
          <span>
            <strong>{t.entries.length} devices</strong> from {t.label}
            {t.by && t.by !== 'none' ? ` · ${t.by === 'system-cpp' ? 'system cpp' : 'cpp subset'}, ${t.files} files` : ''}
            {t.headers.length ? ` · names from ${t.headers.length} dt-bindings headers` : t.source.kind === 'board' ? ' · names from the board pack' : ''}
            {t.includeDirs.length ? ` · -I ${t.includeDirs.join(' ')}` : ''}
            <span className="muted" data-testid="wz-tree-timing">
              {' '}
              · {t.source.kind === 'file' ? `compiled by the host in ${Math.round(t.compileMs)} ms, answer in after ${Math.round(t.hostMs)} ms, ` : ''}catalogue after {Math.round(t.loadMs)} ms
              {t.shownMs !== undefined ? `, listed after ${Math.round(t.shownMs)} ms` : ''}
            </span>
          </span>
        ) : null}
      </div>
      {t?.notes.map((n, i) => (
        <p key={i} className="muted wz-note">
          {n}
        </p>
      ))}
      {w.treeError && (
        <div className="wz-error" role="alert" data-testid="wz-tree-error">
          <div>{w.treeError.message}</div>
          {w.treeError.diagnostics
            .filter((d) => d.file)
            .map((d, i) => (
              <button
                key={i}
                className="link"
                onClick={() => {
                  actions.closeWizard();
                  void actions.openSource(d.file!, d.line);
                }}
              >
                {d.file}:{d.line}:{d.column} — open
              </button>
            ))}
        </div>
      )}
      {w.source.kind === 'file' && (
        <div className="row wz-includes">
          <span className="field-label">include folders</span>
          <input
            data-testid="wz-include-dirs"
            placeholder={t?.includeDirs.length ? t.includeDirs.join(' ') : 'found in the folder'}
            value={dirs}
            onChange={(e) => setDirs(e.target.value)}
            title="Folders of this project cpp searches for #include, separated by spaces (empty: the ones its includes need, found in the folder)"
          />
          <button data-testid="wz-reload" onClick={() => choose({ kind: 'file', path: current, ...(dirs.trim() ? { includeDirs: dirs.trim().split(/\s+/) } : {}) })}>
            Load
          </button>
        </div>
      )}
      <div className="row wz-sources-bar">
        <strong>Choose the tree</strong>
        <input type="search" data-testid="wz-source-filter" placeholder={`Filter ${trees.length} device trees of this folder${overlays.length ? ` (and ${overlays.length} overlays)` : ''}`} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <ul className="wz-sources" role="radiogroup" aria-label="Device tree">
        <li>
          <label>
            <input type="radio" name="wz-source" data-testid="wz-source-board" checked={w.source.kind === 'board'} onChange={() => choose({ kind: 'board' })} />
            <span>
              Board pack <strong>{w.board}</strong> <span className="muted">— the devices the board pack describes, names from its dt-bindings table</span>
            </span>
          </label>
        </li>
        {shownTrees.map((p) => (
          <li key={p}>
            <label>
              <input type="radio" name="wz-source" data-testid={`wz-source-${p}`} checked={current === p} onChange={() => choose({ kind: 'file', path: p })} />
              <code>{p}</code>
              {p === remembered && <span className="muted"> — read last for this system</span>}
            </label>
          </li>
        ))}
        {!trees.length && <li className="muted">No .dts or .dtb in this folder: copy your board’s tree in to use it.</li>}
      </ul>
      {shownOverlays.length > 0 && (
        <div className="wz-overlays" data-testid="wz-overlays">
          <strong>Overlays ({overlays.length})</strong>{' '}
          <span className="muted">— not base trees: an overlay (<code>/plugin/;</code>, .dtbo, .dtso) changes nodes of the tree it is applied to and has no devices alone. Choose the base tree above.</span>
          <ul className="wz-sources" role="radiogroup" aria-label="Device-tree overlays">
            {shownOverlays.map((p) => (
              <li key={p}>
                <label>
                  <input type="radio" name="wz-source" data-testid={`wz-source-${p}`} checked={current === p} onChange={() => choose({ kind: 'file', path: p })} />
                  <code>{p}</code> <span className="muted">overlay</span>
                </label>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
