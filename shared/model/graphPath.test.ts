import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSystem } from '../sdf/import';
import { shortestPath } from './graphPath';

const root = path.resolve(import.meta.dirname, '../..');
const system = (rel: string) => importSystem(readFileSync(path.join(root, rel), 'utf8'), rel).model!;

describe('shortestPath', () => {
  const pathB = system('resources/templates/orin-agx-path-b.system');
  it('Path B: the client VMM reaches the eth driver through the tx virtualiser (two channels)', () => {
    expect(shortestPath(pathB, 'pd:CLIENT_VMM', 'pd:eth_driver')).toEqual({ nodes: ['pd:CLIENT_VMM', 'pd:net_virt_tx', 'pd:eth_driver'], edges: ['ch:1', 'ch:4'] });
  });
  it('through the copier and the rx virtualiser when the direct channel is gone, and over a shared region where no channel is left', () => {
    const noTx = { ...pathB, channels: pathB.channels.filter((c) => !c.ends.some((e) => e.pd === 'net_virt_tx')) };
    expect(shortestPath(noTx, 'pd:CLIENT_VMM', 'pd:eth_driver')!.nodes).toEqual(['pd:CLIENT_VMM', 'pd:client0_net_copier', 'pd:net_virt_rx', 'pd:eth_driver']);
    const noChannels = { ...pathB, channels: [] };
    const p = shortestPath(noChannels, 'pd:net_virt_rx', 'pd:eth_driver')!;
    expect(p.nodes).toEqual(['pd:net_virt_rx', 'mr:net_rx_free_drv', 'pd:eth_driver']);
    expect(p.edges.every((e) => e.startsWith('map:'))).toBe(true);
  });
  it('none between PDs that share nothing', () => {
    const hello = system('resources/templates/hello.system');
    const two = { ...hello, protectionDomains: [...hello.protectionDomains, { ...hello.protectionDomains[0]!, name: 'other', maps: [] }] };
    expect(shortestPath(two, `pd:${hello.protectionDomains[0]!.name}`, 'pd:other')).toBeUndefined();
  });
});
