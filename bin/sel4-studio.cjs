#!/usr/bin/env node
// The `sel4-studio` command: runs the bundled CLI, building it first when this is a source checkout.
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'cli.cjs');
if (!fs.existsSync(cli)) {
  const r = require('node:child_process').spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--only', 'node'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
require(cli).runAndExit(process.argv.slice(2));
