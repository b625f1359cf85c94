import type { Diagnostic } from '../api/diagnostics';
import type { SystemModel } from '../model/system';
import type { SourceMap } from './import';

/**
 * Whole-system checks on the model, with the Microkit tool's message text (reference/microkit-sdf.md §2–§3).
 * This is the set the editor needs today; the system-model issue completes it to Microkit parity.
 */
export function validateSystem(model: SystemModel, sources: SourceMap = new Map(), file?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const place = (key: string) => ({ file, ...(sources.get(key) ?? {}) });
  const pdNames = new Set<string>();
  if (model.protectionDomains.length === 0) {
    out.push({ severity: 'error', rule: 'no-pd', message: 'Error: at least one protection domain must be defined', file });
  }
  if (model.protectionDomains.length > 63) {
    out.push({ severity: 'error', rule: 'max-pds', message: `Error: too many protection domains (${model.protectionDomains.length}) defined. Maximum is 63.`, file });
  }
  const mrNames = new Set<string>();
  for (const mr of model.memoryRegions) {
    if (mrNames.has(mr.name)) out.push({ severity: 'error', rule: 'duplicate-mr', message: `Error: duplicate memory region name '${mr.name}'.`, ...place(`mr:${mr.name}`) });
    mrNames.add(mr.name);
    const ps = mr.pageSize ?? 0x1000;
    if (mr.size % ps !== 0) out.push({ severity: 'error', rule: 'mr-size', message: "size is not a multiple of the page size on element 'memory_region'", ...place(`mr:${mr.name}`) });
    if (mr.physAddr !== undefined && mr.physAddr % ps !== 0) {
      out.push({ severity: 'error', rule: 'mr-phys-align', message: "phys_addr is not aligned to the page size on element 'memory_region'", ...place(`mr:${mr.name}`) });
    }
  }
  for (const pd of model.protectionDomains) {
    const at = place(`pd:${pd.name}`);
    if (pd.name === 'monitor') out.push({ severity: 'error', rule: 'reserved-name', message: "Error: the PD name 'monitor' is reserved for the Microkit Monitor.", ...at });
    if (pdNames.has(pd.name)) out.push({ severity: 'error', rule: 'duplicate-pd', message: `Error: duplicate protection domain name '${pd.name}'.`, ...at });
    pdNames.add(pd.name);
    if (pd.priority !== undefined && (pd.priority < 0 || pd.priority > 254)) {
      out.push({ severity: 'error', rule: 'priority-range', message: "priority must be between 0 and 254 on element 'protection_domain'", ...at });
    }
    if (!pd.programImage) out.push({ severity: 'error', rule: 'program-image', message: `protection domain '${pd.name}' has no program image`, ...at });
    for (const m of pd.maps) {
      if (!mrNames.has(m.mr) && !model.memoryRegions.some((r) => r.name === m.mr)) {
        out.push({ severity: 'error', rule: 'map-mr', message: `Error: invalid memory region name '${m.mr}' on 'map'`, ...at });
      }
    }
  }
  // One shared id namespace per PD for channel ends and IRQs (reference/microkit-sdf.md §3).
  const ids = new Map<string, Set<number>>();
  const claim = (pd: string, id: number, what: string, key: string) => {
    const set = ids.get(pd) ?? new Set<number>();
    ids.set(pd, set);
    if (id < 0 || id > 61) out.push({ severity: 'error', rule: 'id-range', message: `id must be < 62 (${what} of '${pd}')`, ...place(key) });
    if (set.has(id)) out.push({ severity: 'error', rule: 'duplicate-id', message: `Error: duplicate channel id: ${id} in protection domain: '${pd}'`, ...place(key) });
    set.add(id);
  };
  for (const pd of model.protectionDomains) for (const irq of pd.irqs) claim(pd.name, irq.id, 'irq', `pd:${pd.name}`);
  model.channels.forEach((ch, i) => {
    for (const end of ch.ends) {
      if (!pdNames.has(end.pd)) out.push({ severity: 'error', rule: 'channel-pd', message: `invalid PD name '${end.pd}' on element 'end'`, ...place(`ch:${i}`) });
      else claim(end.pd, end.id, 'channel end', `ch:${i}`);
    }
    if (ch.ends[0].pp && ch.ends[1].pp) out.push({ severity: 'error', rule: 'pp-both', message: "cannot ppc bidirectionally on element 'channel'", ...place(`ch:${i}`) });
  });
  return out;
}
