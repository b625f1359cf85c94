import { useMemo, useState } from 'react';
import type { WorkspaceFile } from '../../../../shared/api/contract';
import type { WorkspaceFileKind } from '../../../../shared/workspace/classify';
import { explorerGroups, SYSTEM_KIND_TAGS } from '../../../../shared/workspace/explorer';
import './explorer.css';

export interface ExplorerProps {
  /** The folder's files (`workspace.files`, kept by the workspace slice). */
  files: readonly WorkspaceFile[];
  /** The folder held more files than listed. */
  truncated: boolean;
  loading?: boolean;
  /** Files open in tabs are marked; the active one is highlighted. */
  openPaths?: readonly string[];
  activePath?: string;
  onOpen(path: string, kind: WorkspaceFileKind): void;
  onRefresh?(): void;
}

/**
 * The opened folder's files: system descriptions first (cpp templates and XInclude systems tagged), then sources,
 * build files and device trees; a filter box narrows the list. Grouping and filtering are shared/workspace/explorer.ts.
 */
export function Explorer({ files, truncated, loading, openPaths = [], activePath, onOpen, onRefresh }: ExplorerProps) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => explorerGroups(files, filter), [files, filter]);
  const open = useMemo(() => new Set(openPaths), [openPaths]);
  return (
    <nav className="explorer" aria-label="Explorer" data-testid="explorer">
      <div className="explorer-bar row">
        <input
          type="search"
          className="grow"
          placeholder="Filter files"
          aria-label="Filter files"
          data-testid="explorer-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setFilter('')}
        />
        {onRefresh && (
          <button type="button" className="link" title="List the folder's files again" aria-label="Refresh" onClick={onRefresh} disabled={loading}>
            ⟳
          </button>
        )}
      </div>
      {groups.length === 0 && (
        <div className="panel-empty">
          {loading ? 'Listing files…' : filter.trim() ? `Nothing matches "${filter.trim()}"` : 'No system descriptions, sources, build files or device trees in this folder'}
        </div>
      )}
      {groups.map((g) => (
        <details key={g.id} className="explorer-group" open data-testid={`explorer-group-${g.id}`}>
          <summary>
            {g.label} <span className="muted">{g.entries.length}</span>
          </summary>
          <ul className="explorer-list">
            {g.entries.map((e) => {
              const tag = SYSTEM_KIND_TAGS[e.kind];
              const classes = ['explorer-file', open.has(e.path) ? 'explorer-open' : '', e.path === activePath ? 'explorer-active' : ''].filter(Boolean).join(' ');
              return (
                <li key={e.path}>
                  <button type="button" className={classes} title={e.path} data-testid="explorer-file" data-path={e.path} aria-current={e.path === activePath ? 'true' : undefined} onClick={() => onOpen(e.path, e.kind)}>
                    <span className="explorer-name">{e.name}</span>
                    {tag && <span className={`chip explorer-tag explorer-tag-${tag}`}>{tag}</span>}
                    {e.dir && <span className="explorer-dir muted">{e.dir}</span>}
                  </button>
                </li>
              );
            })}
          </ul>
        </details>
      ))}
      {truncated && <div className="explorer-note muted">Only the first files are listed: this folder has more. Filter to find one, or open a sub-folder.</div>}
    </nav>
  );
}
