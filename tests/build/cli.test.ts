// `sel4-studio new` and `sel4-studio build` on real cmake/ninja/gcc/ld with the Microkit stand-in; the image then boots
// through `sel4-studio qemu` (the stand-in writes the bare-metal fixture's loader.img, which prints the recorded boot).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { standinSdk } from '../support/standinSdk';
import { buildBaremetal, hasTools } from '../support/baremetal';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/sel4-studio.cjs');
const ok = hasTools() && spawnSync('sh', ['-c', 'command -v make']).status === 0;
if (!ok && process.env.CI === 'true') throw new Error('cmake, ninja, make, aarch64-linux-gnu-gcc and qemu-system-aarch64 are required in CI');

describe.runIf(ok)('sel4-studio new and build', () => {
  let sdk = '';
  let image = '';
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
    sdk = standinSdk();
    image = path.join(path.dirname(buildBaremetal()), 'loader.img');
  }, 180_000);
  // `new` trusts the folders it makes: in a config folder of the test's own, not the user's.
  const config = mkdtempSync(path.join(os.tmpdir(), 'cli-config-'));
  const cli = (args: string[], cwd = root) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MICROKIT_STANDIN_IMAGE: image, SEL4_STUDIO_CONFIG_DIR: config } });

  it('a hello project from the template builds, and its image boots in QEMU', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-new-')), 'hello');
    const made = cli(['new', dir, '--template', 'hello']);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain('hello.c');
    const r = cli(['build', '--project', dir, '--sdk', sdk]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/== microkit: done/);
    expect(existsSync(path.join(dir, 'build/loader.img'))).toBe(true);
    const boot = cli(['qemu', '--board', 'qemu_virt_aarch64', '--image', path.join(dir, 'build/loader.img'), '--expect', 'hello, world', '--timeout', '30']);
    expect(boot.status, boot.stderr).toBe(0);
  });

  it('a compile error: exit 1 and the problem in the gcc format, relative to where the command ran; --json too', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'cli-err-'));
    const dir = path.join(parent, 'p');
    expect(cli(['new', dir, '--template', 'hello']).status).toBe(0);
    await fs.writeFile(path.join(dir, 'hello.c'), '#include <microkit.h>\nvoid init(void) { microkit_dbg_puts(nope); }\n');
    const r = cli(['build', '--project', dir, '--sdk', sdk], parent);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^p\/hello\.c:2:37: error: .nope. undeclared/m);
    const j = cli(['build', '--project', dir, '--sdk', sdk, '--json'], parent);
    const out = JSON.parse(j.stdout);
    expect(out).toMatchObject({ result: 'failed', failedStep: 'compile' });
    expect(out.problems[0]).toMatchObject({ tool: 'gcc', file: 'hello.c', line: 2, column: 37, severity: 'error' });
  });

  it('a Makefile repository with no project file: --var passed to make, the steps printed, the image where its BUILD_DIR put it', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-repo-')), 'example');
    await fs.cp(path.join(root, 'tests/fixtures/repo-make'), dir, { recursive: true });
    const r = cli(['build', '--project', dir, '--sdk', sdk, '--var', 'BUILD_DIR=out/custom', '--var', 'GREETING=salut']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`compile: make MICROKIT_SDK=${sdk} MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug BUILD_DIR=out/custom GREETING=salut`);
    expect(r.stdout).toBe(`image: ${path.join(dir, 'out/custom/loader.img')}\n`);
    expect(existsSync(path.join(dir, 'out/custom/loader.img'))).toBe(true);
    // A Makefile make cannot read: its error at its place, exit 1.
    await fs.appendFile(path.join(dir, 'Makefile'), 'ifeq ($(A),b)\n');
    const bad = cli(['build', '--project', dir, '--sdk', sdk], dir);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^Makefile:47:1: warning: missing `endif`/m);
    expect(bad.stdout).toMatch(/^Makefile:48: error: missing 'endif'/m);
    expect(cli(['build', '--project', dir, '--var', 'oops']).stderr).toMatch(/--var takes NAME=VALUE, not oops/);
  });

  it('bad usage and a missing SDK are one clear line each', () => {
    expect(cli(['new']).stderr).toBe('sel4-studio new: usage: sel4-studio new DIR [--template NAME] [--board B] [--name N]\n');
    expect(cli(['new', '/tmp/x', '--template', 'nope']).stderr).toMatch(/no template 'nope' \(there are: hello, shared-memory/);
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'cli-nosdk-')), 'p');
    cli(['new', dir]);
    const r = cli(['build', '--project', dir, '--sdk', '/nonexistent']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('sel4-studio build: /nonexistent is not a Microkit SDK (it needs a VERSION file, an executable bin/microkit and board/<board>/<config>/ folders)\n');
  });
});
