import type { Ctx, SdfError } from './checkValues';
import type { Pd } from './checkPd';

/**
 * What the whole-system rules share while one `.system` is checked: the element context, how an error is recorded
 * (in the order the Microkit tool meets it) and the flattened PDs. The rules are split by concept (channels,
 * addresses) but run in the tool's order from checkSystem.
 */
export interface SystemCheck {
  ctx: Ctx;
  record(e: SdfError): void;
  /** Run one element's check; a thrown SdfError is recorded and the element skipped. */
  attempt<T>(f: () => T): T | undefined;
  /** Every PD, children included, in the tool's depth-first order. */
  pds: Pd[];
  /** The first PD of each name. */
  byName: Map<string, Pd>;
}

export const hx = (n: bigint) => `0x${n.toString(16)}`;
