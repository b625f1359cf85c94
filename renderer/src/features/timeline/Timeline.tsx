import { axisBottom } from 'd3-axis';
import { scaleBand, scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { useEffect, useRef } from 'react';
import type { Milestone } from '../../../../shared/logs/milestones';

/** The boot as it happens: one lane per speaker (loader, kernel, monitor, PDs, VMM, Linux), time from the first byte. */
export function Timeline({ milestones }: { milestones: Milestone[] }) {
  const svgRef = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const svg = select(svgRef.current!);
    const width = svgRef.current!.clientWidth || 480;
    const lanes = [...new Set(milestones.map((m) => m.lane))];
    const rowH = 26;
    const height = Math.max(60, lanes.length * rowH + 34);
    svg.attr('height', height);
    svg.selectAll('*').remove();
    const maxT = Math.max(100, ...milestones.map((m) => m.t));
    const x = scaleLinear().domain([0, maxT * 1.05]).range([80, width - 12]);
    const y = scaleBand<string>().domain(lanes).range([6, height - 28]).padding(0.2);
    // A guest's boot takes seconds: label in seconds then, and as many ticks as fit without their labels touching.
    const inSeconds = maxT >= 2000;
    const ticks = Math.max(2, Math.min(6, Math.floor((width - 92) / 64)));
    svg.append('g').attr('class', 'tl-axis').attr('transform', `translate(0,${height - 24})`).call(axisBottom(x).ticks(ticks).tickFormat((d) => (inSeconds ? `${Number(d) / 1000} s` : `${d} ms`)));
    const lane = svg.selectAll('g.tl-lane').data(lanes).enter().append('g').attr('class', 'tl-lane');
    lane.append('text').attr('x', 4).attr('y', (d) => (y(d) ?? 0) + y.bandwidth() / 2 + 4).text((d) => d);
    lane.append('line').attr('x1', 80).attr('x2', width - 12).attr('y1', (d) => (y(d) ?? 0) + y.bandwidth() / 2).attr('y2', (d) => (y(d) ?? 0) + y.bandwidth() / 2);
    const dots = svg.selectAll('g.tl-dot').data(milestones).enter().append('g').attr('class', 'tl-dot').attr('transform', (m) => `translate(${x(m.t)},${(y(m.lane) ?? 0) + y.bandwidth() / 2})`);
    dots.append('circle').attr('r', 5);
    dots.append('title').text((m) => `${m.t.toFixed(0)} ms: ${m.label}\n${m.line}`);
  }, [milestones]);
  return (
    <div className="timeline" data-testid="timeline">
      <svg ref={svgRef} width="100%" role="img" aria-label="Boot timeline" />
      <ol className="tl-list" data-testid="milestones">
        {milestones.map((m, i) => (
          <li key={i}>
            <span className="tl-t">{m.t.toFixed(0)} ms</span> <span className="tl-lane-name">{m.lane}</span> {m.label}
          </li>
        ))}
      </ol>
    </div>
  );
}
