import { useState } from 'react';
import { useActions } from '../../stores/context';

/** Open any source file of the project (PD programs, CMakeLists.txt, Makefile, device trees) in the editor. */
export function SourcePicker() {
  const actions = useActions();
  const [files, setFiles] = useState<string[]>([]);
  const load = () => void actions.listSources().then(setFiles);
  return (
    <select
      className="source-picker"
      data-testid="open-source"
      value=""
      onFocus={load}
      onMouseDown={load}
      onChange={(e) => e.target.value && void actions.openSource(e.target.value)}
      title="Open a source file of the project"
    >
      <option value="">Open source…</option>
      {files.map((f) => (
        <option key={f} value={f}>
          {f}
        </option>
      ))}
    </select>
  );
}
