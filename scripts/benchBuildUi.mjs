// The build panel under a 10 MB build log (issue 7), in browser mode in Debian Chromium: frame intervals while the log
// streams into the panel, against the same page idle for as long, same run.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { newProject, openStudio } from './benchGraph.mjs';

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** 10 MiB of compiler-like output: Ninja progress, compile lines, a warning every 200 lines. */
function bigLog() {
  const lines = [];
  let bytes = 0;
  for (let i = 0; bytes < 10 * 1024 * 1024; i++) {
    const l = i % 200 === 199 ? `src/file${i % 97}.c:${i % 400}:7: warning: unused variable 'x${i}' [-Wunused-variable]` : `[${i}/60000] Building C object CMakeFiles/pd.elf.dir/src/file${i % 97}.c.obj -mstrict-align -nostdlib -ffreestanding -O3`;
    lines.push(l);
    bytes += l.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

async function frames(page, ms) {
  return page.evaluate(
    (dur) =>
      new Promise((resolve) => {
        const ts = [];
        const t0 = performance.now();
        const tick = (t) => {
          ts.push(t);
          if (t - t0 < dur) requestAnimationFrame(tick);
          else resolve(ts.slice(1).map((x, i) => x - ts[i]));
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

export async function benchBuildLog(browser, startHost, workspace, sdk) {
  const { child, ctx, page } = await openStudio(browser, startHost);
  try {
    const dir = path.join(workspace, 'log');
    await newProject(page, dir, 'log', 'hello');
    writeFileSync(path.join(dir, 'big.log'), bigLog());
    writeFileSync(path.join(dir, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.16)\nproject(hello C)\nadd_executable(hello.elf hello.c)\nadd_custom_target(log ALL COMMAND cat ${CMAKE_SOURCE_DIR}/big.log USES_TERMINAL)\n');
    await page.getByTestId('tab-build').click();
    await page.getByTestId('build-sdk').fill(sdk);
    await page.getByTestId('build-sdk').blur();
    await page.getByTestId('build-sdk-info').getByText('Microkit').waitFor();
    const idle = await frames(page, 3000);
    // Frames from the click until the build is done: the whole log streams through the panel meanwhile.
    const sampling = page.evaluate(
      () =>
        new Promise((resolve) => {
          const ts = [];
          const tick = (t) => {
            ts.push(t);
            if (document.querySelector('[data-testid=build-progress]')?.textContent?.match(/^(Built|Failed|Cancelled)/)) resolve(ts.slice(1).map((x, i) => x - ts[i]));
            else requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
    );
    const t0 = Date.now();
    await page.getByTestId('build-start').click();
    const busy = await sampling;
    const ms = Date.now() - t0;
    const shown = await page.getByTestId('build-output').textContent();
    return { logBytes: 10 * 1024 * 1024, buildMs: ms, frames: busy.length, p95: pct(busy, 95), max: Math.max(...busy), idleP95: pct(idle, 95), tailShown: shown.includes('Building C object') };
  } finally {
    await ctx.close();
    child.kill('SIGTERM');
  }
}

export function printBuildLog(r) {
  console.log(`build panel: a 10 MiB build log streamed in ${r.buildMs} ms; frame interval p95 ${r.p95.toFixed(1)} ms (max ${r.max.toFixed(0)}, ${r.frames} frames) vs the idle page p95 ${r.idleP95.toFixed(1)} ms; ratio ${(r.p95 / r.idleP95).toFixed(2)} (target p95 <= 16 ms frame: ${r.p95 <= 17 ? 'met' : 'MISSED'})`);
}
