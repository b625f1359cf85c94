#!/usr/bin/env node
// `npm run package`: build, then electron-builder with forge.config.ts. Needs the Electron zip (a machine that can
// download it, or ELECTRON_CACHE holding it).
import { build } from 'electron-builder';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--force'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const out = path.join(root, 'dist', 'forge.config.mjs');
await esbuild({ entryPoints: [path.join(root, 'forge.config.ts')], outfile: out, format: 'esm', platform: 'node', bundle: false });
const config = (await import(pathToFileURL(out).href)).default;
await build({ config, projectDir: root });
