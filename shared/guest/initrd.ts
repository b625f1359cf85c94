import { utf8 } from '../format/utf8';
/**
 * A small Linux initrd for QEMU demos: a cpio "newc" archive (the format the kernel unpacks into its rootfs,
 * Documentation/driver-api/early-userspace/buffer-format.rst) holding a static busybox, an /init script that mounts
 * proc, sys and dev and starts a shell on the console, and the /dev/console node the kernel opens before /init.
 * Pure: the caller reads busybox and writes the result.
 */

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** The archive, entries in the order given (parents first), ended by the TRAILER!!! record. */
export function cpioNewc(entries: readonly CpioEntry[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    size += b.length;
  };
  const pad4 = () => {
    const n = (4 - (size % 4)) % 4;
    if (n) push(new Uint8Array(n));
  };
  const record = (ino: number, name: string, mode: number, data: Uint8Array, dev: { major: number; minor: number } = { major: 0, minor: 0 }, nlink = 1) => {
    const nameBytes = Uint8Array.from(utf8(`${name}\0`));
    const header = `070701${hex8(ino)}${hex8(mode)}${hex8(0)}${hex8(0)}${hex8(nlink)}${hex8(mtime)}${hex8(data.length)}${hex8(0)}${hex8(0)}${hex8(dev.major)}${hex8(dev.minor)}${hex8(nameBytes.length)}${hex8(0)}`;
    push(Uint8Array.from(utf8(header)));
    push(nameBytes);
    pad4();
    push(data);
    pad4();
  };
  entries.forEach((e, i) => {
    const name = e.path.replace(/^\/+/, '');
    if (!name || name.split('/').some((p) => p === '..' || p === '.')) throw new Error(`bad path in initrd: ${e.path}`);
    const ino = i + 1;
    if (e.kind === 'dir') record(ino, name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0), undefined, 2);
    else if (e.kind === 'file') record(ino, name, S_IFREG | (e.mode ?? 0o644), e.data);
    else if (e.kind === 'symlink') record(ino, name, S_IFLNK | 0o777, Uint8Array.from(utf8(e.target)));
    else record(ino, name, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(0), { major: e.major, minor: e.minor });
  });
  record(0, 'TRAILER!!!', 0, new Uint8Array(0), undefined, 1);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What the guest prints when its shell is ready, and its prompt (tests and the timeline look for them). */
export const GUEST_READY = 'seL4 Studio guest: busybox shell on the console';
export const GUEST_PROMPT = 'guest# ';

/** The /init script: mounts, a banner, then an interactive shell with a controlling terminal on the console. */
export const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "${GUEST_READY} ($(uname -sr))"
export PS1='${GUEST_PROMPT}' HOME=/root PATH=/bin
exec setsid cttyhack sh
`;

/** The initrd's entries around a static busybox (an aarch64 one for an arm64 kernel). */
export function busyboxInitrdEntries(busybox: Uint8Array): CpioEntry[] {
  return [
    ...['bin', 'dev', 'proc', 'sys', 'root', 'tmp', 'etc'].map((d): CpioEntry => ({ kind: 'dir', path: d })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: Uint8Array.from(utf8(INIT_SCRIPT)), mode: 0o755 },
  ];
}
