import { useActions, useStudio } from '../../stores/context';

export function DoctorPanel() {
  const tools = useStudio((s) => s.doctor);
  const actions = useActions();
  if (!tools) return <div className="panel-empty">Checking tools…</div>;
  const qemu = tools.find((t) => t.id === 'qemu-system-aarch64');
  return (
    <div className="doctor" data-testid="doctor">
      <div className="row">
        <button onClick={() => actions.refreshDoctor()}>Re-check</button>
        <button data-testid="run-qemu-version" disabled={!qemu?.found} onClick={() => actions.runToolVersion('qemu-system-aarch64')}>
          Run QEMU --version
        </button>
      </div>
      <table>
        <thead>
          <tr>
            <th>Tool</th>
            <th>Status</th>
            <th>Version</th>
            <th>Path or how to install</th>
          </tr>
        </thead>
        <tbody>
          {tools.map((t) => (
            <tr key={t.id} data-testid={`tool-${t.id}`} className={t.found ? 'found' : 'missing'}>
              <td title={t.purpose}>{t.label}</td>
              <td>{t.found ? 'found' : 'missing'}</td>
              <td>{t.version ?? ''}</td>
              <td>
                <code>{t.found ? t.path : t.hint}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
