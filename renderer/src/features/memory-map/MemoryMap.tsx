import { scaleLog } from 'd3-scale';
import { useMemo, useState } from 'react';
import { byteSize } from '../../../../shared/format/byteSize';
import { hex } from '../../../../shared/format/hex';
import { memoryMap, memoryProblems, type AddressSpace, type MemBlock } from '../../../../shared/model/memoryMap';
import { kernelConfigForBoard } from '../../../../shared/model/board';
import { kernelConfig } from '../../../../shared/sdf/kernelConfig';
import { useActions, useStudio } from '../../stores/context';

/** A block's drawn height grows with the log of its size: a 4 KiB page and a 1 GiB RAM region both stay readable. */
const height = scaleLog().domain([0x1000, 2 ** 40]).range([30, 110]).clamp(true);
const GAP = 18;
const COL_W = 230;

interface Placed {
  block: MemBlock;
  y: number;
  h: number;
  /** Overlapping blocks are drawn side by side. */
  indent: number;
}

/** Blocks in address order, with a break (and its size) wherever the space between two blocks is unused. */
function layout(space: AddressSpace): { placed: Placed[]; gaps: { y: number; from: number; to: number }[]; height: number } {
  const placed: Placed[] = [];
  const gaps: { y: number; from: number; to: number }[] = [];
  let y = 8;
  let end = -1;
  let indent = 0;
  for (const block of space.blocks) {
    const h = block.size === 0 ? 20 : height(block.size);
    if (end >= 0 && block.start < end) {
      indent += 14; // overlaps the one before: drawn beside it
      y -= Math.min(h, placed[placed.length - 1]!.h) - 8;
    } else {
      indent = 0;
      if (end >= 0 && block.start > end) {
        gaps.push({ y, from: end, to: block.start });
        y += GAP;
      }
    }
    placed.push({ block, y, h, indent });
    y += h + 2;
    end = Math.max(end, block.start + block.size);
  }
  return { placed, gaps, height: y + 8 };
}

function Column({ space, selected, onHover }: { space: AddressSpace; selected: Set<string>; onHover: (b: { block: MemBlock; space: AddressSpace } | undefined) => void }) {
  const actions = useActions();
  const { placed, gaps, height: h } = useMemo(() => layout(space), [space]);
  const bad = space.blocks.filter((b) => b.problems.length).length;
  return (
    <div className={`mm-column mm-${space.kind}`} data-testid={`mm-space-${space.id}`}>
      <div className="mm-title" title={space.limit !== undefined ? `maps must end below ${hex(space.limit)}` : undefined}>
        {space.title}
        {bad > 0 && <span className="mm-bad-count"> · {bad} ✗</span>}
      </div>
      <svg width={COL_W} height={h} role="img" aria-label={`${space.title} address space`}>
        {gaps.map((g, i) => (
          <g key={i} className="mm-gap" transform={`translate(0,${g.y})`}>
            <path d={`M 70 ${GAP / 2} l 8 -4 l 8 8 l 8 -8 l 8 8 l 8 -4`} />
            <text x={116} y={GAP / 2 + 4}>{byteSize(g.to - g.from)} unused</text>
          </g>
        ))}
        {placed.map(({ block: b, y, h: bh, indent }, i) => (
          <g
            key={i}
            transform={`translate(${indent},${y})`}
            className={`mm-block mm-kind-${b.kind}${b.problems.length ? ' mm-problem' : ''}${b.key && selected.has(b.key) ? ' mm-selected' : ''}${b.key ? ' mm-clickable' : ''}`}
            data-testid={`mm-block-${space.id}-${b.label}`}
            onClick={() => b.key && actions.showNode(b.key)}
            onMouseEnter={() => onHover({ block: b, space })}
            onMouseLeave={() => onHover(undefined)}
          >
            <rect x={0} y={0} width={COL_W - 8 - indent} height={bh} rx={3} />
            <text x={6} y={14} className="mm-name">
              {b.label}
              {b.perms ? ` · ${b.perms}${b.cached === false ? ' · uncached' : ''}` : ''}
            </text>
            {bh >= 30 && (
              <text x={6} y={27} className="mm-addr">
                {hex(b.start)}
                {b.size ? `–${hex(b.start + b.size)}` : ''}
              </text>
            )}
            {b.problems.length > 0 && (
              <text x={COL_W - 24 - indent} y={14} className="mm-x">
                ✗
              </text>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}

/** The physical address space and every PD's and VM's virtual one, side by side, problems marked. */
export function MemoryMap() {
  const system = useStudio((s) => s.doc.system);
  const boardName = useStudio((s) => s.project?.studio.board);
  const buildConfig = useStudio((s) => s.project?.studio.build.config);
  const board = useStudio((s) => s.boards.find((b) => b.name === boardName));
  const selection = useStudio((s) => s.selection);
  const report = useStudio((s) => s.buildReport);
  const kernel = useMemo(() => (report?.span ? { ...report.span, objects: report.objects.length } : undefined), [report]);
  const [hover, setHover] = useState<{ block: MemBlock; space: AddressSpace }>();
  const spaces = useMemo(() => memoryMap(system, board ? kernelConfigForBoard(board, buildConfig) : kernelConfig({ arch: 'aarch64', hypervisor: true }), board, kernel), [system, board, buildConfig, kernel]);
  const problems = useMemo(() => memoryProblems(spaces), [spaces]);
  const selected = new Set(selection);
  // A selected PD or region brings its own column(s) and blocks forward.
  const focusPd = selection.length === 1 && selection[0]!.startsWith('pd:') ? selection[0]!.slice(3) : undefined;
  return (
    <div className="memory-map" data-testid="memory-map">
      <div className="mm-summary" data-testid="mm-summary">
        physical + {spaces.length - 1} virtual address space{spaces.length === 2 ? '' : 's'} · {problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}` : 'no overlaps or misalignment'}
        <span className="muted"> · the program image sits at the bottom of each PD (its size is known after a build)</span>
      </div>
      <div className="mm-columns">
        {spaces.map((s) => (
          <div key={s.id} className={focusPd && s.pd === focusPd ? 'mm-focus' : undefined}>
            <Column space={s} selected={selected} onHover={setHover} />
          </div>
        ))}
      </div>
      {hover && (
        <div className="mm-tooltip" data-testid="mm-tooltip">
          <b>{hover.block.label}</b> in {hover.space.title}
          <div>
            {hex(hover.block.start)}
            {hover.block.size ? ` – ${hex(hover.block.start + hover.block.size)} (${byteSize(hover.block.size)})` : ''}
          </div>
          {hover.block.perms && <div>perms {hover.block.perms}{hover.block.cached === false ? ', uncached' : ', cached'}</div>}
          {hover.block.problems.map((p) => (
            <div key={p} className="mm-tooltip-problem">
              ✗ {p}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
