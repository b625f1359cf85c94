import type { XmlElement } from './xml';
import { attrNames } from './schema';
import { at, checkAttributes, children, loc, number, optNumber, required, SdfError, valueError, type Ctx } from './checkValues';

/** The seL4 domain scheduler's declaration (§2.14): domain names and ids, and the schedule. */
export interface Domains {
  names: globalThis.Map<string, number>;
}

/** Domains::from_xml (§2.14). */
export function parseDomains(ctx: Ctx, el: XmlElement): Domains {
  const c = ctx.config;
  checkAttributes(ctx, el, []);
  if (c.numCores !== 1) throw new SdfError('Error: The domain scheduler is not supported in multicore builds of seL4', ...at(el), 'domains-smp');
  const names = new globalThis.Map<string, number | undefined>();
  const ids = new globalThis.Map<number, string>();
  let schedule: XmlElement | undefined;
  for (const child of children(el)) {
    if (child.name === 'domain') {
      checkAttributes(ctx, child, attrNames('domain'));
      const name = required(ctx, child, 'name');
      const idRaw = optNumber(ctx, child, 'id');
      if (idRaw !== undefined && idRaw >= BigInt(c.numDomains)) {
        throw valueError(ctx, child, `domain id ${idRaw} should be less than the configured KernelNumDomains value of ${c.numDomains}`, 'domain-id');
      }
      const id = idRaw === undefined ? undefined : Number(idRaw);
      if (names.has(name)) {
        const prev = names.get(name);
        throw valueError(ctx, child, `Each <domain>'s name element must be unique found existing domain '${name}' with id '${prev === undefined ? 'None' : `Some(${prev})`}'`, 'domain-name');
      }
      names.set(name, id);
      if (id !== undefined) {
        if (ids.has(id)) throw valueError(ctx, child, `Each <domain>'s id element must be unique found existing domain '${ids.get(id)}' with id '${id}'`, 'domain-id');
        ids.set(id, name);
      }
    } else if (child.name === 'domain_schedule') {
      if (schedule) throw valueError(ctx, child, 'The <domain_schedule> element can only appear once', 'domain-schedule');
      schedule = child;
    } else {
      throw new SdfError(`Error: invalid XML element as child of <domains> '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    }
  }
  if (!schedule) throw valueError(ctx, el, 'The <domain_schedule> element must appear once', 'domain-schedule');
  const resolved = new globalThis.Map<string, number>();
  for (const name of [...names.keys()].sort()) {
    let id = names.get(name);
    if (id === undefined) {
      for (let i = 0; i <= c.numDomains; i++) {
        if (!ids.has(i)) {
          ids.set(i, name);
          id = i;
          break;
        }
      }
      if (id === undefined) throw valueError(ctx, el, `Number of domains exceeds ${c.numDomains}`, 'domains-count');
    }
    resolved.set(name, id);
  }
  checkAttributes(ctx, schedule, attrNames('domain_schedule'));
  const start = optNumber(ctx, schedule, 'start_index') ?? 0n;
  const shift = optNumber(ctx, schedule, 'index_shift');
  let entries = 0n;
  for (const child of children(schedule)) {
    if (child.name === 'schedule_entry') {
      checkAttributes(ctx, child, attrNames('domain_entry'));
      const d = required(ctx, child, 'domain');
      const duration = required(ctx, child, 'duration');
      if (!resolved.has(d)) throw valueError(ctx, child, `domain '${d}' does not exist,`, 'schedule-domain');
      const space = duration.indexOf(' ');
      if (space < 0) throw valueError(ctx, child, `The duration '${duration}' must contain a value and a unit, e.g. '1000 us'`, 'schedule-duration');
      const value = number(ctx, child, duration.slice(0, space));
      if (value === 0n) throw valueError(ctx, child, `The duration '${duration}' must be non-zero`, 'schedule-duration');
      const unit = duration.slice(space + 1);
      if (unit !== 'us' && unit !== 'ticks') throw valueError(ctx, child, `The duration '${duration}' must be in either 'ticks' or 'us'`, 'schedule-duration');
    } else if (child.name === 'schedule_end_marker') {
      checkAttributes(ctx, child, []);
    } else {
      throw new SdfError(`Error: invalid XML element as child of <domain_schedule> '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    }
    entries++;
  }
  if (entries >= BigInt(c.numDomainSchedules)) {
    throw new SdfError(`More than configured KernelNumDomainSchedules ${c.numDomainSchedules} number of <schedule_entry> elements found`, ...at(schedule), 'schedule-length');
  }
  if (start >= entries) throw valueError(ctx, schedule, `schedule_start_index '${start}' is greater than the length of the schedule '${entries}'`, 'schedule-start');
  if (shift !== undefined && shift + entries >= BigInt(c.numDomainSchedules)) {
    // The tool prints start_index where it means the shift (reference §2.14).
    throw valueError(ctx, schedule, `schedule_index_shift '${start}' on top of the schedule length '${entries}' would exceed than the configured KernelNumDomainSchedules ${c.numDomainSchedules}`, 'schedule-shift');
  }
  return { names: resolved };
}
