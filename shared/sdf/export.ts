import type { Diagnostic } from '../api/diagnostics';
import type { Channel, DomainSchedule, IoAddressSpace, IrqEntry, MapEntry, MemoryRegion, ProtectionDomain, SystemModel, VirtualMachine } from '../model/system';
import { hex } from '../format/hex';
import { featuresNewerThan, type MicrokitTarget } from './versions';
import { escapeAttr, parseXml } from './xml';

/**
 * Canonical `.system` text (reference/microkit-sdf.md §12): 4-space indent; `<domains>` first, then memory regions,
 * IO address spaces, protection domains (children nested, `program_image` first) and channels; addresses and sizes
 * in lowercase hex; decimal-only fields (ids, IRQ numbers, vectors, pins, handles, ioport sizes: §1) in decimal.
 */
export function exportSystem(model: SystemModel): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  const I = '    ';
  if (model.domains) out.push(...domains(model.domains, I));
  for (const mr of model.memoryRegions) out.push(...commented(mr, I), I + memoryRegion(mr));
  for (const s of model.ioAddressSpaces ?? []) out.push(...ioAddressSpace(s, I));
  for (const pd of model.protectionDomains) out.push(...protectionDomain(pd, I));
  for (const ch of model.channels) out.push(...channel(ch, I));
  for (const raw of model.extra) out.push(...reindent(raw, I));
  for (const c of model.trailingComments ?? []) out.push(`${I}<!--${c}-->`);
  out.push('</system>', '');
  return out.join('\n');
}

/**
 * Export for a Microkit release: refused, with every feature the release lacks and its place in the exported
 * text, when the model uses one (§8).
 */
export function exportSystemFor(model: SystemModel, target: MicrokitTarget, file = 'system.system'): { xml?: string; diagnostics: Diagnostic[] } {
  const xml = exportSystem(model);
  const diagnostics = featuresNewerThan(parseXml(xml).root, target, file);
  return diagnostics.length ? { diagnostics } : { xml, diagnostics };
}

const dec = (n: number) => String(n);
const bool = (b: boolean | undefined) => (b === undefined ? undefined : String(b));
const opt = <T>(v: T | undefined, f: (v: T) => string) => (v === undefined ? undefined : f(v));

function tag(name: string, attrs: [string, string | undefined][], selfClose = true): string {
  const parts = attrs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${escapeAttr(v!)}"`);
  return `<${[name, ...parts].join(' ')}${selfClose ? ' />' : '>'}`;
}

const commented = (x: { comments?: string[] }, indent: string) => (x.comments ?? []).map((c) => `${indent}<!--${c}-->`);

function memoryRegion(mr: MemoryRegion): string {
  return tag('memory_region', [
    ['name', mr.name],
    ['size', opt(mr.size, hex)],
    ['page_size', opt(mr.pageSize, hex)],
    ['phys_addr', opt(mr.physAddr, hex)],
    ['prefill_path', mr.prefillPath],
    ['prefill_bootinfo', mr.prefillBootinfo],
  ]);
}

function map(m: MapEntry): string {
  return tag('map', [
    ['mr', m.mr],
    ['vaddr', hex(m.vaddr)],
    ['perms', m.perms],
    ['cached', bool(m.cached)],
    ['setvar_vaddr', m.setvarVaddr],
    ['setvar_size', m.setvarSize],
    ['setvar_prefill_size', m.setvarPrefillSize],
  ]);
}

function irq(i: IrqEntry): string {
  if ('irq' in i) return tag('irq', [['irq', dec(i.irq)], ['id', dec(i.id)], ['trigger', i.trigger], ['setvar_id', i.setvarId]]);
  if ('pin' in i) {
    return tag('irq', [
      ['pin', dec(i.pin)],
      ['vector', dec(i.vector)],
      ['id', dec(i.id)],
      ['ioapic', opt(i.ioapic, dec)],
      ['trigger', i.trigger],
      ['polarity', i.polarity],
      ['setvar_id', i.setvarId],
    ]);
  }
  return tag('irq', [['pcidev', i.pcidev], ['handle', dec(i.handle)], ['vector', dec(i.vector)], ['id', dec(i.id)], ['setvar_id', i.setvarId]]);
}

function virtualMachine(vm: VirtualMachine, indent: string): string[] {
  const inner = `${indent}    `;
  const lines = [...commented(vm, indent), indent + tag('virtual_machine', [['name', vm.name], ['priority', opt(vm.priority, dec)], ['budget', opt(vm.budget, dec)], ['period', opt(vm.period, dec)]], false)];
  for (const v of vm.vcpus) lines.push(...commented(v, inner), inner + tag('vcpu', [['id', dec(v.id)], ['cpu', opt(v.cpu, dec)], ['setvar_id', v.setvarId]]));
  for (const m of vm.maps) lines.push(...commented(m, inner), inner + map(m));
  lines.push(`${indent}</virtual_machine>`);
  return lines;
}

function protectionDomain(pd: ProtectionDomain, indent: string): string[] {
  const inner = `${indent}    `;
  const lines = [
    ...commented(pd, indent),
    indent +
      tag(
        'protection_domain',
        [
          ['name', pd.name],
          ['id', opt(pd.id, dec)],
          ['setvar_id', pd.setvarId],
          ['priority', opt(pd.priority, dec)],
          ['budget', opt(pd.budget, dec)],
          ['period', opt(pd.period, dec)],
          ['passive', bool(pd.passive)],
          ['stack_size', opt(pd.stackSize, hex)],
          ['smc', bool(pd.smc)],
          ['cpu', opt(pd.cpu, dec)],
          ['fpu', bool(pd.fpu)],
          ['domain', pd.domain],
        ],
        false,
      ),
    inner + tag('program_image', [['path', pd.programImage], ['path_for_symbols', pd.pathForSymbols]]),
  ];
  for (const m of pd.maps) lines.push(...commented(m, inner), inner + map(m));
  for (const i of pd.irqs) lines.push(...commented(i, inner), inner + irq(i));
  for (const p of pd.ioports ?? []) {
    lines.push(...commented(p, inner), inner + tag('ioport', [['id', dec(p.id)], ['addr', hex(p.addr)], ['size', dec(p.size)], ['setvar_id', p.setvarId], ['setvar_addr', p.setvarAddr]]));
  }
  for (const s of pd.setvars ?? []) lines.push(...commented(s, inner), inner + tag('setvar', [['symbol', s.symbol], ['region_paddr', s.regionPaddr]]));
  if (pd.virtualMachine) lines.push(...virtualMachine(pd.virtualMachine, inner));
  if (pd.cspace) {
    lines.push(`${inner}<cspace>`);
    for (const c of pd.cspace) lines.push(...commented(c, `${inner}    `), `${inner}    ${tag(`cap_${c.type}`, [['slot', dec(c.slot)], ['pd', c.pd]])}`);
    lines.push(`${inner}</cspace>`);
  }
  for (const child of pd.children ?? []) lines.push(...protectionDomain(child, inner));
  for (const raw of pd.extra) lines.push(...reindent(raw, inner));
  lines.push(`${indent}</protection_domain>`);
  return lines;
}

function channel(ch: Channel, indent: string): string[] {
  const inner = `${indent}    `;
  return [
    ...commented(ch, indent),
    `${indent}<channel>`,
    ...ch.ends.map((e) => inner + tag('end', [['pd', e.pd], ['id', dec(e.id)], ['pp', bool(e.pp)], ['notify', bool(e.notify)], ['setvar_id', e.setvarId]])),
    `${indent}</channel>`,
  ];
}

function ioAddressSpace(s: IoAddressSpace, indent: string): string[] {
  const inner = `${indent}    `;
  return [
    ...commented(s, indent),
    indent + tag('io_address_space', [['name', s.name], ['peripheral_id', s.peripheralId], ['domain_id', opt(s.domainId, dec)]], false),
    ...s.maps.flatMap((m) => [...commented(m, inner), inner + tag('iomap', [['mr', m.mr], ['iovaddr', hex(m.iovaddr)], ['perms', m.perms]])]),
    `${indent}</io_address_space>`,
  ];
}

function domains(d: DomainSchedule, indent: string): string[] {
  const inner = `${indent}    `;
  const lines = [...commented(d, indent), `${indent}<domains>`];
  for (const dom of d.domains) lines.push(...commented(dom, inner), inner + tag('domain', [['name', dom.name], ['id', opt(dom.id, dec)]]));
  lines.push(inner + tag('domain_schedule', [['start_index', opt(d.startIndex, dec)], ['index_shift', opt(d.indexShift, dec)]], false));
  for (const e of d.schedule) {
    lines.push(...commented(e, `${inner}    `));
    lines.push(`${inner}    ${'endMarker' in e ? '<schedule_end_marker />' : tag('schedule_entry', [['domain', e.domain], ['duration', e.duration]])}`);
  }
  lines.push(`${inner}</domain_schedule>`, `${indent}</domains>`);
  return lines;
}

/** Indent a verbatim element (stored dedented, see `dedent` in import.ts) to `indent`. */
function reindent(raw: string, indent: string): string[] {
  return raw.split('\n').map((l) => (l === '' ? '' : indent + l));
}
