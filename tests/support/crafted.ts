import { decodeInterrupts, decodeReg, indexTree, supplierClosure } from '../../shared/dt/query';
import type { DtTree } from '../../shared/dt/tree';

// Helpers of the bounds and DoS tests: crafted inputs are read from memory and every question is asked of them.

/** A readFile over an in-memory set of files. */
export const files = (map: Record<string, string>) => (p: string) => map[p];

/** Index a tree and ask every question of every node (what the passthrough planner and `dt query` ask). */
export function queryAll(tree: DtTree) {
  const idx = indexTree(tree);
  for (const loc of idx.byPath.values()) {
    decodeReg(idx, loc.node);
    decodeInterrupts(idx, loc.node);
    supplierClosure(idx, loc.node);
  }
  return idx;
}

/** The error thrown by `f`, which must be one. */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
