import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { busyboxInitrdEntries, cpioNewc, GUEST_PROMPT } from '../../shared/guest/initrd';

/**
 * A Linux guest for QEMU demos from Debian's arm64 packages: the kernel package's vmlinuz (an arm64 Image QEMU boots
 * with -kernel) and busybox-static, made into a small initrd here (no cpio tool needed). Needs apt with the arm64
 * architecture added (`dpkg --add-architecture arm64 && apt-get update`, as root); never changes the system itself.
 */

/** The files of a fetched guest, in one folder. */
export interface GuestKernelFiles {
  dir: string;
  kernel: string;
  initrd: string;
  /** The Debian kernel version (e.g. 6.1.0-57-arm64). */
  version: string;
}

/** Where the guest goes unless told: $SEL4_STUDIO_GUEST_DIR, else $XDG_CACHE_HOME/sel4-studio/guest-kernel. */
export function defaultGuestDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEL4_STUDIO_GUEST_DIR) return path.resolve(env.SEL4_STUDIO_GUEST_DIR);
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'sel4-studio', 'guest-kernel');
}

/** The guest in `dir` if it was fetched there (Image, initrd.cpio and version.txt all present). */
export function guestKernelIn(dir = defaultGuestDir()): GuestKernelFiles | undefined {
  const files = { dir, kernel: path.join(dir, 'Image'), initrd: path.join(dir, 'initrd.cpio'), version: '' };
  if (!existsSync(files.kernel) || !existsSync(files.initrd) || !existsSync(path.join(dir, 'version.txt'))) return undefined;
  return { ...files, version: readFileSync(path.join(dir, 'version.txt'), 'utf8').trim() };
}

/** How to boot the guest from a shell: the CLI command, then the plain QEMU one. */
export function guestBootCommands(g: GuestKernelFiles): string[] {
  return [
    `sel4-studio qemu --kernel ${g.kernel} --initrd ${g.initrd} --append 'console=ttyAMA0' --smp 1 --mem 512 --expect '${GUEST_PROMPT}'`,
    `qemu-system-aarch64 -machine virt -cpu cortex-a53 -smp 1 -m 512 -nographic -kernel ${g.kernel} -initrd ${g.initrd} -append 'console=ttyAMA0'`,
  ];
}

const run = (log: (s: string) => void, cmd: string, args: string[], cwd?: string): string => {
  log(`$ ${[cmd, ...args].join(' ')}\n`);
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new StudioError('tool-missing', `${cmd} is not installed (this needs Debian's apt and dpkg)`);
    throw new StudioError('internal', `${cmd} failed: ${(err.stderr ?? err.message).trim()}`);
  }
};

/** `dpkg-deb --fsys-tarfile DEB | tar -x MEMBER`: one file out of a package without unpacking the rest. */
function extractMember(log: (s: string) => void, deb: string, member: string, cwd: string): Promise<void> {
  log(`$ dpkg-deb --fsys-tarfile ${path.basename(deb)} | tar -x --wildcards '${member}'\n`);
  return new Promise((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '--wildcards', member], { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    dpkg.stderr.on('data', (b: Buffer) => (err += b.toString()));
    tar.stderr.on('data', (b: Buffer) => (err += b.toString()));
    dpkg.stdout.pipe(tar.stdin);
    dpkg.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new StudioError('internal', `extracting ${member} from ${path.basename(deb)} failed: ${err.trim()}`))));
  });
}

/**
 * Fetch Debian's current arm64 kernel and busybox-static into `out` (Image, busybox, initrd.cpio, version.txt),
 * printing each command it runs. The version is resolved from the linux-image-arm64 metapackage, never fixed here.
 */
export async function fetchGuestKernel(out: string, log: (s: string) => void): Promise<GuestKernelFiles> {
  const archs = run(log, 'dpkg', ['--print-foreign-architectures']);
  if (!archs.split('\n').includes('arm64') && run(() => undefined, 'dpkg', ['--print-architecture']).trim() !== 'arm64') {
    throw new StudioError('tool-missing', 'apt does not know arm64 packages yet; as root run: dpkg --add-architecture arm64 && apt-get update');
  }
  const depends = run(log, 'apt-cache', ['depends', 'linux-image-arm64:arm64']);
  const pkg = /Depends: (linux-image-[\w.+-]+-arm64)(?::arm64)?/.exec(depends)?.[1];
  if (!pkg) throw new StudioError('not-found', `no arm64 kernel package behind linux-image-arm64 (apt-cache said: ${depends.trim() || 'nothing'}); run apt-get update`);
  const version = pkg.replace(/^linux-image-/, '');
  mkdirSync(out, { recursive: true });
  const work = path.join(out, `.fetch-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  try {
    run(log, 'apt-get', ['download', `${pkg}:arm64`, 'busybox-static:arm64'], work);
    const debs = readdirSync(work);
    const kernelDeb = debs.find((f) => f.startsWith(`${pkg}_`));
    const busyboxDeb = debs.find((f) => f.startsWith('busybox-static_'));
    if (!kernelDeb || !busyboxDeb) throw new StudioError('internal', `apt-get download left ${debs.join(', ') || 'nothing'}`);
    await extractMember(log, path.join(work, kernelDeb), './boot/vmlinuz-*', work);
    await extractMember(log, path.join(work, busyboxDeb), './bin/busybox', work);
    const vmlinuz = readdirSync(path.join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new StudioError('internal', `${kernelDeb} holds no /boot/vmlinuz-*`);
    const busybox = readFileSync(path.join(work, 'bin', 'busybox'));
    log(`$ # initrd.cpio (cpio newc): /init mounts proc, sys and dev, then a busybox shell on the console, prompt '${GUEST_PROMPT}'\n`);
    // Each file lands whole or not at all (a rename), so a folder with all three is a complete guest.
    const place = (name: string, write: (tmp: string) => void) => {
      const tmp = path.join(work, `${name}.new`);
      write(tmp);
      renameSync(tmp, path.join(out, name));
    };
    place('Image', (tmp) => copyFileSync(path.join(work, 'boot', vmlinuz), tmp));
    place('busybox', (tmp) => writeFileSync(tmp, busybox, { mode: 0o755 }));
    place('initrd.cpio', (tmp) => writeFileSync(tmp, cpioNewc(busyboxInitrdEntries(busybox))));
    place('version.txt', (tmp) => writeFileSync(tmp, `${version}\n`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return guestKernelIn(out)!;
}
