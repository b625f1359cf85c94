import type { ToolStatus } from '../../shared/api/contract';

/** The doctor as a terminal table: found tools with version and path, missing ones with what to install. */
export function formatDoctor(tools: ToolStatus[]): string {
  const width = Math.max(...tools.map((t) => t.label.length));
  const lines = tools.map((t) =>
    t.found
      ? `  ok       ${t.label.padEnd(width)}  ${t.version ?? '?'}  ${t.path ?? ''}`
      : `  missing  ${t.label.padEnd(width)}  ${t.hint ?? ''}`,
  );
  const found = tools.filter((t) => t.found).length;
  return `seL4 Studio doctor: ${found} of ${tools.length} tools found\n${lines.join('\n')}\n`;
}
