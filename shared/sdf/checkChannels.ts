import type { XmlElement } from './xml';
import { attrNames } from './schema';
import { SdfError, attr, bool, checkAttributes, checkIdRange, children, decimal, loc, required, valueError } from './checkValues';
import { addSetvar } from './checkMemory';
import type { SystemCheck } from './checkSystemCtx';

/** Channels between PDs (§2.12): their ends, the per-PD id space they share with IRQs (§5.5) and PPCs (§5.6). */
export interface ChannelEnd {
  pd: string;
  id: bigint;
  pp: boolean;
  setvarId?: string;
}
export interface CheckedChannel {
  a: ChannelEnd;
  b: ChannelEnd;
  el: XmlElement;
}

/**
 * The PPC priority rule (§5.6): the end with `pp` calls the other, which must run at a strictly higher priority.
 * The canvas and the inspector show this rule only through the diagnostics it produces (one source).
 */
export const ppcPriorityHolds = (callerPriority: bigint, calleePriority: bigint) => callerPriority < calleePriority;

/** `<channel>` elements, read once every PD is known; an end naming a PD that failed to parse is not reported twice. */
export function parseChannels(sys: SystemCheck, channelEls: XmlElement[], failedPds: Set<string>): CheckedChannel[] {
  const { ctx, byName } = sys;
  const channels: CheckedChannel[] = [];
  for (const el of channelEls) {
    const ch = sys.attempt(() => {
      checkAttributes(ctx, el, []);
      const ends: ChannelEnd[] = [];
      for (const e of children(el)) {
        if (e.name !== 'end') throw new SdfError(`Error: invalid XML element '${e.name}': ${loc(ctx, e)}`, e.line, e.column, 'unknown-element');
        checkAttributes(ctx, e, attrNames('end'));
        const pd = required(ctx, e, 'pd');
        const id = decimal(ctx, e, 'id', required(ctx, e, 'id'), true);
        checkIdRange(ctx, e, id);
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
      if (end.setvarId !== undefined) sys.attempt(() => addSetvar(ctx, byName.get(end.pd)!.setvars, { symbol: end.setvarId!, kind: 'id' }, ch.el));
    }
  }
  return channels;
}

/** IRQ numbers (global), the id space each PD shares between IRQs and channel ends, and PPCs, in the tool's order. */
export function checkIdsAndPpcs(sys: SystemCheck, channels: CheckedChannel[]): void {
  const { ctx, byName, record } = sys;
  const irqOwner = new Map<bigint, string>();
  const usedIds = new Map<string, Set<bigint>>();
  for (const pd of sys.pds) {
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
      if (!ppcPriorityHolds(caller.priority, callee.priority)) {
        record(
          new SdfError(
            `Error: PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd ${caller.name} (priority: ${caller.priority}) to pd ${callee.name} (priority: ${callee.priority})`,
            ch.el.line,
            ch.el.column,
            'pp-priority',
          ),
        );
      }
      if (ctx.config.arch === 'x86_64' && callee.vm) {
        // The tool places this at the PD of the channel's first end, whichever end calls.
        const firstEnd = byName.get(ch.a.pd)!;
        record(new SdfError(`Error: It is not possible to PPC to PD '${callee.name}' with a bound vCPU from PD '${caller.name}' on x86_64 @ ${loc(ctx, firstEnd.el)}`, firstEnd.el.line, firstEnd.el.column, 'x86-vm-ppc'));
      }
    }
  }
}
