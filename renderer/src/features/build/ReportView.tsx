import type { BuildReport } from '../../../../shared/build/report';
import { hex } from '../../../../shared/format/hex';

/** The Microkit report of the last image: threads, kernel objects by type, loader regions, physical span. */
export function ReportView({ report }: { report: BuildReport }) {
  return (
    <div className="build-report" data-testid="build-report">
      <section>
        <h4>Threads</h4>
        <table>
          <tbody>
            {report.threads.map((t) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.priority !== undefined ? `priority ${t.priority}` : ''}</td>
                <td className="mono">{t.ip !== undefined ? `IP ${hex(t.ip)}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h4>
          Kernel objects ({report.objects.length}){report.span ? ` · ${hex(report.span.start)}–${hex(report.span.end)}` : ''}
        </h4>
        <table>
          <tbody>
            {report.byType.map((t) => (
              <tr key={t.type}>
                <td>{t.type}</td>
                <td>{t.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {report.loaderRegions.length > 0 && (
        <section>
          <h4>Loader regions</h4>
          <table>
            <tbody>
              {report.loaderRegions.map((r) => (
                <tr key={r.name}>
                  <td>{r.name}</td>
                  <td className="mono">{hex(r.addr)}</td>
                  <td>{r.size} B</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
