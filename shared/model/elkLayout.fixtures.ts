import type { LayoutRequest } from './elkLayout';
import { graphEdges } from './graphEdges';
import { estimatedPdHeight, pdsInDrawOrder } from './layout';
import { mrKey, pdKey, type SystemModel } from './system';

/** The 250-node system of the graph benchmark (scripts/benchGraph.mjs), as a model. */
export function synthetic250(): SystemModel {
  const mrs = Array.from({ length: 190 }, (_, m) => ({ name: `region_${m}`, size: 0x1000 }));
  const protectionDomains = Array.from({ length: 60 }, (_, p) => ({
    name: `pd_${p}`,
    priority: 100 + (p % 100),
    programImage: `pd_${p}.elf`,
    maps: [...[0, 1, 2].map((k) => ({ mr: `region_${(p * 3 + k) % 190}`, vaddr: 0x4000000 + k * 0x1000, perms: 'rw' as const })), { mr: `region_${180 + (p % 10)}`, vaddr: 0x5000000, perms: 'r' as const }],
    irqs: [],
    extra: [],
  }));
  const channels = Array.from({ length: 59 }, (_, p) => ({ ends: [{ pd: `pd_${p}`, id: 0 }, { pd: `pd_${p + 1}`, id: 1 }] as [{ pd: string; id: number }, { pd: string; id: number }] }));
  return { memoryRegions: mrs, protectionDomains, channels, extra: [] };
}

/** A request as the canvas makes one, with sizes estimated the way the canvas does before it has measured. */
export function request(sys: SystemModel): LayoutRequest {
  const nodes = [
    ...pdsInDrawOrder(sys).map(({ pd }) => ({ id: pdKey(pd.name), width: Math.max(200, 30 + 9 * pd.name.length), height: estimatedPdHeight(pd) })),
    ...sys.memoryRegions.map((m) => ({ id: mrKey(m.name), width: Math.max(200, 30 + 9 * m.name.length), height: 72 })),
  ];
  return { system: sys, nodes, edges: graphEdges(sys), labelSize: (t) => ({ width: 8 + 6.2 * t.length, height: 16 }) };
}

