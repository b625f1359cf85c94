import type { Diagnostic } from '../api/diagnostics';
import { MAX_PDS } from './schema';
import { SdfError, attr, children, loc, valueError, type Ctx } from './checkValues';
import { parseMemoryRegion, type MemoryRegion } from './checkMemory';
import { parseProtectionDomain, type Pd } from './checkPd';
import { parseDomains, type Domains } from './checkDomains';
import { parseIoAddressSpace, type IoAddressSpace } from './checkIommu';
import { checkIdsAndPpcs, parseChannels } from './checkChannels';
import { checkGuestRam, checkIoPorts, checkMaps, checkPhysicalAndSetvars } from './checkAddresses';
import type { SystemCheck } from './checkSystemCtx';
import type { KernelConfig } from './kernelConfig';
import { migrateToV2 } from './migrate';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml';
import { withLocalNames } from './xmlNames';

/** The label of the whole-file 1.x → 2.x quick fix (what the UI looks for to offer the migration up front). */
export const MIGRATION_FIX = 'Migrate this Microkit 1.x file to 2.x';
export const isMigrationFix = (fix: { label: string } | undefined) => Boolean(fix?.label.startsWith(MIGRATION_FIX));

export interface CheckResult {
  ok: boolean;
  /** Errors in the order the Microkit tool meets them: the first is the one it prints. Warnings follow. */
  diagnostics: Diagnostic[];
}

/**
 * Check a `.system` text the way Microkit 2.3.0 does (reference/microkit-sdf.md), but without stopping at the first
 * error: every element that fails is reported and skipped, and the whole-system rules run on what parsed.
 * Messages are the tool's, place included; rules the tool does not enforce (it crashes or ignores) are extra.
 */
export function checkSystem(text: string, file: string, config: KernelConfig, parsed?: { root: XmlElement }): CheckResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const ctx: Ctx = {
    file,
    text,
    config,
    warn: (el, message, rule, fix) => warnings.push({ severity: 'warning', message, rule, file, line: el.line, column: el.column, ...(fix ? { fix } : {}) }),
  };
  let rootPlace = { line: 1, column: 1 };
  const record = (e: unknown) => {
    if (!(e instanceof SdfError)) throw e;
    // Whole-system errors the tool prints without a place are placed at <system>.
    const d: Diagnostic = { severity: 'error', message: e.message, rule: e.rule, file, line: e.line ?? rootPlace.line, column: e.column ?? rootPlace.column };
    if (e.fix) d.fix = e.fix;
    errors.push(d);
  };
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      record(e);
      return undefined;
    }
  };
  const done = (): CheckResult => ({ ok: errors.length === 0, diagnostics: [...errors, ...warnings] });

  let root: XmlElement;
  try {
    root = withLocalNames((parsed ?? parseXml(text)).root);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    errors.push({ severity: 'error', rule: 'xml', file, line: e.line, column: e.column, message: `Could not parse '${file}': ${e.message}` });
    return done();
  }
  rootPlace = { line: root.line, column: root.column };
  if (root.name !== 'system') {
    errors.push({ severity: 'error', rule: 'root', file, line: root.line, column: root.column, message: `Error: the root element must be 'system', not '${root.name}': ${loc(ctx, root)} (the Microkit tool crashes on this file)` });
    return done();
  }
  // Text directly inside <system> (§1).
  const texts = root.children.filter((c) => c.kind === 'text' && c.text.trim() !== '');
  if (texts.length) {
    const first = root.children[0];
    const t = texts[0]!;
    errors.push(
      first && first.kind === 'text' && first.text.trim() !== ''
        ? { severity: 'error', rule: 'text', file, line: root.line, column: root.column, message: `Error: unexpected text found in element 'system' @ ${loc(ctx, root)}` }
        : { severity: 'error', rule: 'text', file, line: t.line, column: t.column, message: `Error: unexpected text found in element '' @ ${loc(ctx, t)}` },
    );
  }

  const rootPds: Pd[] = [];
  const mrs: MemoryRegion[] = [];
  const channelEls: XmlElement[] = [];
  const ioSpaces: IoAddressSpace[] = [];
  const ioSeen = { names: new Set<string>(), domainIds: new Set<bigint>(), devices: new Set<string>() };
  const failedPds = new Set<string>();
  let domains: Domains | undefined;
  let domainsSeen = false;
  for (const el of children(root)) {
    switch (el.name) {
      case 'protection_domain': {
        const pd = attempt(() => parseProtectionDomain(ctx, el, false, domains));
        if (pd) rootPds.push(pd);
        else collectNames(el, failedPds);
        break;
      }
      case 'memory_region': {
        const mr = attempt(() => parseMemoryRegion(ctx, el));
        if (mr) mrs.push(mr);
        break;
      }
      case 'channel':
        channelEls.push(el);
        break;
      case 'virtual_machine':
        record(new SdfError(`Error: virtual machine must be a child of a protection domain: ${loc(ctx, el)}`, el.line, el.column, 'vm-parent'));
        break;
      case 'domains':
        if (domainsSeen) {
          record(valueError(ctx, el, 'domains must only be specified once', 'domains-once'));
          break;
        }
        domainsSeen = true;
        domains = attempt(() => parseDomains(ctx, el)) ?? { names: new Map() };
        break;
      case 'io_address_space': {
        const s = attempt(() => parseIoAddressSpace(ctx, el, ioSeen));
        if (s) ioSpaces.push(s);
        break;
      }
      default:
        record(new SdfError(`Error: invalid XML element '${el.name}': ${loc(ctx, el)}`, el.line, el.column, 'unknown-element'));
    }
  }
  const leafChildren = (el: XmlElement) => {
    for (const c of children(el)) {
      if (isLeaf(el.name)) ctx.warn(c, `<${c.name}> inside <${el.name}> is ignored by the Microkit tool`, 'ignored-child');
      else leafChildren(c);
    }
  };
  leafChildren(root);

  // A Microkit 1.x file: offer the whole-file migration on its `pp` errors (§8.1).
  // The migration is of the whole file: computed once, offered on each of those errors.
  let migration: ReturnType<typeof migrateToV2> | undefined | null = null;
  for (const d of errors) {
    if (d.rule === 'unknown-attribute' && /invalid attribute 'pp' on element 'protection_domain'/.test(d.message)) {
      if (migration === null) migration = attempt(() => migrateToV2(text, root));
      if (migration?.legacy) d.fix = { label: `${MIGRATION_FIX} (${migration.changes.length} changes)`, text: migration.text };
    }
  }

  // 1. Flatten the PD tree (§5.1).
  const pds: Pd[] = [];
  const flatten = (pd: Pd) => {
    pds.push(pd);
    const ids: bigint[] = [];
    for (const child of pd.children) {
      child.parent = pd.name;
      if (ids.includes(child.id!)) {
        record(new SdfError(`Error: duplicate id: ${child.id} in protection domain: '${pd.name}' @ ${loc(ctx, child.el)}`, child.el.line, child.el.column, 'duplicate-child-id'));
      } else if (pd.vm?.vcpus.includes(child.id!)) {
        record(new SdfError(`Error: duplicate id: ${child.id} clashes with virtual machine vcpu id in protection domain: '${pd.name}' @ ${loc(ctx, child.el)}`, child.el.line, child.el.column, 'duplicate-child-id'));
      }
      ids.push(child.id!);
    }
    for (const child of pd.children) flatten(child);
  };
  rootPds.forEach(flatten);
  const byName = new Map<string, Pd>();
  for (const pd of pds) if (!byName.has(pd.name)) byName.set(pd.name, pd);

  // 2. Channels (§2.12), parsed once every PD is known.
  const sys: SystemCheck = { ctx, record, attempt, pds, byName };
  const channels = parseChannels(sys, channelEls, failedPds);

  // 3. Cap maps name PDs (§2.10).
  for (const pd of pds) {
    for (const cap of pd.capMaps) {
      if (!byName.has(cap.pd)) record(new SdfError(`Error: unknown PD name '${cap.pd}': ${loc(ctx, cap.el)}`, cap.el.line, cap.el.column, 'cap-pd'));
    }
  }

  // 4. Counts and names (§3, §5.4).
  const pdTotal = pds.length + failedPds.size;
  if (pdTotal === 0) record(new SdfError('Error: at least one protection domain must be defined', undefined, undefined, 'no-pd'));
  if (pdTotal > MAX_PDS) record(new SdfError(`Error: too many protection domains (${pdTotal}) defined. Maximum is ${MAX_PDS}.`, undefined, undefined, 'max-pds'));
  const seenPd = new Set<string>();
  for (const pd of pds) {
    if (seenPd.has(pd.name)) record(new SdfError(`Error: duplicate protection domain name '${pd.name}'.`, pd.el.line, pd.el.column, 'duplicate-pd'));
    if (pd.name === 'monitor') record(new SdfError("Error: the PD name 'monitor' is reserved for the Microkit Monitor.", pd.el.line, pd.el.column, 'reserved-name'));
    seenPd.add(pd.name);
  }
  const seenMr = new Set<string>();
  for (const mr of mrs) {
    if (seenMr.has(mr.name)) record(new SdfError(`Error: duplicate memory region name '${mr.name}'.`, mr.el.line, mr.el.column, 'duplicate-mr'));
    seenMr.add(mr.name);
  }
  const seenVm = new Set<string>();
  for (const pd of pds) {
    if (!pd.vm) continue;
    if (seenVm.has(pd.vm.name)) record(new SdfError(`Error: duplicate virtual machine name '${pd.vm.name}'.`, pd.vm.el.line, pd.vm.el.column, 'duplicate-vm'));
    seenVm.add(pd.vm.name);
    // The 2.3.0 capDL builder names a VM's objects as it names a PD's, and panics on the clash.
    if (seenPd.has(pd.vm.name)) record(new SdfError(`Error: virtual machine '${pd.vm.name}' has the name of a protection domain; PD and VM names must be unique (the Microkit tool crashes on this): ${loc(ctx, pd.vm.el)}`, pd.vm.el.line, pd.vm.el.column, 'vm-pd-name'));
    if (config.arch === 'x86_64' && pd.children.length) {
      record(new SdfError(`Error: It is not possible for PD '${pd.name}' with a bound vCPU to have children on x86_64: ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'x86-vm-children'));
    }
  }

  // 5–6. IRQ numbers, the shared per-PD id space, and PPC priorities (§5.5, §5.6).
  checkIdsAndPpcs(sys, channels);
  // 7. I/O ports (§5.7). 8. Maps (§5.8).
  checkIoPorts(sys);
  const mrByName = checkMaps(sys, mrs, ioSpaces);
  checkGuestRam(sys, mrByName);

  // 9. Cap slots (§2.10).
  for (const pd of pds) {
    const bySlot = new Map<bigint, typeof pd.capMaps>();
    for (const cap of pd.capMaps) bySlot.set(cap.slot, [...(bySlot.get(cap.slot) ?? []), cap]);
    for (const [slot, caps] of bySlot) {
      if (caps.length < 2) continue;
      const lines = caps.map((c) => `\n  type ${c.type} from '${c.pd}' at '${loc(ctx, c.el)}'`).join('');
      record(new SdfError(`Error: overlapping user caps in slot ${slot} of protection domain '${pd.name}':${lines}`, caps[1]!.el.line, caps[1]!.el.column, 'cap-overlap'));
    }
  }

  // 10. Physical addresses and setvars (§5.10).
  checkPhysicalAndSetvars(sys, mrs, ioSpaces, mrByName);
  return done();
}

const LEAVES = new Set(['memory_region', 'map', 'irq', 'ioport', 'setvar', 'program_image', 'end', 'vcpu', 'iomap', 'domain', 'schedule_entry']);
const isLeaf = (name: string) => LEAVES.has(name) || name.startsWith('cap_');

function collectNames(el: XmlElement, into: Set<string>) {
  const n = attr(el, 'name');
  if (n !== undefined) into.add(n);
  for (const c of children(el)) if (c.name === 'protection_domain') collectNames(c, into);
}
