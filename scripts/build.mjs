#!/usr/bin/env node
// Builds what is stale: the renderer (Vite) and the Node/Electron bundles (esbuild). `--force` rebuilds all;
// `--only node|renderer` limits the work. A part is stale when any of its sources is newer than its output.
import { build } from 'esbuild';
import { promises as fs, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const force = args.includes('--force');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const quiet = args.includes('--quiet');
const log = (m) => quiet || console.error(m);

function newest(dirs) {
  let t = 0;
  const walk = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) walk(path.join(p, e));
    } else if (!/\.test\.tsx?$/.test(p)) t = Math.max(t, st.mtimeMs);
  };
  for (const d of dirs) walk(path.join(root, d));
  return t;
}
const mtime = (f) => {
  try {
    return statSync(path.join(root, f)).mtimeMs;
  } catch {
    return 0;
  }
};

// serialport loads a native addon relative to its own package: it stays in node_modules, not in the bundles.
const native = ['serialport', '@serialport/*'];
const nodeBundles = [
  { entry: 'electron/main/main.ts', out: 'dist/electron/main.cjs', format: 'cjs', external: ['electron', ...native] },
  { entry: 'electron/preload/preload.ts', out: 'dist/electron/preload.cjs', format: 'cjs', external: ['electron'] },
  // Split: the host listens after loading only its small first chunk, the rest comes by dynamic import (server.ts).
  { entry: 'electron/server/main.ts', out: 'dist/server/main.mjs', format: 'esm', external: ['bufferutil', 'utf-8-validate', ...native], split: true },
  { entry: 'electron/cli/cli.ts', out: 'dist/cli/cli.cjs', format: 'cjs', external: native },
  // The device-tree commands alone (bin/sel4-studio.cjs loads it for dtc, dt and fdtoverlay): a fast start.
  { entry: 'electron/cli/dtMain.ts', out: 'dist/cli/dt.cjs', format: 'cjs', external: native },
];

async function buildNode() {
  const srcTime = newest(['shared', 'electron', 'package.json']);
  const stale = force || nodeBundles.some((b) => mtime(b.out) < srcTime);
  if (!stale) return log('node bundles: up to date');
  const t0 = performance.now();
  // Chunks of a split bundle are named by content: its folder (only its own output) is emptied so none is left behind.
  for (const b of nodeBundles.filter((x) => x.split)) await fs.rm(path.join(root, path.dirname(b.out)), { recursive: true, force: true });
  await Promise.all(
    nodeBundles.map((b) =>
      build({
        entryPoints: [path.join(root, b.entry)],
        ...(b.split ? { outdir: path.join(root, path.dirname(b.out)), splitting: true, entryNames: '[name]', chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } } : { outfile: path.join(root, b.out) }),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: b.format,
        external: b.external,
        sourcemap: 'linked',
        logLevel: 'warning',
        // The CLI bundles load serialport with require(), not import(): bin/sel4-studio.cjs runs them from a V8 code
        // cache, and code from a cache has no loader for import() in Node 20.
        supported: b.out.startsWith('dist/cli/') ? { 'dynamic-import': false } : undefined,
        // ESM bundles that pull CommonJS deps (ws) need a require.
        banner: b.format === 'esm' ? { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } : undefined,
      }),
    ),
  );
  log(`node bundles: built in ${Math.round(performance.now() - t0)} ms`);
}

async function buildRenderer() {
  const srcTime = newest(['renderer', 'shared', 'vite.config.ts']);
  if (!force && mtime('dist/renderer/index.html') >= srcTime) return log('renderer: up to date');
  const t0 = performance.now();
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  log(`renderer: built in ${Math.round(performance.now() - t0)} ms`);
}

try {
  if (only !== 'renderer') await buildNode();
  if (only !== 'node') await buildRenderer();
  await fs.mkdir(path.join(root, 'dist'), { recursive: true });
} catch (err) {
  console.error(`build failed: ${err?.message ?? err}`);
  process.exit(1);
}
