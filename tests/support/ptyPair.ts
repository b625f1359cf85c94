import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';

/**
 * A real pty pair from socat, as a board's USB-serial adapter looks to the IDE: `a` for the IDE to open, `b` for the
 * "board" (`openBoard`). Both are symlinks in `dir`; `close()` kills socat (the IDE's end then hangs up).
 */
export interface PtyPair {
  a: string;
  b: string;
  proc: ChildProcess;
  /** The board's end, opened; `send` writes text and waits until it is out. */
  openBoard(): Promise<Board>;
  close(): void;
}

export interface Board {
  port: SerialPort;
  send(text: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function startPtyPair(dir: string, tag = 'tty'): Promise<PtyPair> {
  const a = path.join(dir, `${tag}-a`);
  const b = path.join(dir, `${tag}-b`);
  // A SIGKILLed socat leaves its links behind: the new pair's are the ones that are not those.
  const stale = [a, b].map(linkIno);
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const end = Date.now() + 10_000;
  while (!(existsSync(a) && existsSync(b) && linkIno(a) !== stale[0] && linkIno(b) !== stale[1])) {
    if (Date.now() > end || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`socat made no pty pair at ${a} and ${b} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    a,
    b,
    proc,
    openBoard: () => openBoard(b),
    close: () => void proc.kill('SIGKILL'),
  };
}

/** A link's own identity: its inode and change time in ns (an inode number is reused at once; the time is not). */
function linkIno(p: string): string | undefined {
  try {
    const st = lstatSync(p, { bigint: true });
    return `${st.ino}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}

export async function openBoard(p: string): Promise<Board> {
  const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  return {
    port,
    send: (text) => new Promise<void>((res, rej) => port.write(text, (e) => (e ? rej(e) : port.drain(() => res())))),
    close: () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
}
