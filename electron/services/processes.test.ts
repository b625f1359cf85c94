import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api/contract';
import { ProcessSupervisor } from './processes';

function harness(graceMs = 2000) {
  const out: EventPayload<'process.output'>[] = [];
  const exits = new Map<string, EventPayload<'process.exit'>>();
  const waiters = new Map<string, (e: EventPayload<'process.exit'>) => void>();
  const sup = new ProcessSupervisor(
    {
      output: (e) => out.push(e),
      exit: (e) => {
        exits.set(e.runId, e);
        waiters.get(e.runId)?.(e);
      },
    },
    graceMs,
  );
  const exited = (runId: string) =>
    new Promise<EventPayload<'process.exit'>>((resolve) => (exits.has(runId) ? resolve(exits.get(runId)!) : waiters.set(runId, resolve)));
  const text = (runId: string, stream: 'stdout' | 'stderr') => out.filter((o) => o.runId === runId && o.stream === stream).map((o) => o.data).join('');
  return { sup, exited, text };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ProcessSupervisor (real processes)', () => {
  it('streams stdout and stderr separately and reports the exit code', async () => {
    const { sup, exited, text } = harness();
    const id = sup.start('/bin/sh', ['-c', 'printf "hello\\n"; printf "oops\\n" >&2; exit 3']);
    const exit = await exited(id);
    expect(exit.code).toBe(3);
    expect(text(id, 'stdout')).toBe('hello\n');
    expect(text(id, 'stderr')).toBe('oops\n');
  });

  it('passes arguments as argv, never through a shell', async () => {
    const { sup, exited, text } = harness();
    const id = sup.start('/bin/echo', ['$(touch /tmp/should-not-exist)', '; rm -rf /', '`id`']);
    await exited(id);
    expect(text(id, 'stdout')).toBe('$(touch /tmp/should-not-exist) ; rm -rf / `id`\n');
  });

  it('decodes UTF-8 split across chunks', async () => {
    const { sup, exited, text } = harness();
    // "é" is 0xc3 0xa9: write the two bytes in separate writes with a pause between them.
    const id = sup.start(process.execPath, ['-e', "process.stdout.write(Buffer.from([0xc3])); setTimeout(() => process.stdout.write(Buffer.from([0xa9, 0x0a])), 50)"]);
    await exited(id);
    expect(text(id, 'stdout')).toBe('é\n');
  });

  it('reports a missing program as an exit with an error, not a crash', async () => {
    const { sup, exited } = harness();
    const exit = await exited(sup.start('/nonexistent/tool', []));
    expect(exit.error).toMatch(/not found/);
  });

  it('cancel kills the whole process group, grandchildren included', async () => {
    const { sup, exited, text } = harness(500);
    // The shell starts a background grandchild that ignores SIGTERM, prints its pid, and waits.
    const id = sup.start('/bin/sh', ['-c', "sh -c 'trap \"\" TERM; sleep 60' & echo $!; wait"]);
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 20));
      pid = Number(text(id, 'stdout').trim());
    }
    expect(alive(pid)).toBe(true);
    sup.cancel(id);
    const exit = await exited(id);
    expect(exit.signal).toMatch(/SIG(TERM|KILL)/);
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
    expect(sup.running).toEqual([]);
  });

  it('killAll leaves no process behind', async () => {
    const { sup, exited } = harness();
    const ids = [sup.start('/bin/sleep', ['60']), sup.start('/bin/sh', ['-c', 'sleep 60 & wait'])];
    await new Promise((r) => setTimeout(r, 100));
    sup.killAll();
    await Promise.all(ids.map(exited));
    const left = execFileSync('ps', ['-eo', 'pid,ppid,args']).toString().split('\n').filter((l) => / sleep 60$/.test(l) && l.includes(String(process.pid)));
    expect(left).toEqual([]);
  });
});
