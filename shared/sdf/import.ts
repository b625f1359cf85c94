import type { Diagnostic } from '../api/diagnostics';
import type {
  CapMap,
  Channel,
  ChannelEnd,
  DomainSchedule,
  IoAddressSpace,
  IoMap,
  IoPort,
  IrqEntry,
  MapEntry,
  MemoryRegion,
  ProtectionDomain,
  ScheduleEntry,
  SystemModel,
  Vcpu,
  VirtualMachine,
} from '../model/system';
import { emptySystem } from '../model/system';
import { parseXml, XmlSyntaxError, type XmlComment, type XmlElement, type XmlNode } from './xml';
import { withLocalNames } from './xmlNames';

/**
 * Where each model element and attribute came from: keys like `pd:hello`, `pd:hello/map[0]`, `mr:uart@size`,
 * `ch:0/end[1]@id`. Problems and "go to XML" use them.
 */
export type SourceMap = Map<string, { line: number; column: number }>;

export interface ImportResult {
  /** Undefined only when the text is not well-formed XML or the root is not `<system>`. */
  model?: SystemModel;
  diagnostics: Diagnostic[];
  sources: SourceMap;
}

class Unrepresentable extends Error {}

/**
 * `.system` text to model. Import is lenient: rules are the checker's business (check.ts). An element whose
 * values cannot be represented (a malformed number, an attribute from a fork or from Microkit 1.x) is kept
 * verbatim with a diagnostic saying so, never dropped; nothing is thrown for bad input.
 */
export function importSystem(text: string, file = 'system.system'): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceMap = new Map();
  let root: XmlElement;
  try {
    root = withLocalNames(parseXml(text).root);
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      return { diagnostics: [{ severity: 'error', file, line: err.line, column: err.column, rule: 'xml', message: `Could not parse '${file}': ${err.message}` }], sources };
    }
    throw err;
  }
  if (root.name !== 'system') {
    diagnostics.push({ severity: 'error', rule: 'root', file, line: root.line, column: root.column, message: `the root element must be <system>, not <${root.name}>` });
    return { diagnostics, sources };
  }
  const raw = (el: XmlElement) => dedent(text.slice(el.offset, el.end), el.column - 1);
  const rawComment = (c: XmlComment) => dedent(text.slice(c.offset, c.offset + c.text.length + 7), c.column - 1);
  const note = (el: XmlElement, message: string) => {
    diagnostics.push({ severity: 'warning', rule: 'kept-verbatim', file, line: el.line, column: el.column, message });
  };
  const fail = (el: XmlElement, message: string): never => {
    diagnostics.push({ severity: 'error', rule: 'import', file, line: el.line, column: el.column, message: `${message} on element '${el.name}'` });
    throw new Unrepresentable(message);
  };
  const place = (key: string, el: XmlElement) => {
    sources.set(key, { line: el.line, column: el.column });
    for (const a of el.attrs) sources.set(`${key}@${a.name}`, { line: a.line, column: a.column });
  };

  /** Reads one element's attributes: each read is checked off; any attribute left over makes it unrepresentable. */
  const reader = (el: XmlElement) => {
    const used = new Set<string>();
    const get = (name: string) => {
      used.add(name);
      return el.attrs.find((a) => a.name === name)?.value;
    };
    const r = {
      str: get,
      req(name: string): string {
        const v = get(name);
        return v === undefined ? fail(el, `Missing required attribute '${name}'`) : v;
      },
      num(name: string): number | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        const s = v.replace(/_/g, '');
        const n = /^0x[0-9a-fA-F]+$/.test(s) ? parseInt(s.slice(2), 16) : /^\+?\d+$/.test(s) ? Number(s) : NaN;
        if (Number.isNaN(n)) fail(el, `failed to parse integer '${v}'`);
        if (!Number.isSafeInteger(n)) fail(el, `'${v}' is larger than seL4 Studio can edit exactly (2^53)`);
        return n;
      },
      /** Fields the tool reads as plain decimal (§1). */
      dec(name: string): number | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(el, `'${v}' must be a plain decimal number in '${name}'`);
        return Number(v);
      },
      bool(name: string): boolean | undefined {
        const v = get(name);
        if (v === undefined) return undefined;
        if (v !== 'true' && v !== 'false') fail(el, `${name} must be 'true' or 'false'`);
        return v === 'true';
      },
      done() {
        const extra = el.attrs.find((a) => !used.has(a.name));
        if (extra) throw new Unrepresentable(`attribute '${extra.name}'`);
      },
    };
    return r;
  };

  /** Fills only the fields that have a value, so absent attributes stay absent. */
  const put = <T extends object>(target: T, values: Partial<T>): T => {
    for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
    return target;
  };

  /** Walk an element's children, handing each element its leading comments. */
  const eachChild = (el: XmlElement, visit: (child: XmlElement, comments: XmlComment[] | undefined) => void): XmlComment[] => {
    let pending: XmlComment[] = [];
    for (const c of el.children as XmlNode[]) {
      if (c.kind === 'comment') pending.push(c);
      else if (c.kind === 'element') {
        visit(c, pending.length ? pending : undefined);
        pending = [];
      }
    }
    return pending;
  };
  const withComments = <T extends object>(x: T, comments: XmlComment[] | undefined): T => (comments ? { ...x, comments: comments.map((c) => c.text) } : x);

  const mapEntry = (el: XmlElement, key: string): MapEntry => {
    const r = reader(el);
    place(key, el);
    const m = put({ mr: r.req('mr'), vaddr: r.num('vaddr') ?? fail(el, "Missing required attribute 'vaddr'") } as MapEntry, {
      perms: r.str('perms'),
      cached: r.bool('cached'),
      setvarVaddr: r.str('setvar_vaddr'),
      setvarSize: r.str('setvar_size'),
      setvarPrefillSize: r.str('setvar_prefill_size'),
    });
    r.done();
    return m;
  };

  const irqEntry = (el: XmlElement, key: string): IrqEntry => {
    const r = reader(el);
    place(key, el);
    const id = r.dec('id') ?? fail(el, "Missing required attribute 'id'");
    const setvarId = r.str('setvar_id');
    const trigger = (t: string | undefined) => {
      if (t !== undefined && t !== 'level' && t !== 'edge') fail(el, "trigger must be either 'level' or 'edge'");
      return t as 'level' | 'edge' | undefined;
    };
    let irq: IrqEntry;
    if (r.str('irq') !== undefined) irq = put({ irq: r.dec('irq')!, id } as IrqEntry, { trigger: trigger(r.str('trigger')), setvarId });
    else if (r.str('pin') !== undefined) {
      const polarity = r.str('polarity');
      if (polarity !== undefined && polarity !== 'low' && polarity !== 'high') fail(el, "polarity must be either 'low' or 'high'");
      irq = put({ pin: r.dec('pin')!, vector: r.dec('vector') ?? fail(el, "Missing required attribute 'vector'"), id } as IrqEntry, {
        ioapic: r.dec('ioapic'),
        trigger: trigger(r.str('trigger')),
        polarity: polarity as 'low' | 'high' | undefined,
        setvarId,
      });
    } else if (r.str('pcidev') !== undefined) {
      irq = put({ pcidev: r.str('pcidev')!, handle: r.dec('handle') ?? fail(el, "Missing required attribute 'handle'"), vector: r.dec('vector') ?? fail(el, "Missing required attribute 'vector'"), id } as IrqEntry, { setvarId });
    } else return fail(el, "Missing required attribute 'irq'");
    r.done();
    return irq;
  };

  const virtualMachine = (el: XmlElement, key: string): VirtualMachine => {
    const r = reader(el);
    place(key, el);
    const vm = put({ name: r.req('name'), vcpus: [], maps: [] } as VirtualMachine, { priority: r.num('priority'), budget: r.num('budget'), period: r.num('period') });
    r.done();
    eachChild(el, (c, comments) => {
      if (c.name === 'vcpu') {
        const cr = reader(c);
        place(`${key}/vcpu[${vm.vcpus.length}]`, c);
        const v = put({ id: cr.dec('id') ?? fail(c, "Missing required attribute 'id'") } as Vcpu, { cpu: cr.num('cpu'), setvarId: cr.str('setvar_id') });
        cr.done();
        vm.vcpus.push(withComments(v, comments));
      } else if (c.name === 'map') vm.maps.push(withComments(mapEntry(c, `${key}/map[${vm.maps.length}]`), comments));
      else throw new Unrepresentable(`<${c.name}> inside <virtual_machine>`);
    });
    return vm;
  };

  const protectionDomain = (el: XmlElement, key: string, isChild: boolean): ProtectionDomain => {
    const r = reader(el);
    const name = r.req('name');
    key = `${key}${name}`;
    place(key, el);
    const pd = put({ name, programImage: '', maps: [], irqs: [], extra: [] } as ProtectionDomain, {
      id: isChild ? r.num('id') : undefined,
      setvarId: isChild ? r.str('setvar_id') : undefined,
      priority: r.num('priority'),
      budget: r.num('budget'),
      period: r.num('period'),
      passive: r.bool('passive'),
      stackSize: r.num('stack_size'),
      smc: r.bool('smc'),
      cpu: r.num('cpu'),
      fpu: r.bool('fpu'),
      domain: r.str('domain'),
    });
    r.done();
    let image = false;
    const trailing = eachChild(el, (c, comments) => {
      const at = (kind: string, n: number) => `${key}/${kind}[${n}]`;
      const keep = (reason: string) => {
        note(c, `<${c.name}> kept as written (${reason})`);
        pd.extra.push(...(comments ?? []).map(rawComment), raw(c));
      };
      try {
        switch (c.name) {
          case 'program_image': {
            if (image) return keep('a second program_image');
            const cr = reader(c);
            place(`${key}/program_image`, c);
            pd.programImage = cr.req('path');
            const pfs = cr.str('path_for_symbols');
            if (pfs !== undefined) pd.pathForSymbols = pfs;
            cr.done();
            image = true;
            break;
          }
          case 'map':
            pd.maps.push(withComments(mapEntry(c, at('map', pd.maps.length)), comments));
            break;
          case 'irq':
            pd.irqs.push(withComments(irqEntry(c, at('irq', pd.irqs.length)), comments));
            break;
          case 'ioport': {
            const cr = reader(c);
            place(at('ioport', pd.ioports?.length ?? 0), c);
            const p = put({ id: cr.dec('id') ?? fail(c, "Missing required attribute 'id'"), addr: cr.num('addr') ?? fail(c, "Missing required attribute 'addr'"), size: cr.dec('size') ?? fail(c, "Missing required attribute 'size'") } as IoPort, { setvarId: cr.str('setvar_id'), setvarAddr: cr.str('setvar_addr') });
            cr.done();
            (pd.ioports ??= []).push(withComments(p, comments));
            break;
          }
          case 'setvar': {
            const cr = reader(c);
            place(at('setvar', pd.setvars?.length ?? 0), c);
            const s = { symbol: cr.req('symbol'), regionPaddr: cr.req('region_paddr') };
            cr.done();
            (pd.setvars ??= []).push(withComments(s, comments));
            break;
          }
          case 'protection_domain':
            (pd.children ??= []).push(withComments(protectionDomain(c, `${key}/pd:`, true), comments));
            break;
          case 'virtual_machine':
            if (pd.virtualMachine) return keep('a second virtual_machine');
            pd.virtualMachine = withComments(virtualMachine(c, `${key}/vm`), comments);
            break;
          case 'cspace': {
            if (pd.cspace) return keep('a second cspace');
            const caps: CapMap[] = [];
            reader(c).done();
            eachChild(c, (cap, capComments) => {
              const type = ({ cap_tcb: 'tcb', cap_sc: 'sc', cap_vspace: 'vspace' } as const)[cap.name as 'cap_tcb'];
              if (!type) throw new Unrepresentable(`<${cap.name}>`);
              const cr = reader(cap);
              place(`${key}/cspace[${caps.length}]`, cap);
              const m = { type, slot: cr.num('slot') ?? fail(cap, "Missing required attribute 'slot'"), pd: cr.req('pd') };
              cr.done();
              caps.push(withComments(m, capComments));
            });
            pd.cspace = caps;
            break;
          }
          default:
            keep('not a Microkit 2.3 element');
        }
      } catch (e) {
        if (!(e instanceof Unrepresentable)) throw e;
        keep(e.message);
      }
    });
    pd.extra.push(...trailing.map(rawComment));
    return pd;
  };

  const model = emptySystem();
  const trailing = eachChild(root, (el, comments) => {
    const keep = (reason: string) => {
      note(el, `<${el.name}> kept as written (${reason})`);
      model.extra.push(...(comments ?? []).map(rawComment), raw(el));
    };
    try {
      switch (el.name) {
        case 'memory_region': {
          const r = reader(el);
          const name = r.req('name');
          place(`mr:${name}`, el);
          const mr = put({ name } as MemoryRegion, {
            size: r.num('size'),
            pageSize: r.num('page_size'),
            physAddr: r.num('phys_addr'),
            prefillPath: r.str('prefill_path'),
            prefillBootinfo: r.str('prefill_bootinfo'),
          });
          r.done();
          model.memoryRegions.push(withComments(mr, comments));
          break;
        }
        case 'protection_domain':
          model.protectionDomains.push(withComments(protectionDomain(el, 'pd:', false), comments));
          break;
        case 'channel': {
          const key = `ch:${model.channels.length}`;
          reader(el).done();
          place(key, el);
          const ends: ChannelEnd[] = [];
          eachChild(el, (e) => {
            if (e.name !== 'end') throw new Unrepresentable(`<${e.name}> inside <channel>`);
            const r = reader(e);
            place(`${key}/end[${ends.length}]`, e);
            ends.push(put({ pd: r.req('pd'), id: r.dec('id') ?? fail(e, "Missing required attribute 'id'") } as ChannelEnd, { pp: r.bool('pp'), notify: r.bool('notify'), setvarId: r.str('setvar_id') }));
            r.done();
          });
          if (ends.length !== 2) throw new Unrepresentable(`${ends.length} <end> elements`);
          model.channels.push(withComments({ ends: [ends[0]!, ends[1]!] } as Channel, comments));
          break;
        }
        case 'io_address_space': {
          const r = reader(el);
          const name = r.req('name');
          place(`io:${name}`, el);
          const s = put({ name, peripheralId: r.req('peripheral_id'), maps: [] } as IoAddressSpace, { domainId: r.num('domain_id') });
          r.done();
          eachChild(el, (m, mc) => {
            if (m.name !== 'iomap') throw new Unrepresentable(`<${m.name}> inside <io_address_space>`);
            const mr = reader(m);
            place(`io:${name}/iomap[${s.maps.length}]`, m);
            s.maps.push(withComments(put({ mr: mr.req('mr'), iovaddr: mr.num('iovaddr') ?? fail(m, "Missing required attribute 'iovaddr'") } as IoMap, { perms: mr.str('perms') }), mc));
            mr.done();
          });
          (model.ioAddressSpaces ??= []).push(withComments(s, comments));
          break;
        }
        case 'domains': {
          if (model.domains) return keep('a second <domains>');
          reader(el).done();
          place('domains', el);
          const d: DomainSchedule = { domains: [], schedule: [] };
          let schedules = 0;
          eachChild(el, (c, cc) => {
            const r = reader(c);
            if (c.name === 'domain') {
              d.domains.push(withComments(put({ name: r.req('name') } as { name: string; id?: number }, { id: r.num('id') }), cc));
            } else if (c.name === 'domain_schedule' && schedules++ === 0) {
              put(d, { startIndex: r.num('start_index'), indexShift: r.num('index_shift') });
              eachChild(c, (e, ec) => {
                const er = reader(e);
                let entry: ScheduleEntry;
                if (e.name === 'schedule_entry') entry = { domain: er.req('domain'), duration: er.req('duration') };
                else if (e.name === 'schedule_end_marker') entry = { endMarker: true };
                else throw new Unrepresentable(`<${e.name}> inside <domain_schedule>`);
                er.done();
                d.schedule.push(withComments(entry, ec));
              });
            } else throw new Unrepresentable(`<${c.name}> inside <domains>`);
            r.done();
          });
          if (schedules !== 1) throw new Unrepresentable('a <domains> without exactly one <domain_schedule>');
          model.domains = withComments(d, comments);
          break;
        }
        default:
          keep('not a Microkit 2.3 element');
      }
    } catch (e) {
      if (!(e instanceof Unrepresentable)) throw e;
      keep(e.message);
    }
  });
  if (trailing.length) model.trailingComments = trailing.map((c) => c.text);
  return { model, diagnostics, sources };
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
