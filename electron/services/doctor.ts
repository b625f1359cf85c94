import { execFile } from 'node:child_process';
import { promises as fs, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToolStatus } from '../../shared/api/contract';
import { MICROKIT_SDK, TOOLS, type ToolSpec } from '../../shared/doctor/tools';
import { findSdk } from './sdk';

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  timeoutMs?: number;
}

/** Find an executable on PATH the way execvp would, without a shell. */
export async function which(command: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (command.includes('/')) return (await isExecutable(command)) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env, windowsHide: true }, (err, stdout, stderr) => {
      const text = `${stdout}\n${stderr}`.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
      resolve(err && !text ? undefined : text);
    });
  });
}

/**
 * The version in a tool's first line: a trailing x.y[.z] when the line ends with one (gcc puts the package
 * version in parentheses before it), else the first x.y[.z] (QEMU puts the package after it).
 */
export function versionOf(line: string | undefined): string | undefined {
  if (!line) return undefined;
  const trailing = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(line);
  return trailing?.[1] ?? /\d+\.\d+(?:\.\d+)?/.exec(line)?.[0] ?? line;
}

export async function checkTool(spec: ToolSpec, opts: DoctorOptions = {}): Promise<ToolStatus> {
  const env = opts.env ?? process.env;
  for (const command of spec.commands) {
    const found = await which(command, env);
    if (!found) continue;
    const line = await firstLine(found, spec.versionArgs, opts.timeoutMs ?? 5000, env);
    const status: ToolStatus = { id: spec.id, label: spec.label, purpose: spec.purpose, found: true, path: found, required: spec.required };
    const version = versionOf(line);
    if (version) status.version = version;
    return status;
  }
  return { id: spec.id, label: spec.label, purpose: spec.purpose, found: false, hint: spec.hint, required: spec.required };
}

/**
 * A Microkit SDK: `$MICROKIT_SDK`, else the newest `~/microkit-sdk-*`. An SDK is a folder with `VERSION`,
 * `bin/microkit` and `board/` (recorded/microkit/sdk-2.0.1-layout.txt).
 */
export async function findMicrokitSdk(opts: DoctorOptions = {}): Promise<ToolStatus> {
  const { sdk, hint } = await findSdk(undefined, opts.env ?? process.env, opts.home ?? os.homedir());
  if (!sdk) return { ...MICROKIT_SDK, purpose: 'build system images', found: false, hint: hint!, required: false };
  const boards = Object.entries(sdk.boards).map(([b, c]) => `${b} (${c.join(', ')})`);
  return { ...MICROKIT_SDK, purpose: `build system images for ${boards.length} board${boards.length === 1 ? '' : 's'}: ${boards.slice(0, 3).join('; ')}${boards.length > 3 ? '; …' : ''}`, found: true, path: sdk.path, version: sdk.version, required: false };
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<ToolStatus[]> {
  return Promise.all([...TOOLS.map((t) => checkTool(t, opts)), findMicrokitSdk(opts)]);
}
