import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../shared/api/rpc';
import { createStudioHost } from '../../electron/services/studioHost';
import { ProjectService } from '../../electron/services/projects';
import { budget, scale } from './scale';

const repo = path.resolve(import.meta.dirname, '../..');
const base = mkdtempSync(path.join(os.tmpdir(), 'studio-saves-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A system whose text says which save wrote it, `pad` bytes long so a write takes a while. */
const systemText = (tag: string, pad = 0) => `<?xml version="1.0" encoding="UTF-8"?>\n<!-- ${tag} ${'.'.repeat(pad)} -->\n<system>\n  <protection_domain name="${tag}">\n    <program_image path="a.elf" />\n  </protection_domain>\n</system>\n`;
const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

function host() {
  const h = createStudioHost({ mode: 'browser', version: 'test', configDir: path.join(base, 'config'), boardsDir: path.join(repo, 'boards'), emit: () => undefined });
  const dispatch = createDispatcher(h.handlers);
  const call = async (method: string, params: unknown) => {
    const env = await dispatch(method, params);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.result as Record<string, unknown>;
  };
  return { call, dispose: h.dispose };
}

describe('saves that race and saves that die', () => {
  const pairs = scale(200, 2000);
  it(
    `${pairs} concurrent double saves through the host: 0 torn, 0 failed, studio.json and the .system always from the same save`,
    async () => {
      const { call, dispose } = host();
      const dir = path.join(base, 'race');
      const snap = (await call('project.create', { dir, name: 'race' })) as { studio: Record<string, unknown> };
      const studioFile = path.join(dir, 'studio.json');
      const systemFile = path.join(dir, snap.studio.systemFile as string);
      let failed = 0;
      let torn = 0;
      let mismatched = 0;
      for (let i = 0; i < pairs; i++) {
        const tags = [`a${i}`, `b${i}`];
        // Two tabs, a double Ctrl+S, autosave racing Save: both at once, neither awaited before the other starts.
        const results = await Promise.allSettled(
          tags.map((tag) => call('project.save', { studio: { ...snap.studio, name: tag }, systemXml: systemText(tag, (i % 7) * 4096) })),
        );
        failed += results.filter((r) => r.status === 'rejected').length;
        const sys = readFileSync(systemFile, 'utf8');
        const which = tags.find((t) => sys === systemText(t, (i % 7) * 4096));
        if (!which) torn++;
        const studioName = (JSON.parse(readFileSync(studioFile, 'utf8')) as { name: string }).name;
        if (studioName !== which) mismatched++;
      }
      dispose();
      expect({ failed, torn, mismatched, temps: temps(dir) }).toEqual({ failed: 0, torn: 0, mismatched: 0, temps: [] });
    },
    budget(60_000, 600_000),
  );

  let driver = '';
  beforeAll(async () => {
    // A real process that saves as fast as it can through the project service, to be killed with SIGKILL.
    driver = path.join(base, 'saver.cjs');
    await build({
      stdin: {
        contents: `
          import { ProjectService } from './electron/services/projects';
          const [dir, config] = process.argv.slice(2);
          const projects = new ProjectService(config);
          const text = ${systemText.toString()};
          (async () => {
            const snap = await projects.open(dir);
            process.stdout.write('ready\\n');
            for (let i = 0; ; i++) await projects.save({ ...snap.studio, name: 'n' + i }, text('n' + i, 512 * 1024));
          })();`,
        resolveDir: repo,
        loader: 'ts',
      },
      outfile: driver,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
  });

  const kills = scale(12, 200);
  it(
    `SIGKILL of a saving host, ${kills} times: every file holds the old or the new bytes, and the next open leaves no temp file`,
    async () => {
      const dir = path.join(base, 'killed');
      const config = path.join(base, 'config-killed');
      const projects = new ProjectService(config);
      await projects.create(dir, 'killed');
      const first = await projects.open(dir);
      const systemFile = path.join(dir, first.studio.systemFile);
      const tempsSeen: number[] = [];
      for (let k = 0; k < kills; k++) {
        const child = spawn(process.execPath, [driver, dir, config], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((r) => child.stdout.once('data', () => r()));
        await new Promise((r) => setTimeout(r, 30 + ((k * 53) % 120)));
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone;
        const sys = readFileSync(systemFile, 'utf8');
        const tag = /<!-- (\S+) /.exec(sys)?.[1];
        expect(sys === first.systemXml || (tag !== undefined && sys === systemText(tag, 512 * 1024)), `a torn .system after kill ${k}`).toBe(true);
        JSON.parse(readFileSync(path.join(dir, 'studio.json'), 'utf8'));
        tempsSeen.push(temps(dir).length);
        // The next open (this process, as a restarted host) sweeps what the dead one left.
        await new ProjectService(config).open(dir);
        expect(temps(dir), `temp files after reopening, kill ${k}`).toEqual([]);
      }
      console.log(`saves killed ${kills} times: 0 torn; temp files left by the dead host ${tempsSeen.reduce((a, b) => a + b, 0)}, after the next open 0`);
      expect(existsSync(systemFile)).toBe(true);
    },
    budget(90_000, 900_000),
  );
});
