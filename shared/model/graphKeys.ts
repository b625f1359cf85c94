import type { Diagnostic } from '../api/diagnostics';
import { allProtectionDomains, type SystemModel } from './system';

/**
 * Keys of what the graph shows and the inspector edits: nodes `pd:NAME`, `mr:NAME`; edges `map:PD:i`, `vmmap:PD:i`,
 * `ch:i`, `setvar:PD:i`; parts of a PD node `vm:PD`, `irq:PD:i`. The importer's source keys (`pd:A/pd:B/map[0]`, `ch:2/end[1]`,
 * sdf/import.ts) name the same things by their place in the XML; these functions translate between the two so a
 * problem or an XML position selects its node or edge, and a selection finds its XML.
 */
export function graphKeyOfSource(source: string): string | undefined {
  const path = source.split('@')[0]!;
  if (path.startsWith('mr:')) return path;
  const ch = /^ch:(\d+)/.exec(path);
  if (ch) return `ch:${ch[1]}`;
  if (!path.startsWith('pd:')) return undefined;
  // The innermost PD owns what follows it.
  const at = path.lastIndexOf('pd:');
  const [pd, ...rest] = path.slice(at + 3).split('/');
  const tail = rest.join('/');
  let m: RegExpExecArray | null;
  if ((m = /^map\[(\d+)\]$/.exec(tail))) return `map:${pd}:${m[1]}`;
  if ((m = /^vm\/map\[(\d+)\]$/.exec(tail))) return `vmmap:${pd}:${m[1]}`;
  if (tail.startsWith('vm')) return `vm:${pd}`;
  if ((m = /^irq\[(\d+)\]$/.exec(tail))) return `irq:${pd}:${m[1]}`;
  if ((m = /^setvar\[(\d+)\]$/.exec(tail))) return `setvar:${pd}:${m[1]}`;
  return `pd:${pd}`;
}

/** The graph key of a node or edge, for each place it has in the XML: the first one is where it starts. */
export function sourceKeysOf(sources: Iterable<string>, graphKey: string): string[] {
  const out: string[] = [];
  for (const s of sources) if (!s.includes('@') && graphKeyOfSource(s) === graphKey) out.push(s);
  return out;
}

/** The PD whose node shows this key (a node, a map edge's source, its VM or IRQ chip). */
export function pdOfKey(key: string): string | undefined {
  const m = /^(?:pd|vm):(.+)$/.exec(key) ?? /^(?:map|vmmap|irq|setvar):(.+):\d+$/.exec(key);
  return m?.[1];
}

/**
 * The graph nodes a key is drawn on: a node itself; a PD's VM or IRQ chip its PD; a map its PD and region; a channel
 * its two PDs; a setvar its PD and (when it names one) its region. What has to be on the canvas for the key to show.
 */
export function nodesOfKey(system: SystemModel, key: string): string[] {
  if (key.startsWith('pd:') || key.startsWith('mr:')) return [key];
  const ch = /^ch:(\d+)$/.exec(key);
  if (ch) return [...new Set((system.channels[Number(ch[1])]?.ends ?? []).map((e) => `pd:${e.pd}`))];
  const pdName = pdOfKey(key);
  if (pdName === undefined) return [];
  const pd = allProtectionDomains(system).find((p) => p.name === pdName);
  const i = Number(/:(\d+)$/.exec(key)?.[1]);
  const mr = key.startsWith('map:') ? pd?.maps[i]?.mr : key.startsWith('vmmap:') ? pd?.virtualMachine?.maps[i]?.mr : key.startsWith('setvar:') ? pd?.setvars?.[i]?.regionPaddr : undefined;
  return mr ? [`pd:${pdName}`, `mr:${mr}`] : [`pd:${pdName}`];
}

/**
 * The checker's diagnostics by the graph key of the element they are placed on (`sources`: the importer's source
 * map of the same text). A line belongs to the innermost node or edge whose element starts there. This is how the
 * canvas learns that a channel breaks a rule (a red edge with ✗): from the checker's own diagnostics for it, never
 * from a second copy of the rule.
 */
export function problemsByKey(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, { line: number }>): Map<string, Diagnostic[]> {
  const byLine = new Map<number, string>();
  // Sources are in document order, parents before what they contain: the last key placed on a line is the innermost.
  for (const [key, at] of sources) {
    if (key.includes('@')) continue;
    const owner = graphKeyOfSource(key);
    if (owner) byLine.set(at.line, owner);
  }
  const out = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = d.line !== undefined ? byLine.get(d.line) : undefined;
    if (key) out.set(key, [...(out.get(key) ?? []), d]);
  }
  return out;
}

/** Every key the graph and the inspector know in a system: nodes, edges and the parts of PD nodes. */
export function graphKeysOf(system: SystemModel): string[] {
  const keys: string[] = [];
  for (const pd of allProtectionDomains(system)) {
    keys.push(`pd:${pd.name}`);
    pd.maps.forEach((_, i) => keys.push(`map:${pd.name}:${i}`));
    pd.irqs.forEach((_, i) => keys.push(`irq:${pd.name}:${i}`));
    (pd.setvars ?? []).forEach((_, i) => keys.push(`setvar:${pd.name}:${i}`));
    if (pd.virtualMachine) {
      keys.push(`vm:${pd.name}`);
      pd.virtualMachine.maps.forEach((_, i) => keys.push(`vmmap:${pd.name}:${i}`));
    }
  }
  for (const mr of system.memoryRegions) keys.push(`mr:${mr.name}`);
  system.channels.forEach((_, i) => keys.push(`ch:${i}`));
  return keys;
}

/** What an edit added (a dropped node, a drawn edge, an IRQ or VM chip): the keys `after` has and `before` had not. */
export function addedKeys(before: SystemModel, after: SystemModel): string[] {
  const had = new Set(graphKeysOf(before));
  return graphKeysOf(after).filter((k) => !had.has(k));
}
