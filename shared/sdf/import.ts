import type { Diagnostic } from '../api/diagnostics';
import type { Channel, ChannelEnd, DomainSchedule, IoAddressSpace, IoMap, MemoryRegion, ScheduleEntry, SystemModel } from '../model/system';
import { emptySystem } from '../model/system';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml';
import { eachChild, importContext, put, Unrepresentable, withComments, type SourceMap } from './importContext';
import { protectionDomain } from './importPd';
import { withLocalNames } from './xmlNames';

/**
 * Where each model element and attribute came from: keys like `pd:hello`, `pd:hello/map[0]`, `mr:uart@size`,
 * `ch:0/end[1]@id`. Problems and "go to XML" use them.
 */
export type { SourceMap };

export interface ImportResult {
  /** Undefined only when the text is not well-formed XML or the root is not `<system>`. */
  model?: SystemModel;
  diagnostics: Diagnostic[];
  sources: SourceMap;
}

/**
 * `.system` text to model. Import is lenient: rules are the checker's business (check.ts). An element whose
 * values cannot be represented (a malformed number, an attribute from a fork or from Microkit 1.x) is kept
 * verbatim with a diagnostic saying so, never dropped; nothing is thrown for bad input.
 */
export function importSystem(text: string, file = 'system.system', parsed?: { root: XmlElement }): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceMap = new Map();
  let root: XmlElement;
  try {
    root = withLocalNames((parsed ?? parseXml(text)).root);
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
  const ctx = importContext(text, file, diagnostics, sources);

  const model = emptySystem();
  const trailing = eachChild(root, (el, comments) => {
    const keep = (reason: string) => {
      ctx.note(el, `<${el.name}> kept as written (${reason})`);
      model.extra.push(...(comments ?? []).map(ctx.rawComment), ctx.raw(el));
    };
    try {
      switch (el.name) {
        case 'memory_region': {
          const r = ctx.reader(el);
          const name = r.req('name');
          ctx.place(`mr:${name}`, el);
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
          model.protectionDomains.push(withComments(protectionDomain(ctx, el, 'pd:', false), comments));
          break;
        case 'channel': {
          const key = `ch:${model.channels.length}`;
          ctx.reader(el).done();
          ctx.place(key, el);
          const ends: ChannelEnd[] = [];
          eachChild(el, (e) => {
            if (e.name !== 'end') throw new Unrepresentable(`<${e.name}> inside <channel>`);
            const r = ctx.reader(e);
            ctx.place(`${key}/end[${ends.length}]`, e);
            ends.push(put({ pd: r.req('pd'), id: r.dec('id') ?? ctx.fail(e, "Missing required attribute 'id'") } as ChannelEnd, { pp: r.bool('pp'), notify: r.bool('notify'), setvarId: r.str('setvar_id') }));
            r.done();
          });
          if (ends.length !== 2) throw new Unrepresentable(`${ends.length} <end> elements`);
          model.channels.push(withComments({ ends: [ends[0]!, ends[1]!] } as Channel, comments));
          break;
        }
        case 'io_address_space': {
          const r = ctx.reader(el);
          const name = r.req('name');
          ctx.place(`io:${name}`, el);
          const s = put({ name, peripheralId: r.req('peripheral_id'), maps: [] } as IoAddressSpace, { domainId: r.num('domain_id') });
          r.done();
          eachChild(el, (m, mc) => {
            if (m.name !== 'iomap') throw new Unrepresentable(`<${m.name}> inside <io_address_space>`);
            const mr = ctx.reader(m);
            ctx.place(`io:${name}/iomap[${s.maps.length}]`, m);
            s.maps.push(withComments(put({ mr: mr.req('mr'), iovaddr: mr.num('iovaddr') ?? ctx.fail(m, "Missing required attribute 'iovaddr'") } as IoMap, { perms: mr.str('perms') }), mc));
            mr.done();
          });
          (model.ioAddressSpaces ??= []).push(withComments(s, comments));
          break;
        }
        case 'domains': {
          if (model.domains) return keep('a second <domains>');
          ctx.reader(el).done();
          ctx.place('domains', el);
          const d: DomainSchedule = { domains: [], schedule: [] };
          let schedules = 0;
          eachChild(el, (c, cc) => {
            const r = ctx.reader(c);
            if (c.name === 'domain') {
              d.domains.push(withComments(put({ name: r.req('name') } as { name: string; id?: number }, { id: r.num('id') }), cc));
            } else if (c.name === 'domain_schedule' && schedules++ === 0) {
              put(d, { startIndex: r.num('start_index'), indexShift: r.num('index_shift') });
              eachChild(c, (e, ec) => {
                const er = ctx.reader(e);
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
