import { Explorer } from '../features/explorer/Explorer';
import { Palette } from '../features/graph/Palette';
import { useActions, useStudio } from '../stores/context';

/** The left column: the folder's files (the Explorer) over the palette of things to draw. */
export function LeftPanel() {
  const files = useStudio((s) => s.workspaceFiles);
  const truncated = useStudio((s) => s.workspaceFilesTruncated);
  const loading = useStudio((s) => s.workspaceFilesLoading);
  const active = useStudio((s) => s.docPath);
  const parked = useStudio((s) => s.parked);
  const hasProject = useStudio((s) => Boolean(s.project));
  const actions = useActions();
  return (
    <div className="left-panel">
      {hasProject && (
        <Explorer
          files={files}
          truncated={truncated}
          loading={loading}
          openPaths={[...(active ? [active] : []), ...Object.keys(parked)]}
          {...(active ? { activePath: active } : {})}
          onRefresh={() => void actions.refreshFiles()}
          onOpen={(path, kind) => {
            if (kind === 'system' || kind === 'system-template' || kind === 'system-xinclude') void actions.openSystemFile(path);
            else void actions.openSource(path);
          }}
        />
      )}
      <Palette />
    </div>
  );
}
