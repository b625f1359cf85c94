import { createWriteStream, existsSync, promises as fs, readFileSync, readlinkSync, renameSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { SerialPort as SerialPortClass } from 'serialport';
import { StudioError } from '../../shared/api/errors';
import { openForWrite } from './confine';
import { describePorts, type NamedPort, type RawPort } from '../../shared/serial/ports';
import { encodeInput, parseTarget, rfc2217Control, rfc2217Hello, TelnetDecoder, telnetEscape, type LineEnding } from '../../shared/serial/transform';

// Loaded on first use: serialport and its native addon cost tens of milliseconds, and the browser host loads this
// module while the first page is coming up (npm run bench -- --only startup).
let serialPortClass: Promise<typeof SerialPortClass> | undefined;
const loadSerialPort = () => (serialPortClass ??= import('serialport').then((m) => m.SerialPort));

export interface SerialOptions {
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  flowControl?: 'none' | 'rtscts' | 'xonxoff';
  tcu?: boolean;
  enter?: LineEnding;
  /** Every received byte is appended here; rotated at `logMaxBytes` (keeping `logKeep` old files). */
  logFile?: string;
  logMaxBytes?: number;
  logKeep?: number;
  /** Reopen after a hang-up or unplug, every `reconnectMs`. */
  reconnect?: boolean;
  reconnectMs?: number;
  /** How often an open local port is checked for a hang-up nothing reported (ms; 0 turns the watchdog off). */
  watchMs?: number;
}

export type SerialStatus = 'connecting' | 'open' | 'disconnected' | 'closed';

export interface SerialEvents {
  data(id: string, data: Uint8Array): void;
  status(id: string, status: SerialStatus, detail?: string): void;
}

interface Link {
  /** Set once the link is lost: events of a dead link (a late 'close' after an 'error') are ignored. */
  dead?: boolean;
  write(b: Uint8Array): void;
  close(): void;
  flush?(): Promise<void>;
  brk?(): Promise<void>;
}

interface Session {
  id: string;
  target: string;
  opts: SerialOptions;
  link?: Link;
  status: SerialStatus;
  /** The status's detail as last told. */
  detail?: string;
  log?: WriteStream;
  logBytes: number;
  closing: boolean;
  timer?: NodeJS.Timeout;
  watchdog?: NodeJS.Timeout;
  /** Reconnect attempts since the link was lost (shown in the status detail). */
  attempts: number;
  /** Host-side readers of the received bytes (a board run's log and boot watch), besides the events. */
  taps?: Set<(data: Uint8Array) => void>;
  /** Received bytes not sent as an event yet (see COALESCE_MS), and their count. */
  out: Uint8Array[];
  outBytes: number;
  outTimer?: NodeJS.Timeout;
  /** The pty last opened through a link (see `stalePty`): the link itself as it was then. */
  ptyLink?: { ino: bigint; ctimeNs: bigint };
}

/**
 * Received bytes go out as one event per COALESCE_MS (or per COALESCE_BYTES, whichever comes first) rather than one
 * per read: a fast console reads 4 KiB at a time from a pty, and every event is a message the page parses and
 * dispatches (10 MiB were 2,600 messages). The log and the host's taps still see every read at once.
 */
const COALESCE_MS = 8;
const COALESCE_BYTES = 128 * 1024;

/** What a device path named when it was opened: a link re-pointed or a node replaced is another device. */
interface DeviceIdentity {
  real: string;
  rdev: number;
  ino: number;
}

async function identify(target: string): Promise<DeviceIdentity | undefined> {
  try {
    const real = await fs.realpath(target);
    const st = await fs.stat(real);
    return { real, rdev: st.rdev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** A link's own identity (not its target's): a link made again (socat started again) has a new change time. */
async function linkIdentity(target: string): Promise<{ ino: bigint; ctimeNs: bigint } | undefined> {
  try {
    const st = await fs.lstat(target, { bigint: true });
    return st.isSymbolicLink() ? { ino: st.ino, ctimeNs: st.ctimeNs } : undefined;
  } catch {
    return undefined;
  }
}

const sameDevice = (a: DeviceIdentity | undefined, b: DeviceIdentity | undefined) => !!a && !!b && a.real === b.real && a.rdev === b.rdev && a.ino === b.ino;

/** Errors from a port that mean the device behind it is gone, not that it cannot do what was asked. */
const GONE = /Input\/output error|No such device|No such file|EIO|ENXIO|ENODEV|ENOENT|Bad file descriptor/i;

/**
 * Serial consoles: local ports (serialport), raw TCP and RFC 2217 (ser2net) by URL. Several at once; each logs every
 * byte it receives and reconnects after a hang-up, so a board power-cycle loses nothing the log could have held.
 */
export class SerialService {
  private next = 1;
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly events: SerialEvents) {}

  async open(target: string, opts: SerialOptions): Promise<string> {
    parseTarget(target);
    const s: Session = { id: `serial-${this.next++}`, target, opts: { reconnect: true, reconnectMs: 500, watchMs: 500, enter: 'cr', ...opts }, status: 'connecting', logBytes: 0, closing: false, attempts: 0, out: [], outBytes: 0 };
    if (opts.logFile) {
      const { log, size } = await openLog(opts.logFile);
      s.logBytes = size;
      s.log = this.watchLog(s, log);
    }
    this.sessions.set(s.id, s);
    try {
      await this.connect(s);
    } catch (e) {
      this.sessions.delete(s.id);
      s.log?.end();
      // serialport says "Error: No such file or directory, cannot open /dev/x": keep just the reason.
      const reason = (e as Error).message.replace(/^Error: /, '').replace(/, cannot open .*$/, '');
      throw new StudioError('not-found', `cannot open ${target}: ${reason}`);
    }
    return s.id;
  }

  private setStatus(s: Session, status: SerialStatus, detail?: string) {
    // The bytes received before a status change are told before it.
    this.sendReceived(s);
    if (s.status === status && s.detail === detail) return;
    s.status = status;
    s.detail = detail;
    this.events.status(s.id, status, detail);
  }

  private received(s: Session, data: Uint8Array) {
    if (s.log) {
      s.log.write(data);
      s.logBytes += data.length;
      if (s.opts.logMaxBytes && s.logBytes >= s.opts.logMaxBytes) this.rotate(s);
    }
    s.out.push(data);
    s.outBytes += data.length;
    if (s.outBytes >= COALESCE_BYTES) this.sendReceived(s);
    else s.outTimer ??= setTimeout(() => this.sendReceived(s), COALESCE_MS);
    for (const tap of s.taps ?? []) tap(data);
  }

  /** The received bytes waiting for an event, as one. */
  private sendReceived(s: Session) {
    clearTimeout(s.outTimer);
    s.outTimer = undefined;
    if (!s.outBytes) return;
    const data = s.out.length === 1 ? s.out[0]! : Buffer.concat(s.out, s.outBytes);
    s.out = [];
    s.outBytes = 0;
    this.events.data(s.id, data);
  }

  /** Read a session's received bytes in the host too (after the events); returns the detach function. */
  tap(id: string, fn: (data: Uint8Array) => void): () => void {
    const s = this.get(id);
    (s.taps ??= new Set()).add(fn);
    return () => s.taps?.delete(fn);
  }

  /**
   * A log write that fails later (a full disk, the folder removed) ends logging, said once in the status detail; the
   * console keeps running. Without this listener the stream's error would be uncaught and end the host.
   */
  private watchLog(s: Session, log: WriteStream): WriteStream {
    log.on('error', (e: NodeJS.ErrnoException) => {
      if (s.log !== log) return;
      s.log = undefined;
      this.events.status(s.id, s.status, `the log ${s.opts.logFile} stopped: ${e.code ?? e.message}`);
    });
    return log;
  }

  private rotate(s: Session) {
    const file = s.opts.logFile!;
    const keep = s.opts.logKeep ?? 3;
    s.log!.end();
    s.log = undefined;
    try {
      for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      renameSync(file, `${file}.1`);
      // A new file in the old one's place, opened with the same checks (no link, no hard link).
      s.log = this.watchLog(s, createWriteStream('', { fd: openForWrite(file, 'append').fd }));
      s.logBytes = 0;
    } catch (e) {
      this.events.status(s.id, s.status, `the log ${file} stopped: it could not be rotated (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  /**
   * The link is gone (a close, an error, or the watchdog): once per link, whatever reports it first. Reconnects
   * every `reconnectMs` until the device is back, saying so in the status.
   */
  private lost(s: Session, link: Link, why: string) {
    if (link.dead) return;
    link.dead = true;
    clearInterval(s.watchdog);
    s.watchdog = undefined;
    if (s.link === link) s.link = undefined;
    link.close();
    if (s.closing) return;
    this.setStatus(s, 'disconnected', s.opts.reconnect ? `${why}; reconnecting every ${s.opts.reconnectMs} ms` : why);
    if (!s.opts.reconnect) return;
    s.attempts = 0;
    let said = '';
    const retry = () => {
      if (s.closing || s.link) return;
      s.attempts++;
      this.connect(s).catch((e: Error) => {
        // Why it does not come back, when that is more than "not there yet" (said once, not at every attempt).
        const wait = /still names the pty that hung up/.test(e.message) ? e.message : '';
        if (wait !== said && !s.closing) {
          said = wait;
          this.setStatus(s, 'disconnected', `${why}; reconnecting every ${s.opts.reconnectMs} ms${wait ? ` (${wait})` : ''}`);
        }
        s.timer = setTimeout(retry, s.opts.reconnectMs);
      });
    };
    s.timer = setTimeout(retry, s.opts.reconnectMs);
  }

  /**
   * A local port can die without a word: a pty whose other side was killed, or a stale udev link that now names
   * another device. Every `watchMs` the path must still name the device that was opened, and the device must still
   * answer a modem-status request with anything but "gone".
   */
  private watch(s: Session, link: Link, target: string, opened: DeviceIdentity, port: InstanceType<typeof SerialPortClass>) {
    const every = s.opts.watchMs ?? 500;
    if (!every) return;
    let busy = false;
    s.watchdog = setInterval(() => {
      if (busy || link.dead) return;
      busy = true;
      void identify(target)
        .then(
          (now) =>
            new Promise<string | undefined>((resolve) => {
              if (!now) return resolve(`${target} is gone`);
              if (!sameDevice(now, opened)) return resolve(`${target} now names another device (${now.real})`);
              port.get((err) => resolve(err && GONE.test(err.message) ? `${target} hung up (${err.message.replace(/, cannot get.*$/, '')})` : undefined));
            }),
        )
        .then((why) => {
          busy = false;
          if (why) this.lost(s, link, why);
        });
    }, every);
    s.watchdog.unref?.();
  }

  private async connect(s: Session): Promise<void> {
    const t = parseTarget(s.target);
    if (t.kind === 'device') {
      const SerialPort = await loadSerialPort();
      const before = await identify(t.path);
      if (!before) throw new Error(`No such file or directory`);
      // A pty pair that hung up is gone for good, and its number goes to the next pty made anywhere on the machine
      // (another socat, a terminal, QEMU's -serial pty): a link left behind (a SIGKILLed socat removes none) would
      // open that stranger's pty. So a pty is opened again through a link only once the link was made again.
      const linkNow = before.real.startsWith('/dev/pts/') ? await linkIdentity(t.path) : undefined;
      if (s.ptyLink && linkNow && linkNow.ino === s.ptyLink.ino && linkNow.ctimeNs === s.ptyLink.ctimeNs) {
        throw new Error(`${t.path} still names the pty that hung up (${before.real} may be another program's now): waiting for the link to be made again`);
      }
      const port = await new Promise<InstanceType<typeof SerialPortClass>>((resolve, reject) => {
        const o = s.opts;
        const p = new SerialPort({
          path: before.real,
          baudRate: o.baudRate,
          dataBits: o.dataBits ?? 8,
          parity: o.parity ?? 'none',
          stopBits: o.stopBits ?? 1,
          rtscts: o.flowControl === 'rtscts',
          xon: o.flowControl === 'xonxoff',
          xoff: o.flowControl === 'xonxoff',
          autoOpen: false,
        });
        p.open((err) => (err ? reject(err) : resolve(p)));
      });
      // The link may have moved while the port opened (a board re-enumerating): then this is not the device asked for.
      const after = await identify(t.path);
      const link: Link = {
        write: (b) => void port.write(Buffer.from(b)),
        close: () => {
          if (port.isOpen) port.close(() => undefined);
        },
        flush: () => new Promise((r) => port.drain(() => r())),
        brk: () => new Promise((r) => port.set({ brk: true }, () => setTimeout(() => port.set({ brk: false }, () => r()), 250))),
      };
      port.on('error', (e: Error) => this.lost(s, link, `the port failed: ${e.message}`));
      if (!sameDevice(before, after)) {
        link.dead = true;
        link.close();
        throw new Error(`${t.path} changed while it was being opened`);
      }
      // Bytes that arrive after the link was found dead are still what the device sent: logged and shown.
      port.on('data', (d: Buffer) => this.received(s, d));
      port.on('close', (e: { disconnected?: boolean } | null) => this.lost(s, link, e?.disconnected ? 'the port hung up' : 'closed'));
      s.link = link;
      s.ptyLink = linkNow;
      this.watch(s, link, t.path, before, port);
      this.setStatus(s, 'open', s.attempts ? `reconnected after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}` : undefined);
      return;
    }
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: t.host, port: t.port });
      const telnet = t.kind === 'rfc2217' ? new TelnetDecoder() : undefined;
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        // A network console that goes quiet for good (a cable pulled between here and ser2net) is found by keepalive.
        sock.setKeepAlive(true, 5000);
        if (telnet) sock.write(rfc2217Hello(s.opts.baudRate, s.opts));
        sock.on('data', (d: Buffer) => {
          const data = telnet ? telnet.decode(d) : d;
          if (data.length) this.received(s, data);
        });
        const link: Link = { write: (b) => void sock.write(telnet ? telnetEscape(b) : b), close: () => sock.destroy() };
        sock.on('error', (e: Error) => this.lost(s, link, `the connection failed: ${e.message}`));
        sock.on('close', () => this.lost(s, link, 'the connection closed'));
        s.link = link;
        // RFC 2217 SET-CONTROL 5/6: the server holds the line in break for a quarter of a second.
        if (telnet) s.link.brk = () => new Promise((r) => (sock.write(rfc2217Control(5)), setTimeout(() => (sock.write(rfc2217Control(6)), r()), 250)));
        this.setStatus(s, 'open', s.attempts ? `reconnected after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}` : undefined);
        resolve();
      });
    });
  }

  /** What the user typed: line endings mapped, TCU padding applied. */
  send(id: string, data: Uint8Array) {
    const s = this.get(id);
    if (!s.link) throw new StudioError('conflict', `${s.target} is ${s.status}`);
    s.link.write(encodeInput(data, { enter: s.opts.enter ?? 'cr', tcu: s.opts.tcu ?? false }));
  }

  async sendBreak(id: string) {
    const s = this.get(id);
    if (!s.link?.brk) throw new StudioError('unsupported', `break is not available on ${s.target}`);
    await s.link.brk();
  }

  status(id: string): SerialStatus | undefined {
    return this.sessions.get(id)?.status;
  }

  async close(id: string) {
    const s = this.sessions.get(id);
    if (!s) return;
    s.closing = true;
    clearTimeout(s.timer);
    clearInterval(s.watchdog);
    if (s.link) {
      s.link.dead = true;
      s.link.close();
    }
    await new Promise<void>((r) => (s.log ? s.log.end(() => r()) : r()));
    this.sessions.delete(id);
    this.setStatus(s, 'closed');
  }

  async closeAll() {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new StudioError('not-found', `no serial session ${id}`);
    return s;
  }
}

const LOG_REASONS: Record<string, string> = {
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  ENOTDIR: 'a part of its path is a file',
  EACCES: 'permission denied',
  EROFS: 'the file system is read-only',
};

/**
 * Open (append) a serial log before the session starts, so a path that cannot be a log is a clear error from open:
 * a stream opened lazily would report it later as an uncaught 'error' event.
 */
async function openLog(file: string): Promise<{ log: WriteStream; size: number }> {
  try {
    const { fd, size } = openForWrite(file, 'append');
    return { log: createWriteStream('', { fd }), size };
  } catch (e) {
    if (e instanceof StudioError) throw new StudioError(e.code, `cannot write the serial log ${file}: ${e.message}`);
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code ? `${LOG_REASONS[code] ?? (code === 'ENOTREG' ? 'it is not a regular file' : (e as Error).message)} (${code})` : (e as Error).message;
    throw new StudioError('invalid-params', `cannot write the serial log ${file}: ${reason}`);
  }
}

/** Local ports, named by shared/serial/ports (the host only gathers what serialport and sysfs say). */
export async function listPorts(): Promise<NamedPort[]> {
  const ports = await (await loadSerialPort()).list();
  return describePorts(
    ports.map((p) => {
      const raw: RawPort = { path: p.path };
      if (p.manufacturer) raw.manufacturer = p.manufacturer;
      if (p.vendorId) raw.vendorId = p.vendorId;
      if (p.productId) raw.productId = p.productId;
      if (p.serialNumber) raw.serialNumber = p.serialNumber;
      const iface = usbInterface(p.path);
      if (iface !== undefined) raw.interface = iface;
      return raw;
    }),
  );
}

function usbInterface(devPath: string): number | undefined {
  try {
    const dev = readlinkSync(`/sys/class/tty/${path.basename(devPath)}/device`);
    const m = /:\d+\.(\d+)$/.exec(dev);
    if (m) return Number(m[1]);
    return Number.parseInt(readFileSync(`/sys/class/tty/${path.basename(devPath)}/device/bInterfaceNumber`, 'utf8'), 16);
  } catch {
    return undefined;
  }
}
