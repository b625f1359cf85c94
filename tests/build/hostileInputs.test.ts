// Inputs a clumsy user (or a hostile folder) gives build.start: each ends as a clear error or a recovered state, never as
// an uncaught exception or unhandled rejection (either one kills the host). Real files, the real build service, real
// tools, with the Microkit stand-in (no SDK can be had here).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, promises as fs, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api/contract';
import { BuildService } from '../../electron/services/build';
import { ProcessSupervisor } from '../../electron/services/processes';
import { ProjectService } from '../../electron/services/projects';
import { readTemplate } from '../../electron/services/templates';
import { standinSdk } from '../support/standinSdk';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = ['aarch64-linux-gnu-gcc', 'cmake', 'ninja', 'make'].every(has);
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, make and aarch64-linux-gnu-gcc are required in CI');
const templates = path.resolve(import.meta.dirname, '../../resources/templates');

/** The hello project without a CMakeLists.txt: the build is export + microkit, fast, and still runs every part. */
async function project() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'build-hostile-'));
  const projects = new ProjectService(mkdtempSync(path.join(os.tmpdir(), 'cfg-')));
  const t = await readTemplate(templates, 'hello');
  const snap = await projects.create(dir, 'hello', t.info.board, t.systemXml, t.files);
  await fs.rm(path.join(dir, 'CMakeLists.txt'));
  return { root: dir, studio: snap.studio, systemXml: snap.systemXml };
}

describe.runIf(ok)('build.start with hostile inputs', () => {
  const sdk = standinSdk();
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => escaped.push(e);
  beforeAll(() => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  afterAll(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });

  /** Start a build as the host does (nobody awaits `finished`) and wait for its done event or an escaped error. */
  async function buildAsHost(p: Awaited<ReturnType<typeof project>>) {
    const problems: EventPayload<'build.problem'>['problem'][] = [];
    const output: string[] = [];
    let done: EventPayload<'build.done'> | undefined;
    const builds = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }, 200), {
      step: () => undefined,
      output: (e) => output.push(e.data),
      progress: () => undefined,
      problem: (e) => problems.push(e.problem),
      done: (e) => (done = e),
    });
    const before = escaped.length;
    let startError: unknown;
    try {
      await builds.start({ ...p, sdk, toolchain: 'aarch64-linux-gnu' });
    } catch (e) {
      startError = e;
    }
    const until = Date.now() + 20_000;
    while (!startError && !done && escaped.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    return { builds, done, problems, output, startError, escaped: escaped.slice(before) };
  }

  it('`build` is a file: a clear error naming it, nothing escapes', async () => {
    const p = await project();
    writeFileSync(path.join(p.root, 'build'), 'not a folder\n');
    const r = await buildAsHost(p);
    expect(r.escaped).toEqual([]);
    expect(r.startError).toMatchObject({ code: 'conflict', message: expect.stringMatching(/build.*is not a folder/) });
  });

  it('the history file is `{}` (or any non-list): the build runs and the history starts over with it', async () => {
    const p = await project();
    mkdirSync(path.join(p.root, 'build'));
    for (const junk of ['{}', '"text"', '[1, null, "x"]', 'not json']) {
      writeFileSync(path.join(p.root, 'build/sel4-studio-history.json'), junk);
      const r = await buildAsHost(p);
      expect(r.escaped, junk).toEqual([]);
      expect(r.done?.record.result, junk).toBeDefined();
      const history = await r.builds.history(p.root);
      expect(history.map((h) => h.buildId), junk).toEqual([r.done!.record.buildId]);
    }
  });

  it('the history file is a folder: the build keeps its result and says it is not in the history', async () => {
    const p = await project();
    mkdirSync(path.join(p.root, 'build/sel4-studio-history.json'), { recursive: true });
    const r = await buildAsHost(p);
    expect(r.escaped).toEqual([]);
    expect(r.done?.record.result).toBeDefined();
    expect(r.output.join('')).toMatch(/this build is not in the history: cannot write build\/sel4-studio-history\.json: (EISDIR|ENOTEMPTY|EEXIST)/);
  });

  it('a step log path is a folder: that step fails with a clear problem naming the log, nothing escapes', async () => {
    const p = await project();
    mkdirSync(path.join(p.root, 'build/sel4-studio-microkit.log'), { recursive: true });
    const r = await buildAsHost(p);
    expect(r.escaped).toEqual([]);
    expect(r.done?.record).toMatchObject({ result: 'failed', failedStep: 'microkit' });
    expect(r.problems).toContainEqual(expect.objectContaining({ severity: 'error', message: expect.stringMatching(/cannot write the step log build\/sel4-studio-microkit\.log.*EISDIR/) }));
  });
});
