import type { Diagnostic } from '../api/diagnostics';
import { attrNames } from './schema';
import {
  SdfError,
  children,
  loc,
  parseDomains,
  parseIoAddressSpace,
  parseMemoryRegion,
  parseProtectionDomain,
  required,
  checkAttributes,
  decimal,
  bool,
  valueError,
  addSetvar,
  attr,
  type Ctx,
  type Domains,
  type IoAddressSpace,
  type MemoryRegion,
  type Pd,
} from './checkElements';
import { pdMapMaxVaddr, vmMapMaxVaddr, type KernelConfig } from './kernelConfig';
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

interface ChannelEnd {
  pd: string;
  id: bigint;
  pp: boolean;
  setvarId?: string;
}

/**
 * Check a `.system` text the way Microkit 2.3.0 does (reference/microkit-sdf.md), but without stopping at the first
 * error: every element that fails is reported and skipped, and the whole-system rules run on what parsed.
 * Messages are the tool's, place included; rules the tool does not enforce (it crashes or ignores) are extra.
 */
export function checkSystem(text: string, file: string, config: KernelConfig): CheckResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const ctx: Ctx = {
    file,
    text,
    config,
    warn: (el, message, rule) => warnings.push({ severity: 'warning', message, rule, file, line: el.line, column: el.column }),
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
    root = withLocalNames(parseXml(text).root);
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
      if (migration === null) migration = attempt(() => migrateToV2(text));
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
  const channels: { a: ChannelEnd; b: ChannelEnd; el: XmlElement }[] = [];
  for (const el of channelEls) {
    const ch = attempt(() => {
      checkAttributes(ctx, el, []);
      const ends: ChannelEnd[] = [];
      for (const e of children(el)) {
        if (e.name !== 'end') throw new SdfError(`Error: invalid XML element '${e.name}': ${loc(ctx, e)}`, e.line, e.column, 'unknown-element');
        checkAttributes(ctx, e, attrNames('end'));
        const pd = required(ctx, e, 'pd');
        const id = decimal(ctx, e, 'id', required(ctx, e, 'id'), true);
        if (id > 61n) throw valueError(ctx, e, 'id must be < 62', 'id-range');
        if (id < 0n) throw valueError(ctx, e, 'id must be >= 0', 'id-range');
        bool(ctx, e, 'notify');
        const pp = bool(ctx, e, 'pp') ?? false;
        if (!byName.has(pd)) {
          if (failedPds.has(pd)) return undefined; // already reported where that PD failed
          throw valueError(ctx, e, `invalid PD name '${pd}'`, 'channel-pd');
        }
        const end: ChannelEnd = { pd, id, pp };
        const sv = attr(e, 'setvar_id');
        if (sv !== undefined) end.setvarId = sv;
        ends.push(end);
      }
      if (ends.length !== 2) throw valueError(ctx, el, 'exactly two end elements must be specified', 'channel-ends');
      if (ends[0]!.pp && ends[1]!.pp) throw valueError(ctx, el, 'cannot ppc bidirectionally', 'pp-both');
      return { a: ends[0]!, b: ends[1]!, el };
    });
    if (ch) channels.push(ch);
  }
  for (const ch of channels) {
    for (const end of [ch.a, ch.b]) {
      if (end.setvarId !== undefined) attempt(() => addSetvar(ctx, byName.get(end.pd)!.setvars, { symbol: end.setvarId!, kind: 'id' }, ch.el));
    }
  }

  // 3. Cap maps name PDs (§2.10).
  for (const pd of pds) {
    for (const cap of pd.capMaps) {
      if (!byName.has(cap.pd)) record(new SdfError(`Error: unknown PD name '${cap.pd}': ${loc(ctx, cap.el)}`, cap.el.line, cap.el.column, 'cap-pd'));
    }
  }

  // 4. Counts and names (§3, §5.4).
  const pdTotal = pds.length + failedPds.size;
  if (pdTotal === 0) record(new SdfError('Error: at least one protection domain must be defined', undefined, undefined, 'no-pd'));
  if (pdTotal > 63) record(new SdfError(`Error: too many protection domains (${pdTotal}) defined. Maximum is 63.`, undefined, undefined, 'max-pds'));
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
  const irqOwner = new Map<bigint, string>();
  const usedIds = new Map<string, Set<bigint>>();
  for (const pd of pds) {
    // PDs with the same name (already an error) share one id space rather than hiding each other's clashes.
    const ids = usedIds.get(pd.name) ?? new Set<bigint>();
    usedIds.set(pd.name, ids);
    for (const irq of pd.irqs) {
      if (irqOwner.has(irq.number)) {
        record(new SdfError(`Error: duplicate irq: ${irq.number} in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'duplicate-irq'));
      }
      irqOwner.set(irq.number, pd.name);
      if (ids.has(irq.id)) record(new SdfError(`Error: duplicate channel id: ${irq.id} in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'duplicate-id'));
      ids.add(irq.id);
    }
  }
  for (const ch of channels) {
    for (const end of [ch.a, ch.b]) {
      const pd = byName.get(end.pd)!;
      const ids = usedIds.get(end.pd)!;
      if (ids.has(end.id)) record(new SdfError(`Error: duplicate channel id: ${end.id} in protection domain: '${end.pd}' @ ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'duplicate-id'));
      ids.add(end.id);
    }
    for (const [from, to] of [
      [ch.a, ch.b],
      [ch.b, ch.a],
    ] as const) {
      if (!from.pp) continue;
      const caller = byName.get(from.pd)!;
      const callee = byName.get(to.pd)!;
      if (caller.priority >= callee.priority) {
        record(
          new SdfError(
            `Error: PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd ${caller.name} (priority: ${caller.priority}) to pd ${callee.name} (priority: ${callee.priority})`,
            ch.el.line,
            ch.el.column,
            'pp-priority',
          ),
        );
      }
      if (config.arch === 'x86_64' && callee.vm) {
        // The tool places this at the PD of the channel's first end, whichever end calls.
        const firstEnd = byName.get(ch.a.pd)!;
        record(new SdfError(`Error: It is not possible to PPC to PD '${callee.name}' with a bound vCPU from PD '${caller.name}' on x86_64 @ ${loc(ctx, firstEnd.el)}`, firstEnd.el.line, firstEnd.el.column, 'x86-vm-ppc'));
      }
    }
  }

  // 7. I/O ports (§5.7).
  const ports: { pd: Pd; id: bigint; start: bigint; end: bigint }[] = [];
  for (const pd of pds) {
    const ids = new Set<bigint>();
    for (const p of pd.ioports) {
      if (ids.has(p.id)) record(new SdfError(`Error: duplicate I/O port id: ${p.id} in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)}`, pd.el.line, pd.el.column, 'duplicate-ioport'));
      ids.add(p.id);
      const mine = { pd, id: p.id, start: p.addr, end: p.addr + p.size };
      for (const o of ports) {
        if (mine.start < o.end && o.start < mine.end) {
          record(
            new SdfError(
              `Error: I/O port id: ${mine.id}, half-open range: [${hx(mine.start)}, ${hx(mine.end)}) in protection domain: '${pd.name}' @ ${loc(ctx, pd.el)} overlaps with I/O port id: ${o.id}, half-open range: [${hx(o.start)}, ${hx(o.end)}) in protection domain: '${o.pd.name}' @ ${loc(ctx, o.pd.el)}`,
              pd.el.line,
              pd.el.column,
              'ioport-overlap',
            ),
          );
          break;
        }
      }
      ports.push(mine);
    }
  }

  // 8. Maps (§5.8).
  const mrByName = new Map<string, MemoryRegion>();
  for (const mr of mrs) if (!mrByName.has(mr.name)) mrByName.set(mr.name, mr);
  const checkMaps = (maps: { mr: string; addr: bigint; el: XmlElement }[], space: string, maxEnd: bigint, element: 'map' | 'iomap') => {
    const addrName = element === 'map' ? 'vaddr' : 'iovaddr';
    const rangeName = element === 'map' ? 'virtual address range' : 'io address range';
    const done: { mr: string; start: bigint; end: bigint }[] = [];
    for (const m of maps) {
      const e = attempt(() => {
        const mr = mrByName.get(m.mr);
        const where = `@ ${loc(ctx, m.el)}`;
        const err = (msg: string, rule: string) => new SdfError(`Error: ${msg} ${where}`, m.el.line, m.el.column, rule);
        if (!mr) throw err(`invalid memory region name '${m.mr}' on '${element}'`, 'map-mr');
        if (m.addr % mr.pageSize !== 0n) throw err(`invalid ${addrName} alignment on '${element}'`, 'map-align');
        const start = m.addr;
        const end = start + mr.size;
        if (end > (1n << 64n) - 1n) throw err(`${element} for '${m.mr}' has address range that overflows`, 'map-overflow');
        if (end > maxEnd) throw err(`${element} for '${m.mr}' has ${rangeName} [${hx(start)}..${hx(end)}) which exceeds valid address space [0x0..${hx(maxEnd)})`, 'map-limit');
        for (const o of done) {
          if (!(start >= o.end || end <= o.start)) {
            throw err(`map for '${m.mr}' has ${rangeName} [${hx(start)}..${hx(end)}) which overlaps with map for '${o.mr}' [${hx(o.start)}..${hx(o.end)}) in ${space}`, 'map-overlap');
          }
        }
        return { mr: m.mr, start, end };
      });
      if (e) done.push(e);
    }
  };
  for (const pd of pds) {
    checkMaps(pd.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, el: m.el })), `protection domain '${pd.name}'`, pdMapMaxVaddr(config, pd.stackSize), 'map');
    if (pd.vm) checkMaps(pd.vm.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, el: m.el })), `virtual machine '${pd.vm.name}'`, vmMapMaxVaddr(config), 'map');
  }
  if (ioSpaces.some((s) => s.maps.some((m) => mrByName.get(m.mr)?.pageSize === 0x200000n))) {
    record(new SdfError('Error: currently seL4 does not have large page support for the IOMMU', undefined, undefined, 'iommu-large-page'));
  } else {
    for (const s of [...ioSpaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      checkMaps(s.maps.map((m) => ({ mr: m.mr, addr: m.iovaddr, el: m.el })), s.device, 0x80_0000_0000n, 'iomap');
    }
  }

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
  const fixed: MemoryRegion[] = [];
  for (const mr of mrs) {
    if (mr.physAddr === undefined) continue;
    const end = mr.physAddr + mr.size;
    if (config.arch === 'aarch64' && end > 1n << BigInt(config.paBits)) {
      // The tool finds this only when it lays out memory for the image (§6); say it now.
      record(new SdfError(`Error: memory region '${mr.name}' [${hx(mr.physAddr)}..${hx(end)}) lies beyond the ${config.paBits}-bit physical address space of this board @ ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'phys-bits'));
    }
    const clash = fixed.find((o) => mr.physAddr! < o.physAddr! + o.size && o.physAddr! < end);
    if (clash) {
      record(
        new SdfError(
          `Error: memory region '${mr.name}' physical address range [${hx(mr.physAddr)}..${hx(end)}) overlaps with another memory region '${clash.name}' [${hx(clash.physAddr!)}..${hx(clash.physAddr! + clash.size)}) @ ${loc(ctx, mr.el)}`,
          mr.el.line,
          mr.el.column,
          'phys-overlap',
        ),
      );
    }
    fixed.push(mr);
  }
  const mapped = new Set<string>();
  for (const pd of pds) {
    for (const m of pd.maps) mapped.add(m.mr);
    for (const m of pd.vm?.maps ?? []) mapped.add(m.mr);
  }
  for (const s of ioSpaces) for (const m of s.maps) mapped.add(m.mr);
  for (const mr of mrs) if (!mapped.has(mr.name)) ctx.warn(mr.el, `WARNING: unused memory region '${mr.name}'`, 'unused-mr');
  for (const pd of pds) {
    for (const m of pd.maps) {
      const mr = mrByName.get(m.mr);
      if (m.setvarPrefillSize && mr && mr.prefillPath === undefined) {
        record(new SdfError(`Error: 'setvar_prefill_size' used for MR without a \`prefill_path\` @ '${mr.name}' ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'prefill-size'));
      }
    }
    for (const sv of pd.setvars) {
      if (sv.kind !== 'paddr') continue;
      const mr = mrByName.get(sv.mr!);
      if (!mr) {
        record(new SdfError(`Error: unknown memory region '${sv.mr}' in setvar region_paddr of protection domain '${pd.name}': ${loc(ctx, pd.el)} (the Microkit tool crashes on this)`, pd.el.line, pd.el.column, 'setvar-mr', true));
      } else if (config.arch === 'x86_64' && mr.physAddr === undefined) {
        record(new SdfError(`Error: setvar with 'region_paddr' for MR without a specified paddr is unsupported on x86-64 @ '${mr.name}' ${loc(ctx, mr.el)}`, mr.el.line, mr.el.column, 'setvar-paddr'));
      }
    }
  }
  return done();
}

const hx = (n: bigint) => `0x${n.toString(16)}`;
const LEAVES = new Set(['memory_region', 'map', 'irq', 'ioport', 'setvar', 'program_image', 'end', 'vcpu', 'iomap', 'domain', 'schedule_entry']);
const isLeaf = (name: string) => LEAVES.has(name) || name.startsWith('cap_');

function collectNames(el: XmlElement, into: Set<string>) {
  const n = attr(el, 'name');
  if (n !== undefined) into.add(n);
  for (const c of children(el)) if (c.name === 'protection_domain') collectNames(c, into);
}
