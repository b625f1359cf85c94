import type { Milestone } from './milestones';

/** A standalone HTML page of one boot: the timeline as inline SVG and the whole log; no script, no external file. */
export function bootReportHtml(input: { title: string; subtitle?: string; log: string; milestones: Milestone[] }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const lanes = [...new Set(input.milestones.map((m) => m.lane))];
  const maxT = Math.max(100, ...input.milestones.map((m) => m.t)) * 1.05;
  const W = 900;
  const left = 110;
  const row = 28;
  const H = lanes.length * row + 40;
  const x = (t: number) => left + (t / maxT) * (W - left - 20);
  const ticks = Array.from({ length: 6 }, (_, i) => (maxT / 5) * i);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Boot timeline">`,
    ...lanes.map((l, i) => `<text x="8" y="${i * row + 24}">${esc(l)}</text><line x1="${left}" x2="${W - 20}" y1="${i * row + 20}" y2="${i * row + 20}" class="lane"/>`),
    ...input.milestones.map((m) => `<circle cx="${x(m.t).toFixed(1)}" cy="${lanes.indexOf(m.lane) * row + 20}" r="5"><title>${esc(`${m.t.toFixed(0)} ms: ${m.label}`)}</title></circle>`),
    ...ticks.map((t) => `<text x="${x(t).toFixed(1)}" y="${H - 6}" class="tick">${t.toFixed(0)} ms</text>`),
    '</svg>',
  ].join('\n');
  const rows = input.milestones.map((m) => `<tr><td>${m.t.toFixed(0)} ms</td><td>${esc(m.lane)}</td><td>${esc(m.label)}</td></tr>`).join('\n');
  // eslint-disable-next-line no-control-regex
  const log = esc(input.log.replace(/\r\n/g, '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2330; }
h1 { font-size: 20px; margin: 0 0 4px; } .sub { color: #6b7385; margin-bottom: 16px; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2330; } svg .tick { fill: #6b7385; font-size: 11px; }
svg .lane { stroke: #d5d9e2; } svg circle { fill: #2f6fde; }
table { border-collapse: collapse; margin: 12px 0; } td { padding: 2px 12px 2px 0; border-bottom: 1px solid #eef0f4; }
pre { background: #101318; color: #dfe3ea; padding: 12px; overflow: auto; font: 12px ui-monospace, monospace; }
</style></head>
<body>
<h1>${esc(input.title)}</h1>
<div class="sub">${esc(input.subtitle ?? '')}</div>
${svg}
<table><thead><tr><th align="left">time</th><th align="left">lane</th><th align="left">milestone</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Console</h2>
<pre>${log}</pre>
</body></html>
`;
}
