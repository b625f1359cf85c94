import type { Diagnostic } from '../api/diagnostics';
import {
  emptySystem,
  type Channel,
  type ChannelEnd,
  type IrqEntry,
  type MapEntry,
  type MemoryRegion,
  type ProtectionDomain,
  type SystemModel,
} from '../model/system';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml';

/** Where each model element came from, for clicking a problem to its place in the XML. */
export type SourceMap = Map<string, { line: number; column: number }>;

export interface ImportResult {
  /** Undefined only when the text is not well-formed XML or the root is not `<system>`. */
  model?: SystemModel;
  diagnostics: Diagnostic[];
  sources: SourceMap;
}

/**
 * `.system` text to model. Value errors use the Microkit tool's wording (reference/microkit-sdf.md §1) and every
 * diagnostic has a place; nothing is thrown for bad input.
 */
export function importSystem(text: string, file = 'system.system'): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceMap = new Map();
  let root: XmlElement;
  try {
    root = parseXml(text).root;
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      return {
        diagnostics: [
          { severity: 'error', file, line: err.line, column: err.column, rule: 'xml', message: `Could not parse '${file}': ${err.message}` },
        ],
        sources,
      };
    }
    throw err;
  }
  const at = (el: { line: number; column: number }) => ({ file, line: el.line, column: el.column });
  const error = (el: XmlElement, message: string, rule: string) =>
    diagnostics.push({ severity: 'error', message: `${message} on element '${el.name}'`, rule, ...at(el) });
  if (root.name !== 'system') {
    diagnostics.push({ severity: 'error', rule: 'root', message: `the root element must be <system>, not <${root.name}>`, ...at(root) });
    return { diagnostics, sources };
  }
  const raw = (el: XmlElement) => dedent(text.slice(el.offset, el.end), el.column - 1);
  const attr = (el: XmlElement, name: string) => el.attrs.find((a) => a.name === name)?.value;
  const required = (el: XmlElement, name: string): string | undefined => {
    const v = attr(el, name);
    if (v === undefined) {
      diagnostics.push({ severity: 'error', rule: 'required-attribute', message: `Missing required attribute '${name}' on element '${el.name}'`, ...at(el) });
    }
    return v;
  };
  // Numbers as sdf_parse_number reads them (§1 "Numbers"): `_` removed, lowercase 0x for hex, else decimal.
  const num = (el: XmlElement, name: string, decimalOnly = false): number | undefined => {
    const v = attr(el, name);
    if (v === undefined) return undefined;
    const s = decimalOnly ? v : v.replace(/_/g, '');
    const ok = decimalOnly ? /^\+?\d+$/.test(s) : /^(0x[0-9a-fA-F]+|\+?\d+)$/.test(s);
    if (!ok) {
      const reason = s === '' ? 'cannot parse integer from empty string' : 'invalid digit found in string';
      error(el, `failed to parse integer '${v}'`, 'number');
      diagnostics[diagnostics.length - 1]!.message += `: ${reason}`;
      return undefined;
    }
    return s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10);
  };
  const bool = (el: XmlElement, name: string): boolean | undefined => {
    const v = attr(el, name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'false') return v === 'true';
    error(el, `${name} must be 'true' or 'false'`, 'boolean');
    return undefined;
  };
  const children = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.kind === 'element');

  const model = emptySystem();
  for (const el of children(root)) {
    switch (el.name) {
      case 'memory_region': {
        const name = required(el, 'name') ?? '';
        const mr: MemoryRegion = { name, size: num(el, 'size') ?? 0 };
        const ps = num(el, 'page_size');
        const pa = num(el, 'phys_addr');
        if (ps !== undefined) mr.pageSize = ps;
        if (pa !== undefined) mr.physAddr = pa;
        if (attr(el, 'prefill_path') !== undefined || attr(el, 'prefill_bootinfo') !== undefined) {
          model.extra.push(raw(el)); // prefilled MRs are kept verbatim until the full model lands
          break;
        }
        sources.set(`mr:${name}`, at(el));
        model.memoryRegions.push(mr);
        break;
      }
      case 'protection_domain':
        model.protectionDomains.push(protectionDomain(el));
        break;
      case 'channel': {
        const ends = children(el).filter((c) => c.name === 'end');
        if (ends.length !== 2) {
          error(el, 'exactly two end elements must be specified', 'channel-ends');
          break;
        }
        const toEnd = (e: XmlElement): ChannelEnd => {
          const end: ChannelEnd = { pd: required(e, 'pd') ?? '', id: num(e, 'id', true) ?? 0 };
          const pp = bool(e, 'pp');
          const notify = bool(e, 'notify');
          if (pp !== undefined) end.pp = pp;
          if (notify !== undefined) end.notify = notify;
          return end;
        };
        const channel: Channel = { ends: [toEnd(ends[0]!), toEnd(ends[1]!)] };
        sources.set(`ch:${model.channels.length}`, at(el));
        model.channels.push(channel);
        break;
      }
      default:
        model.extra.push(raw(el));
    }
  }
  return { model, diagnostics, sources };

  function protectionDomain(el: XmlElement): ProtectionDomain {
    const name = required(el, 'name') ?? '';
    sources.set(`pd:${name}`, at(el));
    const pd: ProtectionDomain = { name, programImage: '', maps: [], irqs: [], extra: [] };
    const set = <K extends keyof ProtectionDomain>(k: K, v: ProtectionDomain[K] | undefined) => {
      if (v !== undefined) pd[k] = v;
    };
    set('priority', num(el, 'priority'));
    set('budget', num(el, 'budget'));
    set('period', num(el, 'period'));
    set('passive', bool(el, 'passive'));
    set('stackSize', num(el, 'stack_size'));
    set('cpu', num(el, 'cpu'));
    let image: XmlElement | undefined;
    for (const c of children(el)) {
      if (c.name === 'program_image') {
        image = c;
        pd.programImage = required(c, 'path') ?? '';
      } else if (c.name === 'map' && c.attrs.every((a) => ['mr', 'vaddr', 'perms', 'cached', 'setvar_vaddr'].includes(a.name))) {
        const m: MapEntry = { mr: required(c, 'mr') ?? '', vaddr: num(c, 'vaddr') ?? 0 };
        const perms = attr(c, 'perms');
        const cached = bool(c, 'cached');
        const sv = attr(c, 'setvar_vaddr');
        if (perms !== undefined) m.perms = perms;
        if (cached !== undefined) m.cached = cached;
        if (sv !== undefined) m.setvarVaddr = sv;
        pd.maps.push(m);
      } else if (c.name === 'irq' && attr(c, 'irq') !== undefined && c.attrs.every((a) => ['irq', 'id', 'trigger'].includes(a.name))) {
        const irq: IrqEntry = { irq: num(c, 'irq', true) ?? 0, id: num(c, 'id', true) ?? 0 };
        const trigger = attr(c, 'trigger');
        if (trigger === 'level' || trigger === 'edge') irq.trigger = trigger;
        else if (trigger !== undefined) error(c, "trigger must be either 'level' or 'edge'", 'irq-trigger');
        pd.irqs.push(irq);
      } else {
        pd.extra.push(raw(c));
      }
    }
    if (!image) diagnostics.push({ severity: 'error', rule: 'program-image', message: `Error: missing 'program_image' element on protection_domain: '${name}'`, ...at(el) });
    return pd;
  }
}

/**
 * An element kept verbatim, as it is stored in the model: its first line starts at its `<`, later lines lose the
 * indentation of the element's column, and blank lines are empty, so export and re-import give the same text.
 */
function dedent(raw: string, column: number): string {
  const lines = raw.split('\n');
  return lines
    .map((l, i) => {
      if (i === 0) return l.trimEnd();
      if (l.trim() === '') return '';
      const lead = /^[ \t]*/.exec(l)![0].length;
      return l.slice(Math.min(lead, column)).trimEnd();
    })
    .join('\n');
}
