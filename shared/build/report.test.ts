import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from './report';

const rec = (f: string) => readFileSync(path.join(import.meta.dirname, '../../tests/fixtures/recorded-microkit', f), 'utf8');

describe('the Microkit report', () => {
  it('2.3.0: kernel objects with their addresses, threads with priorities', () => {
    const r = parseReport(rec('report-hello-2.3.0.txt'));
    expect(r.format).toBe('2.3');
    expect(r.objects).toHaveLength(34);
    expect(r.objects[0]).toEqual({ type: 'CNode', name: 'cnode_hello', physAddr: 0x60000000 });
    expect(r.byType[0]).toEqual({ type: 'Page(4 KiB)', count: 13 });
    expect(r.threads).toEqual([
      { name: 'hello', ip: 0x200000, sp: 0xffffffe000, priority: 0 },
      { name: 'monitor', ip: 0x200000, sp: 0xffffffe000, priority: 255 },
    ]);
    expect(r.span).toEqual({ start: 0x60000000, end: 0x602ada80 + 0x1000 });
  });
  it('2.0.1: loader regions and allocated objects', () => {
    const r = parseReport(rec('report-hello-2.0.1.txt'));
    expect(r.format).toBe('2.0');
    expect(r.loaderRegions).toEqual([
      { name: 'PD-ELF hello-0', addr: 0x6024b000, size: 1996 },
      { name: 'PD-ELF hello-1', addr: 0x6024c000, size: 176 },
    ]);
    expect(r.objects).toHaveLength(16);
    expect(r.objects.find((o) => o.type === 'TCB')).toEqual({ type: 'TCB', name: 'PD=hello', physAddr: 0x60004000 });
    expect(r.threads.map((t) => t.name)).toEqual(['hello']);
  });
  it('anything else gives an empty report, not an exception', () => {
    expect(parseReport('not a report').objects).toEqual([]);
  });
});
