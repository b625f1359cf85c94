/* Benchmark of the build pipeline's own cost: a no-change rebuild through the service against running the one tool
   that has work to do (`cmake --build`) directly, same project, same run. Prints one JSON line. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildService } from '../../electron/services/build';
import { ProcessSupervisor } from '../../electron/services/processes';
import { ProjectService } from '../../electron/services/projects';
import { readTemplate } from '../../electron/services/templates';
import { standinSdk } from '../support/standinSdk';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const root = process.cwd();
  const sdk = standinSdk();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-build-'));
  const t = await readTemplate(path.join(root, 'resources/templates'), 'shared-memory');
  const snap = await new ProjectService(mkdtempSync(path.join(os.tmpdir(), 'cfg-'))).create(dir, 'bench', t.info.board, t.systemXml, t.files);
  const service = new BuildService(new ProcessSupervisor({ output: () => undefined, exit: () => undefined }), { step: () => undefined, output: () => undefined, progress: () => undefined, problem: () => undefined, done: () => undefined });
  const build = async () => {
    const t0 = performance.now();
    const r = await (await service.start({ root: dir, studio: snap.studio, sdk, systemXml: snap.systemXml })).finished;
    if (r.result !== 'ok') throw new Error(`build ${r.result}`);
    return { ms: performance.now() - t0, steps: r.steps.map((s) => `${s.id}:${s.status}`).join(' ') };
  };
  await build();
  const service_: number[] = [];
  const direct: number[] = [];
  let steps = '';
  for (let i = 0; i < 9; i++) {
    const r = await build();
    service_.push(r.ms);
    steps = r.steps;
    const t0 = performance.now();
    const d = spawnSync('cmake', ['--build', 'build'], { cwd: dir });
    if (d.status !== 0) throw new Error('cmake --build failed');
    direct.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ sdk, noChangeRebuild: { serviceMs: median(service_), toolsMs: median(direct), steps } }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
