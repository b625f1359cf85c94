import type { MemoryRegion, ProtectionDomain, SystemModel } from '../model/system';
import { escapeAttr } from './xml';

/**
 * Canonical `.system` text: 4-space indent as in the Microkit examples; addresses and sizes in hex; decimal-only
 * fields (irq, ids: reference/microkit-sdf.md §1 "Decimal-only fields") in decimal.
 */
export function exportSystem(model: SystemModel): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  for (const mr of model.memoryRegions) out.push(`    ${memoryRegion(mr)}`);
  for (const pd of model.protectionDomains) out.push(...protectionDomain(pd, '    '));
  for (const ch of model.channels) {
    out.push('    <channel>');
    for (const end of ch.ends) {
      out.push(
        `        ${tag('end', [
          ['pd', end.pd],
          ['id', dec(end.id)],
          ['pp', bool(end.pp)],
          ['notify', bool(end.notify)],
        ])}`,
      );
    }
    out.push('    </channel>');
  }
  for (const raw of model.extra) out.push(...reindent(raw, '    '));
  out.push('</system>', '');
  return out.join('\n');
}

export const hex = (n: number) => `0x${n.toString(16)}`;
const dec = (n: number) => String(n);
const bool = (b: boolean | undefined) => (b === undefined ? undefined : String(b));
const opt = <T>(v: T | undefined, f: (v: T) => string) => (v === undefined ? undefined : f(v));

function tag(name: string, attrs: [string, string | undefined][], selfClose = true): string {
  const parts = attrs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${escapeAttr(v!)}"`);
  return `<${[name, ...parts].join(' ')}${selfClose ? ' />' : '>'}`;
}

function memoryRegion(mr: MemoryRegion): string {
  return tag('memory_region', [
    ['name', mr.name],
    ['size', hex(mr.size)],
    ['page_size', opt(mr.pageSize, hex)],
    ['phys_addr', opt(mr.physAddr, hex)],
  ]);
}

function protectionDomain(pd: ProtectionDomain, indent: string): string[] {
  const inner = `${indent}    `;
  const lines = [
    indent +
      tag(
        'protection_domain',
        [
          ['name', pd.name],
          ['priority', opt(pd.priority, dec)],
          ['budget', opt(pd.budget, dec)],
          ['period', opt(pd.period, dec)],
          ['passive', bool(pd.passive)],
          ['stack_size', opt(pd.stackSize, hex)],
          ['cpu', opt(pd.cpu, dec)],
        ],
        false,
      ),
    inner + tag('program_image', [['path', pd.programImage]]),
  ];
  for (const m of pd.maps) {
    lines.push(
      inner +
        tag('map', [
          ['mr', m.mr],
          ['vaddr', hex(m.vaddr)],
          ['perms', m.perms],
          ['cached', bool(m.cached)],
          ['setvar_vaddr', m.setvarVaddr],
        ]),
    );
  }
  for (const irq of pd.irqs) {
    lines.push(inner + tag('irq', [['irq', dec(irq.irq)], ['id', dec(irq.id)], ['trigger', irq.trigger]]));
  }
  for (const raw of pd.extra) lines.push(...reindent(raw, inner));
  lines.push(`${indent}</protection_domain>`);
  return lines;
}

/** Indent a verbatim element (stored dedented, see `dedent` in import.ts) to `indent`. */
function reindent(raw: string, indent: string): string[] {
  return raw.split('\n').map((l) => (l === '' ? '' : indent + l));
}
