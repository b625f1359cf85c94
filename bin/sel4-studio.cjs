#!/usr/bin/env node
// The `sel4-studio` command: runs the bundled CLI, building it first when this is a source checkout.
//
// Start-up is most of a short command's time (`sel4-studio dtc` on a small tree), so the bundle's compiled code is
// cached between runs: on Node >= 22.1 by Node itself (module.enableCompileCache), else as a V8 code cache kept beside
// the bundle (dist/cli/cli.cjs.cache, dt.cjs.cache). V8 accepts a cache only for the same V8 version and flags and
// checks little of the source itself (its length), so the cache file records the bundle's size and mtime and is used
// only for that bundle. It is written (atomically) when missing or refused, after the command ran, so that it holds
// the functions the command compiled; a folder we cannot write to just means no cache. SEL4_STUDIO_NO_CODE_CACHE=1
// loads the bundle plainly (to measure what the cache saves).
const path = require('node:path');
const fs = require('node:fs');
// The CommonJS Module class without loading node:module (which pulls in the ES module loader: milliseconds).
const Module = module.constructor;
const root = path.resolve(__dirname, '..');
// The device-tree commands have a bundle of their own (electron/cli/dtMain.ts): a fifteenth of the whole CLI.
const DT_COMMANDS = new Set(['dtc', 'dt', 'fdtoverlay']);
const dtCommand = DT_COMMANDS.has(process.argv[2]);
// A device-tree command runs its code about once: V8's optimizing compiler, started on V8's default budget, spent
// more time compiling (and throwing code away) than it saved on every real tree (a JetPack tree: 380 -> 210 ms of
// CPU). Six times the budget leaves it to what runs long (a tree of megabytes). A tuning flag: same results either way.
if (dtCommand) require('node:v8').setFlagsFromString('--interrupt-budget=400000');
const cli = path.join(root, 'dist', 'cli', dtCommand ? 'dt.cjs' : 'cli.cjs');
let stat = fs.statSync(cli, { throwIfNoEntry: false });
if (!stat) {
  const r = require('node:child_process').spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--only', 'node'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  stat = fs.statSync(cli);
}
load(cli, stat).runAndExit(process.argv.slice(2));

function load(file, st) {
  const vm = require('node:vm');
  if (Number(process.versions.node.split('.')[0]) >= 22 || process.env.SEL4_STUDIO_NO_CODE_CACHE) {
    require('node:module').enableCompileCache?.(path.join(path.dirname(file), '.compile-cache'));
    return require(file);
  }
  const cacheFile = `${file}.cache`;
  const stamp = Buffer.from(`${st.size} ${st.mtimeMs} ${process.version} ${process.arch}\n`);
  let cached;
  try {
    const c = fs.readFileSync(cacheFile);
    if (c.subarray(0, stamp.length).equals(stamp)) cached = c.subarray(stamp.length);
  } catch {
    // No cache yet.
  }
  // The bundles hold no import() (scripts/build.mjs): code from a cache would have no loader for it.
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData: cached });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  if (!cached || script.cachedDataRejected) {
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing was written.
        }
      }
    });
  }
  return mod.exports;
}
