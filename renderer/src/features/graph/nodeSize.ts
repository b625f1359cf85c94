import type { Size } from '../../../../shared/model/elkLayout';
import type { StudioNode } from './graphModel';

/**
 * Sizes for the automatic layout: what React Flow measured where a node has been on screen, otherwise an estimate
 * from the text it shows in the fonts styles.css gives it (a large system mounts only the nodes on screen). An
 * estimate errs large: a node drawn bigger than laid out would overlap its neighbour.
 */
let ctx: CanvasRenderingContext2D | null | undefined;
function textWidth(text: string, font: string, perChar: number): number {
  if (ctx === undefined) ctx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return text.length * perChar;
  ctx.font = font;
  return ctx.measureText(text).width;
}

const TITLE = "600 14px system-ui, -apple-system, 'Segoe UI', sans-serif";
const META = '11px ui-monospace, monospace';
const KIND = '10px system-ui, -apple-system, sans-serif';
const CHIP = '10px ui-monospace, monospace';
const LABEL = "10px system-ui, -apple-system, 'Segoe UI', sans-serif";
/** Padding (12 px a side) and border (2 px a side) of `.node`. */
const FRAME_W = 28;

export function estimatedNodeSize(n: StudioNode): Size {
  const d = n.data;
  if (d.kind === 'group') return { width: Math.ceil(Math.max(190, textWidth(d.name, TITLE, 9)) + FRAME_W + 2), height: 84 };
  if (d.kind === 'mr') {
    const meta = `0x${(d.size ?? 0).toString(16)}${d.physAddr !== undefined ? ` @ 0x${d.physAddr.toString(16)}` : ''}`;
    return { width: Math.ceil(Math.max(170, textWidth(d.name, TITLE, 9), textWidth(meta, META, 7), textWidth('DEVICE REGION', KIND, 7.5)) + FRAME_W + 2), height: 74 };
  }
  const kind = d.parent ? `CHILD OF ${d.parent.name}` : d.vm ? 'PROTECTION DOMAIN · VMM' : 'PROTECTION DOMAIN';
  const content = Math.max(170, textWidth(d.name, TITLE, 9), textWidth(`prio ${d.priority ?? 0} · ${d.image || 'no image'}`, META, 7), textWidth(kind, KIND, 7.5), d.vm ? textWidth(d.vm.name, TITLE, 9) + 20 : 0);
  // IRQ chips wrap in the content width (3 px apart, 4 px padding and a border a side).
  let rows = 0;
  let x = Infinity;
  for (const chip of d.irqs) {
    const w = textWidth(chip, CHIP, 6.1) + 10;
    if (x + w > content) {
      rows++;
      x = w + 3;
    } else x += w + 3;
  }
  const height = 66 + (rows ? 4 + rows * 21 : 0) + (d.vm ? 82 : 0);
  return { width: Math.ceil(content + FRAME_W + 2), height };
}

/** The measured size where there is one (never smaller than the estimate's height for a node not fully drawn). */
export function layoutSize(n: StudioNode, measured?: { width?: number; height?: number }): Size {
  const est = estimatedNodeSize(n);
  return measured?.width && measured.height ? { width: measured.width, height: measured.height } : est;
}

/** An edge label's box as React Flow draws it (10 px text, 4 px / 2 px padding), with a pixel to spare. */
export function edgeLabelSize(text: string): Size {
  return { width: Math.ceil(textWidth(text, LABEL, 5.8) + 10), height: 17 };
}
