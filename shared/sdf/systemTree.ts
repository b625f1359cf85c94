import type { Channel, DomainSchedule, IoAddressSpace, IrqEntry, MapEntry, MemoryRegion, ProtectionDomain, SystemModel, VirtualMachine } from '../model/system';
import { escapeAttr } from './xml';
import { hex } from '../format/hex';

/**
 * The model as an element tree in canonical order (reference/microkit-sdf.md §12). The exporter prints it; the
 * lossless editor (reconcile.ts) compares the trees of the model before and after an edit and turns what differs
 * into text edits of the user's file. `key` is the importer's source-map key of the element (import.ts), so the
 * printed text comes with its own source map.
 */
export interface TreeNode {
  tag: string;
  attrs: [string, string][];
  /** Undefined: a leaf, printed self-closing. An array (even empty): printed with a closing tag. */
  children?: TreeNode[];
  /** Comments printed before the element (the model keeps the comments that preceded it in the file). */
  comments?: string[];
  /** An element or comment kept verbatim (dedented); printed re-indented, compared as text. */
  raw?: string;
  /** A comment of its own (the file's comments after the last element), printed as written. */
  comment?: string;
  key?: string;
}

const dec = (n: number) => String(n);
const bool = (b: boolean | undefined) => (b === undefined ? undefined : String(b));
const opt = <T>(v: T | undefined, f: (v: T) => string) => (v === undefined ? undefined : f(v));

function el(tag: string, attrs: [string, string | undefined][], x?: { comments?: string[] }, key?: string, children?: TreeNode[]): TreeNode {
  const n: TreeNode = { tag, attrs: attrs.filter((a): a is [string, string] => a[1] !== undefined) };
  if (children) n.children = children;
  if (x?.comments?.length) n.comments = x.comments;
  if (key !== undefined) n.key = key;
  return n;
}

/** A verbatim entry: an element (its tag read from the text) or a comment (tag `#comment`). */
export function rawNode(raw: string): TreeNode {
  const m = /^<([^\s/>!?]+)/.exec(raw);
  return { tag: m ? m[1]! : '#comment', attrs: [], raw };
}

export function systemTree(model: SystemModel): TreeNode {
  const children: TreeNode[] = [];
  if (model.domains) children.push(domains(model.domains));
  model.memoryRegions.forEach((mr) => children.push(memoryRegion(mr)));
  for (const s of model.ioAddressSpaces ?? []) children.push(ioAddressSpace(s));
  for (const pd of model.protectionDomains) children.push(protectionDomain(pd, 'pd:'));
  model.channels.forEach((ch, i) => children.push(channel(ch, `ch:${i}`)));
  for (const raw of model.extra) children.push(rawNode(raw));
  for (const c of model.trailingComments ?? []) children.push({ tag: '#comment', attrs: [], comment: c });
  return { tag: 'system', attrs: [], children };
}

function memoryRegion(mr: MemoryRegion): TreeNode {
  return el(
    'memory_region',
    [
      ['name', mr.name],
      ['size', opt(mr.size, hex)],
      ['page_size', opt(mr.pageSize, hex)],
      ['phys_addr', opt(mr.physAddr, hex)],
      ['prefill_path', mr.prefillPath],
      ['prefill_bootinfo', mr.prefillBootinfo],
    ],
    mr,
    `mr:${mr.name}`,
  );
}

function map(m: MapEntry, key: string): TreeNode {
  return el(
    'map',
    [
      ['mr', m.mr],
      ['vaddr', hex(m.vaddr)],
      ['perms', m.perms],
      ['cached', bool(m.cached)],
      ['setvar_vaddr', m.setvarVaddr],
      ['setvar_size', m.setvarSize],
      ['setvar_prefill_size', m.setvarPrefillSize],
    ],
    m,
    key,
  );
}

function irq(i: IrqEntry, key: string): TreeNode {
  if ('irq' in i) return el('irq', [['irq', dec(i.irq)], ['id', dec(i.id)], ['trigger', i.trigger], ['setvar_id', i.setvarId]], i, key);
  if ('pin' in i) {
    return el(
      'irq',
      [
        ['pin', dec(i.pin)],
        ['vector', dec(i.vector)],
        ['id', dec(i.id)],
        ['ioapic', opt(i.ioapic, dec)],
        ['trigger', i.trigger],
        ['polarity', i.polarity],
        ['setvar_id', i.setvarId],
      ],
      i,
      key,
    );
  }
  return el('irq', [['pcidev', i.pcidev], ['handle', dec(i.handle)], ['vector', dec(i.vector)], ['id', dec(i.id)], ['setvar_id', i.setvarId]], i, key);
}

function virtualMachine(vm: VirtualMachine, key: string): TreeNode {
  const kids = [
    ...vm.vcpus.map((v, i) => el('vcpu', [['id', dec(v.id)], ['cpu', opt(v.cpu, dec)], ['setvar_id', v.setvarId]], v, `${key}/vcpu[${i}]`)),
    ...vm.maps.map((m, i) => map(m, `${key}/map[${i}]`)),
  ];
  return el('virtual_machine', [['name', vm.name], ['priority', opt(vm.priority, dec)], ['budget', opt(vm.budget, dec)], ['period', opt(vm.period, dec)]], vm, key, kids);
}

function protectionDomain(pd: ProtectionDomain, prefix: string): TreeNode {
  const key = `${prefix}${pd.name}`;
  const at = (kind: string, i: number) => `${key}/${kind}[${i}]`;
  // A <program_image> the importer could not read is among the verbatim children instead (programImage is '').
  const rawImage = pd.programImage === '' && pd.extra.some((r) => rawNode(r).tag === 'program_image');
  const kids: TreeNode[] = rawImage ? [] : [el('program_image', [['path', pd.programImage], ['path_for_symbols', pd.pathForSymbols]], undefined, `${key}/program_image`)];
  pd.maps.forEach((m, i) => kids.push(map(m, at('map', i))));
  pd.irqs.forEach((q, i) => kids.push(irq(q, at('irq', i))));
  (pd.ioports ?? []).forEach((p, i) => kids.push(el('ioport', [['id', dec(p.id)], ['addr', hex(p.addr)], ['size', dec(p.size)], ['setvar_id', p.setvarId], ['setvar_addr', p.setvarAddr]], p, at('ioport', i))));
  (pd.setvars ?? []).forEach((s, i) => kids.push(el('setvar', [['symbol', s.symbol], ['region_paddr', s.regionPaddr]], s, at('setvar', i))));
  if (pd.virtualMachine) kids.push(virtualMachine(pd.virtualMachine, `${key}/vm`));
  if (pd.cspace) kids.push(el('cspace', [], undefined, undefined, pd.cspace.map((c, i) => el(`cap_${c.type}`, [['slot', dec(c.slot)], ['pd', c.pd]], c, `${key}/cspace[${i}]`))));
  for (const child of pd.children ?? []) kids.push(protectionDomain(child, `${key}/pd:`));
  for (const raw of pd.extra) kids.push(rawNode(raw));
  return el(
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
    pd,
    key,
    kids,
  );
}

function channel(ch: Channel, key: string): TreeNode {
  const ends = ch.ends.map((e, i) => el('end', [['pd', e.pd], ['id', dec(e.id)], ['pp', bool(e.pp)], ['notify', bool(e.notify)], ['setvar_id', e.setvarId]], undefined, `${key}/end[${i}]`));
  return el('channel', [], ch, key, ends);
}

function ioAddressSpace(s: IoAddressSpace): TreeNode {
  const key = `io:${s.name}`;
  const maps = s.maps.map((m, i) => el('iomap', [['mr', m.mr], ['iovaddr', hex(m.iovaddr)], ['perms', m.perms]], m, `${key}/iomap[${i}]`));
  return el('io_address_space', [['name', s.name], ['peripheral_id', s.peripheralId], ['domain_id', opt(s.domainId, dec)]], s, key, maps);
}

function domains(d: DomainSchedule): TreeNode {
  const schedule = d.schedule.map((e) => ('endMarker' in e ? el('schedule_end_marker', [], e) : el('schedule_entry', [['domain', e.domain], ['duration', e.duration]], e)));
  return el(
    'domains',
    [],
    d,
    'domains',
    [
      ...d.domains.map((dom) => el('domain', [['name', dom.name], ['id', opt(dom.id, dec)]], dom)),
      el('domain_schedule', [['start_index', opt(d.startIndex, dec)], ['index_shift', opt(d.indexShift, dec)]], undefined, undefined, schedule),
    ],
  );
}

/** One element's start tag as the exporter writes it: `<tag a="v" />`, or `<tag a="v">` when it has children. */
export function startTag(n: TreeNode): string {
  const parts = n.attrs.map(([k, v]) => `${k}="${escapeAttr(v)}"`);
  return `<${[n.tag, ...parts].join(' ')}${n.children ? '>' : ' />'}`;
}

/**
 * Print a node at `indent` (with `unit` per level): its comments, its start tag, its children and its closing tag,
 * one per line. `onLine` hears the line index (within the returned lines) at which each keyed element starts.
 */
export function printNode(n: TreeNode, indent: string, unit = '    ', onLine?: (key: string, line: number) => void, out: string[] = []): string[] {
  if (n.raw !== undefined) {
    for (const l of n.raw.split('\n')) out.push(l === '' ? '' : indent + l);
    return out;
  }
  if (n.comment !== undefined) {
    out.push(`${indent}<!--${n.comment}-->`);
    return out;
  }
  for (const c of n.comments ?? []) out.push(`${indent}<!--${c}-->`);
  if (n.key !== undefined && onLine) onLine(n.key, out.length);
  out.push(indent + startTag(n));
  if (!n.children) return out;
  for (const c of n.children) printNode(c, indent + unit, unit, onLine, out);
  out.push(`${indent}</${n.tag}>`);
  return out;
}
