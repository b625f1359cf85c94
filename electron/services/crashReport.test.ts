import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCrashReporter, KEEP_REPORTS } from './crashReport';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'crash-'));

describe('crash reports', () => {
  it('say when, which version, the stack and the last method names; never the key, params or a multi-line message', () => {
    const dir = path.join(tmp(), 'logs');
    const lines: string[] = [];
    const key = 'k3y-that-must-never-be-written-000';
    const r = createCrashReporter({ host: 'browser', version: '9.9.9', dir, secrets: () => [key], log: (l) => lines.push(l) });
    for (let i = 0; i < 25; i++) r.noteCall(i % 2 ? 'fs.writeText' : 'host.info');
    r.noteCall('{"params":"secret text"}');
    const err = new Error(`parse failed for ${key}\n<system>file contents on the second line</system>`);
    const file = r.report('unhandledRejection', err, 'kept running')!;
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^seL4 Studio crash report\ntime: \d{4}-\d\d-\d\dT/);
    expect(text).toContain('version: 9.9.9');
    expect(text).toContain('event: unhandledRejection');
    expect(text).toContain('outcome: kept running');
    expect(text).toContain('Error: parse failed for [redacted]');
    expect(text).toMatch(/\n {4}at .*crashReport\.test\.ts/);
    expect(text).not.toContain(key);
    expect(text).not.toContain('file contents');
    expect(text).not.toContain('secret text');
    // The last 20 names, oldest first; what was not a method name is recorded as such.
    const calls = text.split('names only):\n')[1]!.trim().split('\n');
    expect(calls).toHaveLength(20);
    expect(calls.at(-1)).toMatch(/\(not a method name\)$/);
    expect(calls.at(-2)).toMatch(/host\.info$/);
    expect(calls.at(-3)).toMatch(/fs\.writeText$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(lines).toEqual([`sel4-studio: unhandledRejection (kept running); crash report written to ${file}`]);
  });

  it(`keeps the newest ${KEEP_REPORTS}`, () => {
    const dir = tmp();
    const r = createCrashReporter({ host: 'electron', version: 't', dir, log: () => undefined, maxPerMinute: 100 });
    const files = Array.from({ length: KEEP_REPORTS + 5 }, (_, i) => r.report('uncaughtException', new Error(`n${i}`), 'exited')!);
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(KEEP_REPORTS);
    expect(left).toEqual(files.slice(5).map((f) => path.basename(f)));
  });

  it('writes at most 5 a minute (a rejection in a loop), and says so', () => {
    const dir = tmp();
    const lines: string[] = [];
    const r = createCrashReporter({ host: 'browser', version: 't', dir, log: (l) => lines.push(l) });
    const written = Array.from({ length: 8 }, () => r.report('unhandledRejection', 'not an Error', 'kept running'));
    expect(written.filter(Boolean)).toHaveLength(5);
    expect(readdirSync(dir)).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/no report written: 5 already this minute/);
    expect(readFileSync(written[0]!, 'utf8')).toContain('thrown value of type string');
  });
});
