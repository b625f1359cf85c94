/**
 * The Microkit tool's `-r` report (recorded/microkit/report-hello-*.txt), in both of its formats: 2.0.x ("Kernel Boot
 * Info", loader regions, allocated objects with phys_addr=) and 2.3.x (CapDL: TCB details, kernel objects with their
 * physical addresses). What a report panel and the memory map need: objects by type and address, loader regions,
 * threads with their priorities.
 */
export interface ReportObject {
  type: string;
  name: string;
  physAddr: number;
}

export interface BuildReport {
  format: '2.0' | '2.3';
  objects: ReportObject[];
  /** Count of objects per type, most numerous first. */
  byType: { type: string; count: number }[];
  loaderRegions: { name: string; addr: number; size: number }[];
  threads: { name: string; priority?: number; ip?: number; sp?: number }[];
  /** Lowest and highest physical address the objects use (the end includes a 4 KiB page at the top). */
  span?: { start: number; end: number };
}

export function parseReport(text: string): BuildReport {
  const format: BuildReport['format'] = /^# Kernel Boot Info/m.test(text) ? '2.0' : '2.3';
  const objects: ReportObject[] = [];
  const loaderRegions: BuildReport['loaderRegions'] = [];
  const threads: BuildReport['threads'] = [];
  let section = '';
  let thread: BuildReport['threads'][number] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      section = line.slice(2).trim();
      continue;
    }
    let m: RegExpExecArray | null;
    if (format === '2.0') {
      if (section === 'Allocated Kernel Objects Detail' && (m = /^\s+([\w() ]+?): (.+?)\s+\d+ cap_addr=[0-9a-f]+ phys_addr=([0-9a-f]+)\s*$/.exec(line))) {
        objects.push({ type: m[1]!, name: m[2]!.trim(), physAddr: parseInt(m[3]!, 16) });
      } else if ((m = /<Region name=(.+?) addr=0x([0-9a-f]+) size=(\d+)>/.exec(line))) {
        loaderRegions.push({ name: m[1]!, addr: parseInt(m[2]!, 16), size: Number(m[3]) });
      } else if (section === 'Allocated Kernel Objects Detail' && (m = /^\s+TCB: PD=(\S+)/.exec(line))) {
        threads.push({ name: m[1]! });
      }
    } else {
      if (section.startsWith('Kernel Objects Details') && (m = /^\s*\d+ - ([\w() ]+?): '(.+?)' @ 0x([0-9a-f]+)/.exec(line))) {
        objects.push({ type: m[1]!, name: m[2]!, physAddr: parseInt(m[3]!, 16) });
      } else if (section === 'TCB Details') {
        if ((m = /^\s+- TCB: '(.+?)'/.exec(line))) threads.push((thread = { name: m[1]!.replace(/^tcb_/, '') }));
        else if (thread && (m = /^\s+\* (IP|SP|Priority): (\S+)/.exec(line))) {
          const v = m[2]!.startsWith('0x') ? parseInt(m[2]!, 16) : Number(m[2]);
          if (m[1] === 'IP') thread.ip = v;
          else if (m[1] === 'SP') thread.sp = v;
          else thread.priority = v;
        }
      }
    }
  }
  if (format === '2.0') for (const o of objects) if (o.type === 'TCB' && !threads.some((t) => o.name === `PD=${t.name}`)) threads.push({ name: o.name.replace(/^PD=/, '') });
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
  const byType = [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
  const addrs = objects.map((o) => o.physAddr);
  const report: BuildReport = { format, objects, byType, loaderRegions, threads };
  if (addrs.length) report.span = { start: Math.min(...addrs), end: Math.max(...addrs) + 0x1000 };
  return report;
}
